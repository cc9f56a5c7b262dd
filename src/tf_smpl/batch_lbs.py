"""Batched linear blend skinning pieces of SMPL: skew matrices, Rodrigues, pose features, kinematics.

@@batch_skew
@@batch_rodrigues
@@batch_lrotmin
@@batch_global_rigid_transformation
"""
from ..compat import tf


def batch_skew(vec, batch_size=None):
    """N x 3 vectors -> N x 3 x 3 skew-symmetric (cross-product) matrices."""
    with tf.name_scope('batch_skew', values=[vec]):
        if batch_size is None:
            batch_size = vec.shape.as_list()[0]
        zero = tf.zeros_like(vec[:, 0])
        entries = [zero, -vec[:, 2], vec[:, 1],
                   vec[:, 2], zero, -vec[:, 0],
                   -vec[:, 1], vec[:, 0], zero]
        return tf.reshape(tf.stack(entries, axis=1), [batch_size if batch_size else -1, 3, 3])


def batch_rodrigues(theta, name=None):
    """N x 3 axis-angle vectors -> N x 3 x 3 rotation matrices.

    The angle is |theta + 1e-8| exactly as released: it keeps the zero rotation differentiable, and
    the released checkpoint was trained with it.
    """
    with tf.name_scope(name, 'batch_rodrigues', [theta]):
        batch_size = theta.shape.as_list()[0]
        angle = tf.expand_dims(tf.norm(theta + 1e-8, axis=1), -1)
        axis = tf.expand_dims(theta / angle, -1)
        angle = tf.expand_dims(angle, -1)
        cos = tf.cos(angle)
        sin = tf.sin(angle)
        outer = tf.matmul(axis, axis, transpose_b=True, name='outer')
        eyes = tf.tile(tf.expand_dims(tf.eye(3), 0), [batch_size if batch_size else tf.shape(theta)[0], 1, 1])
        return cos * eyes + (1 - cos) * outer + sin * batch_skew(axis, batch_size=batch_size)


def batch_lrotmin(theta, name=None):
    """N x 72 pose -> N x 207 pose-blend-shape feature: the 23 non-root rotations minus identity.

    (SMPL paper, eq. 9.) `SMPL.__call__` computes the same from rotations it already has.
    """
    with tf.name_scope(name, 'batch_lrotmin', [theta]):
        rotations = batch_rodrigues(tf.reshape(theta[:, 3:], [-1, 3]))
        return tf.reshape(rotations - tf.eye(3), [-1, 207])


def _homogeneous(rotation, translation, batch_size):
    """N x 3 x 3 rotation and N x 3 x 1 translation -> N x 4 x 4 rigid transform."""
    top = tf.pad(rotation, [[0, 0], [0, 1], [0, 0]])
    right = tf.concat([translation, tf.ones([batch_size, 1, 1])], 1)
    return tf.concat([top, right], 2)


def batch_global_rigid_transformation(Rs, Js, parent, rotate_base=False):
    """Forward kinematics along the SMPL tree.

    Args:
      Rs: N x 24 x 3 x 3 joint rotations (root first).
      Js: N x 24 x 3 rest-pose joint locations.
      parent: 24 parent indices (parent[0] is unused).
      rotate_base: if True, the root is turned 180 degrees about x (an upside-down camera frame).
    Returns:
      new_J: N x 24 x 3 posed joint locations.
      A: N x 24 x 4 x 4 transforms that move a rest-pose vertex rigidly with each joint (for skinning).
    """
    with tf.name_scope('batch_forward_kinematics', values=[Rs, Js]):
        batch_size = Rs.shape.as_list()[0] or tf.shape(Rs)[0]  # run-time size for an any-size batch
        root_rotation = Rs[:, 0, :, :]
        if rotate_base:
            flip_yz = tf.constant([[1, 0, 0], [0, -1, 0], [0, 0, -1]], dtype=Rs.dtype)
            root_rotation = tf.matmul(root_rotation, tf.tile(flip_yz[None], [batch_size, 1, 1]))
        Js = tf.expand_dims(Js, -1)

        world = [_homogeneous(root_rotation, Js[:, 0], batch_size)]
        for i in range(1, len(parent)):
            local = _homogeneous(Rs[:, i], Js[:, i] - Js[:, parent[i]], batch_size)
            world.append(tf.matmul(world[parent[i]], local, name='propA%d' % i))
        world = tf.stack(world, axis=1)
        new_J = world[:, :, :3, 3]

        # Skinning moves each vertex by how far its bone moved, so remove the rest-pose joint offset.
        rest_joints = tf.concat([Js, tf.zeros([batch_size, len(parent), 1, 1])], 2)
        moved_rest = tf.pad(tf.matmul(world, rest_joints), [[0, 0], [0, 0], [0, 0], [3, 0]])
        return new_J, world - moved_rest
