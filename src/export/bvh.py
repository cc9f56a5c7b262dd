"""BVH export of a rig (`rigs.Rig`) and its motion, one frame per pose; `write_bvh`: the SMPL rig.

The SMPL rig's joints carry SMPL24's names; their offsets are the shaped body's rest joints (this betas, not the
average body). The root's OFFSET is zero and its position channels hold the pelvis position itself,
which every BVH reader takes the same way. The comment lines after HIERARCHY state units, axes and the
Euler convention; Blender and the `bvh` reader skip them.
"""
import io

import numpy as np

from ..util.files import write_bytes
from . import FRAME_DESCRIPTION
from .rigs import smpl_rig
from ..rotations import matrix_to_euler

# Intrinsic Z, then X, then Y: R = Rz(z) Rx(x) Ry(y), the channel order of most motion-capture files.
EULER_ORDER = 'ZXY'
ROTATION_CHANNELS = ' '.join(axis + 'rotation' for axis in EULER_ORDER)


def _end_site(rig, leaf):
    """Offset of a leaf's end site: along its bone, as far as the vertices the leaf moves most reach
    (half the bone without a mesh)."""
    bone = rig.rest_joints[leaf] - rig.rest_joints[rig.parents[leaf]]
    direction = bone / np.linalg.norm(bone)
    if rig.mesh is None:
        return bone / 2
    own = rig.mesh.verts[np.argmax(rig.mesh.weights, axis=1) == leaf]
    reach = (own - rig.rest_joints[leaf]).dot(direction).max() if len(own) else 0.
    return direction * (reach if reach > 1e-3 else np.linalg.norm(bone) / 2)


def rotation_statement(rest):
    return ('Rotations: degrees, channels %s = intrinsic %s: R = %s, relative to the parent; all zero = %s'
            % (ROTATION_CHANNELS, '-'.join(EULER_ORDER), ' '.join('R%s(%s)' % (a.lower(), a.lower())
                                                                   for a in EULER_ORDER), rest))


SMPL_HEADER = ['SMPL 24-joint skeleton of one body (offsets from its betas), written by HMR src/export/bvh.py',
               'Frame: ' + FRAME_DESCRIPTION,
               'Root: OFFSET 0 0 0; its position channels are the pelvis position in that frame (metres)',
               rotation_statement('SMPL rest pose (T-pose)')]


def _hierarchy(rig, header, end_sites):
    """The HIERARCHY lines and the joints in the order their channels appear in each frame."""
    lines, order = [], []

    def visit(joint, depth):
        indent = '  ' * depth
        order.append(joint)
        if joint == 0:
            lines.append('ROOT %s' % rig.names[joint])
            offset, channels = np.zeros(3), 'CHANNELS 6 Xposition Yposition Zposition ' + ROTATION_CHANNELS
        else:
            lines.append(indent + 'JOINT %s' % rig.names[joint])
            offset = rig.rest_joints[joint] - rig.rest_joints[rig.parents[joint]]
            channels = 'CHANNELS 3 ' + ROTATION_CHANNELS
        lines.extend([indent + '{', indent + '  OFFSET %.6f %.6f %.6f' % tuple(offset), indent + '  ' + channels])
        children = [j for j in range(len(rig.parents)) if rig.parents[j] == joint]
        for child in children:
            visit(child, depth + 1)
        if not children:
            end = end_sites[joint] if end_sites is not None else _end_site(rig, joint)
            lines.extend([indent + '  End Site', indent + '  {', indent + '    OFFSET %.6f %.6f %.6f' % tuple(end),
                          indent + '  }'])
        lines.append(indent + '}')

    visit(0, 0)
    return ['HIERARCHY'] + ['# ' + line for line in header] + lines, order


def write_rig_bvh(path, rig, fps, header, end_sites=None):
    """Write `rig` (a `rigs.Rig`) at `fps` frames a second; `header`: the comment lines;
    `end_sites` (joint -> offset) for the leaves, else from the mesh."""
    lines, order = _hierarchy(rig, header, end_sites)
    angles = matrix_to_euler(rig.rotations[:, order], EULER_ORDER)
    # Whole turns removed between frames, so players interpolating the angles do not spin.
    angles = np.degrees(np.unwrap(np.radians(angles), axis=0))
    values = np.hstack([rig.root_positions, angles.reshape(len(angles), -1)])
    frames = io.BytesIO()
    np.savetxt(frames, values, fmt='%.6f')
    text = '\n'.join(lines + ['MOTION', 'Frames: %d' % len(values), 'Frame Time: %.8f' % (1. / fps)]) + '\n'
    write_bytes(path, text.encode('ascii') + frames.getvalue())


def write_bvh(path, body, betas, poses, trans, fps):
    """Write the motion of `poses` (T x 72 axis-angle, HMR's theta[3:75]) with root translation `trans`
    (T x 3, the camera frame; None for none) of the body of shape `betas` at `fps` frames a second."""
    write_rig_bvh(path, smpl_rig(body, betas, poses, trans, fps), fps, SMPL_HEADER)
