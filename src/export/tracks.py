"""The one motion path of every animation export: a track (shape, poses, translations, rate) -> a rig
(`--rig` preset, or the user's character retargeted) -> the writers of the formats asked for. The demo's
BVH/GLB files and `python -m src.export` both come through `write_track`."""
import os

import numpy as np

from ..errors import HMRError
from . import FRAME_DESCRIPTION
from .bvh import SMPL_HEADER, rotation_statement, write_rig_bvh
from .rigs import build_rig

FORMATS = ('bvh', 'glb', 'fbx')
# An AMASS-style motion's z-up world -> HMR's camera frame, as the exporters take it: z up becomes
# y up (x right), then the export's C = diag(1, -1, -1) is undone, so the export ends up Y up.
CAMERA_FROM_Z_UP = np.array([[1., 0, 0], [0, 0, -1], [0, 1, 0]])

MIXAMO_HEADER = ['Mixamo-named skeleton (mixamorig:*) of one SMPL body (offsets from its betas, rest = SMPL '
                 'rest, a T-pose), written by HMR src/export',
                 'Frame: Y up, right-handed, metres, the body facing +z at rest; the rest body stands on y = 0',
                 'Root (Hips): OFFSET 0 0 0; its position channels are the hips position: the clip starts above '
                 'the origin, its lowest foot joint at its rest height',
                 rotation_statement('the rest pose (T-pose)')]


def in_camera_frame(body, betas, poses, trans, frame):
    """(poses, trans) of a motion in `frame` ('camera' or 'z_up') as HMR's camera-frame ones."""
    if frame == 'camera':
        return poses, trans
    from ..rotations import axis_angle_to_matrix, matrix_to_axis_angle
    root_joint = body.rest(betas)[1][0]
    poses = np.array(poses, np.float64)
    poses[:, :3] = matrix_to_axis_angle(np.matmul(CAMERA_FROM_Z_UP, axis_angle_to_matrix(poses[:, :3])))
    return poses, (root_joint + trans).dot(CAMERA_FROM_Z_UP.T) - root_joint


def fit_betas(betas, body):
    """The body model's number of shape coefficients: AMASS's 16 are cut to the first 10."""
    betas = np.asarray(betas, np.float64).reshape(-1)
    if len(betas) < body.num_betas:
        raise HMRError('the motion has %d shape coefficients; the body model needs %d'
                       % (len(betas), body.num_betas))
    return betas[:body.num_betas]


def output_path(stem, fmt, character=None):
    suffix = '' if character is None else '_' + os.path.splitext(os.path.basename(character.path))[0]
    return '%s%s.%s' % (stem, suffix, fmt)


def write_track(stem, body, betas, poses, trans, fps, formats, rig='smpl', character=None):
    """Write the track as `stem`.<fmt> (`stem`_<character>.<fmt> with a `character.Character`) for each of
    `formats`; poses T x 72 and trans T x 3 in the camera frame, one key per row at `fps`."""
    from .gltf import write_rig_glb
    if character is not None:
        from .retarget import write_retargeted
        return write_retargeted(stem, body, betas, poses, trans, fps, formats, character)
    built = build_rig(rig, body, betas, poses, trans, fps)
    if 'fbx' in formats:
        from .blender import require_blender
        require_blender('FBX output')
    if 'bvh' in formats:
        write_rig_bvh(output_path(stem, 'bvh'), built, fps, SMPL_HEADER if rig == 'smpl' else MIXAMO_HEADER)
    if rig == 'smpl':
        extras = {'frame': FRAME_DESCRIPTION, 'units': 'metres', 'fps': float(fps), 'betas': np.asarray(betas).tolist(),
                  'skeleton': 'SMPL 24 joints; joint node rotations relative to the parent, identity = SMPL rest pose'}
    else:
        extras = {'frame': 'Y up, right-handed, metres, facing +z at rest, standing on y = 0', 'units': 'metres',
                  'fps': float(fps), 'betas': np.asarray(betas).tolist(),
                  'skeleton': 'Mixamo names (mixamorig:*), rest = SMPL rest (T-pose); root motion on Hips'}
    if 'glb' in formats:
        write_rig_glb(output_path(stem, 'glb'), built, fps, extras, rig)
    if 'fbx' in formats:
        from .blender import glb_to_fbx
        glb_to_fbx(lambda path: write_rig_glb(path, built, fps, extras, rig), output_path(stem, 'fbx'), fps)
