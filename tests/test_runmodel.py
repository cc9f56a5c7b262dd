"""RunModel: outputs consistent with SMPL and the camera, batch independence, clear errors, and the
two runtimes agreeing on one checkpoint."""
import numpy as np
import pytest

from src.body_model import BodyModel
from src.compat import tf
from src.errors import HMRError
from src.RunModel import RunModel
from src.samples.synthetic_model import synthetic_smpl
from tests.runtimes import outputs_of_both_runtimes


@pytest.fixture(scope='module')
def predictions(hmr_config):
    rng = np.random.RandomState(0)
    images = np.clip(rng.randn(2, 224, 224, 3) * .5, -1, 1).astype(np.float32)
    hmr_config.batch_size = 2
    with tf.Graph().as_default(), tf.Session() as sess:
        model = RunModel(hmr_config, sess=sess)
        both = model.predict_dict(images)
        as_tuple = model.predict(images, get_theta=True)
    hmr_config.batch_size = 1
    with tf.Graph().as_default(), tf.Session() as sess:
        model = RunModel(hmr_config, sess=sess)
        singles = [model.predict_dict(images[i:i + 1]) for i in range(2)]
    return both, as_tuple, singles


def test_outputs_are_smpl_of_theta_seen_by_the_camera(predictions):
    results = predictions[0]
    body = BodyModel(synthetic_smpl())
    for i in range(2):
        theta = results['theta'][i].astype(np.float64)
        cam, pose, shape = theta[:3], theta[3:75], theta[75:]
        posed = body.forward(pose[None], shape)
        verts, joints = posed.verts[0], posed.joints_coco[0]
        np.testing.assert_allclose(results['verts'][i], verts, atol=1e-4)
        np.testing.assert_allclose(results['joints3d'][i], joints, atol=1e-4)
        np.testing.assert_allclose(results['cams'][i], cam, atol=0)
        projected = cam[0] * (joints[:, :2] + cam[1:])
        np.testing.assert_allclose(results['joints'][i], (projected + 1) * .5 * 224, atol=2e-3)


def test_predict_returns_the_released_tuple_with_names(predictions):
    results, as_tuple, _ = predictions
    joints, verts, cams, joints3d, theta = as_tuple  # the released demo's unpacking
    assert len(as_tuple) == 5 and as_tuple._fields == ('joints', 'verts', 'cams', 'joints3d', 'theta')
    for key, value in zip(['joints', 'verts', 'cams', 'joints3d', 'theta'], [joints, verts, cams, joints3d, theta]):
        np.testing.assert_array_equal(value, results[key])
        np.testing.assert_array_equal(getattr(as_tuple, key), results[key])


def test_examples_do_not_affect_each_other(predictions):
    """Batch norm runs in inference mode: a batch of two equals two batches of one."""
    results, _, singles = predictions
    for i in range(2):
        np.testing.assert_allclose(results['theta'][i], singles[i]['theta'][0], atol=1e-5)


def test_missing_checkpoint_is_a_clear_error(hmr_config, tmp_path):
    missing = 'model files missing .*model.ckpt-1.index.*make models'
    for path, message in [(None, 'no checkpoint given'), (str(tmp_path / 'model.ckpt-1'), missing)]:
        hmr_config.load_path = path
        with tf.Graph().as_default(), pytest.raises(HMRError, match=message):
            RunModel(hmr_config)


def test_checkpoint_of_another_graph_is_a_clear_error(hmr_config, tmp_path):
    prefix = str(tmp_path / 'other')
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.Variable(tf.zeros((1, 85)), name='mean_param')
        tf.Variable(tf.zeros(3), name='something_else')
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, prefix)
    hmr_config.load_path = prefix
    with tf.Graph().as_default(), tf.Session() as sess, pytest.raises(HMRError, match='does not fit the HMR graph'):
        RunModel(hmr_config, sess=sess)


def test_legacy_and_modern_runtimes_agree(synthetic_models, tmp_path):
    outputs = outputs_of_both_runtimes('tests.predict_to_npz', synthetic_models, tmp_path)
    assert str(outputs['legacy']['runtime']) == 'legacy' and str(outputs['modern']['runtime']) == 'modern'
    for key, atol in [('theta', 1e-4), ('verts', 1e-4), ('joints3d', 1e-4), ('joints', 2e-2)]:
        np.testing.assert_allclose(outputs['legacy'][key], outputs['modern'][key], atol=atol)
