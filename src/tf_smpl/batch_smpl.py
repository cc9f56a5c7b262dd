"""Batched SMPL body model in TensorFlow.

Joint types:
  'cocoplus': the 19 COCO+ keypoints of the released regressor (14 LSP joints + nose, eyes, ears).
  'lsp':      the first 14 of those, in LSP order (the H3.6M evaluation joints).
The 24 SMPL skeleton joints of the last call are kept in `self.J_transformed`.
"""
import collections

import numpy as np

from ..compat import tf
from ..errors import HMRError
from .batch_lbs import batch_global_rigid_transformation, batch_rodrigues
from .smpl_io import load_smpl_pickle, mesh_faces

JOINT_TYPES = ('cocoplus', 'lsp')
# What SMPL(..., get_skin=True) returns: a tuple that unpacks as the released (verts, joints, Rs).
SMPLOutput = collections.namedtuple('SMPLOutput', ['verts', 'joints', 'rotations'])
NUM_LSP_JOINTS = 14
_REQUIRED_KEYS = ('v_template', 'shapedirs', 'J_regressor', 'posedirs', 'kintree_table', 'weights',
                  'cocoplus_regressor')


def _dense(x):
    return np.asarray(x.todense() if hasattr(x, 'todense') else x, dtype=np.float64)


def _regress_points(verts, regressor):
    """N x V x 3 vertices, V x K regressor -> N x K x 3 points, one matmul per coordinate."""
    return tf.stack([tf.matmul(verts[:, :, c], regressor) for c in range(3)], axis=2)


class SMPL(object):
    def __init__(self, pkl_path, joint_type='cocoplus', dtype=tf.float32, face_path=None, model=None):
        """Builds the model's (non-trainable) variables from the SMPL pickle at `pkl_path` (or its
        contents `model`, already read); `faces` are the pickle's, or the released smpl_faces.npy at
        `face_path` for a pickle without them.

        Variable names are those of the released checkpoint, so it restores into them.
        """
        if joint_type not in JOINT_TYPES:
            raise HMRError('unknown joint type %r: it must be "cocoplus" or "lsp"' % joint_type)
        model = load_smpl_pickle(pkl_path) if model is None else model
        missing = [k for k in _REQUIRED_KEYS if k not in model]
        if missing:
            raise HMRError('SMPL model %s lacks %s' % (pkl_path, ', '.join(missing)))

        def constant_variable(value, name):
            return tf.Variable(value, name=name, dtype=dtype, trainable=False)

        template = _dense(model['v_template'])
        self.size = [template.shape[0], 3]
        self.v_template = constant_variable(template, 'v_template')
        # V x 3 x 10 shape basis -> 10 x 3V
        self.num_betas = model['shapedirs'].shape[-1]
        self.shapedirs = constant_variable(
            np.reshape(_dense(model['shapedirs']), [-1, self.num_betas]).T, 'shapedirs')
        # V x 24: rest-pose joints from shaped vertices
        self.J_regressor = constant_variable(_dense(model['J_regressor']).T, 'J_regressor')
        # V x 3 x 207 pose basis -> 207 x 3V
        num_pose_basis = model['posedirs'].shape[-1]
        self.posedirs = constant_variable(
            np.reshape(_dense(model['posedirs']), [-1, num_pose_basis]).T, 'posedirs')
        self.parents = np.asarray(model['kintree_table'])[0].astype(np.int32)
        self.weights = constant_variable(_dense(model['weights']), 'lbs_weights')
        # V x 19 keypoint regressor
        self.joint_regressor = constant_variable(_dense(model['cocoplus_regressor']).T, 'cocoplus_regressor')
        if joint_type == 'lsp':
            self.joint_regressor = self.joint_regressor[:, :NUM_LSP_JOINTS]
        self.faces = mesh_faces(model, face_path)

    def __call__(self, beta, theta, get_skin=False, name=None):
        """Pose and shape the body.

        Args:
          beta: N x 10 shape coefficients.
          theta: N x 72 axis-angle pose, global rotation first.
        Returns:
          joints N x 19 (or 14) x 3; with get_skin SMPLOutput(verts N x V x 3, joints, rotations
          N x 24 x 3 x 3), which unpacks as the released (verts, joints, Rs).
        """
        with tf.name_scope(name, 'smpl_main', [beta, theta]):
            # Static where the graph has a fixed batch (the released graphs), else read at run time (the
            # ONNX export's any-size batch).
            num_batch = beta.shape.as_list()[0] or tf.shape(beta)[0]
            num_joints = len(self.parents)

            v_shaped = tf.reshape(tf.matmul(beta, self.shapedirs, name='shape_bs'),
                                  [-1, self.size[0], self.size[1]]) + self.v_template
            J = _regress_points(v_shaped, self.J_regressor)

            Rs = tf.reshape(batch_rodrigues(tf.reshape(theta, [-1, 3])), [-1, num_joints, 3, 3])
            with tf.name_scope('lrotmin'):
                # The root rotation does not deform the body.
                pose_feature = tf.reshape(Rs[:, 1:, :, :] - tf.eye(3), [-1, 9 * (num_joints - 1)])
            v_posed = tf.reshape(tf.matmul(pose_feature, self.posedirs),
                                 [-1, self.size[0], self.size[1]]) + v_shaped

            self.J_transformed, A = batch_global_rigid_transformation(Rs, J, self.parents)

            W = tf.reshape(tf.tile(self.weights, [num_batch, 1]), [num_batch, -1, num_joints])
            T = tf.reshape(tf.matmul(W, tf.reshape(A, [num_batch, num_joints, 16])), [num_batch, -1, 4, 4])
            v_posed_homo = tf.concat([v_posed, tf.ones([num_batch, self.size[0], 1])], 2)
            verts = tf.matmul(T, tf.expand_dims(v_posed_homo, -1))[:, :, :3, 0]

            joints = _regress_points(verts, self.joint_regressor)
            if get_skin:
                return SMPLOutput(verts, joints, Rs)
            return joints
