"""Known answers and invariants of the evaluation metrics (src/benchmark/eval_util.py)."""
import numpy as np
import pytest

from src.benchmark import eval_util
from src.datasets import h36m_to_tfrecords, mpi_inf_3dhp_test_to_tfrecords, mpi_inf_3dhp_to_tfrecords
from src.joints import LSP14


def rotation(axis, degrees):
    axis = np.asarray(axis, np.float64) / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    a = np.radians(degrees)
    return np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * k.dot(k)


@pytest.fixture
def skeletons():
    rng = np.random.RandomState(3)
    return rng.randn(5, 14, 3) * 300.


def test_procrustes_recovers_a_known_similarity_transform(skeletons):
    R, scale, t = rotation([1, 2, .5], 73), 1.7, np.array([40., -120., 900.])
    target = scale * skeletons.dot(R.T) + t
    np.testing.assert_allclose(eval_util.compute_similarity_transform(skeletons, target), target, atol=1e-8)
    # One skeleton at a time, as the released API took it.
    np.testing.assert_allclose(eval_util.compute_similarity_transform(skeletons[0], target[0]), target[0],
                               atol=1e-8)


def test_procrustes_does_not_reflect(skeletons):
    mirrored = skeletons * np.array([-1., 1., 1.])
    fitted = eval_util.compute_similarity_transform(skeletons, mirrored)
    assert np.all(np.linalg.norm(fitted - mirrored, axis=-1).mean(axis=1) > 1.)


def test_mpjpe_ignores_translation_and_pa_ignores_similarity(skeletons):
    rng = np.random.RandomState(4)
    gt = skeletons + rng.randn(*skeletons.shape) * 20.
    errors, errors_pa = eval_util.compute_errors(gt, skeletons)
    shifted = skeletons + np.array([500., -30., 2000.])
    np.testing.assert_allclose(eval_util.compute_errors(gt, shifted)[0], errors, atol=1e-9)
    moved = 0.6 * shifted.dot(rotation([0, 1, 0], 120).T)
    np.testing.assert_allclose(eval_util.compute_errors(gt, moved)[1], errors_pa, atol=1e-8)
    assert np.all(np.array(errors_pa) <= np.array(errors) + 1e-9)


def test_mpjpe_of_a_known_offset():
    gt = np.zeros((1, 14, 3))
    gt[0, :, 1] = np.arange(14) * 100.
    gt[0, [LSP14.index('left_hip'), LSP14.index('right_hip')]] = [[-100., 0, 0], [100., 0, 0]]
    pred = gt.copy()
    limbs = [i for i, name in enumerate(LSP14) if not name.endswith('_hip')]
    pred[0, limbs] += [30., 40., 0.]  # 50 mm on 12 of 14 joints; the hips define the pelvis
    per_joint = eval_util.joint_errors(gt, pred, 'pelvis')
    np.testing.assert_allclose(per_joint[0, limbs], 50.)
    np.testing.assert_allclose(eval_util.compute_errors(gt, pred)[0], [50. * 12 / 14])
    # Without alignment a global shift counts; with pelvis alignment it does not.
    assert eval_util.joint_errors(gt, gt + 10., 'none').mean() == pytest.approx(np.sqrt(300.))
    assert eval_util.joint_errors(gt, gt + 10., 'pelvis').max() == pytest.approx(0., abs=1e-12)


def test_compute_errors_takes_flat_ground_truth_as_released(skeletons):
    # The released compute_errors reshapes each ground truth to J x 3, so N x 42 arrays work as well.
    pred = skeletons + np.random.RandomState(6).randn(*skeletons.shape) * 30.
    expected = eval_util.compute_errors(skeletons, pred)
    errors, errors_pa = eval_util.compute_errors(skeletons.reshape(len(skeletons), 42), pred)
    np.testing.assert_allclose(errors, expected[0], rtol=1e-12)
    np.testing.assert_allclose(errors_pa, expected[1], rtol=1e-12)
    # ... and a list of them: the known 50 mm on 12 of 14 joints.
    gt = np.zeros((14, 3))
    gt[[LSP14.index('left_hip'), LSP14.index('right_hip')]] = [[-100., 0, 0], [100., 0, 0]]
    shifted = gt + [30., 40., 0.]
    shifted[[LSP14.index('left_hip'), LSP14.index('right_hip')]] = gt[[LSP14.index('left_hip'),
                                                                        LSP14.index('right_hip')]]
    np.testing.assert_allclose(eval_util.compute_errors([gt.ravel()], [shifted])[0], [50. * 12 / 14])
    with pytest.raises(ValueError, match='differ in shape'):
        eval_util.compute_errors(skeletons.reshape(len(skeletons), 42)[:, :39], pred)


def test_pck_and_auc_by_hand():
    errors = np.array([[0., 50., 100., 150., 200.]])
    assert eval_util.pck(errors) == pytest.approx(80.)
    assert eval_util.pck(errors, 99.) == pytest.approx(40.)
    # Thresholds 0, 5, ..., 150: the joints count at 31, 21, 11, 1 and 0 of them.
    assert eval_util.auc(errors) == pytest.approx(100. * (31 + 21 + 11 + 1) / (31 * 5.))


def test_group_means_per_action():
    means = eval_util.group_means([1., 3., 10., 20., 30.], ['a', 'a', 'b', 'b', 'b'], order=['b', 'a', 'c'])
    assert means == {'b': 20., 'a': 2.}


def test_segmentation_scores_by_hand():
    gt = np.array([[0, 0, 1, 1],
                   [0, 2, 2, 255]])
    pred = np.array([[0, 1, 1, 1],
                     [0, 2, 0, 1]])
    scores = eval_util.SegmentationScores(num_labels=3)
    scores.add(gt, pred)
    # The ignored pixel counts as background for the accuracy (pred 1 there: wrong): 5 of 8 right.
    assert scores.accuracy() == pytest.approx(100. * 5 / 8)
    # Without the ignored pixel: label 0 TP 2 FP 1 FN 1, label 1 TP 2 FP 1 FN 0, label 2 TP 1 FP 0 FN 1.
    f1 = [2 * 2 / (4 + 1 + 1.), 2 * 2 / (4 + 1 + 0.), 2 * 1 / (2 + 0 + 1.)]
    assert scores.f1() == pytest.approx(np.mean(f1))
    # Counts accumulate over images; a perfect second image raises both scores.
    scores.add(gt[:, :3], gt[:, :3])
    assert scores.accuracy() == pytest.approx(100. * 11 / 14)
    with pytest.raises(ValueError):
        scores.add(gt, pred[:, :2])


def test_joint_maps_to_lsp_match_the_released_indices():
    # The released read_mpi_inf_3dhp.py composed raw -> H3.6M-17 -> LSP-14 into these indices.
    assert mpi_inf_3dhp_to_tfrecords.TO_LSP == [25, 24, 23, 18, 19, 20, 16, 15, 14, 9, 10, 11, 5, 7]
    # The 32-joint H3.6M skeleton's LSP-14 joints, as commonly used with D3_Positions.
    assert h36m_to_tfrecords.TO_LSP == [3, 2, 1, 6, 7, 8, 27, 26, 25, 17, 18, 19, 13, 15]
    # The 17 joints of the 3DHP test annotation (head top, neck, right arm, left arm, right leg, left leg,
    # pelvis, spine, head) in LSP order.
    assert mpi_inf_3dhp_test_to_tfrecords.TO_LSP == [10, 9, 8, 11, 12, 13, 4, 3, 2, 5, 6, 7, 1, 0]
