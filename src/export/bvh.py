"""BVH export: the SMPL 24-joint skeleton of one body shape and its motion, one frame per pose.

The joints carry SMPL24's names; their offsets are the shaped body's rest joints (this betas, not the
average body). The root's OFFSET is zero and its position channels hold the pelvis position itself,
which every BVH reader takes the same way. The comment lines after HIERARCHY state units, axes and the
Euler convention; Blender and the `bvh` reader skip them.
"""
import io

import numpy as np

from ..util.files import write_bytes
from . import FRAME_DESCRIPTION, export_motion
from ..rotations import matrix_to_euler

# Intrinsic Z, then X, then Y: R = Rz(z) Rx(x) Ry(y), the channel order of most motion-capture files.
EULER_ORDER = 'ZXY'
ROTATION_CHANNELS = ' '.join(axis + 'rotation' for axis in EULER_ORDER)


def _children(parents, joint):
    return [j for j in range(len(parents)) if parents[j] == joint]


def _end_site(body, rest_verts, rest_joints, leaf):
    """Offset of a leaf's end site: along its bone, as far as the vertices the leaf moves most reach."""
    bone = rest_joints[leaf] - rest_joints[body.parents[leaf]]
    direction = bone / np.linalg.norm(bone)
    own = rest_verts[np.argmax(body.weights, axis=1) == leaf]
    reach = (own - rest_joints[leaf]).dot(direction).max() if len(own) else 0.
    return direction * (reach if reach > 1e-3 else np.linalg.norm(bone) / 2)


def _hierarchy(body, motion):
    """The HIERARCHY lines and the joints in the order their channels appear in each frame."""
    lines, order = [], []
    header = ['SMPL 24-joint skeleton of one body (offsets from its betas), written by HMR src/export/bvh.py',
              'Frame: ' + FRAME_DESCRIPTION,
              'Root: OFFSET 0 0 0; its position channels are the pelvis position in that frame (metres)',
              'Rotations: degrees, channels %s = intrinsic %s: R = %s, relative to the parent; '
              'all zero = SMPL rest pose (T-pose)' % (ROTATION_CHANNELS, '-'.join(EULER_ORDER),
                                                       ' '.join('R%s(%s)' % (a.lower(), a.lower())
                                                                for a in EULER_ORDER))]

    def visit(joint, depth):
        indent = '  ' * depth
        order.append(joint)
        if joint == 0:
            lines.append('ROOT %s' % body.joint_names[joint])
            offset, channels = np.zeros(3), 'CHANNELS 6 Xposition Yposition Zposition ' + ROTATION_CHANNELS
        else:
            lines.append(indent + 'JOINT %s' % body.joint_names[joint])
            offset = motion.rest_joints[joint] - motion.rest_joints[body.parents[joint]]
            channels = 'CHANNELS 3 ' + ROTATION_CHANNELS
        lines.extend([indent + '{', indent + '  OFFSET %.6f %.6f %.6f' % tuple(offset), indent + '  ' + channels])
        children = _children(body.parents, joint)
        for child in children:
            visit(child, depth + 1)
        if not children:
            end = _end_site(body, motion.rest_verts, motion.rest_joints, joint)
            lines.extend([indent + '  End Site', indent + '  {', indent + '    OFFSET %.6f %.6f %.6f' % tuple(end),
                          indent + '  }'])
        lines.append(indent + '}')

    visit(0, 0)
    return ['HIERARCHY'] + ['# ' + line for line in header] + lines, order


def write_bvh(path, body, betas, poses, trans, fps):
    """Write the motion of `poses` (T x 72 axis-angle, HMR's theta[3:75]) with root translation `trans`
    (T x 3, the camera frame; None for none) of the body of shape `betas` at `fps` frames a second."""
    motion = export_motion(body, betas, poses, trans, fps)
    lines, order = _hierarchy(body, motion)
    angles = matrix_to_euler(motion.rotations[:, order], EULER_ORDER)
    # Whole turns removed between frames, so players interpolating the angles do not spin.
    angles = np.degrees(np.unwrap(np.radians(angles), axis=0))
    values = np.hstack([motion.root_positions, angles.reshape(len(angles), -1)])
    frames = io.BytesIO()
    np.savetxt(frames, values, fmt='%.6f')
    text = '\n'.join(lines + ['MOTION', 'Frames: %d' % len(values), 'Frame Time: %.8f' % (1. / fps)]) + '\n'
    write_bytes(path, text.encode('ascii') + frames.getvalue())
