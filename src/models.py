"""HMR networks, graph code only. Scope names are the released checkpoint's variable names.

@Encoder_resnet
@Encoder_fc3_dropout
@Discriminator_separable_rotations

Helper:
@get_encoder_fn_separate
"""
from .compat import resnet_v2, slim, tf
from .errors import HMRError

NUM_POSE_JOINTS = 23  # SMPL joints below the root, each judged by its own discriminator


def Encoder_resnet(x, is_training=True, weight_decay=0.001, reuse=False):
    """ResNet-50 v2 image encoder.

    x: N x H x W x 3 (NHWC). Returns the N x 2048 globally pooled feature and the encoder's variables.
    """
    with tf.name_scope('Encoder_resnet', values=[x]):
        with slim.arg_scope(resnet_v2.resnet_arg_scope(weight_decay=weight_decay)):
            net, _ = resnet_v2.resnet_v2_50(x, num_classes=None, is_training=is_training, reuse=reuse,
                                            scope='resnet_v2_50')
            net = tf.squeeze(net, axis=[1, 2])
    return net, slim.get_variables('resnet_v2_50')


def Encoder_fc3_dropout(x, num_output=85, is_training=True, reuse=False, name='3D_module'):
    """The iterative regressor: fc1024-dropout-fc1024-dropout-fc(num_output).

    x: N x (2048 + 85), the image feature beside the current parameters. Returns the parameter update
    and the module's variables. The last layer starts tiny (xavier scaled by 0.01) so that the first
    updates stay near the mean parameters.
    """
    with tf.variable_scope(name, reuse=reuse) as scope:
        net = slim.fully_connected(x, 1024, scope='fc1')
        net = slim.dropout(net, 0.5, is_training=is_training, scope='dropout1')
        net = slim.fully_connected(net, 1024, scope='fc2')
        net = slim.dropout(net, 0.5, is_training=is_training, scope='dropout2')
        small_xavier = slim.variance_scaling_initializer(factor=.01, mode='FAN_AVG', uniform=True)
        net = slim.fully_connected(net, num_output, activation_fn=None, weights_initializer=small_xavier,
                                   scope='fc3')
    return net, slim.get_variables(scope)


_IMAGE_ENCODERS = {'resnet': Encoder_resnet}
_PARAMETER_REGRESSORS = {'fc3_dropout': Encoder_fc3_dropout}


def get_encoder_fn_separate(model_type):
    """Image encoder and parameter regressor named by `model_type` (e.g. 'resnet_fc3_dropout')."""
    image_fn = next((fn for key, fn in _IMAGE_ENCODERS.items() if key in model_type), None)
    regressor_fn = next((fn for key, fn in _PARAMETER_REGRESSORS.items() if key in model_type), None)
    if image_fn is None or regressor_fn is None:
        raise HMRError('unknown model_type %r: it must name an image encoder (%s) and a regressor (%s), '
                       'e.g. resnet_fc3_dropout' % (model_type, ', '.join(_IMAGE_ENCODERS),
                                                   ', '.join(_PARAMETER_REGRESSORS)))
    return image_fn, regressor_fn


def Discriminator_separable_rotations(poses, shapes, weight_decay):
    """The adversarial pose and shape prior: 23 per-joint + 1 all-joint + 1 shape discriminators.

    The 23 joint rotation matrices are treated as a 23 x 1 "image" with 9 channels, so two shared
    1x1 convolutions embed every joint alike before the per-joint classifiers.

    Inputs:
      poses: N x 23 x 1 x 9 (NHWC), shapes: N x 10.
    Returns:
      N x 25 scores (23 joints, all joints, shape) and the discriminator's variables.
    """
    with tf.name_scope('Discriminator_sep_rotations', values=[poses, shapes]):
        with tf.variable_scope('D') as scope:
            with slim.arg_scope([slim.conv2d, slim.fully_connected],
                                weights_regularizer=slim.l2_regularizer(weight_decay)):
                with slim.arg_scope([slim.conv2d], data_format='NHWC'):
                    poses = slim.conv2d(poses, 32, [1, 1], scope='D_conv1')
                    poses = slim.conv2d(poses, 32, [1, 1], scope='D_conv2')
                    joint_scores = [
                        slim.fully_connected(poses[:, i, :, :], 1, activation_fn=None, scope='pose_out_j%d' % i)
                        for i in range(NUM_POSE_JOINTS)]
                    joint_scores = tf.squeeze(tf.stack(joint_scores, axis=1), axis=[2, 3])

                    # Shape prior: 10 -> 10 -> 5 -> 1, as released.
                    shapes = slim.stack(shapes, slim.fully_connected, [10, 5], scope='shape_fc1')
                    shape_score = slim.fully_connected(shapes, 1, activation_fn=None, scope='shape_final')

                    # Prior on all joints together (their correlations).
                    all_joints = slim.flatten(poses, scope='vectorize')
                    all_joints = slim.fully_connected(all_joints, 1024, scope='D_alljoints_fc1')
                    all_joints = slim.fully_connected(all_joints, 1024, scope='D_alljoints_fc2')
                    all_joints_score = slim.fully_connected(all_joints, 1, activation_fn=None,
                                                            scope='D_alljoints_out')
                    out = tf.concat([joint_scores, all_joints_score, shape_score], 1)
            return out, slim.get_variables(scope)
