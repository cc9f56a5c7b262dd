"""Animation exports of one SMPL body over time: BVH (`bvh.write_bvh`) and binary glTF (`gltf.write_glb`);
rig presets (`rigs`), FBX through Blender (`blender`), retargeting onto a character (`character`,
`retarget`), all through one motion path (`tracks.write_track`) and the re-export command (`cli`,
`python -m src.export`); docs/animation.md describes them.

The SMPL rig's BVH and glTF use one frame, stated in each file: Y up, right-handed, metres. It is the
original image's camera frame (x right, y down, z away from the camera; the demo's mesh there is
SMPL(pose, betas) + trans) turned 180 degrees about x, C = diag(1, -1, -1): x right, y up, z towards the
camera. C applies to the root joint alone (rotation C R_root, position C (J_root + trans)); every other
joint keeps SMPL's rotation relative to its parent, since the rest skeleton (SMPL's T-pose, upright and
facing +z) needs no change.
"""
import collections

import numpy as np

from ..errors import HMRError
from ..rotations import axis_angle_to_matrix

CAMERA_TO_EXPORT = np.diag([1., -1., -1.])
FRAME_DESCRIPTION = (
    'Y up, right-handed, metres: the image camera frame (x right, y down, z away from the camera; '
    'mesh = SMPL(pose, betas) + trans) turned 180 degrees about x, C = diag(1, -1, -1), '
    'applied to the root rotation (C R_root) and root position (C (J_root + trans)); '
    'x right, y up, z towards the camera')

Motion = collections.namedtuple('Motion', ['rest_verts', 'rest_joints', 'rotations', 'root_positions'])
Motion.__doc__ = """A body's motion in the export frame.

rest_verts (V, 3) and rest_joints (24, 3): the shaped body in SMPL's rest pose (no pose blend shapes);
rotations (T, 24, 3, 3): each joint's rotation relative to its parent (the root's, C R_root, relative to
the export frame); root_positions (T, 3): the root joint's position, C (J_root + trans)."""


def export_motion(body, betas, poses, trans, fps):
    """Checks the inputs of an export and returns their `Motion`. `trans` None means no translation."""
    poses = np.asarray(poses, np.float64)
    num_joints = len(body.parents)
    if poses.ndim != 2 or poses.shape[1] != 3 * num_joints or len(poses) == 0:
        raise HMRError('poses must be T x %d axis-angle rows with T >= 1, not shape %s'
                       % (3 * num_joints, poses.shape))
    trans = np.zeros((len(poses), 3)) if trans is None else np.asarray(trans, np.float64)
    if trans.shape != (len(poses), 3):
        raise HMRError('trans must be %d x 3 (one per pose), not shape %s' % (len(poses), trans.shape))
    if not (np.all(np.isfinite(poses)) and np.all(np.isfinite(trans))):
        raise HMRError('poses and trans must be finite numbers')
    if not (np.isfinite(fps) and fps > 0):
        raise HMRError('fps must be a positive number, not %r' % (fps,))
    rest_verts, rest_joints = body.rest(betas)
    rotations = axis_angle_to_matrix(poses.reshape(len(poses), num_joints, 3))
    rotations[:, 0] = np.matmul(CAMERA_TO_EXPORT, rotations[:, 0])
    root_positions = (rest_joints[0] + trans).dot(CAMERA_TO_EXPORT.T)
    return Motion(rest_verts, rest_joints, rotations, root_positions)
