"""Losses of HMR and the pelvis alignment used by its 3D loss and evaluation."""
from .compat import tf

# LSP joint order: right hip is 2, left hip is 3.
LSP_RIGHT_HIP = 2
LSP_LEFT_HIP = 3


def keypoint_l1_loss(kp_gt, kp_pred, name=None):
    """Mean absolute 2D error over visible keypoints.

    kp_gt is N x K x 3 (x, y, visibility), kp_pred is N x K x 2. Each visible keypoint contributes its
    two coordinates; the sum is divided by the number of weighted coordinates (tf.losses' default).
    """
    with tf.name_scope(name, 'keypoint_l1_loss', [kp_gt, kp_pred]):
        kp_gt = tf.reshape(kp_gt, (-1, 3))
        kp_pred = tf.reshape(kp_pred, (-1, 2))
        vis = tf.expand_dims(tf.cast(kp_gt[:, 2], tf.float32), 1)
        return tf.losses.absolute_difference(kp_gt[:, :2], kp_pred, weights=vis)


def compute_3d_loss(params_pred, params_gt, has_gt3d):
    """Half the mean squared error over the examples that have 3D ground truth.

    params_* are N x D (SMPL rotations + shape, or 3D joints); has_gt3d is N floats in {0, 1}.
    """
    with tf.name_scope('3d_loss', values=[params_pred, params_gt, has_gt3d]):
        weights = tf.expand_dims(tf.cast(has_gt3d, tf.float32), 1)
        return tf.losses.mean_squared_error(params_gt, params_pred, weights=weights) * 0.5


def align_by_pelvis(joints):
    """Subtract the hip midpoint from N x 14 x 3 LSP-order joints."""
    with tf.name_scope('align_by_pelvis', values=[joints]):
        pelvis = (joints[:, LSP_LEFT_HIP, :] + joints[:, LSP_RIGHT_HIP, :]) / 2.
        return joints - tf.expand_dims(pelvis, axis=1)
