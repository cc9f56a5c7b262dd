"""Inference: build the HMR test graph, restore a checkpoint, predict from cropped images."""
from .compat import plain_graph_building, tf
from .config import NUM_CAM, NUM_POSE, NUM_THETA, require_model_files
from .backends.common import Prediction, PredictionWithTheta, as_prediction, to_crop_pixels  # noqa: F401
from .errors import HMRError
from .models import get_encoder_fn_separate
from .tf_smpl import projection as proj_util
from .tf_smpl.batch_smpl import SMPL


class RunModel(object):
    def __init__(self, config, sess=None, smpl_model=None):
        """Builds the graph for `config.batch_size` images and restores `config.load_path` into `sess`;
        `smpl_model`: the SMPL pickle's contents when already read (else it is read here)."""
        self.config = config
        self.load_path = config.load_path
        require_model_files(load_path=self.load_path or '')

        self.batch_size = config.batch_size
        self.img_size = config.img_size
        self.data_format = config.data_format
        self.smpl_model_path = config.smpl_model_path
        self.num_stage = config.num_stage
        self.model_type = config.model_type
        self.joint_type = config.joint_type
        self.num_cam = NUM_CAM
        self.num_theta = NUM_POSE
        self.total_params = NUM_THETA
        self.proj_fn = proj_util.batch_orth_proj_idrot

        self.images_pl = tf.placeholder(tf.float32, shape=(self.batch_size, self.img_size, self.img_size, 3))
        self.smpl = SMPL(self.smpl_model_path, joint_type=self.joint_type, face_path=config.smpl_face_path,
                         model=smpl_model)
        with plain_graph_building():
            self.build_test_model_ief()

        self.sess = tf.Session() if sess is None else sess
        self.saver = tf.train.Saver()
        self.prepare()

    def build_test_model_ief(self):
        """Iterative error feedback from the mean parameters, `num_stage` times, dropout off."""
        self.mean_var = tf.Variable(tf.zeros((1, self.total_params)), name='mean_param', dtype=tf.float32)
        img_enc_fn, threed_enc_fn = get_encoder_fn_separate(self.model_type)
        self.img_feat, self.E_var = img_enc_fn(self.images_pl, is_training=False, reuse=False)

        self.all_verts, self.all_kps, self.all_cams, self.all_Js, self.final_thetas = [], [], [], [], []
        # batch_size None (src/onnx_export.py): a graph for any number of images.
        theta_prev = tf.tile(self.mean_var, [self.batch_size or tf.shape(self.images_pl)[0], 1])
        for stage in range(self.num_stage):
            state = tf.concat([self.img_feat, theta_prev], 1)
            delta_theta, _ = threed_enc_fn(state, num_output=self.total_params, is_training=False,
                                           reuse=stage > 0)
            theta_here = theta_prev + delta_theta
            cams = theta_here[:, :self.num_cam]
            poses = theta_here[:, self.num_cam:self.num_cam + self.num_theta]
            shapes = theta_here[:, self.num_cam + self.num_theta:]
            body = self.smpl(shapes, poses, get_skin=True)
            verts, Js = body.verts, body.joints
            self.all_verts.append(verts)
            self.all_kps.append(self.proj_fn(Js, cams, name='proj_2d_stage%d' % stage))
            self.all_cams.append(cams)
            self.all_Js.append(Js)
            self.final_thetas.append(theta_here)
            theta_prev = theta_here

    def prepare(self):
        try:
            self.saver.restore(self.sess, self.load_path)
        except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError, tf.errors.DataLossError) as e:
            first_line = str(e.message).strip().splitlines()[0]
            raise HMRError('checkpoint %s does not fit the HMR graph: %s' % (self.load_path, first_line))
        except tf.errors.OutOfRangeError:
            raise HMRError('checkpoint %s is truncated (its .data file is shorter than its .index says): '
                           'copy or download it again' % self.load_path)
        self.mean_value = self.sess.run(self.mean_var)

    def predict(self, images, get_theta=False):
        """images: batch_size x img_size x img_size x 3 in [-1, 1].

        Returns Prediction(joints (pixels in the crop), verts, cams, joints3d), or with get_theta
        PredictionWithTheta(..., theta): named tuples that unpack as the released tuples.
        """
        return as_prediction(self.predict_dict(images), get_theta)

    def output_tensors(self):
        """The last stage's tensors `predict_dict` fetches (joints in [-1, 1] crop coordinates)."""
        return {
            'joints': self.all_kps[-1],
            'verts': self.all_verts[-1],
            'cams': self.all_cams[-1],
            'joints3d': self.all_Js[-1],
            'theta': self.final_thetas[-1],
        }

    def predict_dict(self, images):
        """Like `predict`, as a dict with keys joints, verts, cams, joints3d, theta."""
        results = self.sess.run(self.output_tensors(), {self.images_pl: images})
        results['joints'] = to_crop_pixels(results['joints'], self.img_size)
        return results
