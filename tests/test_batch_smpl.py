"""TensorFlow SMPL against the NumPy one (src/body_model.py) and known invariants."""
import numpy as np
import pytest

from src.body_model import BodyModel
from src.compat import tf
from src.errors import HMRError
from src.samples.synthetic_model import NUM_VERTS, synthetic_smpl
from src.tf_smpl.batch_smpl import SMPL


@pytest.fixture(scope='module')
def model():
    return synthetic_smpl()


def run_smpl(smpl_path, beta, theta, joint_type='cocoplus'):
    with tf.Graph().as_default(), tf.Session() as sess:
        smpl = SMPL(smpl_path, joint_type=joint_type)
        outputs = smpl(tf.constant(beta, tf.float32), tf.constant(theta, tf.float32), get_skin=True)
        assert outputs._fields == ('verts', 'joints', 'rotations')  # unpacks as the released (verts, joints, Rs)
        sess.run(tf.global_variables_initializer())
        verts, joints, Rs, skeleton = sess.run(list(outputs) + [smpl.J_transformed])
    return verts, joints, Rs, skeleton


def test_zero_pose_and_shape_give_the_template(synthetic_models, model):
    verts, joints, _, skeleton = run_smpl(synthetic_models[0], np.zeros((2, 10)), np.zeros((2, 72)))
    np.testing.assert_allclose(verts[0], model['v_template'], atol=1e-5)
    np.testing.assert_allclose(joints[1], model['cocoplus_regressor'].dot(model['v_template']), atol=1e-5)
    np.testing.assert_allclose(skeleton[0], model['J_regressor'].dot(model['v_template']), atol=1e-5)


def test_matches_numpy_reference_on_random_bodies(synthetic_models, model):
    rng = np.random.RandomState(7)
    beta, theta = rng.randn(3, 10), rng.randn(3, 72) * .4
    verts, joints, _, skeleton = run_smpl(synthetic_models[0], beta, theta)
    for i in range(3):
        ref = BodyModel(model).forward(theta[i:i + 1], beta[i])
        np.testing.assert_allclose(verts[i], ref.verts[0], atol=2e-5)
        np.testing.assert_allclose(joints[i], ref.joints_coco[0], atol=2e-5)
        np.testing.assert_allclose(skeleton[i], ref.joints[0], atol=2e-5)


def test_global_rotation_rotates_the_body_about_the_root(synthetic_models):
    rng = np.random.RandomState(8)
    beta, theta = rng.randn(1, 10), rng.randn(1, 72) * .3
    turned = theta.copy()
    turned[0, :3] = [np.pi, 0, 0]
    theta[0, :3] = 0
    verts, _, _, skeleton = run_smpl(synthetic_models[0], np.vstack([beta, beta]), np.vstack([theta, turned]))
    root = skeleton[0, 0]
    # pi about x maps (x, y, z) -> (x, -y, -z) around the root joint (HMR's upright camera frame).
    np.testing.assert_allclose(verts[1], (verts[0] - root) * [1, -1, -1] + root, atol=2e-5)


def test_lsp_joints_are_the_first_14_cocoplus(synthetic_models):
    rng = np.random.RandomState(9)
    beta, theta = rng.randn(1, 10), rng.randn(1, 72) * .3
    _, coco, _, _ = run_smpl(synthetic_models[0], beta, theta)
    _, lsp, _, _ = run_smpl(synthetic_models[0], beta, theta, joint_type='lsp')
    assert lsp.shape == (1, 14, 3)
    np.testing.assert_allclose(lsp, coco[:, :14], atol=1e-6)


def test_regressors_follow_a_translated_template(tmp_path, model):
    """Rows of both regressors sum to one, so shifting every vertex shifts every joint alike."""
    import pickle
    shifted = dict(model, v_template=model['v_template'] + [.3, -.2, .5])
    path = str(tmp_path / 'shifted.pkl')
    with open(path, 'wb') as f:
        pickle.dump(shifted, f, protocol=2)
    verts, joints, _, _ = run_smpl(path, np.zeros((1, 10)), np.zeros((1, 72)))
    np.testing.assert_allclose(joints[0], model['cocoplus_regressor'].dot(model['v_template']) + [.3, -.2, .5],
                               atol=1e-5)
    assert verts.shape == (1, NUM_VERTS, 3)


def test_unknown_joint_type_is_a_clear_error(synthetic_models):
    with tf.Graph().as_default(), pytest.raises(HMRError, match='unknown joint type'):
        SMPL(synthetic_models[0], joint_type='h36m')
