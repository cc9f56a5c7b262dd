"""Network structure: the checkpoint's variable names and shapes are an interface."""
import json
import os

import numpy as np
import pytest

from src.compat import tf
from src.errors import HMRError
from src.models import Discriminator_separable_rotations, get_encoder_fn_separate


def inference_variables(hmr_config):
    from src.RunModel import RunModel
    with tf.Graph().as_default(), tf.Session() as sess:
        RunModel(hmr_config, sess=sess)
        return [[v.op.name, v.shape.as_list()] for v in tf.global_variables()]


@pytest.fixture(scope='module')
def variables(request):
    return inference_variables(request.getfixturevalue('hmr_config'))


def test_inference_graph_has_the_released_structure(variables):
    names = [n for n, _ in variables]
    assert len(variables) == 283 and len(set(names)) == 283
    assert names[:7] == ['v_template', 'shapedirs', 'J_regressor', 'posedirs', 'lbs_weights',
                         'cocoplus_regressor', 'mean_param']
    shapes = dict((n, s) for n, s in variables)
    assert shapes['3D_module/fc1/weights'] == [2048 + 85, 1024]
    assert shapes['3D_module/fc3/weights'] == [1024, 85]
    assert shapes['resnet_v2_50/postnorm/gamma'] == [2048]
    assert sum(n.startswith('resnet_v2_50/block') and n.endswith('conv2/weights') for n in names) == 16


def test_inference_variables_equal_the_released_list(variables, reference_dir):
    with open(os.path.join(reference_dir, 'checkpoint_variables_inference.json')) as f:
        released = json.load(f)
    assert variables == released


def discriminator_variables():
    with tf.Graph().as_default():
        poses = tf.zeros((4, 23, 1, 9))
        shapes = tf.zeros((4, 10))
        scores, _ = Discriminator_separable_rotations(poses, shapes, weight_decay=1e-4)
        return scores.shape.as_list(), [[v.op.name, v.shape.as_list()] for v in tf.global_variables()]


def test_discriminator_has_23_joint_1_all_joint_and_1_shape_heads():
    score_shape, variables = discriminator_variables()
    assert score_shape == [4, 25]
    shapes = dict((n, s) for n, s in variables)
    assert sum(n.startswith('D/pose_out_j') and n.endswith('/weights') for n in shapes) == 23
    # The shape head is 10 -> 10 -> 5 -> 1 as released.
    assert shapes['D/shape_fc1/shape_fc1_1/weights'] == [10, 10]
    assert shapes['D/shape_fc1/shape_fc1_2/weights'] == [10, 5]
    assert shapes['D/shape_final/weights'] == [5, 1]
    assert shapes['D/D_conv1/weights'] == [1, 1, 9, 32]
    assert shapes['D/D_alljoints_fc1/weights'] == [23 * 32, 1024]


def test_discriminator_variables_equal_the_released_training_list(reference_dir):
    with open(os.path.join(reference_dir, 'checkpoint_variables_training.json')) as f:
        released = [v for v in json.load(f) if v[0].startswith('D/') and '/Adam' not in v[0]]
    _, variables = discriminator_variables()
    assert sorted(variables) == sorted(released)


def test_regressor_starts_close_to_zero():
    """fc3 uses xavier scaled by 0.01, so the first IEF updates stay near the mean parameters."""
    _, regressor = get_encoder_fn_separate('resnet_fc3_dropout')
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.set_random_seed(0)
        regressor(tf.zeros((1, 2133)), num_output=85, is_training=False)
        sess.run(tf.global_variables_initializer())
        fc3 = sess.run(tf.global_variables('3D_module/fc3/weights')[0])
        fc2 = sess.run(tf.global_variables('3D_module/fc2/weights')[0])
    limit = np.sqrt(.01 * 3. / ((1024 + 85) / 2.))
    assert np.abs(fc3).max() <= limit and np.abs(fc3).max() > .9 * limit
    assert np.abs(fc2).max() > 5 * limit


def test_unknown_model_type_is_a_clear_error():
    with pytest.raises(HMRError, match='unknown model_type'):
        get_encoder_fn_separate('vgg_fc2')
