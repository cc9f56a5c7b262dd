"""Skeletons an export can carry (`--rig`), all built from one SMPL motion in the export frame.

A `Rig` is what the BVH and glTF writers take: joint names and parents, rest joint positions (joint
frames at rest aligned with the export frame's axes, so a rest rotation is the identity), each frame's
rotation of every joint relative to its parent, the root's position, and optionally a skinned mesh.

- `smpl`: SMPL's 24 joints, positions in the image's camera frame turned to Y up (today's files).
- `mixamo`: the Mixamo skeleton's 22 bones (`mixamorig:Hips` ...), each the SMPL joint at its place,
  with this body's proportions; SMPL's two hand-end joints fold into the hands. Its rest is an exact
  T-pose: SMPL's rest with the arms turned to point straight along +-x (rest mesh skinned there). The
  joint rotations are SMPL's re-expressed against that rest (L' = C_parent L C^T, C: each joint's world
  rest correction), so joints and skinned vertices move exactly as SMPL's linear blend skinning. Root motion on Hips, on the floor: the rest body stands on y = 0 and the clip
  starts above the origin, its lowest foot joint over the clip at its rest height.
"""
import collections

import numpy as np

from ..errors import HMRError
from . import export_motion

Rig = collections.namedtuple('Rig', ['names', 'parents', 'rest_joints', 'rotations', 'root_positions', 'mesh'])
Mesh = collections.namedtuple('Mesh', ['verts', 'faces', 'weights'])

RIGS = ('smpl', 'mixamo')
MIXAMO_PREFIX = 'mixamorig:'
# Mixamo bone -> the SMPL joint at its place (SMPL24 indices).
MIXAMO_FROM_SMPL = collections.OrderedDict([
    ('Hips', 0), ('LeftUpLeg', 1), ('RightUpLeg', 2), ('Spine', 3), ('LeftLeg', 4), ('RightLeg', 5),
    ('Spine1', 6), ('LeftFoot', 7), ('RightFoot', 8), ('Spine2', 9), ('LeftToeBase', 10), ('RightToeBase', 11),
    ('Neck', 12), ('LeftShoulder', 13), ('RightShoulder', 14), ('Head', 15), ('LeftArm', 16), ('RightArm', 17),
    ('LeftForeArm', 18), ('RightForeArm', 19), ('LeftHand', 20), ('RightHand', 21)])
# SMPL joints the mixamo rig leaves out, and the joint whose bone takes their skinning weights.
FOLDED = {22: 20, 23: 21}
FOOT_JOINTS = (7, 8, 10, 11)


def forward_kinematics(parents, rest_joints, rotations, root_positions):
    """(world rotations T x J x 3 x 3, world positions T x J x 3) of a rig's joints."""
    world = np.array(rotations, np.float64)
    positions = np.zeros(world.shape[:2] + (3,))
    positions[:, 0] = root_positions
    for j in range(1, len(parents)):
        p = parents[j]
        positions[:, j] = positions[:, p] + np.matmul(world[:, p], rest_joints[j] - rest_joints[p])
        world[:, j] = np.matmul(world[:, p], world[:, j])
    return world, positions


# Arm joints straightened along +x (left) and -x (right) for the T-pose: (joint, its child).
T_POSE_ARMS = (((16, 18), (18, 20), (20, 22)), ((17, 19), (19, 21), (21, 23)))


def t_pose_correction(parents, rest_joints):
    """(world rotations C (J, 3, 3), joint positions (J, 3)) of SMPL's rest with the arms turned to point
    exactly along +-x; joints outside the arms keep their parent's C."""
    from .retarget import align
    straighten = {joint: (child, sign) for sign, chain in zip((1., -1.), T_POSE_ARMS) for joint, child in chain}
    world = np.tile(np.eye(3), (len(parents), 1, 1))
    positions = np.array(rest_joints, np.float64)
    for j in range(1, len(parents)):
        p = parents[j]
        world[j] = world[p]
        positions[j] = positions[p] + world[p].dot(rest_joints[j] - rest_joints[p])
        if j in straighten:
            child, sign = straighten[j]
            world[j] = align(world[j].dot(rest_joints[child] - rest_joints[j]), [sign, 0., 0.]).dot(world[j])
    return world, positions


def smpl_rig(body, betas, poses, trans, fps):
    motion = export_motion(body, betas, poses, trans, fps)
    return Rig(list(body.joint_names), np.asarray(body.parents), motion.rest_joints, motion.rotations,
               motion.root_positions, Mesh(motion.rest_verts, body.faces, body.weights))


def mixamo_rig(body, betas, poses, trans, fps):
    smpl = smpl_rig(body, betas, poses, trans, fps)
    kept = list(MIXAMO_FROM_SMPL.values())
    index = {joint: i for i, joint in enumerate(kept)}
    weights = smpl.mesh.weights.copy()
    for folded, into in FOLDED.items():
        weights[:, into] += weights[:, folded]
    correction, t_pose = t_pose_correction(smpl.parents, smpl.rest_joints)
    # The rest mesh skinned into the T-pose: v' = sum_j w_j (C_j (v - J_j) + J'_j).
    verts = np.einsum('vj,vjc->vc', smpl.mesh.weights, np.einsum(
        'jab,vjb->vja', correction, smpl.mesh.verts[:, None] - smpl.rest_joints) + t_pose)
    rotations = np.matmul(np.matmul(correction[smpl.parents[1:]], smpl.rotations[:, 1:]),
                          np.swapaxes(correction[1:], 1, 2))
    rotations = np.concatenate([smpl.rotations[:, :1], rotations], axis=1)
    floor = verts[:, 1].min()
    rest_joints = t_pose - [0, floor, 0]
    _, positions = forward_kinematics(smpl.parents, rest_joints, rotations, smpl.root_positions)
    lowest = positions[:, FOOT_JOINTS, 1].min()
    start = positions[0, 0]
    root = positions[:, 0] - [start[0], lowest - rest_joints[list(FOOT_JOINTS), 1].min(), start[2]]
    return Rig([MIXAMO_PREFIX + name for name in MIXAMO_FROM_SMPL],
               np.array([-1] + [index[smpl.parents[j]] for j in kept[1:]]), rest_joints[kept],
               rotations[:, kept], root, Mesh(verts - [0, floor, 0], smpl.mesh.faces, weights[:, kept]))


def build_rig(name, body, betas, poses, trans, fps):
    builders = {'smpl': smpl_rig, 'mixamo': mixamo_rig}
    if name not in builders:
        raise HMRError('--rig must be one of %s, not %r' % (', '.join(RIGS), name))
    return builders[name](body, betas, poses, trans, fps)
