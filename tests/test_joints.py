"""Joint orders and the maps between them (src/joints.py): index_map and reorder by joint name."""
import numpy as np
import pytest

from src.joints import COCOPLUS19, LSP14, index_map, reorder


def test_index_map_finds_every_target_joint_by_name():
    source = ['neck', 'left_hip', 'right_ankle']
    assert index_map(source, ['right_ankle', 'neck']) == [2, 0]
    assert index_map(LSP14, LSP14) == list(range(14))
    with pytest.raises(ValueError, match='lacks head_top'):
        index_map(source, ['neck', 'head_top'])
    assert index_map(source, ['neck', 'head_top'], allow_missing=True) == [0, None]


def test_reorder_moves_rows_by_name_and_fills_the_joints_a_dataset_lacks():
    source = ['nose', 'left_ankle', 'right_ankle']
    points = np.array([[1., 2., 1.], [3., 4., 2.], [5., 6., 0.]])
    out = reorder(points, source, COCOPLUS19)
    assert out.shape == (19, 3)
    np.testing.assert_array_equal(out[COCOPLUS19.index('right_ankle')], [5., 6., 0.])
    np.testing.assert_array_equal(out[COCOPLUS19.index('left_ankle')], [3., 4., 2.])
    np.testing.assert_array_equal(out[COCOPLUS19.index('nose')], [1., 2., 1.])
    lacking = [i for i, name in enumerate(COCOPLUS19) if name not in source]
    assert len(lacking) == 16 and (out[lacking] == 0).all()
    assert (reorder(points, source, ['neck', 'nose'], fill=-1.) == [[-1., -1., -1.], [1., 2., 1.]]).all()
    # A full permutation and its inverse give the points back.
    order = ['right_ankle', 'nose', 'left_ankle']
    np.testing.assert_array_equal(reorder(reorder(points, source, order), order, source), points)
