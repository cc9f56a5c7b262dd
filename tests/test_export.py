"""BVH and binary glTF exports read back by independent readers recover the SMPL body they came from."""
import os

import bvh
import numpy as np
import pytest

from src.body_model import BodyModel
from src.errors import HMRError
from src.export.bvh import write_bvh
from src.export.gltf import skinning_influences, write_glb
from src.rotations import axis_angle_to_matrix
from tests.conftest import PROJECT_DIR
from tests.export_helpers import in_export_frame, realistic_weights, skin_glb, validate_gltf, walk
from src.samples.synthetic_model import synthetic_smpl

FPS = 30.
NUM_FRAMES = 45


@pytest.fixture(scope='module')
def model():
    return synthetic_smpl()


@pytest.fixture(scope='module')
def body(model):
    return BodyModel(model)


@pytest.fixture(scope='module')
def motion():
    poses, trans = walk(NUM_FRAMES, FPS)
    return np.random.RandomState(3).randn(10), poses, trans


def bvh_joint_positions(path, names):
    """Forward kinematics of a BVH file read with the `bvh` package: (frames, joints, 3) positions.

    Channel rotations compose in the order listed (R = R_first R_second R_third), each joint's frame is
    its parent's, moved by the OFFSET, then rotated; the root also moves by its position channels."""
    with open(path) as f:
        mocap = bvh.Bvh(f.read())
    in_file = mocap.get_joints_names()
    assert sorted(in_file) == sorted(names)

    def axis_rotation(axis, degrees):
        c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
        i, j = {'X': (1, 2), 'Y': (2, 0), 'Z': (0, 1)}[axis]
        r = np.eye(3)
        r[i, i], r[i, j], r[j, i], r[j, j] = c, -s, s, c
        return r

    positions = np.zeros((mocap.nframes, len(names), 3))
    for frame in range(mocap.nframes):
        world = {}
        for name in in_file:  # parents before children
            channels = mocap.joint_channels(name)
            values = mocap.frame_joint_channels(frame, name, channels)
            rotation, translation = np.eye(3), np.asarray(mocap.joint_offset(name))
            for channel, value in zip(channels, values):
                if channel.endswith('rotation'):
                    rotation = rotation.dot(axis_rotation(channel[0], value))
                else:
                    translation = translation + value * np.eye(3)['XYZ'.index(channel[0])]
            parent = mocap.joint_parent(name)
            if parent is None:
                world[name] = (rotation, translation)
            else:
                parent_rotation, parent_position = world[parent.name]
                world[name] = (parent_rotation.dot(rotation), parent_position + parent_rotation.dot(translation))
            positions[frame, names.index(name)] = world[name][1]
    return mocap, positions


def test_bvh_round_trip_recovers_the_smpl_joints_of_every_frame(tmp_path, body, motion):
    betas, poses, trans = motion
    path = str(tmp_path / 'walk.bvh')
    write_bvh(path, body, betas, poses, trans, FPS)
    mocap, positions = bvh_joint_positions(path, body.joint_names)
    assert mocap.nframes == NUM_FRAMES
    assert abs(mocap.frame_time - 1 / FPS) < 1e-8
    expected = in_export_frame(body.forward(poses, betas, trans).joints)
    assert np.abs(positions - expected).max() < 1e-4


def test_bvh_offsets_are_this_bodys_rest_skeleton(tmp_path, body, motion):
    betas, poses, trans = motion
    path = str(tmp_path / 'walk.bvh')
    write_bvh(path, body, betas, poses[:2], trans[:2], FPS)
    with open(path) as f:
        mocap = bvh.Bvh(f.read())
    offsets = np.array([mocap.joint_offset(name) for name in body.joint_names])
    rest = body.rest(betas)[1]
    np.testing.assert_allclose(offsets[0], 0)
    np.testing.assert_allclose(offsets[1:], rest[1:] - rest[body.parents[1:]], atol=1e-6)
    average = body.rest(np.zeros(10))[1]
    assert np.abs(offsets[1:] - (average[1:] - average[body.parents[1:]])).max() > 5e-3


def test_bvh_states_units_axes_and_euler_convention(tmp_path, body, motion):
    betas, poses, trans = motion
    path = str(tmp_path / 'walk.bvh')
    write_bvh(path, body, betas, poses[:1], trans[:1], FPS)
    with open(path) as f:
        lines = f.read().splitlines()
    assert lines[0] == 'HIERARCHY'
    header = ' '.join(line for line in lines if line.startswith('#'))
    for statement in ['Y up', 'metres', 'C = diag(1, -1, -1)', 'Zrotation Xrotation Yrotation',
                      'R = Rz(z) Rx(x) Ry(y)', 'OFFSET 0 0 0']:
        assert statement in header


def test_glb_skinned_with_its_own_data_recovers_smpl_without_pose_blend_shapes(tmp_path, body, motion):
    betas, poses, trans = motion
    path = str(tmp_path / 'walk.glb')
    write_glb(path, body, betas, poses, trans, FPS)
    posed = body.forward(poses, betas, trans, pose_blendshapes=False)
    for frame in [0, NUM_FRAMES // 2, NUM_FRAMES - 1]:
        verts, joints, key_time = skin_glb(path, frame)
        assert abs(key_time - frame / FPS) < 1e-6
        assert np.abs(verts - in_export_frame(posed.verts[frame])).max() < 1e-4
        assert np.abs(joints - in_export_frame(posed.joints[frame])).max() < 1e-4


def test_pose_blend_shapes_are_what_skinning_leaves_out(body, motion):
    """The GLB lacks exactly SMPL's pose blend shapes, carried by the skinning; their size on the walk
    is printed (for the synthetic model's random posedirs, and for the released model if it is here)."""
    betas, poses, trans = motion
    full = body.forward(poses, betas, trans)
    skinned = body.forward(poses, betas, trans, pose_blendshapes=False)
    rotations = axis_angle_to_matrix(poses.reshape(len(poses), -1, 3))
    feature = (rotations[:, 1:] - np.eye(3)).reshape(len(poses), -1)
    offsets = np.einsum('vck,tk->tvc', body.posedirs, feature)
    blended = np.einsum('vj,tjab->tvab', body.weights, full.transforms[:, :, :3, :3])
    np.testing.assert_allclose(full.verts - skinned.verts, np.einsum('tvab,tvb->tva', blended, offsets),
                               atol=1e-12)
    models = {'synthetic': body}
    released = os.path.join(PROJECT_DIR, 'models', 'neutral_smpl_with_cocoplus_reg.pkl')
    if os.path.exists(released):
        models['released'] = BodyModel.from_pickle(released)
    for name, measured in models.items():
        difference = np.linalg.norm(measured.forward(poses, betas).verts
                                    - measured.forward(poses, betas, pose_blendshapes=False).verts, axis=2)
        print('pose blend shapes on the walk, %s model: mean %.1f mm, 99th percentile %.1f mm, max %.1f mm'
              % (name, 1e3 * difference.mean(), 1e3 * np.percentile(difference, 99), 1e3 * difference.max()))
        assert difference.max() > 0


@pytest.mark.blender
def test_glb_passes_the_khronos_validator(tmp_path, model, body, motion):
    betas, poses, trans = motion
    dense = BodyModel(dict(model, weights=realistic_weights(model)))
    for name, exported, frames in [('walk', body, NUM_FRAMES), ('one_frame', body, 1), ('two_sets', dense, 5)]:
        path = str(tmp_path / (name + '.glb'))
        write_glb(path, exported, betas, poses[:frames], trans[:frames], FPS)
        issues = validate_gltf(path)
        assert (issues['numErrors'], issues['numWarnings']) == (0, 0), issues['messages']


def test_few_influences_fit_one_set_exactly(model):
    joints, weights = skinning_influences(model['weights'])
    assert joints.shape == (len(model['weights']), 4)
    rebuilt = np.zeros_like(model['weights'])
    np.add.at(rebuilt, (np.arange(len(rebuilt))[:, None].repeat(4, 1), joints), weights)
    np.testing.assert_allclose(rebuilt, model['weights'], atol=1e-12)


def test_many_influences_take_two_sets_and_stay_exact(tmp_path, model, motion):
    """With up to 6 bones a vertex (smooth weights), two JOINTS/WEIGHTS sets reproduce SMPL's skinning;
    one set (the 4 largest, renormalised) would not: its error on the walk is printed."""
    betas, poses, trans = motion
    weights = realistic_weights(model)
    assert (weights > 0).sum(axis=1).max() == 6
    dense = BodyModel(dict(model, weights=weights))
    joints, kept = skinning_influences(weights)
    assert joints.shape[1] == 8
    path = str(tmp_path / 'dense.glb')
    frames = slice(0, NUM_FRAMES, 11)
    write_glb(path, dense, betas, poses[frames], trans[frames], FPS)
    exact = dense.forward(poses[frames], betas, trans[frames], pose_blendshapes=False)
    top4 = np.argsort(-weights, axis=1)[:, 4:]
    truncated_weights = weights.copy()
    truncated_weights[np.arange(len(weights))[:, None], top4] = 0
    truncated_weights /= truncated_weights.sum(axis=1, keepdims=True)
    truncated = BodyModel(dict(model, weights=truncated_weights)).forward(poses[frames], betas, trans[frames],
                                                                          pose_blendshapes=False)
    error = np.linalg.norm(truncated.verts - exact.verts, axis=2)
    print('4 largest of 6 weights, renormalised: mean %.2f mm, max %.2f mm on the walk'
          % (1e3 * error.mean(), 1e3 * error.max()))
    assert error.max() > 1e-4
    for k in range(len(exact.verts)):
        verts, _, _ = skin_glb(path, k)
        assert np.abs(verts - in_export_frame(exact.verts[k])).max() < 1e-4


def test_glb_reads_in_trimesh(tmp_path, body, motion):
    trimesh = pytest.importorskip('trimesh', reason='trimesh is not in this environment (the Blender test '
                                                     'environment has no use for it)')
    betas, poses, trans = motion
    path = str(tmp_path / 'walk.glb')
    write_glb(path, body, betas, poses[:3], trans[:3], FPS)
    scene = trimesh.load(path, process=False)
    mesh = list(scene.geometry.values())[0]
    np.testing.assert_allclose(mesh.vertices, body.rest(betas)[0], atol=1e-6)
    np.testing.assert_array_equal(mesh.faces, body.faces)


def test_one_frame_exports_for_a_single_image(tmp_path, body, motion):
    betas, poses, trans = motion
    write_bvh(str(tmp_path / 'one.bvh'), body, betas, poses[:1], trans[:1], FPS)
    write_glb(str(tmp_path / 'one.glb'), body, betas, poses[:1], trans[:1], FPS)
    mocap, positions = bvh_joint_positions(str(tmp_path / 'one.bvh'), body.joint_names)
    expected = body.forward(poses[:1], betas, trans[:1], pose_blendshapes=False)
    assert np.abs(positions[0] - in_export_frame(expected.joints[0])).max() < 1e-4
    verts, _, _ = skin_glb(str(tmp_path / 'one.glb'), 0)
    assert np.abs(verts - in_export_frame(expected.verts[0])).max() < 1e-4


@pytest.mark.parametrize('change, message', [
    ({'poses': np.zeros((3, 71))}, 'poses must be T x 72'),
    ({'poses': np.zeros((0, 72))}, 'T >= 1'),
    ({'trans': np.zeros((2, 3))}, 'trans must be 3 x 3'),
    ({'fps': 0}, 'fps must be a positive number'),
    ({'poses': np.full((3, 72), np.nan)}, 'finite'),
    ({'betas': np.zeros(9)}, 'betas must hold 10'),
])
def test_bad_input_is_a_one_line_error_and_writes_nothing(tmp_path, body, change, message):
    args = dict(betas=np.zeros(10), poses=np.zeros((3, 72)), trans=np.zeros((3, 3)), fps=FPS)
    args.update(change)
    for writer, name in [(write_bvh, 'x.bvh'), (write_glb, 'x.glb')]:
        with pytest.raises(HMRError, match=message) as error:
            writer(str(tmp_path / name), body, **args)
        assert '\n' not in str(error.value)
    assert os.listdir(str(tmp_path)) == []


def test_writes_are_atomic(tmp_path, body, motion, monkeypatch):
    betas, poses, trans = motion
    path = str(tmp_path / 'walk.glb')
    write_glb(path, body, betas, poses[:2], trans[:2], FPS)
    before = open(path, 'rb').read()

    def interrupted(source, target):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, 'replace', interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_glb(path, body, betas, poses[:5], trans[:5], FPS)
    monkeypatch.undo()
    assert open(path, 'rb').read() == before
    assert os.listdir(str(tmp_path)) == ['walk.glb']
    (tmp_path / 'a_file').write_text(u'not a folder')
    with pytest.raises(HMRError, match='cannot write'):
        write_bvh(str(tmp_path / 'a_file' / 'walk.bvh'), body, betas, poses[:2], trans[:2], FPS)
