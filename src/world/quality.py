"""Which people and frames to distrust: how far the model's 2D joints fall from the detector's
keypoints (at the person's scale: in the pixels of their 224 px crop, where they are about 150 px
tall, so a figure means the same for a near and a far person), whether joints fall outside the image
(the person is cut by its border), and the detector's confidence."""
import numpy as np

from ..joints import COCOPLUS19, OPENPOSE_COCO18, reorder

# Doubtful beyond: 10 % of the 150 px a person is scaled to; a detection confidence below 0.5.
MAX_REPROJ_PX = 15.
MIN_SCORE = .5
# Keypoints below this confidence are not compared (OpenPose's own visibility threshold).
MIN_KEYPOINT_CONFIDENCE = .2


def reprojection_px(joints2d, keypoints, crop_scale):
    """Mean distance (px at the person's crop scale) between the model's COCO+ 19 joints (original
    pixels) and the detector's COCO-18 keypoints (K x 3 with confidence) it shares names with; NaN
    without keypoints or with none confident."""
    if keypoints is None:
        return float('nan')
    keypoints = np.asarray(keypoints, np.float64)
    theirs = reorder(keypoints, OPENPOSE_COCO18, COCOPLUS19)
    model = np.asarray(joints2d, np.float64)[:len(COCOPLUS19)]
    used = theirs[:, 2] > MIN_KEYPOINT_CONFIDENCE
    if not used.any():
        return float('nan')
    return float(np.linalg.norm(model[used] - theirs[used, :2], axis=1).mean() * crop_scale)


def truncated(joints2d, size):
    """True when one of the model's 2D joints lies outside the width x height image."""
    joints2d = np.asarray(joints2d)
    return bool(np.any((joints2d < 0) | (joints2d >= np.asarray(size, np.float64))))


def assess(joints2d, keypoints, crop_scale, score, size):
    """The quality fields of one person in one image or frame."""
    reproj = reprojection_px(joints2d, keypoints, crop_scale)
    cut = truncated(joints2d, size)
    return {'reproj_px': reproj, 'truncated': cut,
            'doubtful': bool(cut or score < MIN_SCORE or (np.isfinite(reproj) and reproj > MAX_REPROJ_PX))}


def for_json(reproj):
    """Reprojection error(s) for JSON: NaN (no keypoints to compare with) becomes null."""
    values = np.asarray(reproj, np.float64)
    if values.ndim == 0:
        return float(values) if np.isfinite(values) else None
    return [float(v) if np.isfinite(v) else None for v in values]


def draw_flags(frame, boxes):
    """`frame` with a red rectangle and 'doubtful' on each of `boxes` (x, y, w, h)."""
    import cv2
    frame = np.ascontiguousarray(frame).copy()
    for x, y, w, h in np.asarray(boxes, np.float64).reshape(-1, 4):
        top_left, bottom_right = (int(x), int(y)), (int(x + w), int(y + h))
        cv2.rectangle(frame, top_left, bottom_right, (255, 0, 0), 2)
        cv2.putText(frame, 'doubtful', (int(x), max(12, int(y) - 4)), cv2.FONT_HERSHEY_SIMPLEX, .5, (255, 0, 0), 1)
    return frame
