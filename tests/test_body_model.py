"""The NumPy SMPL (src/body_model.py) against the TensorFlow graph HMR runs, and SMPL's invariants."""
import numpy as np
import pytest

from src.body_model import BodyModel
from src.compat import tf
from src.errors import HMRError
from src.joints import SMPL24
from src.tf_smpl.batch_smpl import SMPL
from tests.export_helpers import walk
from src.samples.synthetic_model import synthetic_smpl, write_synthetic_smpl


@pytest.fixture(scope='module')
def model():
    return synthetic_smpl()


@pytest.fixture(scope='module')
def body(model):
    return BodyModel(model)


@pytest.fixture(scope='module')
def pickle_path(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('smpl') / 'neutral_smpl_with_cocoplus_reg.pkl')
    write_synthetic_smpl(path)
    return path


def tensorflow_smpl(pickle_path, betas, poses):
    """HMR's graph on a batch: (verts, cocoplus joints, skeleton joints)."""
    with tf.Graph().as_default(), tf.Session() as sess:
        smpl = SMPL(pickle_path)
        verts, joints, _ = smpl(tf.constant(betas, tf.float32), tf.constant(poses, tf.float32), get_skin=True)
        sess.run(tf.global_variables_initializer())
        return sess.run([verts, joints, smpl.J_transformed])


def test_reproduces_the_tensorflow_smpl_on_a_walk_and_on_random_poses(pickle_path):
    body = BodyModel.from_pickle(pickle_path)
    rng = np.random.RandomState(0)
    betas = rng.randn(10)
    walking, _ = walk(8, 30.)
    poses = np.vstack([walking, rng.randn(4, 72) * .5])
    verts, coco, skeleton = tensorflow_smpl(pickle_path, np.tile(betas, (len(poses), 1)), poses)
    posed = body.forward(poses, betas)
    for ours, theirs in [(posed.verts, verts), (posed.joints_coco, coco), (posed.joints, skeleton)]:
        assert ours.shape == theirs.shape
        assert np.abs(ours - theirs).max() < 1e-5


def test_the_pickle_and_the_plain_dict_give_the_same_body(pickle_path, model, body):
    from_pickle = BodyModel.from_pickle(pickle_path)
    poses = np.random.RandomState(1).randn(2, 72) * .4
    # Same numbers, arrays laid out differently (a pickle round trip): BLAS may sum in another order.
    # Vertices are O(1) m, each a float64 sum of a few hundred products: rounding stays far below 1e-12.
    np.testing.assert_allclose(from_pickle.forward(poses, np.ones(10)).verts,
                               body.forward(poses, np.ones(10)).verts, rtol=0, atol=1e-12)
    assert from_pickle.parents.tolist() == [-1] + model['kintree_table'][0, 1:].tolist()
    assert from_pickle.joint_names == SMPL24
    assert from_pickle.faces.shape == (13776, 3) and from_pickle.weights.shape == (6890, 24)


def test_rest_pose_is_the_shaped_template_and_its_regressed_joints(model, body):
    betas = np.random.RandomState(2).randn(10)
    verts, joints = body.rest(betas)
    np.testing.assert_allclose(verts, model['v_template'] + model['shapedirs'].dot(betas), atol=1e-12)
    np.testing.assert_allclose(joints, model['J_regressor'].dot(verts), atol=1e-12)
    posed = body.forward(np.zeros((1, 72)), betas)
    np.testing.assert_allclose(posed.verts[0], verts, atol=1e-12)
    np.testing.assert_allclose(posed.joints[0], joints, atol=1e-12)
    np.testing.assert_allclose(posed.transforms[0, :, :3, :3], np.tile(np.eye(3), (24, 1, 1)), atol=1e-12)


def test_translation_moves_everything_alike(body):
    rng = np.random.RandomState(3)
    poses, betas, trans = rng.randn(3, 72) * .4, rng.randn(10), rng.randn(3, 3)
    still, moved = body.forward(poses, betas), body.forward(poses, betas, trans)
    for name in ['verts', 'joints', 'joints_coco']:
        np.testing.assert_allclose(getattr(moved, name), getattr(still, name) + trans[:, None], atol=1e-12)
    np.testing.assert_allclose(moved.transforms[:, :, :3, 3], moved.joints, atol=0)


def test_without_pose_blend_shapes_vertices_follow_their_joints_rigidly(model, body):
    """Vertices skinned to one joint alone move with that joint's frame; pose blend shapes add to that."""
    rng = np.random.RandomState(4)
    poses, betas = rng.randn(2, 72) * .4, rng.randn(10)
    rest_verts, rest_joints = body.rest(betas)
    posed = body.forward(poses, betas, pose_blendshapes=False)
    single = np.flatnonzero(body.weights.max(axis=1) == 1)
    owner = body.weights[single].argmax(axis=1)
    frames = posed.transforms[:, owner]
    rigid = np.einsum('tvab,vb->tva', frames[..., :3, :3], rest_verts[single] - rest_joints[owner]) \
        + frames[..., :3, 3]
    np.testing.assert_allclose(posed.verts[:, single], rigid, atol=1e-12)
    with_blend_shapes = body.forward(poses, betas)
    assert np.abs(with_blend_shapes.verts - posed.verts).max() > 1e-3
    root_only = np.zeros((1, 72))
    root_only[0, :3] = poses[0, :3]
    np.testing.assert_allclose(body.forward(root_only, betas).verts,
                               body.forward(root_only, betas, pose_blendshapes=False).verts, atol=1e-12)


def test_long_sequences_equal_frame_by_frame(body):
    """More frames than one skinning chunk: the same as posing each frame alone."""
    rng = np.random.RandomState(5)
    poses, betas = rng.randn(70, 72) * .4, rng.randn(10)
    together = body.forward(poses, betas)
    for t in [0, 31, 32, 69]:
        np.testing.assert_allclose(body.forward(poses[t:t + 1], betas).verts[0], together.verts[t], atol=1e-12)


@pytest.mark.parametrize('args, message', [
    ((np.zeros((2, 69)), np.zeros(10)), 'poses must be T x 72'),
    ((np.zeros(72), np.zeros(10)), 'poses must be T x 72'),
    ((np.zeros((2, 72)), np.zeros(11)), 'betas must hold 10'),
    ((np.zeros((2, 72)), np.zeros(10), np.zeros((3, 3))), 'trans must be 2 x 3'),
])
def test_bad_shapes_are_one_line_errors(body, args, message):
    with pytest.raises(HMRError, match=message):
        body.forward(*args)


def test_incomplete_or_foreign_models_are_one_line_errors(tmp_path, model):
    with pytest.raises(HMRError, match='lacks cocoplus_regressor'):
        BodyModel(dict((k, v) for k, v in model.items() if k != 'cocoplus_regressor'))
    with pytest.raises(HMRError, match='do not fit together'):
        BodyModel(dict(model, weights=model['weights'][:, :20]))
    path = tmp_path / 'not_smpl.pkl'
    path.write_bytes(b'not a pickle')
    with pytest.raises(HMRError, match='not a valid model pickle'):
        BodyModel.from_pickle(str(path))
