"""Rodrigues, skew matrices and forward kinematics against NumPy/SciPy and known answers."""
import numpy as np
import pytest

from src.compat import tf
from src.rotations import axis_angle_to_matrix as rotations
from src.tf_smpl.batch_lbs import (batch_global_rigid_transformation, batch_lrotmin, batch_rodrigues,
                                   batch_skew)
from src.samples.synthetic_model import SMPL_PARENTS, SMPL_REST_JOINTS


def run(fn, *arrays):
    with tf.Graph().as_default(), tf.Session() as sess:
        return sess.run(fn(*[tf.constant(a, tf.float32) for a in arrays]))


def test_skew_matrix_is_the_cross_product():
    rng = np.random.RandomState(0)
    v, w = rng.randn(5, 3), rng.randn(5, 3)
    skews = run(batch_skew, v)
    np.testing.assert_allclose(np.einsum('nij,nj->ni', skews, w), np.cross(v, w), atol=1e-5)
    np.testing.assert_allclose(skews, -skews.transpose(0, 2, 1), atol=0)


def test_rodrigues_matches_scipy():
    rng = np.random.RandomState(1)
    theta = rng.randn(64, 3) * 1.5
    np.testing.assert_allclose(run(batch_rodrigues, theta), rotations(theta), atol=2e-6)


def test_rodrigues_known_answers():
    quarter_turn_z = run(batch_rodrigues, np.array([[0, 0, np.pi / 2], [0, 0, 0]]))
    np.testing.assert_allclose(quarter_turn_z[0], [[0, -1, 0], [1, 0, 0], [0, 0, 1]], atol=1e-6)
    np.testing.assert_allclose(quarter_turn_z[1], np.eye(3), atol=1e-6)


def test_lrotmin_is_nonroot_rotations_minus_identity():
    rng = np.random.RandomState(2)
    pose = rng.randn(3, 72) * .4
    expected = (rotations(pose.reshape(-1, 3)).reshape(3, 24, 3, 3)[:, 1:] - np.eye(3)).reshape(3, 207)
    np.testing.assert_allclose(run(batch_lrotmin, pose), expected, atol=2e-6)


def kinematics(R, J, rotate_base=False):
    return run(lambda r, j: batch_global_rigid_transformation(r, j, np.array(SMPL_PARENTS), rotate_base), R, J)


def test_rest_pose_keeps_joints_and_gives_identity_transforms():
    J = SMPL_REST_JOINTS[None].astype(np.float32)
    new_J, A = kinematics(np.tile(np.eye(3), (1, 24, 1, 1)), J)
    np.testing.assert_allclose(new_J, J, atol=1e-6)
    np.testing.assert_allclose(A, np.tile(np.eye(4), (1, 24, 1, 1)), atol=1e-6)


@pytest.mark.parametrize('seed', [0, 1])
def test_root_rotation_rotates_the_skeleton_about_the_root(seed):
    rng = np.random.RandomState(seed)
    J = SMPL_REST_JOINTS[None]
    local = rotations(rng.randn(24, 3) * .5)
    root = rotations(rng.randn(1, 3))[0]
    turned = local.copy()
    turned[0] = root.dot(local[0])
    posed, _ = kinematics(local[None], J)
    posed_turned, _ = kinematics(turned[None], J)
    # Rotating the root rotates every joint about the root joint and keeps bone lengths.
    expected = (posed[0] - J[0, 0]).dot(root.T) + J[0, 0]
    np.testing.assert_allclose(posed_turned[0], expected, atol=1e-5)
    bones = lambda p: np.linalg.norm(p[1:] - p[np.array(SMPL_PARENTS[1:])], axis=1)  # noqa: E731
    np.testing.assert_allclose(bones(posed[0]), bones(J[0]), atol=1e-5)


def test_transforms_move_rest_joints_to_posed_joints():
    rng = np.random.RandomState(3)
    J = SMPL_REST_JOINTS[None]
    new_J, A = kinematics(rotations(rng.randn(24, 3) * .5)[None], J)
    # A maps a rest-pose point rigidly with its joint: the rest joint itself lands on the posed joint.
    moved = np.einsum('kij,kj->ki', A[0], np.hstack([J[0], np.ones((24, 1))]))
    np.testing.assert_allclose(moved[:, :3], new_J[0], atol=1e-5)


def test_rotate_base_turns_the_body_upside_down():
    J = SMPL_REST_JOINTS[None]
    new_J, _ = kinematics(np.tile(np.eye(3), (1, 24, 1, 1)), J, rotate_base=True)
    flipped = (J[0] - J[0, 0]) * [1, -1, -1] + J[0, 0]
    np.testing.assert_allclose(new_J[0], flipped, atol=1e-6)
