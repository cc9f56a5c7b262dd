"""Weak-perspective projection and the losses, on hand-computed answers."""
import numpy as np

from src.compat import tf
from src.ops import align_by_pelvis, compute_3d_loss, keypoint_l1_loss
from src.tf_smpl.projection import batch_orth_proj_idrot


def run(tensor_fn, *arrays):
    with tf.Graph().as_default(), tf.Session() as sess:
        return sess.run(tensor_fn(*[tf.constant(a, tf.float32) for a in arrays]))


def test_projection_scales_translated_xy_and_drops_depth():
    X = np.array([[[1., 2., 3.], [0., 0., 9.]], [[-1., 1., 0.], [2., 2., 2.]]])
    cam = np.array([[2., .5, -1.], [.5, 0., 0.]])
    expected = np.array([[[3., 2.], [1., -2.]], [[-.5, .5], [1., 1.]]])
    np.testing.assert_allclose(run(batch_orth_proj_idrot, X, cam), expected)


def test_keypoint_l1_ignores_invisible_joints():
    gt = np.array([[[0., 0., 1.], [1., 1., 1.], [5., 5., 0.]]])
    pred = np.array([[[.5, -.5], [1., 3.], [100., 100.]]])
    # Visible coordinates: |.5|+|.5| + 0+2 = 3 over 4 weighted coordinates.
    assert np.isclose(run(keypoint_l1_loss, gt, pred), 3. / 4)


def test_3d_loss_counts_only_examples_with_ground_truth():
    pred = np.array([[1., 1.], [10., 10.]])
    gt = np.array([[0., 3.], [0., 0.]])
    has3d = np.array([1., 0.])
    # 0.5 * mean of squared errors over weighted entries: 0.5 * (1 + 4) / 2.
    assert np.isclose(run(compute_3d_loss, pred, gt, has3d), 1.25)


def test_align_by_pelvis_centres_the_hips():
    rng = np.random.RandomState(0)
    joints = rng.randn(2, 14, 3)
    aligned = run(align_by_pelvis, joints)
    np.testing.assert_allclose((aligned[:, 2] + aligned[:, 3]) / 2, 0, atol=1e-6)
    np.testing.assert_allclose(aligned - aligned[:, :1], joints - joints[:, :1], atol=1e-5)
