"""Doubtful people and frames (src/world/quality.py): reprojection against the detector's keypoints,
truncation by the image border, and the detection score."""
import numpy as np

from src.joints import COCOPLUS19, OPENPOSE_COCO18, reorder
from src.world.quality import MAX_REPROJ_PX, assess, draw_flags, reprojection_px, truncated


def person_joints(offset=(200., 100.), height=300.):
    """COCO+ 19 joints of an upright person `height` px tall in a 640 x 480 image."""
    rng = np.random.RandomState(0)
    joints = rng.uniform([-.2, 0], [.2, 1], size=(len(COCOPLUS19), 2)) * height
    return joints + offset


def keypoints_of(joints, confidence=.9):
    points = reorder(joints, COCOPLUS19, OPENPOSE_COCO18)
    return np.hstack([points, np.full((len(points), 1), confidence)])


def test_a_clean_frame_has_a_small_reprojection_error():
    joints = person_joints()
    keypoints = keypoints_of(joints)
    assert reprojection_px(joints, keypoints, .5) < 1e-9
    # 4 px off in the image at crop scale 0.5 is 2 px at the person's scale.
    moved = keypoints.copy()
    moved[:, 0] += 4.
    assert abs(reprojection_px(joints, moved, .5) - 2.) < 1e-9
    quality = assess(joints, keypoints, .5, .95, (640, 480))
    assert quality == {'reproj_px': 0., 'truncated': False, 'doubtful': False}


def test_unconfident_or_missing_keypoints_are_not_compared():
    joints = person_joints()
    assert np.isnan(reprojection_px(joints, None, .5))
    assert np.isnan(reprojection_px(joints, keypoints_of(joints, confidence=.1), .5))


def test_a_person_cut_by_the_border_is_flagged():
    joints = person_joints(offset=(560., 250.))  # the right arm and the feet leave the 640 x 480 image
    assert truncated(joints, (640, 480))
    quality = assess(joints, keypoints_of(joints), .5, .95, (640, 480))
    assert quality['truncated'] and quality['doubtful']


def test_far_reprojection_or_low_confidence_is_doubtful():
    joints = person_joints()
    far = keypoints_of(joints)
    far[:, 1] += 2 * MAX_REPROJ_PX / .5
    assert assess(joints, far, .5, .95, (640, 480))['doubtful']
    assert assess(joints, keypoints_of(joints), .5, .3, (640, 480))['doubtful']


def test_doubtful_boxes_are_drawn():
    frame = np.zeros((120, 160, 3), np.uint8)
    drawn = draw_flags(frame, [[20, 30, 50, 60]])
    assert tuple(drawn[30, 40]) == (255, 0, 0) and tuple(drawn[60, 20]) == (255, 0, 0)
    assert not drawn[60, 45].any() and not frame.any()


def test_unknown_reprojection_is_null_in_json():
    from src.world.quality import for_json
    assert for_json(float('nan')) is None and for_json(2.5) == 2.5
    assert for_json(np.array([1., np.nan])) == [1., None]
