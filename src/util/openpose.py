"""Person box from OpenPose output: the scale and centre that make the person ~150 px tall.

Reads both JSON flavours: `pose_keypoints` (OpenPose < 1.3) and `pose_keypoints_2d` (>= 1.3), in the
COCO-18 or BODY_25 layout. BODY_25 people are reduced to their COCO-18 joints so that a person gets
the same box from either layout (BODY_25 adds a mid-hip and six foot points that COCO-18 lacks).
"""
import json

import numpy as np

from ..errors import HMRError
from .image import scale_for_extent

# Keypoints above this confidence count as visible.
VIS_THRESHOLD = 0.2
NUM_COCO18 = 18
NUM_BODY25 = 25
BODY25_MID_HIP = 8
# BODY_25 is COCO-18 with the mid-hip inserted at 8 and the feet appended at 19..24.
BODY25_TO_COCO18 = [i for i in range(NUM_COCO18 + 1) if i != BODY25_MID_HIP]


def _person_keypoints(person, json_path):
    flat = person.get('pose_keypoints_2d', person.get('pose_keypoints'))
    if flat is None:
        raise HMRError('%s: a person has neither pose_keypoints_2d nor pose_keypoints' % json_path)
    kp = np.asarray(flat, dtype=np.float64).reshape(-1, 3)
    if len(kp) == NUM_BODY25:
        return kp[BODY25_TO_COCO18]
    if len(kp) == NUM_COCO18:
        return kp
    raise HMRError('%s: a person has %d keypoints; expected the COCO-18 or BODY_25 layout' % (json_path, len(kp)))


def read_json(json_path):
    """List of K x 3 (x, y, confidence) arrays, one per person, in COCO-18 joint order."""
    try:
        with open(json_path, encoding='utf-8') as f:
            data = json.load(f)
        people = data['people']
    except (IOError, OSError) as e:
        raise HMRError('cannot read OpenPose JSON %s: %s' % (json_path, e.strerror or e))
    except (ValueError, KeyError, TypeError):
        raise HMRError('%s is not OpenPose output (a JSON object with a "people" list)' % json_path)
    try:
        return [_person_keypoints(person, json_path) for person in people]
    except (ValueError, TypeError, AttributeError):
        raise HMRError('%s: keypoints are not lists of x, y, confidence numbers' % json_path)


def keypoint_box(kp, what, vis_thr=VIS_THRESHOLD):
    """(scale, [x, y] centre, [x, y, w, h] box) of the keypoints above `vis_thr`, or None if none is."""
    visible = kp[kp[:, 2] > vis_thr, :2]
    if not len(visible):
        return None
    if not np.all(np.isfinite(visible)):
        raise HMRError('%s has keypoints that are not finite numbers' % what)
    min_pt, max_pt = visible.min(axis=0), visible.max(axis=0)
    scale = scale_for_extent(np.linalg.norm(max_pt - min_pt), "%s (its confident keypoints' extent)" % what)
    return scale, (min_pt + max_pt) / 2., np.hstack([min_pt, max_pt - min_pt])


def confidence(kp, vis_thr=VIS_THRESHOLD):
    """Mean confidence of the visible keypoints (-inf for none): how the released demo ranks people."""
    visible = kp[:, 2] > vis_thr
    return kp[visible, 2].mean() if np.any(visible) else -np.inf


def get_bbox(json_path, vis_thr=VIS_THRESHOLD):
    """Scale and [x, y] centre of the most confident person (mean confidence of visible joints)."""
    kps = read_json(json_path)
    if not kps:
        raise HMRError('%s: OpenPose found no people' % json_path)
    scores = [confidence(kp, vis_thr) for kp in kps]
    if not np.isfinite(max(scores)):
        raise HMRError('%s: no person has a joint with confidence above %g' % (json_path, vis_thr))
    best = int(np.argmax(scores))
    scale, center, _ = keypoint_box(kps[best], '%s: person %d' % (json_path, best), vis_thr)
    return scale, center
