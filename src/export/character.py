"""The user's character for `--character`: its skeleton in its own space (an FBX or glTF armature read by
Blender, or a BVH hierarchy read here), with what retargeting needs to know about that space."""
import collections
import os
import re

import numpy as np

from ..errors import HMRError

Character = collections.namedtuple('Character', [
    'path', 'kind', 'names', 'parents', 'heads', 'rest_rotations', 'tails', 'to_skeleton', 'up', 'end_sites',
    'skinned', 'mapped', 'to_export'])
Character.__doc__ = """kind 'bvh' or 'blender'; heads/tails (J, 3) and rest_rotations (J, 3, 3): each bone's
rest position and orientation in skeleton space (BVH: its file's axes, identity orientations; Blender: the
armature's space, bone rolls included); to_skeleton (3, 3): export-frame directions -> skeleton space;
up: the skeleton space's up; end_sites: BVH leaf end offsets (None from Blender); mapped: {standard
bone name: bone index} (src.export.retarget.map_bones); to_export (4, 4): skeleton space -> the export
frame (Y up, metres for a Blender character; a BVH's own space is kept)."""

# Blender's importers turn Y-up files into its Z-up world: (x, y, z) -> (x, -z, y).
BLENDER_FROM_EXPORT = np.array([[1., 0, 0], [0, 0, -1], [0, 1, 0]])


def _read_bvh(path):
    try:
        with open(path) as f:
            text = f.read()
    except (IOError, OSError, UnicodeDecodeError) as e:
        raise HMRError('%s: cannot read it (%s)' % (path, e))
    names, parents, offsets, end_sites, stack = [], [], [], {}, []
    tokens = iter(re.findall(r'\S+', text.split('MOTION')[0]))
    opening = None  # what the next '{' opens: a joint's index, or ('end', its joint)
    try:
        for token in tokens:
            if token in ('ROOT', 'JOINT'):
                parents.append(stack[-1] if stack else -1)
                names.append(next(tokens))
                opening = len(names) - 1
            elif token == 'End':
                next(tokens)
                opening = ('end', stack[-1])
            elif token == '{':
                stack.append(opening)
            elif token == '}':
                stack.pop()
            elif token == 'OFFSET':
                offset = [float(next(tokens)) for _ in range(3)]
                if isinstance(stack[-1], tuple):
                    end_sites[stack[-1][1]] = np.array(offset)
                else:
                    offsets.append(offset)
    except (StopIteration, ValueError, IndexError, TypeError):
        raise HMRError('%s: not a readable BVH hierarchy' % path)
    if not names or len(offsets) != len(names) or 'HIERARCHY' not in text:
        raise HMRError('%s: not a readable BVH hierarchy' % path)
    parents = np.array(parents)
    heads = np.array(offsets, np.float64)
    for j in range(1, len(names)):
        heads[j] += heads[parents[j]]
    tails = np.array([heads[j] + end_sites[j] if j in end_sites else heads[j] for j in range(len(names))])
    for j in range(len(names)):
        children = np.flatnonzero(parents == j)
        if j not in end_sites and len(children):
            tails[j] = heads[children].mean(axis=0)
    return Character(path, 'bvh', names, parents, heads, np.tile(np.eye(3), (len(names), 1, 1)), tails,
                     np.eye(3), np.array([0., 1, 0]), end_sites, False, None, np.eye(4))


def _affine(rotation):
    matrix = np.eye(4)
    matrix[:3, :3] = rotation
    return matrix


def _read_blender(path):
    from .blender import read_character, require_blender
    require_blender('reading a %s character' % os.path.splitext(path)[1])
    answer = read_character(path)
    world = answer['matrix_world'][:3, :3]
    rotation = world / np.linalg.norm(world, axis=0)
    return Character(path, 'blender', answer['names'], np.array(answer['parents']), answer['matrix_local'][:, :3, 3],
                     answer['matrix_local'][:, :3, :3], answer['tails'], rotation.T.dot(BLENDER_FROM_EXPORT),
                     rotation.T.dot([0., 0, 1]), None, answer['skinned'], None,
                     _affine(BLENDER_FROM_EXPORT.T).dot(answer['matrix_world']))


def read_character(path, bone_map=None):
    """The character at `path` with its bones mapped (`bone_map`: {standard name: bone name} or None)."""
    character = _read_file(path)
    from .retarget import map_bones
    return character._replace(mapped=map_bones(character.names, bone_map, path))


def _read_file(path):
    if not os.path.isfile(path):
        raise HMRError('%s: no such character file' % path)
    extension = os.path.splitext(path)[1].lower()
    if extension == '.bvh':
        return _read_bvh(path)
    if extension in ('.fbx', '.glb', '.gltf'):
        return _read_blender(path)
    raise HMRError('%s: a character is an .fbx, .glb, .gltf or .bvh file' % path)
