"""Joint orders used across HMR, by name, and the maps between them (one place, no magic lists).

LSP-14 is the order of the training keypoints and of the evaluation joints; COCO+ 19 appends the five
COCO face points; SMPL-24 is the body model's skeleton.
"""
import numpy as np

LSP14 = ['right_ankle', 'right_knee', 'right_hip', 'left_hip', 'left_knee', 'left_ankle',
         'right_wrist', 'right_elbow', 'right_shoulder', 'left_shoulder', 'left_elbow', 'left_wrist',
         'neck', 'head_top']
COCOPLUS19 = LSP14 + ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear']
SMPL24 = ['pelvis', 'left_hip', 'right_hip', 'spine1', 'left_knee', 'right_knee', 'spine2', 'left_ankle',
          'right_ankle', 'spine3', 'left_foot', 'right_foot', 'neck', 'left_collar', 'right_collar', 'head',
          'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
          'left_hand', 'right_hand']


def mirrored(name):
    """The joint a horizontal flip turns `name` into."""
    if name.startswith('left_'):
        return 'right_' + name[len('left_'):]
    if name.startswith('right_'):
        return 'left_' + name[len('right_'):]
    return name


def flip_permutation(order):
    """Indices p such that flipped_joints = joints[p] for joints in `order`."""
    return [order.index(mirrored(name)) for name in order]


def index_map(source, target, allow_missing=False):
    """Indices into `source` for each joint of `target`. A target joint that `source` lacks is a
    ValueError, or with allow_missing gets None (`reorder` fills it)."""
    lacking = [name for name in target if name not in source]
    if lacking and not allow_missing:
        raise ValueError('the source joint order lacks %s' % ', '.join(lacking))
    return [source.index(name) if name in source else None for name in target]


def reorder(points, source, target, fill=0.):
    """points: K x D in the joint order `source` -> len(target) x D in the order `target`; target
    joints that `source` lacks (a dataset that does not annotate them) get `fill` in every column."""
    points = np.asarray(points, dtype=np.float64)
    out = np.full((len(target),) + points.shape[1:], fill, dtype=np.float64)
    for i, j in enumerate(index_map(source, target, allow_missing=True)):
        if j is not None:
            out[i] = points[j]
    return out


# OpenPose's COCO-18 keypoint order (the `pose_keypoints` of its JSON; BODY_25 inserts a mid-hip at 8).
OPENPOSE_COCO18 = ['nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder', 'left_elbow',
                   'left_wrist', 'right_hip', 'right_knee', 'right_ankle', 'left_hip', 'left_knee', 'left_ankle',
                   'right_eye', 'left_eye', 'right_ear', 'left_ear']
# MediaPipe BlazePose's 33 landmarks (its full landmark model puts 6 auxiliary points after them).
BLAZEPOSE33 = ['nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye',
               'right_eye_outer', 'left_ear', 'right_ear', 'mouth_left', 'mouth_right', 'left_shoulder',
               'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_pinky',
               'right_pinky', 'left_index', 'right_index', 'left_thumb', 'right_thumb', 'left_hip', 'right_hip',
               'left_knee', 'right_knee', 'left_ankle', 'right_ankle', 'left_heel', 'right_heel',
               'left_foot_index', 'right_foot_index']
