"""Binary glTF 2.0 export of a rig (`rigs.Rig`): its mesh skinned to its joints and its motion;
`write_glb`: the SMPL rig, one body's shaped SMPL mesh skinned to its 24 joints.

The mesh is the rest pose of this betas (no pose blend shapes: glTF skinning cannot express them),
skinned with SMPL's weights: one JOINTS_0/WEIGHTS_0 set when no vertex has more than 4 nonzero weights,
else two sets (the 8 largest, renormalised). Joint nodes rest in SMPL's T-pose; the one animation has a
rotation channel per joint and a translation channel on the root, keyed at frame k / fps seconds.
"""
import numpy as np
import pygltflib

from ..util.files import write_bytes
from . import FRAME_DESCRIPTION
from .rigs import smpl_rig
from ..errors import HMRError
from ..rotations import matrix_to_quaternion

INFLUENCES_PER_SET = 4
MAX_SETS = 2


def skinning_influences(weights):
    """(joints, weights), each V x (4 * sets): the largest weights of each vertex (sets = 1 if no
    vertex has more than 4 nonzero weights, else 2), renormalised to sum to one; unused slots hold
    joint 0 with weight 0."""
    nonzero = (weights > 0).sum(axis=1)
    if nonzero.min() == 0:
        raise HMRError('SMPL model has vertices without skinning weights')
    slots = INFLUENCES_PER_SET * min(MAX_SETS, -(-int(nonzero.max()) // INFLUENCES_PER_SET))
    joints = np.argsort(-weights, axis=1, kind='mergesort')[:, :slots]
    kept = weights[np.arange(len(weights))[:, None], joints]
    joints[kept <= 0] = 0
    kept = np.where(kept > 0, kept, 0)
    return joints, kept / kept.sum(axis=1, keepdims=True)


def _vertex_normals(verts, faces):
    """Area-weighted vertex normals; vertices without a proper face get +y."""
    face_normals = np.cross(verts[faces[:, 1]] - verts[faces[:, 0]], verts[faces[:, 2]] - verts[faces[:, 0]])
    normals = np.zeros_like(verts)
    for corner in range(3):
        np.add.at(normals, faces[:, corner], face_normals)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return np.where(length > 1e-12, normals / np.maximum(length, 1e-12), [[0., 1., 0.]])


class _Buffer(object):
    """Collects arrays into one binary buffer, one bufferView and accessor each."""

    def __init__(self, gltf):
        self.gltf = gltf
        self.data = bytearray()

    def add(self, array, accessor_type, target=None, bounds=False):
        array = np.ascontiguousarray(array)
        component = {np.dtype(np.float32): pygltflib.FLOAT, np.dtype(np.uint8): pygltflib.UNSIGNED_BYTE,
                      np.dtype(np.uint32): pygltflib.UNSIGNED_INT}[array.dtype]
        self.gltf.bufferViews.append(pygltflib.BufferView(buffer=0, byteOffset=len(self.data),
                                                          byteLength=array.nbytes, target=target))
        self.data.extend(array.tobytes())
        self.data.extend(b'\0' * (-len(self.data) % 4))
        flat = array.reshape(len(array), -1)
        self.gltf.accessors.append(pygltflib.Accessor(
            bufferView=len(self.gltf.bufferViews) - 1, componentType=component, count=len(array),
            type=accessor_type, min=flat.min(axis=0).tolist() if bounds else None,
            max=flat.max(axis=0).tolist() if bounds else None))
        return len(self.gltf.accessors) - 1


def _continuous(quaternions):
    """Flip signs along time so consecutive quaternions are in one hemisphere (shortest interpolation)."""
    quaternions = quaternions.copy()
    for t in range(1, len(quaternions)):
        flip = np.sum(quaternions[t] * quaternions[t - 1], axis=-1) < 0
        quaternions[t, flip] *= -1
    return quaternions


def write_glb(path, body, betas, poses, trans, fps):
    """Write the skinned, animated body of shape `betas` for `poses` (T x 72 axis-angle, HMR's
    theta[3:75]) and root translation `trans` (T x 3, camera frame; None for none) at `fps`."""
    write_rig_glb(path, smpl_rig(body, betas, poses, trans, fps), fps, {
        'frame': FRAME_DESCRIPTION, 'units': 'metres', 'fps': float(fps), 'betas': np.asarray(betas).tolist(),
        'skeleton': 'SMPL 24 joints; joint node rotations relative to the parent, identity = SMPL rest pose'},
                  'smpl')


def write_rig_glb(path, rig, fps, extras, skin_name):
    """Write `rig` (a `rigs.Rig` with a mesh) as one skinned mesh and one animation keyed at frame k / fps
    seconds; `extras` go into the asset's extras, `skin_name` names the skin."""
    num_joints = len(rig.parents)
    gltf = pygltflib.GLTF2(asset=pygltflib.Asset(generator='HMR src/export/gltf.py (pygltflib)', extras=extras))
    buffer = _Buffer(gltf)

    joints, weights = skinning_influences(rig.mesh.weights)
    attributes = {
        'POSITION': buffer.add(rig.mesh.verts.astype(np.float32), 'VEC3', pygltflib.ARRAY_BUFFER, bounds=True),
        'NORMAL': buffer.add(_vertex_normals(rig.mesh.verts, rig.mesh.faces).astype(np.float32), 'VEC3',
                             pygltflib.ARRAY_BUFFER)}
    for k in range(joints.shape[1] // INFLUENCES_PER_SET):
        columns = slice(INFLUENCES_PER_SET * k, INFLUENCES_PER_SET * (k + 1))
        attributes['JOINTS_%d' % k] = buffer.add(joints[:, columns].astype(np.uint8), 'VEC4',
                                                 pygltflib.ARRAY_BUFFER)
        attributes['WEIGHTS_%d' % k] = buffer.add(weights[:, columns].astype(np.float32), 'VEC4',
                                                  pygltflib.ARRAY_BUFFER)
    indices = buffer.add(rig.mesh.faces.reshape(-1).astype(np.uint32), 'SCALAR', pygltflib.ELEMENT_ARRAY_BUFFER,
                         bounds=True)
    gltf.meshes.append(pygltflib.Mesh(name='body', primitives=[
        pygltflib.Primitive(attributes=pygltflib.Attributes(**attributes), indices=indices)]))

    # Joint nodes 0-23 in the rest pose; inverse bind matrices undo each joint's rest position
    # (column-major, as glTF stores matrices).
    for j in range(num_joints):
        parent = rig.parents[j]
        offset = rig.rest_joints[j] - (rig.rest_joints[parent] if parent >= 0 else 0)
        gltf.nodes.append(pygltflib.Node(name=rig.names[j], translation=offset.tolist(),
                                         children=[c for c in range(num_joints) if rig.parents[c] == j]))
    inverse_bind = np.tile(np.eye(4), (num_joints, 1, 1))
    inverse_bind[:, :3, 3] = -rig.rest_joints
    gltf.skins.append(pygltflib.Skin(name=skin_name, skeleton=0, joints=list(range(num_joints)),
                                     inverseBindMatrices=buffer.add(
                                         inverse_bind.transpose(0, 2, 1).astype(np.float32), 'MAT4')))
    gltf.nodes.append(pygltflib.Node(name='body', mesh=0, skin=0))
    gltf.scenes.append(pygltflib.Scene(name='hmr', nodes=[0, num_joints]))
    gltf.scene = 0

    times = buffer.add((np.arange(len(rig.rotations)) / float(fps)).astype(np.float32), 'SCALAR', bounds=True)
    quaternions = _continuous(matrix_to_quaternion(rig.rotations))
    samplers, channels = [], []
    for j in range(num_joints):
        samplers.append(pygltflib.AnimationSampler(
            input=times, output=buffer.add(quaternions[:, j].astype(np.float32), 'VEC4'), interpolation='LINEAR'))
        channels.append(pygltflib.AnimationChannel(
            sampler=j, target=pygltflib.AnimationChannelTarget(node=j, path='rotation')))
    samplers.append(pygltflib.AnimationSampler(
        input=times, output=buffer.add(rig.root_positions.astype(np.float32), 'VEC3'), interpolation='LINEAR'))
    channels.append(pygltflib.AnimationChannel(
        sampler=num_joints, target=pygltflib.AnimationChannelTarget(node=0, path='translation')))
    gltf.animations.append(pygltflib.Animation(name='motion', samplers=samplers, channels=channels))

    gltf.buffers.append(pygltflib.Buffer(byteLength=len(buffer.data)))
    gltf.set_binary_blob(bytes(buffer.data))
    write_bytes(path, b''.join(gltf.save_to_bytes()))
