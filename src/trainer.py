"""HMR training: the released graph (IEF from the mean parameters, keypoint, 3D and adversarial losses,
separate Adam optimisers for encoder and discriminator), with the released class and method names.

Variable names equal the released training checkpoint's, so runs of the released code and of this one
resume each other. The loop, what it needs of the trainer, the checkpoints and the TensorBoard
pictures are in src/training/ (loop.py, contract.py, checkpoints.py, image_summaries.py).
"""
import os

import numpy as np

from .compat import tf
from .config import NUM_CAM, NUM_POSE, NUM_THETA
from .data_loader import num_examples
from .distributed import SINGLE
from .errors import HMRError
from .models import Discriminator_separable_rotations, get_encoder_fn_separate
from .ops import align_by_pelvis, compute_3d_loss, keypoint_l1_loss
from .tf_smpl.batch_lbs import batch_rodrigues
from .tf_smpl.batch_smpl import SMPL
from .tf_smpl.projection import batch_orth_proj_idrot
from .training import image_summaries
from .training.checkpoints import Checkpoints
from .training.contract import LoopModel
from .training.loop import TrainingLoop

# Names of the 23 non-root SMPL joints in the released summaries.
D_JOINT_NAMES = ['Left_Hip', 'Right_Hip', 'Waist', 'Left_Knee', 'Right_Knee', 'Upper_Waist', 'Left_Ankle',
                 'Right_Ankle', 'Chest', 'Left_Toe', 'Right_Toe', 'Base_Neck', 'Left_Shoulder', 'Right_Shoulder',
                 'Upper_Neck', 'Left_Arm', 'Right_Arm', 'Left_Elbow', 'Right_Elbow', 'Left_Wrist', 'Right_Wrist',
                 'Left_Finger', 'Right_Finger']
NUM_SHOW = 6  # examples drawn in image summaries


def load_mean_params(smpl_model_path):
    """Initial theta: scale .9, no translation, the mean pose with the root turned by pi (upright in
    the image), the mean shape; from neutral_smpl_mean_params.h5 beside the SMPL model."""
    import h5py
    path = os.path.join(os.path.dirname(smpl_model_path), 'neutral_smpl_mean_params.h5')
    try:
        with h5py.File(path, 'r') as f:
            pose, shape = np.array(f['pose'], np.float64), np.array(f['shape'], np.float64)
    except (IOError, OSError, KeyError) as e:
        raise HMRError('cannot read the mean parameters %s (%s): run `make models`' % (path, e))
    mean = np.zeros((1, NUM_THETA))
    mean[0, 0] = .9
    pose[:3] = 0.
    pose[0] = np.pi
    mean[0, NUM_CAM:] = np.hstack([pose, shape])
    return mean


def shown_examples(batch_size):
    """Indices of the examples drawn in the pictures: the batch's first and last NUM_SHOW / 2."""
    half = min(NUM_SHOW, batch_size) // 2
    return np.hstack([np.arange(half), batch_size - np.arange(half) - 1])


def adam_updates(workers, config, global_step, encoder, discriminator):
    """The encoder's and the discriminator's Adam updates of their (loss, variables), the second None
    for an encoder alone; the encoder's counts global_step."""
    # As released: the encoder's optimiser is created (and so named) first.
    d_optimizer = workers.optimizer(tf.train.AdamOptimizer(workers.learning_rate(config.d_lr)), 'DistributedAdam_D')
    e_optimizer = workers.optimizer(tf.train.AdamOptimizer(workers.learning_rate(config.e_lr)), 'DistributedAdam_E')
    e_grads = e_optimizer.compute_gradients(encoder[0], var_list=encoder[1])
    e_opt = e_optimizer.apply_gradients(e_grads, global_step=global_step)
    if discriminator is None:
        return e_opt, None
    # One step runs both updates, and the encoder's gradient reads D's weights (through e_loss_disc) while
    # D's Adam rewrites them in place. Released, which weights it reads depends on thread timing; D is
    # updated after that read here, so both updates always start from the same state (one of the
    # schedules the released graph runs, the only one TF 2.x was seen to run).
    e_grad_tensors = [g for g, _ in e_grads if g is not None]
    d_grads = d_optimizer.compute_gradients(discriminator[0], var_list=discriminator[1])
    with tf.control_dependencies(e_grad_tensors):
        d_grads = [(None if g is None else tf.identity(g), v) for g, v in d_grads]
    return e_opt, d_optimizer.apply_gradients(d_grads)


def discriminator_histograms(d_out):
    """The discriminator's outputs per joint, for all joints and for the shape, as released."""
    histograms = [tf.summary.histogram('d_out/%s' % name, d_out[:, i]) for i, name in enumerate(D_JOINT_NAMES)]
    histograms += [tf.summary.histogram('d_out/all_joints', d_out[:, 23]),
                   tf.summary.histogram('d_out/beta', d_out[:, 24])]
    return tf.summary.merge(histograms, collections=['occasional'])


def pretrained_encoder(config, encoder_variables):
    """(checkpoint, variables) a new run starts its ResNet from, or None."""
    if not (config.pretrained_model_path and 'resnet' in config.model_type):
        return None
    return config.pretrained_model_path, [v for v in encoder_variables if 'resnet_v2_50' in v.name]


class StageOutputs(object):
    """Per IEF stage, in stage order, what the losses, the discriminator and the pictures gather."""

    def __init__(self):
        self.loss_kps, self.loss_3d_params, self.loss_3d_joints = [], [], []  # scalars, weighted
        self.fake_rotations, self.fake_shapes = [], []  # (B, 23, 9) non-root rotations, (B, 10)
        self.verts, self.pred_kps, self.cams = [], [], []  # of the shown examples: (S, V, 3), (S, 19, 2), (S, 3)


class HMRTrainer(object):
    """The released trainer: the training graph of HMR, run by TrainingLoop through loop_model()."""

    def __init__(self, config, data_loader, mocap_loader, num_itr_per_epoch=None, workers=SINGLE):
        """data_loader: the batch dict of DataLoader.load(); mocap_loader: (pose, shape) batches;
        workers: the data-parallel setting (src.distributed), one process by default."""
        self.config = config
        self.workers = workers
        self.model_dir = config.model_dir
        self.encoder_only = config.encoder_only
        self.use_3d_label = config.use_3d_label
        self.img_size = config.img_size
        self.num_stage = config.num_stage
        self.batch_size = config.batch_size
        self.max_epoch = config.epoch
        # An epoch is the whole data once, over all workers together.
        self.num_itr_per_epoch = num_itr_per_epoch or max(
            1, num_examples(config.datasets) // (self.batch_size * workers.size))

        self.image_loader = data_loader['image']
        self.kp_loader = data_loader['label']
        if self.use_3d_label:
            self.poseshape_loader = data_loader['label3d']
            self.has_gt3d_joints = data_loader['has3d'][:, 0]
            self.has_gt3d_smpl = data_loader['has3d'][:, 1]
        self.pose_loader, self.shape_loader = mocap_loader

        self.global_step = tf.Variable(0, name='global_step', trainable=False)
        self.model_type = config.model_type
        self.e_loss_weight = config.e_loss_weight
        self.d_loss_weight = config.d_loss_weight
        self.e_3d_weight = config.e_3d_weight
        self.smpl = SMPL(config.smpl_model_path, face_path=config.smpl_face_path)
        self.build_model()
        self.saver = tf.train.Saver(keep_checkpoint_every_n_hours=5)
        self.checkpoints = Checkpoints(self.saver, self.model_dir, workers, pretrained_encoder(config, self.E_var),
                                       self.broadcast_op)
        self.loop = TrainingLoop(self.loop_model(), workers)

    # ---- graph: the released ops in the released order (the op order seeds the initialisers) ----
    def build_model(self):
        """IEF from the mean parameters, the discriminator, the losses, the pictures, the optimisers and
        the summaries; then the workers' broadcast and stop vote."""
        show = shown_examples(self.batch_size)
        stages = self.build_ief(show)
        if not self.encoder_only:
            self.setup_discriminator(stages.fake_rotations, stages.fake_shapes)
        self.gather_losses(stages)
        self.gather_pictures(stages, show)
        self.build_updates()
        self.setup_summaries(stages.loss_kps)
        self.broadcast_op = self.workers.broadcast()
        self.workers.build_stop_vote()

    def build_ief(self, show):
        """The encoder's features, and num_stage regressor updates of theta from the mean parameters
        (trained with the encoder), each stage scored by score_stage."""
        img_enc_fn, threed_enc_fn = get_encoder_fn_separate(self.model_type)
        self.img_feat, self.E_var = img_enc_fn(self.image_loader, weight_decay=self.config.e_wd, reuse=False)
        self.mean_var = tf.Variable(load_mean_params(self.config.smpl_model_path), name='mean_param',
                                    dtype=tf.float32, trainable=True)
        self.E_var.append(self.mean_var)
        theta = tf.tile(self.mean_var, [self.batch_size, 1])
        stages = StageOutputs()
        for stage in range(self.num_stage):
            delta_theta, regressor_vars = threed_enc_fn(tf.concat([self.img_feat, theta], 1), num_output=NUM_THETA,
                                                        reuse=stage > 0)
            if stage == 0:
                self.E_var.extend(regressor_vars)
            theta = theta + delta_theta
            self.score_stage(stage, theta, show, stages)
        return stages

    def score_stage(self, stage, theta, show, stages):
        """One stage's SMPL body and its keypoint and 3D losses, discriminator inputs and shown examples."""
        cams = theta[:, :NUM_CAM]
        poses = theta[:, NUM_CAM:NUM_CAM + NUM_POSE]
        shapes = theta[:, NUM_CAM + NUM_POSE:]
        verts, Js, pred_Rs = self.smpl(shapes, poses, get_skin=True)
        pred_kp = batch_orth_proj_idrot(Js, cams, name='proj2d_stage%d' % stage)
        stages.loss_kps.append(self.e_loss_weight * keypoint_l1_loss(self.kp_loader, pred_kp))
        pred_Rs = tf.reshape(pred_Rs, [-1, 24, 9])
        if self.use_3d_label:
            loss_poseshape, loss_joints = self.get_3d_loss(pred_Rs, shapes, Js)
            stages.loss_3d_params.append(loss_poseshape)
            stages.loss_3d_joints.append(loss_joints)
        stages.fake_rotations.append(pred_Rs[:, 1:, :])
        stages.fake_shapes.append(shapes)
        stages.verts.append(tf.gather(verts, show))
        stages.pred_kps.append(tf.gather(pred_kp, show))
        stages.cams.append(tf.gather(cams, show))

    def gather_losses(self, stages):
        """The encoder's loss (the last stage's keypoints, adversarial, 3D) and the discriminator's."""
        with tf.name_scope('gather_e_loss'):
            self.e_loss_kp = stages.loss_kps[-1]
            self.e_loss = self.e_loss_kp
            if not self.encoder_only:
                self.e_loss = self.d_loss_weight * self.e_loss_disc + self.e_loss
            if self.use_3d_label:
                self.e_loss_3d, self.e_loss_3d_joints = stages.loss_3d_params[-1], stages.loss_3d_joints[-1]
                self.e_loss += self.e_loss_3d + self.e_loss_3d_joints
        if not self.encoder_only:
            with tf.name_scope('gather_d_loss'):
                self.d_loss = self.d_loss_weight * (self.d_loss_real + self.d_loss_fake)

    def gather_pictures(self, stages, show):
        """The shown examples' inputs, and their meshes, keypoints and cameras of all stages."""
        self.all_verts = tf.stack(stages.verts, axis=1)
        self.all_pred_kps = tf.stack(stages.pred_kps, axis=1)
        self.all_pred_cams = tf.stack(stages.cams, axis=1)
        self.show_imgs = tf.gather(self.image_loader, show)
        self.show_kps = tf.gather(self.kp_loader, show)

    def build_updates(self):
        """Separate Adam optimisers of the encoder (with the batch-norm statistics) and the discriminator."""
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        if update_ops:
            with tf.control_dependencies([tf.group(*update_ops)]):
                self.e_loss = tf.identity(self.e_loss)
        self.e_opt, self.d_opt = adam_updates(self.workers, self.config, self.global_step, (self.e_loss, self.E_var),
                                              None if self.encoder_only else (self.d_loss, self.D_var))

    def setup_discriminator(self, fake_rotations, fake_shapes):
        """Real MoSh (pose, shape) against the predictions of all stages: B * num_stage of each."""
        real_rotations = tf.reshape(batch_rodrigues(tf.reshape(self.pose_loader, [-1, 3])), [-1, 24, 9])[:, 1:, :]
        all_fake_rotations = tf.reshape(tf.concat(fake_rotations, 0), [self.batch_size * self.num_stage, -1, 9])
        comb_rotations = tf.expand_dims(tf.concat([real_rotations, all_fake_rotations], 0, name='combined_pose'), 2)
        comb_shapes = tf.concat([self.shape_loader, tf.concat(fake_shapes, 0)], 0, name='combined_shape')
        self.d_out, self.D_var = Discriminator_separable_rotations(comb_rotations, comb_shapes, self.config.d_wd)
        self.d_out_real, self.d_out_fake = tf.split(self.d_out, 2)
        with tf.name_scope('comp_d_loss'):
            # Least-squares GAN: real -> 1, fake -> 0; the encoder wants fake -> 1.
            self.d_loss_real = tf.reduce_mean(tf.reduce_sum((self.d_out_real - 1) ** 2, axis=1))
            self.d_loss_fake = tf.reduce_mean(tf.reduce_sum(self.d_out_fake ** 2, axis=1))
            self.e_loss_disc = tf.reduce_mean(tf.reduce_sum((self.d_out_fake - 1) ** 2, axis=1))

    def get_3d_loss(self, Rs, shape, Js):
        """SMPL-parameter loss (rotations + shape, where MoSh exists) and pelvis-aligned 3D joint loss."""
        params_pred = tf.concat([tf.reshape(Rs, [self.batch_size, -1]), shape], 1, name='prep_params_pred')
        gt_params = self.poseshape_loader[:, :226]
        loss_poseshape = self.e_3d_weight * compute_3d_loss(params_pred, gt_params, self.has_gt3d_smpl)
        pred_joints = tf.reshape(align_by_pelvis(Js[:, :14, :]), [self.batch_size, -1])
        gt_joints = tf.reshape(self.poseshape_loader[:, 226:], [self.batch_size, 14, 3])
        gt_joints = tf.reshape(align_by_pelvis(gt_joints), [self.batch_size, -1])
        loss_joints = self.e_3d_weight * compute_3d_loss(pred_joints, gt_joints, self.has_gt3d_joints)
        return loss_poseshape, loss_joints

    def setup_summaries(self, loss_kps):
        scalars = [('e_loss_kp_noscale', self.e_loss_kp / self.e_loss_weight), ('e_loss', self.e_loss)]
        if not self.encoder_only:
            scalars += [('d_loss', self.d_loss), ('d_loss_fake', self.d_loss_fake), ('d_loss_real', self.d_loss_real),
                        ('e_loss_disc', self.e_loss_disc / self.d_loss_weight)]
        scalars += [('e_losses_noscale/kp_loss_stage%d' % stage, loss / self.e_loss_weight)
                    for stage, loss in enumerate(loss_kps)]
        if self.use_3d_label:
            scalars += [('e_loss_3d_params_noscale', self.e_loss_3d / self.e_3d_weight),
                        ('e_loss_3d_joints_noscale', self.e_loss_3d_joints / self.e_3d_weight)]
        self.summary_op_always = tf.summary.merge([tf.summary.scalar('loss/' + name, value) for name, value in scalars])
        self.summary_op_occ = None if self.encoder_only else discriminator_histograms(self.d_out)

    # ---- what the training loop runs (src/training/contract.py) ----
    def loop_model(self):
        """The trained graph as TrainingLoop sees it: the step, the summaries, pictures, checkpoints, status."""
        fetches = {'e_loss': self.e_loss, 'e_opt': self.e_opt, 'loss_kp': self.e_loss_kp}
        if not self.encoder_only:
            fetches.update({'d_opt': self.d_opt, 'd_loss': self.d_loss})
        if self.use_3d_label:
            fetches.update({'loss_3d_params': self.e_loss_3d, 'loss_3d_joints': self.e_loss_3d_joints})
        pictures = image_summaries.picture_fetches(self.show_imgs, self.show_kps, self.all_verts, self.all_pred_kps,
                                                   self.all_pred_cams)
        return LoopModel(fetches=fetches, summary=self.summary_op_always, picture_fetches=pictures,
                         picture_summary=self.summary_op_occ,
                         draw_pictures=image_summaries.Pictures(self.smpl.faces, self.img_size),
                         picture_every=self.config.log_img_step, global_step=self.global_step,
                         checkpoints=self.checkpoints, status=self.status, run_dir=self.model_dir)

    def status(self, report, step, seconds):
        """The progress bar's line after a step of `seconds`."""
        line = {'epoch': '%.2f' % (step / float(self.num_itr_per_epoch)), 'e_loss': '%.4f' % report['e_loss'],
                'kp': '%.4f' % (report['loss_kp'] / self.e_loss_weight),
                'ex/s': '%.1f' % (self.batch_size * self.workers.size / seconds)}
        if 'd_loss' in report:
            line['d_loss'] = '%.4f' % report['d_loss']
        return line

    def train(self, max_steps=None, save_every_secs=600, progress=True, on_step=None):
        """Train until `epoch` epochs (or max_steps in total) are done, or SIGINT/SIGTERM; a checkpoint is
        written every save_every_secs and when stopping. Returns the last global step."""
        total_steps = max_steps or int(np.ceil(self.max_epoch * self.num_itr_per_epoch))
        return self.loop.run(total_steps, save_every_secs, progress, on_step)

    @property
    def last_result(self):
        return self.loop.last_result

    @property
    def step_seconds(self):
        return self.loop.step_seconds
