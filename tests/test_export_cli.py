"""`python -m src.export`: motions read from the demo's NPZs and AMASS's layout, the rig presets written
as BVH and read back by an independent reader (the `bvh` package and our own forward kinematics),
Unity/VRM- and Unreal-named BVH characters retargeted without a bone map, and bad input as one line
with nothing written. Both runtimes (no Blender needed)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from src.body_model import BodyModel
from src.export.cli import main
from src.export.motion_file import fill_gaps
from src.export.retarget import map_bones
from src.export.tracks import CAMERA_FROM_Z_UP
from src.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from src.samples.synthetic_model import synthetic_smpl
from tests.conftest import PROJECT_DIR
from tests.export_helpers import in_export_frame, walk
from tests.test_export import bvh_joint_positions

FPS = 25.
NUM_FRAMES = 14
# Angles between directions computed by two forward kinematics in float64 from values the BVH stores
# with 6 decimals (metres, degrees): 1e-6 relative on bones of ~0.1 m is well under 0.01 degrees.
DEGREES = .01
MIXAMO = ['Hips', 'Spine', 'Spine1', 'Spine2', 'Neck', 'Head'] + [
    side + part for side in ('Left', 'Right')
    for part in ('Shoulder', 'Arm', 'ForeArm', 'Hand', 'UpLeg', 'Leg', 'Foot', 'ToeBase')]
# SMPL limbs (from joint, to joint) and the Mixamo-standard bones at them (bone, the bone its limb ends at).
LIMBS = [((16, 18), ('LeftArm', 'LeftForeArm')), ((18, 20), ('LeftForeArm', 'LeftHand')),
         ((17, 19), ('RightArm', 'RightForeArm')), ((19, 21), ('RightForeArm', 'RightHand')),
         ((1, 4), ('LeftUpLeg', 'LeftLeg')), ((4, 7), ('LeftLeg', 'LeftFoot')), ((2, 5), ('RightUpLeg', 'RightLeg')),
         ((5, 8), ('RightLeg', 'RightFoot')), ((12, 15), ('Neck', 'Head')), ((13, 16), ('LeftShoulder', 'LeftArm'))]


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """A synthetic SMPL pickle and a video NPZ of one track seen every 2nd frame with a gap, as the demo
    writes it with --every 2."""
    folder = tmp_path_factory.mktemp('export_cli')
    model = synthetic_smpl()
    import pickle
    with open(str(folder / 'smpl.pkl'), 'wb') as f:
        pickle.dump(model, f, protocol=2)
    poses, trans = walk(NUM_FRAMES, FPS, seed=4)
    frames = 10 + 2 * np.arange(NUM_FRAMES)
    seen = np.r_[0:5, 8:NUM_FRAMES]  # frames 5-7 missing: filled by slerp
    betas = np.random.RandomState(2).randn(10)
    np.savez(str(folder / 'clip.npz'), track_ids=np.array([4, 9]), fps=np.float64(FPS),
             track4_frames=frames[seen], track4_poses=poses[seen], track4_betas=betas, track4_trans=trans[seen],
             track9_frames=frames[:3], track9_poses=poses[:3], track9_betas=-betas, track9_trans=trans[:3],
             track4_cams=np.zeros((len(seen), 3)))
    body = BodyModel(model)
    _, filled_poses, filled_trans = fill_gaps(np.arange(NUM_FRAMES)[seen], poses[seen], trans[seen])
    return folder, body, betas, filled_poses, filled_trans


def run(setup, *args):
    folder = setup[0]
    return main(['--motion', str(folder / 'clip.npz'), '--smpl_model', str(folder / 'smpl.pkl')] + list(args))


def smpl_directions(joints, limbs):
    return np.stack([joints[:, b] - joints[:, a] for (a, b), _ in limbs], axis=1)


def angles(a, b):
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    return np.degrees(np.arccos(np.clip(np.sum(a * b, axis=-1), -1, 1)))


def test_help_lists_the_flags_and_exits_0():
    process = subprocess.run([sys.executable, '-m', 'src.export', '--help'], cwd=PROJECT_DIR,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert process.returncode == 0
    for flag in ('--motion', '--out_dir', '--track', '--outputs', '--rig', '--character', '--bone_map', '--fps'):
        assert flag in process.stdout
    assert main(['-h']) == 0


def test_smpl_rig_of_a_video_npz_is_the_filled_track(setup, tmp_path):
    folder, body, betas, poses, trans = setup
    assert run(setup, '--out_dir', str(tmp_path), '--track', '4') == 0
    assert sorted(os.listdir(str(tmp_path))) == ['clip_track4.bvh', 'clip_track4.glb']
    mocap, positions = bvh_joint_positions(str(tmp_path / 'clip_track4.bvh'), body.joint_names)
    # One key per frame kept (every 2nd video frame, the gap filled), at the NPZ's rate.
    assert mocap.nframes == NUM_FRAMES and abs(mocap.frame_time - 1 / FPS) < 1e-8
    expected = in_export_frame(body.forward(poses, betas, trans).joints)
    assert np.abs(positions - expected).max() < 1e-4


def test_image_npz_gives_one_frame_per_person(setup, tmp_path):
    folder, body, betas, poses, trans = setup
    path = str(tmp_path / 'photo.npz')
    np.savez(path, people_pose=poses[:2], people_shape=np.stack([betas, -betas]), people_translation=trans[:2],
             pose=poses[0])
    assert main(['--motion', path, '--smpl_model', str(folder / 'smpl.pkl'), '--out_dir', str(tmp_path / 'o'),
                 '--outputs', 'bvh']) == 0
    for person in (0, 1):
        mocap, positions = bvh_joint_positions(str(tmp_path / 'o' / ('photo_track%d.bvh' % person)), body.joint_names)
        expected = in_export_frame(body.forward(poses[person:person + 1], betas * (1 - 2 * person),
                                                trans[person:person + 1]).joints)
        assert mocap.nframes == 1 and np.abs(positions - expected).max() < 1e-4


def test_amass_motion_is_turned_from_z_up_to_y_up(setup, tmp_path):
    """The walk written in AMASS's z-up world (and 16 betas, extra pose values) exports as the same body
    the camera-frame walk does: z up there is y up here."""
    folder, body, betas, poses, trans = setup
    root_joint = body.rest(betas)[1][0]
    z_up = np.array(poses)
    z_up[:, :3] = matrix_to_axis_angle(np.matmul(CAMERA_FROM_Z_UP.T, axis_angle_to_matrix(poses[:, :3])))
    z_up_trans = (root_joint + trans).dot(CAMERA_FROM_Z_UP) - root_joint
    path = str(tmp_path / 'amass.npz')
    np.savez(path, poses=np.hstack([z_up, np.zeros((len(z_up), 84))]), betas=np.r_[betas, np.ones(6)],
             trans=z_up_trans, mocap_framerate=np.float64(60))
    assert main(['--motion', path, '--smpl_model', str(folder / 'smpl.pkl'), '--out_dir', str(tmp_path),
                 '--outputs', 'bvh']) == 0
    mocap, positions = bvh_joint_positions(str(tmp_path / 'amass_track0.bvh'), body.joint_names)
    assert abs(mocap.frame_time - 1 / 60.) < 1e-8
    assert np.abs(positions - in_export_frame(body.forward(poses, betas, trans).joints)).max() < 1e-4


def test_mixamo_preset_names_t_pose_directions_and_floor(setup, tmp_path):
    folder, body, betas, poses, trans = setup
    assert run(setup, '--out_dir', str(tmp_path), '--track', '4', '--rig', 'mixamo', '--outputs', 'bvh,glb') == 0
    names = ['mixamorig:' + n for n in MIXAMO]
    mocap, positions = bvh_joint_positions(str(tmp_path / 'clip_track4.bvh'), names)
    assert os.path.isfile(str(tmp_path / 'clip_track4.glb'))
    at = {n[len('mixamorig:'):]: names.index(n) for n in names}
    rest = {n: np.zeros(3) for n in MIXAMO}
    for name in mocap.get_joints_names():  # parents first
        parent = mocap.joint_parent(name)
        rest[name[10:]] = np.asarray(mocap.joint_offset(name)) + (rest[parent.name[10:]] if parent else 0)
    # T-pose rest: arms straight out along +-x; legs down and spine up as SMPL's rest (within a few degrees).
    for bone, end, axis in (('LeftArm', 'LeftForeArm', [1, 0, 0]), ('LeftForeArm', 'LeftHand', [1, 0, 0]),
                            ('RightArm', 'RightForeArm', [-1, 0, 0]), ('RightForeArm', 'RightHand', [-1, 0, 0])):
        assert angles(rest[end] - rest[bone], np.array(axis, float)) < 1e-3
    for bone, end, axis in (('LeftUpLeg', 'LeftFoot', [0, -1, 0]), ('Spine', 'Neck', [0, 1, 0])):
        assert angles(rest[end] - rest[bone], np.array(axis, float)) < 10
    joints = in_export_frame(body.forward(poses, betas, trans).joints)
    ours = np.stack([positions[:, at[b]] - positions[:, at[a]] for _, (a, b) in LIMBS], axis=1)
    assert angles(ours, smpl_directions(joints, LIMBS)).max() < DEGREES
    # Root motion on Hips from above the origin; the lowest foot joint over the clip at its rest height.
    np.testing.assert_allclose(positions[0, at['Hips'], [0, 2]], 0, atol=1e-6)
    feet = [at[n] for n in ('LeftFoot', 'RightFoot', 'LeftToeBase', 'RightToeBase')]
    rest_verts, rest_joints = body.rest(betas)  # SMPL's rest is y up; the T-pose moves only the arms
    assert abs(positions[:, feet, 1].min() - (rest_joints[[7, 8, 10, 11], 1].min() - rest_verts[:, 1].min())) < 1e-5


def _bvh_character(path, bones, scale):
    """A BVH of a standing skeleton, Y up, facing +z, arms 40 degrees down (an A-pose), in units of
    1 / scale metres: bones = [(name, parent, head)] with heads in metres."""
    children = {}
    for name, parent, _ in bones:
        children.setdefault(parent, []).append(name)
    head = {name: np.asarray(h, float) for name, _, h in bones}
    parent_of = {name: parent for name, parent, _ in bones}
    lines = ['HIERARCHY']

    def visit(name, depth):
        pad = '  ' * depth
        offset = head[name] - (head[parent_of[name]] if parent_of[name] else 0)
        lines.append(pad + ('ROOT ' if depth == 0 else 'JOINT ') + name)
        lines.append(pad + '{')
        lines.append(pad + '  OFFSET %.6f %.6f %.6f' % tuple(offset * scale))
        lines.append(pad + '  CHANNELS %s' % ('6 Xposition Yposition Zposition Zrotation Xrotation Yrotation'
                                              if depth == 0 else '3 Zrotation Xrotation Yrotation'))
        for child in children.get(name, []):
            visit(child, depth + 1)
        if name not in children:
            # Toes end where they start (the floor test needs no end-site positions); others 5 cm up.
            tip = 0 if name.lower().endswith(('toes', 'toebase', 'ball_l', 'ball_r')) else .05 * scale
            lines.extend([pad + '  End Site', pad + '  {', pad + '    OFFSET 0 %.6f 0' % tip, pad + '  }'])
        lines.append(pad + '}')

    visit(children[None][0], 0)
    lines += ['MOTION', 'Frames: 1', 'Frame Time: 0.033333', ' '.join(['0'] * (3 + 3 * len(bones)))]
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def _humanoid(names, root=None):
    """[(name, parent, head)] of an A-pose humanoid with long legs, named by `names` (standard -> own)."""
    down = np.array([np.cos(np.radians(40)), -np.sin(np.radians(40)), 0])
    layout = [('Hips', None, (0, 1.1, 0)), ('Spine', 'Hips', (0, 1.2, 0)), ('Spine1', 'Spine', (0, 1.32, .01)),
              ('Spine2', 'Spine1', (0, 1.44, .01)), ('Neck', 'Spine2', (0, 1.56, 0)), ('Head', 'Neck', (0, 1.64, .01))]
    for sign, side in ((1, 'Left'), (-1, 'Right')):
        mirror = np.array([sign, 1, 1])
        shoulder = np.array([sign * .04, 1.52, 0])
        arm = shoulder + [sign * .14, 0, 0]
        layout += [(side + 'Shoulder', 'Spine2', shoulder), (side + 'Arm', side + 'Shoulder', arm),
                   (side + 'ForeArm', side + 'Arm', arm + .25 * down * mirror),
                   (side + 'Hand', side + 'ForeArm', arm + .48 * down * mirror),
                   (side + 'UpLeg', 'Hips', (sign * .1, 1.05, 0)), (side + 'Leg', side + 'UpLeg', (sign * .1, .55, .01)),
                   (side + 'Foot', side + 'Leg', (sign * .1, .08, 0)), (side + 'ToeBase', side + 'Foot', (sign * .1, .01, .12))]
    bones = [(names.get(n, n), names.get(p, p) if p else root, h) for n, p, h in layout if n in names]
    return ([(root, None, (0, 0, 0))] if root else []) + bones


UNITY = {'Hips': 'Hips', 'Spine': 'Spine', 'Spine1': 'Chest', 'Spine2': 'UpperChest', 'Neck': 'Neck', 'Head': 'Head'}
UNREAL = {'Hips': 'pelvis', 'Spine': 'spine_01', 'Spine1': 'spine_02', 'Spine2': 'spine_03', 'Neck': 'neck_01',
          'Head': 'head'}
for _side, _s in (('Left', 'l'), ('Right', 'r')):
    UNITY.update({_side + a: _side + b for a, b in (('Shoulder', 'Shoulder'), ('Arm', 'UpperArm'), ('ForeArm', 'LowerArm'),
                                                    ('Hand', 'Hand'), ('UpLeg', 'UpperLeg'), ('Leg', 'LowerLeg'),
                                                    ('Foot', 'Foot'), ('ToeBase', 'Toes'))})
    UNREAL.update({_side + a: b + '_' + _s for a, b in (('Shoulder', 'clavicle'), ('Arm', 'upperarm'),
                                                        ('ForeArm', 'lowerarm'), ('Hand', 'hand'), ('UpLeg', 'thigh'),
                                                        ('Leg', 'calf'), ('Foot', 'foot'), ('ToeBase', 'ball'))})


@pytest.mark.parametrize('naming, root, scale', [(UNITY, None, 1.), (UNREAL, 'root', 100.)],
                         ids=['unity_vrm', 'unreal_cm'])
def test_named_bvh_characters_follow_smpl_without_a_bone_map(setup, tmp_path, naming, root, scale):
    folder, body, betas, poses, trans = setup
    bones = _humanoid(naming, root)
    path = str(tmp_path / 'hero.bvh')
    _bvh_character(path, bones, scale)
    assert run(setup, '--out_dir', str(tmp_path / 'o'), '--track', '4', '--character', path,
               '--outputs', 'bvh') == 0
    names = [b[0] for b in bones]
    mocap, positions = bvh_joint_positions(str(tmp_path / 'o' / 'clip_track4_hero.bvh'), names)
    assert mocap.nframes == NUM_FRAMES
    at = {standard: names.index(own) for standard, own in naming.items()}
    ours = np.stack([positions[:, at[b]] - positions[:, at[a]] for _, (a, b) in LIMBS], axis=1)
    joints = in_export_frame(body.forward(poses, betas, trans).joints)
    errors = angles(ours, smpl_directions(joints, LIMBS))
    assert errors.max() < DEGREES, errors.max()
    # Own proportions (its units) kept; its rest pose (A-pose) is the file's.
    heads = {name: np.asarray(h) * scale for name, _, h in bones}
    for _, (a, b) in LIMBS:
        np.testing.assert_allclose(np.linalg.norm(ours[:, [l for _, l in LIMBS].index((a, b))], axis=1),
                                   np.linalg.norm(heads[naming[b]] - heads[naming[a]]), rtol=1e-5)
    with open(str(tmp_path / 'o' / 'clip_track4_hero.bvh')) as f:
        assert f.read().split('MOTION')[0].count('OFFSET') == open(path).read().split('MOTION')[0].count('OFFSET')
    # Feet on its floor: the lowest foot or toe point over the clip as high as at rest.
    feet = [at[n] for n in ('LeftFoot', 'RightFoot', 'LeftToeBase', 'RightToeBase')]
    rest_lowest = min(min(heads[naming[n]][1] for n in ('LeftToeBase', 'RightToeBase', 'LeftFoot', 'RightFoot')),
                      min(heads[naming[n]][1] + .05 * scale for n in ('LeftToeBase', 'RightToeBase')))
    toes_tips = positions[:, feet, 1]
    assert toes_tips.min() >= rest_lowest - 1e-3 * scale


def test_vroid_and_unity_lowercase_names_map():
    vroid = ['J_Bip_C_Hips', 'J_Bip_C_Spine', 'J_Bip_C_Chest', 'J_Bip_C_UpperChest', 'J_Bip_C_Neck', 'J_Bip_C_Head']
    vroid += ['J_Bip_%s_%s' % (s, part) for s in 'LR' for part in ('Shoulder', 'UpperArm', 'LowerArm', 'Hand',
                                                                   'UpperLeg', 'LowerLeg', 'Foot', 'ToeBase')]
    mapped = map_bones(vroid)
    assert vroid[mapped['LeftForeArm']] == 'J_Bip_L_LowerArm' and vroid[mapped['Spine2']] == 'J_Bip_C_UpperChest'
    vrm = ['hips', 'spine', 'chest', 'neck', 'head'] + [s + p for s in ('left', 'right') for p in (
        'UpperArm', 'LowerArm', 'Hand', 'UpperLeg', 'LowerLeg', 'Foot')]
    mapped = map_bones(vrm)
    assert vrm[mapped['RightUpLeg']] == 'rightUpperLeg' and vrm[mapped['Spine1']] == 'chest'


def test_bone_map_names_other_skeletons(setup, tmp_path):
    folder, body, betas, poses, trans = setup
    odd = {n: 'b%02d' % i for i, n in enumerate(MIXAMO)}
    path = str(tmp_path / 'odd.bvh')
    _bvh_character(path, _humanoid(odd), 1.)
    args = ['--out_dir', str(tmp_path / 'o'), '--track', '9', '--character', path, '--outputs', 'bvh']
    assert run(setup, *args) == 1
    import json
    with open(str(tmp_path / 'map.json'), 'w') as f:
        json.dump({n: odd[n] for n in MIXAMO}, f)
    assert run(setup, *(args + ['--bone_map', str(tmp_path / 'map.json')])) == 0
    assert os.path.isfile(str(tmp_path / 'o' / 'clip_track9_odd.bvh'))


def _bad_npz(folder, **arrays):
    path = str(folder / 'bad.npz')
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize('case', ['no_keys', 'nan_poses', 'missing_track', 'not_npz', 'non_humanoid',
                                  'fbx_without_blender', 'unreadable_character', 'bad_outputs'])
def test_bad_input_is_one_line_and_writes_nothing(setup, tmp_path, case, capsys, monkeypatch):
    folder, body, betas, poses, trans = setup
    motion, extra = str(folder / 'clip.npz'), []
    expected = {'no_keys': 'no track4_poses array', 'nan_poses': 'NaN', 'missing_track': 'has no track 7 (its tracks: 4, 9)',
                'not_npz': 'not a readable NPZ motion', 'non_humanoid': 'could not map Hips, Spine, Head',
                'fbx_without_blender': 'make setup-blender', 'unreadable_character': 'not a readable BVH hierarchy',
                'bad_outputs': '--outputs takes names from bvh,glb,fbx'}[case]
    if case == 'no_keys':
        motion = _bad_npz(tmp_path, track_ids=np.array([4]), fps=np.float64(25), track4_frames=np.arange(3))
    elif case == 'nan_poses':
        bad = poses[:3].copy()
        bad[1, 5] = np.nan
        motion = _bad_npz(tmp_path, track_ids=np.array([4]), fps=np.float64(25), track4_frames=np.arange(3),
                          track4_poses=bad, track4_betas=betas, track4_trans=trans[:3])
    elif case == 'missing_track':
        extra = ['--track', '7']
    elif case == 'not_npz':
        motion = str(tmp_path / 'x.npz')
        with open(motion, 'w') as f:
            f.write('not a zip')
    elif case == 'non_humanoid':
        path = str(tmp_path / 'tail.bvh')
        _bvh_character(path, [('base', None, (0, 0, 0)), ('mid', 'base', (0, 1, 0)), ('tip', 'mid', (0, 2, 0))], 1.)
        extra = ['--character', path]
    elif case == 'fbx_without_blender':
        monkeypatch.setenv('HMR_BLENDER_PYTHON', str(tmp_path / 'no_such_python'))
        extra = ['--outputs', 'bvh,fbx']
    elif case == 'unreadable_character':
        path = str(tmp_path / 'broken.bvh')
        with open(path, 'w') as f:
            f.write('HIERARCHY\nROOT a\n{\n OFFSET 0 zero 0\n')
        extra = ['--character', path]
    elif case == 'bad_outputs':
        extra = ['--outputs', 'bvh,obj']
    out = tmp_path / 'out'
    status = main(['--motion', motion, '--smpl_model', str(folder / 'smpl.pkl'), '--out_dir', str(out)] + extra)
    err = capsys.readouterr().err
    assert status == 1
    assert err.count('\n') == 1 and err.startswith('error: ') and expected in err, err
    assert not out.exists() or os.listdir(str(out)) == []


def test_cli_error_is_one_line_in_a_subprocess(setup, tmp_path):
    folder = setup[0]
    process = subprocess.run([sys.executable, '-m', 'src.export', '--motion', str(folder / 'clip.npz'),
                              '--smpl_model', str(folder / 'smpl.pkl'), '--out_dir', str(tmp_path), '--track', '7'],
                             cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert process.returncode == 1
    assert process.stderr.strip().splitlines() == ['error: %s has no track 7 (its tracks: 4, 9)' % (folder / 'clip.npz')]


def test_mixamo_glb_skin_moves_as_smpl_linear_blend_skinning(setup, tmp_path):
    """The mixamo GLB, skinned by the independent reader of export_helpers, gives SMPL's vertices (no pose
    blend shapes) up to the one shift that puts the clip on the floor at the origin, wherever the T-pose
    rest changed no influence (vertices off the arms); on the arms, re-binding the mesh in the T-pose
    (skinning of a skinned rest) and folding SMPL's hand-end joints into the hands leave up to ~1 cm here."""
    from tests.export_helpers import skin_glb
    folder, body, betas, poses, trans = setup
    assert run(setup, '--out_dir', str(tmp_path), '--track', '4', '--rig', 'mixamo', '--outputs', 'glb') == 0
    expected = in_export_frame(body.forward(poses, betas, trans, pose_blendshapes=False).verts)
    shifts = []
    off_arms = body.weights[:, 16:].sum(axis=1) == 0
    assert off_arms.mean() > .5
    for frame in (0, 5, NUM_FRAMES - 1):
        verts, _, key_time = skin_glb(str(tmp_path / 'clip_track4.glb'), frame)
        assert abs(key_time - frame / FPS) < 1e-6
        assert np.abs(verts - expected[frame] - (verts - expected[frame])[off_arms].mean(axis=0)).max() < .02
        shift = (verts - expected[frame])[off_arms]
        # float32 storage of ~1 m coordinates: ~1e-7 relative, summed over a few joints' transforms.
        assert np.abs(shift - shift.mean(axis=0)).max() < 1e-4
        shifts.append(shift.mean(axis=0))
    np.testing.assert_allclose(shifts, [shifts[0]] * len(shifts), atol=1e-4)


def test_make_export_runs_the_cli():
    from tests.test_makefile import planned
    lines = planned('export', 'MOTION=out/clip.npz', 'CHARACTER=hero.fbx', 'OUT=o', "EXPORT_ARGS=--outputs fbx")
    assert lines[-1] == '.venv/tf2/bin/python -m src.export --motion out/clip.npz --out_dir o --character hero.fbx --outputs fbx'
