"""Weak-perspective camera of HMR.

@@batch_orth_proj_idrot
"""
from ..compat import tf


def batch_orth_proj_idrot(X, camera, name=None):
    """Orthographic projection with identity rotation, then scale and translate.

    X is N x K x 3 points, camera is N x 3 as [s, tx, ty]; returns N x K x 2 with x2d = s * (X[:2] + t).
    """
    with tf.name_scope(name, 'batch_orth_proj_idrot', [X, camera]):
        camera = tf.reshape(camera, [-1, 1, 3], name='cam_adj_shape')
        translated = X[:, :, :2] + camera[:, :, 1:]
        return camera[:, :, :1] * translated
