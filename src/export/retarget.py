"""Retargeting an SMPL motion onto a humanoid character (`--character`).

Bones are found by name (Mixamo, Unity/VRM humanoid, VRoid's J_Bip_*, Unreal mannequin; `--bone_map` for
others). Each mapped limb bone takes the world rotation that (1) turns the character's rest limb onto
SMPL's rest limb by the smallest rotation, (2) applies the SMPL joint's world rotation (its twist) and
(3) turns the result by the smallest rotation onto the SMPL limb's direction in that frame: so every limb
points where SMPL's does while the character keeps its own rest pose (T or A), bone rolls and lengths.
Hips follow the pelvis' rotation from the rest hip frame; bones left unmapped move with their parent.
The hips' path is SMPL's, scaled by the ratio of leg lengths, starting at the character's rest place,
and lifted so that the lowest foot point over the clip is as high as at rest (feet on its floor).
"""
import json
import os
import re
import tempfile

import numpy as np

from ..errors import HMRError
from .bvh import rotation_statement, write_rig_bvh
from .rigs import Rig, forward_kinematics, smpl_rig

SIDES = ('Left', 'Right')
LIMBS = ['Shoulder', 'Arm', 'ForeArm', 'Hand', 'UpLeg', 'Leg', 'Foot', 'ToeBase']
REQUIRED = ['Hips', 'Spine', 'Head'] + [side + limb for side in SIDES
                                        for limb in ('Arm', 'ForeArm', 'Hand', 'UpLeg', 'Leg', 'Foot')]
# Standard (Mixamo) bone -> (SMPL joint giving its twist, SMPL limb from, to, the standard bone its own
# limb ends at, or None for its tail); SMPL24 indices, left then right.
_LIMB_SMPL = {'Shoulder': ((13, 14), (13, 14), (16, 17), 'Arm'), 'Arm': ((16, 17), (16, 17), (18, 19), 'ForeArm'),
              'ForeArm': ((18, 19), (18, 19), (20, 21), 'Hand'), 'Hand': ((20, 21), (20, 21), (22, 23), None),
              'UpLeg': ((1, 2), (1, 2), (4, 5), 'Leg'), 'Leg': ((4, 5), (4, 5), (7, 8), 'Foot'),
              'Foot': ((7, 8), (7, 8), (10, 11), 'ToeBase'), 'ToeBase': ((10, 11), None, None, None)}
SPINE_SMPL = [3, 6, 9, 12]
# Names by convention, normalised (lower case, letters and digits), -> standard name. Spine chains are
# 'Spine' + its place in the chain (0 = lowest).
_ALIASES = {'hips': 'Hips', 'pelvis': 'Hips', 'neck': 'Neck', 'neck01': 'Neck', 'head': 'Head',
            'spine': 'Spine0', 'spine1': 'Spine1', 'spine2': 'Spine2', 'spine3': 'Spine3',  # Mixamo
            'chest': 'Spine1', 'upperchest': 'Spine2',  # Unity / VRM
            'spine01': 'Spine0', 'spine02': 'Spine1', 'spine03': 'Spine2', 'spine04': 'Spine3', 'spine05': 'Spine4'}
_LIMB_ALIASES = {  # standard limb: (Mixamo, Unity/VRM, VRoid, Unreal with _l / _r)
    'Shoulder': ('shoulder', 'shoulder', 'shoulder', 'clavicle'), 'Arm': ('arm', 'upperarm', 'upperarm', 'upperarm'),
    'ForeArm': ('forearm', 'lowerarm', 'lowerarm', 'lowerarm'), 'Hand': ('hand', 'hand', 'hand', 'hand'),
    'UpLeg': ('upleg', 'upperleg', 'upperleg', 'thigh'), 'Leg': ('leg', 'lowerleg', 'lowerleg', 'calf'),
    'Foot': ('foot', 'foot', 'foot', 'foot'), 'ToeBase': ('toebase', 'toes', 'toebase', 'ball')}
for _limb, (_mixamo, _unity, _vroid, _unreal) in _LIMB_ALIASES.items():
    for _side in SIDES:
        _ALIASES[_side.lower() + _mixamo] = _ALIASES[_side.lower() + _unity] = _side + _limb
        _ALIASES['jbip' + _side[0].lower() + _vroid] = _side + _limb
        _ALIASES[_unreal + _side[0].lower()] = _side + _limb
for _name, _standard in list(_ALIASES.items()):
    if not _name.startswith(('left', 'right', 'jbip')) and _standard in ('Hips', 'Neck', 'Head', 'Spine0', 'Spine1',
                                                                          'Spine2'):
        _ALIASES.setdefault('jbipc' + _name, _standard)


def _normalised(name):
    name = name.split(':')[-1].split('|')[-1]
    return re.sub(r'^mixamorig', '', re.sub(r'[^a-z0-9]', '', name.lower()))


def map_bones(names, bone_map=None, path=''):
    """{standard name: bone index} of a skeleton's bones; `bone_map` {standard or Unity name: bone name}
    overrides. Missing required bones are one error naming them."""
    index = {name: i for i, name in enumerate(names)}
    mapped = {}
    for i, name in enumerate(names):
        standard = _ALIASES.get(_normalised(name))
        if standard is not None and standard not in mapped:
            mapped[standard] = i
    for key, bone in (bone_map or {}).items():
        if bone not in index:
            raise HMRError('--bone_map maps %s to %r, which %s does not have' % (key, bone, path or 'the character'))
        standard = _ALIASES.get(_normalised(key), key)
        mapped[standard] = index[bone]
    if 'Spine0' in mapped:
        mapped['Spine'] = mapped['Spine0']
    missing = [name for name in REQUIRED if name not in mapped]
    if missing:
        raise HMRError('%s: no humanoid skeleton: could not map %s (name them with --bone_map map.json, '
                       '{"LeftArm": "your bone", ...})' % (path or 'the character', ', '.join(missing)))
    return mapped


def read_bone_map(path):
    if path is None:
        return None
    try:
        with open(path) as f:
            bone_map = json.load(f)
    except (IOError, OSError, ValueError) as e:
        raise HMRError('--bone_map %s: not a readable JSON file (%s)' % (path, e))
    if not isinstance(bone_map, dict) or not all(isinstance(v, str) for v in bone_map.values()):
        raise HMRError('--bone_map %s must be one JSON object {"standard name": "bone name"}' % path)
    return bone_map


def _unit(v):
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def align(a, b):
    """The smallest rotations (..., 3, 3) turning unit vectors a onto b (a half turn about a perpendicular
    axis when they are opposite)."""
    a, b = np.broadcast_arrays(_unit(np.asarray(a, np.float64)), _unit(np.asarray(b, np.float64)))
    axis = np.cross(a, b)
    sin, cos = np.linalg.norm(axis, axis=-1), np.sum(a * b, axis=-1)
    opposite = sin < 1e-9
    if np.any(opposite):
        helper = np.where(np.abs(a[..., :1]) < .9, [1., 0, 0], [0., 1, 0])
        axis = np.where(opposite[..., None], np.cross(a, helper), axis)
    axis = _unit(axis)
    angle = np.arctan2(sin, cos)
    k = np.zeros(axis.shape + (3,))
    k[..., 0, 1], k[..., 0, 2], k[..., 1, 2] = -axis[..., 2], axis[..., 1], -axis[..., 0]
    k = k - np.swapaxes(k, -1, -2)
    s, c = np.sin(angle)[..., None, None], np.cos(angle)[..., None, None]
    return np.eye(3) + s * k + (1 - c) * np.matmul(k, k)


def _directed_bones(character, mapped):
    """[(bone, twist joint, SMPL from, SMPL to, rest direction)]: SMPL 'from'/'to' are (joint, joint, t)
    points on a polyline between two joints, so that spines of any length follow SMPL's."""
    heads, bones = character.heads, []
    for s, side in enumerate(SIDES):
        for limb, (twist, start, end, ends_at) in _LIMB_SMPL.items():
            name = side + limb
            if name not in mapped or start is None:
                continue
            bone = mapped[name]
            finish = heads[mapped[side + ends_at]] if ends_at and side + ends_at in mapped else character.tails[bone]
            if np.linalg.norm(finish - heads[bone]) < 1e-9:
                continue
            bones.append((bone, twist[s], (start[s], start[s], 0.), (end[s], end[s], 0.), finish - heads[bone]))
    chain = [mapped[k] for k in sorted(k for k in mapped if re.match(r'Spine\d$', k))]
    top = heads[mapped['Neck'] if 'Neck' in mapped else mapped['Head']]
    points = [heads[b] for b in chain] + [top]
    lengths = np.cumsum([0.] + [np.linalg.norm(q - p) for p, q in zip(points, points[1:])])
    fractions = lengths / max(lengths[-1], 1e-12) * (len(SPINE_SMPL) - 1)

    def on_smpl_spine(f):
        k = min(int(f), len(SPINE_SMPL) - 2)
        return SPINE_SMPL[k], SPINE_SMPL[k + 1], f - k

    for i, bone in enumerate(chain):
        start, end = on_smpl_spine(fractions[i]), on_smpl_spine(fractions[i + 1])
        bones.append((bone, SPINE_SMPL[min(int((fractions[i] + fractions[i + 1]) / 2), 2)], start, end,
                      points[i + 1] - points[i]))
    if 'Neck' in mapped:
        bones.append((mapped['Neck'], 12, (12, 12, 0.), (15, 15, 0.), heads[mapped['Head']] - heads[mapped['Neck']]))
    return bones


def hip_frame(side, up):
    """Columns: the hips' left-right axis, up made perpendicular to it, and their cross product."""
    x = _unit(side)
    y = _unit(up - np.dot(up, x) * x)
    return np.stack([x, y, np.cross(x, y)], axis=1)


def _point(positions, spec):
    a, b, t = spec
    return (1 - t) * positions[..., a, :] + t * positions[..., b, :]


def leg_length(heads, up_leg, leg, foot):
    return np.linalg.norm(heads[leg] - heads[up_leg]) + np.linalg.norm(heads[foot] - heads[leg])


def retarget(character, mapped, smpl_rest, smpl_world, smpl_positions):
    """World (skeleton-space) bone rotations relative to rest Q (T, J, 3, 3) and bone head positions
    (T, J, 3) of the character following SMPL's world joint rotations and positions (export frame)."""
    frame = character.to_skeleton
    rest = smpl_rest.dot(frame.T)
    world = np.matmul(np.matmul(frame, smpl_world), frame.T)
    positions = smpl_positions.dot(frame.T)
    num_frames, num_bones = len(world), len(character.names)
    rotations = np.full((num_frames, num_bones, 3, 3), np.nan)
    for bone, twist, start, end, direction in _directed_bones(character, mapped):
        to_smpl_rest = align(direction, _point(rest, end) - _point(rest, start))
        first = np.matmul(world[:, twist], to_smpl_rest)
        target = _point(positions, end) - _point(positions, start)
        rotations[:, bone] = np.matmul(align(np.einsum('tab,b->ta', first, direction), target), first)
    heads = character.heads
    side = heads[mapped['LeftUpLeg']] - heads[mapped['RightUpLeg']]
    to_smpl_hips = hip_frame(rest[1] - rest[2], frame[:, 1]).dot(hip_frame(side, character.up).T)
    hips = mapped['Hips']
    rotations[:, hips] = np.matmul(world[:, 0], to_smpl_hips)
    for twist_only in ('Head', 'LeftToeBase', 'RightToeBase'):
        if twist_only in mapped and np.isnan(rotations[0, mapped[twist_only]]).any():
            rotations[:, mapped[twist_only]] = world[:, {'Head': 15, 'LeftToeBase': 10, 'RightToeBase': 11}[twist_only]]

    order = _parents_first(character.parents)
    below_hips = _descendants(character.parents, hips)
    scale = np.mean([leg_length(heads, mapped[s + 'UpLeg'], mapped[s + 'Leg'], mapped[s + 'Foot']) for s in SIDES]) / \
        np.mean([leg_length(rest, 1 + s, 4 + s, 7 + s) for s in (0, 1)])
    posed = np.zeros((num_frames, num_bones, 3))
    for bone in order:
        parent = character.parents[bone]
        if bone not in below_hips and bone != hips:
            rotations[:, bone] = np.eye(3) if parent < 0 else rotations[:, parent]
            posed[:, bone] = heads[bone] if parent < 0 else \
                posed[:, parent] + np.einsum('tab,b->ta', rotations[:, parent], heads[bone] - heads[parent])
            continue
        if np.isnan(rotations[0, bone]).any():
            rotations[:, bone] = rotations[:, parent]
        posed[:, bone] = heads[hips] + scale * (positions[:, 0] - positions[0, 0]) if bone == hips else \
            posed[:, parent] + np.einsum('tab,b->ta', rotations[:, parent], heads[bone] - heads[parent])
    feet = [mapped[s + part] for s in SIDES for part in ('Foot', 'ToeBase') if s + part in mapped]
    tails = posed[:, feet] + np.einsum('tjab,jb->tja', rotations[:, feet], character.tails[feet] - heads[feet])
    lowest = np.concatenate([posed[:, feet], tails], axis=1).dot(character.up).min()
    rest_lowest = np.concatenate([heads[feet], character.tails[feet]]).dot(character.up).min()
    lift = (rest_lowest - lowest) * character.up
    posed[:, sorted(below_hips | {hips})] += lift
    return rotations, posed


def _parents_first(parents):
    order, seen = [], set()

    def visit(j):
        if j not in seen:
            if parents[j] >= 0:
                visit(parents[j])
            seen.add(j)
            order.append(j)

    for j in range(len(parents)):
        visit(j)
    return order


def _descendants(parents, bone):
    found, grew = {bone}, True
    while grew:
        more = {j for j in range(len(parents)) if parents[j] in found} - found
        found |= more
        grew = bool(more)
    return found - {bone}


def blender_bases(character, rotations, posed):
    """Blender's pose-bone matrix_basis (T, J, 4, 4) giving armature-space bone matrices
    [Q R_rest | head]: basis = rest^-1 rest_parent pose_parent^-1 pose (rest^-1 pose for a root)."""
    num_frames, num_bones = rotations.shape[:2]
    rest = np.tile(np.eye(4), (num_bones, 1, 1))
    rest[:, :3, :3], rest[:, :3, 3] = character.rest_rotations, character.heads
    pose = np.tile(np.eye(4), (num_frames, num_bones, 1, 1))
    pose[:, :, :3, :3] = np.matmul(rotations, character.rest_rotations)
    pose[:, :, :3, 3] = posed
    bases = np.empty_like(pose)
    for bone in range(num_bones):
        parent = character.parents[bone]
        local = np.linalg.inv(rest[bone])
        if parent >= 0:
            local = local.dot(rest[parent])
            bases[:, bone] = np.matmul(np.matmul(local, np.linalg.inv(pose[:, parent])), pose[:, bone])
        else:
            bases[:, bone] = np.matmul(local, pose[:, bone])
    return bases


def write_retargeted(stem, body, betas, poses, trans, fps, formats, character):
    """The track retargeted onto `character`, written as `stem`_<character>.<fmt> for `formats`."""
    from .tracks import output_path
    mapped = character.mapped
    smpl = smpl_rig(body, betas, poses, trans, fps)
    smpl_world, smpl_positions = forward_kinematics(smpl.parents, smpl.rest_joints, smpl.rotations,
                                                    smpl.root_positions)
    rotations, posed = retarget(character, mapped, smpl.rest_joints, smpl_world, smpl_positions)
    outputs = {fmt: output_path(stem, fmt, character) for fmt in formats}
    blender_formats = [fmt for fmt in formats if fmt != 'bvh']
    if character.kind == 'blender' and blender_formats:
        from .blender import animate_character
        animate_character(character.path, character.names, blender_bases(character, rotations, posed), fps,
                          {fmt: outputs[fmt] for fmt in blender_formats})
    rig, end_sites = _bvh_rig(character, rotations, posed)
    header = ['%s retargeted from an SMPL motion by HMR src/export: its own rest pose and offsets' % character.path,
              'Frame: %s' % ('Blender\'s world turned Y up (x right, y up, z forward), metres' if character.kind ==
                             'blender' else 'the character BVH\'s own'), rotation_statement('the character\'s rest pose')]
    if character.kind == 'bvh' and blender_formats:
        from .blender import written_by_blender
        with tempfile.TemporaryDirectory() as folder:
            motion = os.path.join(folder, 'motion.bvh')
            write_rig_bvh(motion, rig, fps, header, end_sites)
            written_by_blender({'task': 'convert', 'input': motion, 'fps': float(fps)},
                               {fmt: outputs[fmt] for fmt in blender_formats})
    if 'bvh' in formats:
        write_rig_bvh(outputs['bvh'], rig, fps, header, end_sites)
    return outputs


def _bvh_rig(character, rotations, posed):
    """The retargeted character as a BVH rig in the export frame (`character.to_export`): joint frames
    at rest along its axes, so each joint's channel rotation is its delta relative to its parent's."""
    affine = character.to_export
    scale = np.linalg.norm(affine[:3, :3], axis=0)
    turn = affine[:3, :3] / scale
    moved = lambda points: points.dot(affine[:3, :3].T) + affine[:3, 3]
    world = np.matmul(np.matmul(turn, rotations), turn.T)
    # BVH holds one tree: the one that holds the hips, its root first, parents before children.
    top = character.mapped['Hips']
    while character.parents[top] >= 0:
        top = character.parents[top]
    kept = [j for j in _parents_first(character.parents) if j == top or top in _ancestors(character.parents, j)]
    new = {j: i for i, j in enumerate(kept)}
    parents = np.array([new[character.parents[j]] if character.parents[j] >= 0 else -1 for j in kept])
    world = world[:, kept]
    local = np.stack([world[:, i] if parents[i] < 0 else np.matmul(np.swapaxes(world[:, parents[i]], 1, 2), world[:, i])
                      for i in range(len(kept))], axis=1)
    heads = moved(character.heads[kept])
    tails = moved(character.tails[kept])
    end_sites = {i: tails[i] - heads[i] for i in range(len(kept)) if not np.any(parents == i)}
    return Rig([character.names[j] for j in kept], parents, heads, local, moved(posed[:, top]), None), end_sites


def _ancestors(parents, bone):
    found = []
    while parents[bone] >= 0:
        bone = parents[bone]
        found.append(bone)
    return found
