"""What the export tests share: a plausible motion, an independent glTF skinner, the Khronos validator,
and the rule for test clients that CI must have (HMR_REQUIRE_BLENDER=1 turns their skip into a failure)."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from src.export import CAMERA_TO_EXPORT
from tests.conftest import PROJECT_DIR

try:
    import bpy
except ImportError:
    bpy = None

GLTF_VALIDATOR = os.environ.get('HMR_GLTF_VALIDATOR',
                                os.path.join(PROJECT_DIR, '.venv', 'blender', 'node_modules', 'gltf-validator'))
_VALIDATE_JS = """
const fs = require('fs');
const validator = require(process.argv[1]);
validator.validateBytes(new Uint8Array(fs.readFileSync(process.argv[2])), {maxIssues: 50})
  .then((report) => console.log(JSON.stringify(report.issues)))
  .catch((error) => { console.error(String(error)); process.exit(2); });
"""


def missing_client(reason):
    """Skip for want of a test client (Blender, the glTF validator); fail under HMR_REQUIRE_BLENDER=1,
    which `make test-blender` sets where they are installed."""
    if os.environ.get('HMR_REQUIRE_BLENDER') == '1':
        pytest.fail('%s, and HMR_REQUIRE_BLENDER=1 makes that an error' % reason, pytrace=False)
    pytest.skip(reason)


def validate_gltf(path):
    """The Khronos glTF-Validator's issues for the file at `path` (counts and messages)."""
    node = shutil.which('node')
    if node is None or not os.path.isdir(GLTF_VALIDATOR):
        missing_client('the Khronos glTF-Validator (npm gltf-validator, installed by make setup-blender) '
                       'or node is not here')
    output = subprocess.check_output([node, '-e', _VALIDATE_JS, GLTF_VALIDATOR, str(path)])
    return json.loads(output.decode('utf-8'))


def _rotvec(axis, degrees):
    return np.radians(degrees)[:, None] * np.asarray(axis, np.float64)


def walk(num_frames, fps, seed=0):
    """(poses T x 72, trans T x 3) of a person walking and turning as HMR sees one: the root turned
    180 degrees about x (upright in the camera frame), about 6 m from the camera. Joint angles stay in
    human ranges; one frame bends the left knee by exactly 90 degrees (gimbal lock of the BVH's Z-X-Y)."""
    rng = np.random.RandomState(seed)
    t = np.arange(num_frames) / float(fps)
    phase = 2 * np.pi * 1.0 * t
    poses = np.radians(3.) * rng.randn(num_frames, 72)
    swing = 25 * np.sin(phase)
    poses[:, 3:6] += _rotvec([1, 0, 0], -swing)        # left hip
    poses[:, 6:9] += _rotvec([1, 0, 0], swing)         # right hip
    poses[:, 12:15] += _rotvec([1, 0, 0], 5 + 30 * np.maximum(0, np.sin(phase)))   # left knee
    poses[:, 15:18] += _rotvec([1, 0, 0], 5 + 30 * np.maximum(0, -np.sin(phase)))  # right knee
    arms_down = np.full(num_frames, 70.)
    poses[:, 48:51] += _rotvec([0, 0, 1], -arms_down) + _rotvec([0, 1, 0], 15 * np.sin(phase))  # shoulders
    poses[:, 51:54] += _rotvec([0, 0, 1], arms_down) + _rotvec([0, 1, 0], 15 * np.sin(phase))
    poses[:, 54:57] += _rotvec([0, 1, 0], -20 - 10 * np.sin(phase))   # elbows
    poses[:, 57:60] += _rotvec([0, 1, 0], 20 - 10 * np.sin(phase))
    poses[num_frames // 2, 12:15] = _rotvec([1, 0, 0], np.array([90.]))[0]
    yaw = np.linspace(0, 120, num_frames)
    root = Rotation.from_rotvec(_rotvec([1, 0, 0], np.full(num_frames, 180.))) * \
        Rotation.from_rotvec(_rotvec([0, 1, 0], yaw))
    poses[:, :3] = root.as_rotvec()
    trans = np.stack([.4 * np.sin(.5 * phase), .03 * np.cos(2 * phase), 6 - .5 * t], axis=1)
    return poses, trans


def realistic_weights(model, neighbours=6, width=.05):
    """Smooth skinning weights as an artist's or SMPL's are: each vertex blends its `neighbours` nearest
    bones with a Gaussian falloff of its distance to each bone segment (joint -> child)."""
    joints = model['J_regressor'].dot(model['v_template'])
    parents = model['kintree_table'][0].astype(np.int64)
    ends = joints.copy()
    for j in range(1, len(parents)):
        ends[parents[j]] = joints[j]
    verts = model['v_template']
    axis = ends - joints
    along = np.clip(np.einsum('vjc,jc->vj', verts[:, None] - joints, axis) / np.maximum((axis ** 2).sum(1), 1e-9),
                    0, 1)
    distance = np.linalg.norm(verts[:, None] - (joints + along[..., None] * axis), axis=2)
    weights = np.exp(-.5 * (distance / width) ** 2) + 1e-12
    weights[np.arange(len(verts))[:, None], np.argsort(weights, axis=1)[:, :-neighbours]] = 0
    return weights / weights.sum(axis=1, keepdims=True)


def in_export_frame(points):
    """Camera-frame points (..., 3) -> the export frame."""
    return np.asarray(points).dot(CAMERA_TO_EXPORT.T)


def _accessor(gltf, blob, index):
    accessor = gltf.accessors[index]
    view = gltf.bufferViews[accessor.bufferView]
    dtype = {5121: np.uint8, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}[accessor.componentType]
    width = {'SCALAR': 1, 'VEC3': 3, 'VEC4': 4, 'MAT4': 16}[accessor.type]
    assert view.byteStride in (None, 0, width * np.dtype(dtype).itemsize)
    start = (view.byteOffset or 0) + (accessor.byteOffset or 0)
    return np.frombuffer(blob, dtype, accessor.count * width, start).reshape(accessor.count, width)


def _quaternion_matrix(q):
    x, y, z, w = q / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def skin_glb(path, frame):
    """Read a GLB back with pygltflib and skin its mesh at animation key `frame` with its own joints,
    weights, inverse bind matrices and animation: (vertices V x 3, joint node positions in skin order,
    key time). Written from the glTF 2.0 specification, sharing no code with the exporter."""
    import pygltflib
    gltf = pygltflib.GLTF2.load_binary(str(path))
    blob = gltf.binary_blob()
    local = {}
    for index, node in enumerate(gltf.nodes):
        local[index] = {'translation': np.asarray(node.translation or [0, 0, 0], np.float64),
                        'rotation': np.asarray(node.rotation or [0, 0, 0, 1], np.float64)}
    key_time = None
    for channel in gltf.animations[0].channels:
        sampler = gltf.animations[0].samplers[channel.sampler]
        times = _accessor(gltf, blob, sampler.input)[:, 0]
        key_time = times[frame]
        local[channel.target.node][channel.target.path] = _accessor(gltf, blob, sampler.output)[frame]
    parents = {child: index for index, node in enumerate(gltf.nodes) for child in node.children or []}
    world = {}

    def world_matrix(index):
        if index not in world:
            matrix = np.eye(4)
            matrix[:3, :3] = _quaternion_matrix(local[index]['rotation'])
            matrix[:3, 3] = local[index]['translation']
            world[index] = world_matrix(parents[index]).dot(matrix) if index in parents else matrix
        return world[index]

    mesh_node = [node for node in gltf.nodes if node.mesh is not None][0]
    skin = gltf.skins[mesh_node.skin]
    inverse_bind = _accessor(gltf, blob, skin.inverseBindMatrices).reshape(-1, 4, 4).transpose(0, 2, 1)
    joint_matrices = np.stack([world_matrix(j).dot(ib) for j, ib in zip(skin.joints, inverse_bind)])
    attributes = gltf.meshes[mesh_node.mesh].primitives[0].attributes
    positions = _accessor(gltf, blob, attributes.POSITION).astype(np.float64)
    verts = np.zeros_like(positions)
    k = 0
    while getattr(attributes, 'JOINTS_%d' % k, None) is not None:
        joints = _accessor(gltf, blob, getattr(attributes, 'JOINTS_%d' % k)).astype(np.int64)
        weights = _accessor(gltf, blob, getattr(attributes, 'WEIGHTS_%d' % k)).astype(np.float64)
        for slot in range(4):
            moved = np.einsum('vab,vb->va', joint_matrices[joints[:, slot], :3, :3], positions) \
                + joint_matrices[joints[:, slot], :3, 3]
            verts += weights[:, slot:slot + 1] * moved
        k += 1
    joint_positions = np.stack([world_matrix(j)[:3, 3] for j in skin.joints])
    return verts, joint_positions, key_time


@pytest.fixture(scope='module')
def blender():
    """bpy, for the tests that Blender itself reads the exports in (tests/test_blender*.py)."""
    if bpy is None:
        missing_client('bpy (Blender as a Python module, Python 3.11) does not import here; '
                       'make test-blender runs this test in .venv/blender')
    return bpy
