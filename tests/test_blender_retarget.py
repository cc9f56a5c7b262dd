"""Retargeting onto a character of our own making, checked in Blender (the real client): an A-pose,
Mixamo-named armature with rolled bones, proportions unlike SMPL's and a skinned mesh is saved as FBX and
GLB; `python -m src.export --character` animates it; Blender imports what was written and each limb
points where an independent SMPL forward kinematics' limb points, bones keep their lengths, the feet stay
on the character's floor. Also the mixamo preset through Blender and FBX output of the presets.

Marked `blender`: `make test-blender` runs it in .venv/blender."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from src.body_model import BodyModel
from src.export.blender import written_by_blender
from src.export.character import BLENDER_FROM_EXPORT
from src.export.cli import main
from src.samples.synthetic_model import synthetic_smpl
from tests.conftest import PROJECT_DIR
from tests.export_helpers import blender, in_export_frame, missing_client, walk

pytestmark = pytest.mark.blender

try:
    import bpy
    from mathutils import Vector
except ImportError:
    bpy = None

FPS = 25.
NUM_FRAMES = 16
MEDIAN_DEGREES = 2.
# Character limbs (bone -> the bone its limb ends at) and the SMPL joints of the same limb.
LIMBS = {'LeftArm': ('LeftForeArm', 16, 18), 'LeftForeArm': ('LeftHand', 18, 20),
         'RightArm': ('RightForeArm', 17, 19), 'RightForeArm': ('RightHand', 19, 21),
         'LeftUpLeg': ('LeftLeg', 1, 4), 'LeftLeg': ('LeftFoot', 4, 7), 'RightUpLeg': ('RightLeg', 2, 5),
         'RightLeg': ('RightFoot', 5, 8), 'LeftShoulder': ('LeftArm', 13, 16), 'RightShoulder': ('RightArm', 14, 17),
         'Neck': ('Head', 12, 15), 'LeftFoot': ('LeftToeBase', 7, 10), 'RightFoot': ('RightToeBase', 8, 11)}
PREFIX = 'mixamorig:'


def _bone_layout():
    """(name, parent, head, tail, roll in degrees): a Blender Z-up character facing -y in an A-pose (arms
    45 degrees down), with long legs, a short torso and short arms, and rolls on every bone."""
    arm = np.array([math.cos(math.radians(45)), 0, -math.sin(math.radians(45))])
    bones = [('Hips', None, (0, 0, 1.2), (0, 0, 1.3), 10), ('Spine', 'Hips', (0, 0, 1.3), (0, 0, 1.42), -20),
             ('Spine1', 'Spine', (0, 0, 1.42), (0, 0, 1.54), 30), ('Spine2', 'Spine1', (0, 0, 1.54), (0, 0, 1.66), 15),
             ('Neck', 'Spine2', (0, 0, 1.66), (0, .01, 1.74), 40), ('Head', 'Neck', (0, .01, 1.74), (0, .01, 1.95), -35)]
    for sign, side in ((1, 'Left'), (-1, 'Right')):
        shoulder = np.array([sign * .05, 0, 1.62])
        upper = shoulder + [sign * .17, 0, 0]
        elbow = upper + .22 * arm * [sign, 1, 1]
        wrist = elbow + .2 * arm * [sign, 1, 1]
        hip = np.array([sign * .12, 0, 1.15])
        knee, ankle = hip + [0, .02, -.55], hip + [0, 0, -1.08]
        toe = ankle + [0, -.14, -.05]
        bones += [(side + 'Shoulder', 'Spine2', shoulder, upper, sign * 25), (side + 'Arm', side + 'Shoulder', upper, elbow, sign * 60),
                  (side + 'ForeArm', side + 'Arm', elbow, wrist, sign * -45), (side + 'Hand', side + 'ForeArm', wrist, wrist + .08 * arm * [sign, 1, 1], 20),
                  (side + 'UpLeg', 'Hips', hip, knee, sign * 12), (side + 'Leg', side + 'UpLeg', knee, ankle, -25),
                  (side + 'Foot', side + 'Leg', ankle, toe, 33), (side + 'ToeBase', side + 'Foot', toe, toe + [0, -.06, 0], -15)]
    return bones


def build_character(folder, centimetres_y_up=False):
    """The character as FBX and GLB: an armature and one mesh of a box per bone, skinned to its bone.
    `centimetres_y_up`: as Mixamo's FBX imports, the armature object turned 90 degrees about x and scaled
    0.01, its bones in centimetres with y up (the same character in the world)."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    armature = bpy.data.objects.new('Character', bpy.data.armatures.new('Character'))
    bpy.context.scene.collection.objects.link(armature)
    inside = lambda point: tuple(point)
    if centimetres_y_up:
        armature.rotation_euler, armature.scale = (math.pi / 2, 0, 0), (.01, .01, .01)
        inside = lambda point: (100 * point[0], 100 * point[2], -100 * point[1])
    bpy.context.view_layer.objects.active = armature
    bpy.ops.object.mode_set(mode='EDIT')
    for name, parent, head, tail, roll in _bone_layout():
        bone = armature.data.edit_bones.new(PREFIX + name)
        bone.head, bone.tail, bone.roll = Vector(inside(head)), Vector(inside(tail)), math.radians(roll)
        if parent:
            bone.parent = armature.data.edit_bones[PREFIX + parent]
    bpy.ops.object.mode_set(mode='OBJECT')
    verts, faces, groups = [], [], []
    for name, _, head, tail, _ in _bone_layout():
        head, tail = np.array(head, float), np.array(tail, float)
        first = len(verts)
        for corner in range(8):
            offset = np.array([(corner & 1) - .5, ((corner >> 1) & 1) - .5, 0]) * .04
            verts.append(inside((tail if corner & 4 else head) + offset))
        faces += [tuple(first + i for i in f) for f in ((0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6),
                                                        (0, 2, 6, 4), (1, 5, 7, 3))]
        groups.append((PREFIX + name, list(range(first, first + 8))))
    mesh = bpy.data.meshes.new('Body')
    mesh.from_pydata(verts, [], faces)
    body = bpy.data.objects.new('Body', mesh)
    bpy.context.scene.collection.objects.link(body)
    for name, indices in groups:
        body.vertex_groups.new(name=name).add(indices, 1.0, 'REPLACE')
    body.parent = armature
    body.modifiers.new('Armature', 'ARMATURE').object = armature
    name = 'hero_cm' if centimetres_y_up else 'hero'
    paths = {'fbx': os.path.join(folder, name + '.fbx'), 'glb': os.path.join(folder, name + '.glb')}
    bpy.ops.export_scene.fbx(filepath=paths['fbx'], add_leaf_bones=False)
    # The GLB by Blender in a subprocess (src/export/blender.py's conversion job): bpy's glTF exporter
    # leaves the interpreter crashing at exit, which would fail the test run.
    written_by_blender({'task': 'convert', 'input': paths['fbx'], 'fps': FPS}, {'glb': paths['glb']})
    return paths


@pytest.fixture(scope='module')
def clip(tmp_path_factory):
    """A video NPZ of one walking track and its SMPL joints (independent forward kinematics, SMPL's own
    code path) in Blender's frame."""
    folder = tmp_path_factory.mktemp('retarget')
    model = synthetic_smpl()
    import pickle
    with open(str(folder / 'smpl.pkl'), 'wb') as f:
        pickle.dump(model, f)
    poses, trans = walk(NUM_FRAMES, FPS, seed=2)
    betas = np.random.RandomState(7).randn(10)
    np.savez(str(folder / 'clip.npz'), track_ids=np.array([1]), fps=np.float64(FPS), track1_frames=np.arange(NUM_FRAMES),
             track1_poses=poses, track1_betas=betas, track1_trans=trans)
    joints = BodyModel(model).forward(poses, betas, trans, pose_blendshapes=False).joints
    return folder, in_export_frame(joints).dot(BLENDER_FROM_EXPORT.T)


def export(clip, *args):
    folder, _ = clip
    status = main(['--motion', str(folder / 'clip.npz'), '--out_dir', str(folder / 'out'),
                   '--smpl_model', str(folder / 'smpl.pkl')] + list(args))
    assert status == 0


def import_file(path):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.context.scene.render.fps, bpy.context.scene.render.fps_base = int(FPS), 1.
    if path.endswith('.fbx'):
        # The FBX importer shifts animations by anim_offset frames (1 by default): keep key k on frame k.
        bpy.ops.import_scene.fbx(filepath=path, anim_offset=0.)
    elif path.endswith('.glb'):
        bpy.ops.import_scene.gltf(filepath=path)
    else:
        # Frame k of the file on Blender frame k + 1 (the importer's frame_start, as in test_blender.py).
        bpy.ops.import_anim.bvh(filepath=path, global_scale=1.0, frame_start=1, use_fps_scale=False,
                                rotate_mode='NATIVE', axis_forward='-Z', axis_up='Y')
    armatures = [o for o in bpy.context.scene.objects if o.type == 'ARMATURE']
    assert len(armatures) == 1
    return armatures[0]


def heads_over_frames(armature, names, frames):
    """World head positions (frames, bones, 3) of the named bones, Blender's own evaluation."""
    out = []
    for frame in frames:
        bpy.context.scene.frame_set(frame)
        out.append([list(armature.matrix_world @ armature.pose.bones[n].head) for n in names])
    return np.array(out)


def angles_degrees(a, b):
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    return np.degrees(np.arccos(np.clip(np.sum(a * b, axis=-1), -1, 1)))


def direction_errors(armature, smpl_joints, prefix, first_frame):
    """Per limb, the angles (degrees) between the character's limb and SMPL's over the frames."""
    names = sorted({prefix + n for n in LIMBS} | {prefix + end for end, _, _ in LIMBS.values()})
    heads = heads_over_frames(armature, names, range(first_frame, first_frame + NUM_FRAMES))
    at = {n: i for i, n in enumerate(names)}
    errors = {}
    for limb, (end, start_joint, end_joint) in LIMBS.items():
        ours = heads[:, at[prefix + end]] - heads[:, at[prefix + limb]]
        errors[limb] = angles_degrees(ours, smpl_joints[:, end_joint] - smpl_joints[:, start_joint])
    return errors, heads, at


@pytest.fixture(scope='module')
def character(blender, clip):
    folder, _ = clip
    return build_character(str(folder))


@pytest.mark.parametrize('source', ['fbx', 'glb', 'fbx_cm_y_up'])
def test_character_follows_smpl_directions_in_its_own_rest_pose(blender, clip, character, source):
    if source == 'fbx_cm_y_up':
        character = {source: build_character(str(clip[0]), centimetres_y_up=True)['fbx']}
    export(clip, '--character', character[source], '--outputs', 'fbx,glb,bvh')
    folder, smpl_joints = clip
    rest = {name: (np.array(head), np.array(tail)) for name, _, head, tail, _ in _bone_layout()}
    stem = os.path.splitext(os.path.basename(character[source]))[0]
    for fmt in ('fbx', 'glb', 'bvh'):
        path = str(folder / 'out' / ('clip_track1_%s.%s' % (stem, fmt)))
        armature = import_file(path)
        assert sorted(b.name for b in armature.data.bones) == sorted(PREFIX + n for n in rest)
        # glTF keys time t at frame t * fps (first key on frame 0), FBX with anim_offset 0 too; BVH on 1.
        errors, heads, at = direction_errors(armature, smpl_joints, PREFIX, 1 if fmt == 'bvh' else 0)
        medians = {limb: float(np.median(e)) for limb, e in errors.items()}
        print('%s from %s: median direction error per limb (degrees) %s, worst frame %.2e' % (
            fmt, source, {k: round(v, 3) for k, v in medians.items()}, max(e.max() for e in errors.values())))
        assert max(medians.values()) <= MEDIAN_DEGREES, medians
        for limb, (end, _, _) in LIMBS.items():
            length = np.linalg.norm(heads[:, at[PREFIX + end]] - heads[:, at[PREFIX + limb]], axis=1)
            assert np.allclose(length, np.linalg.norm(rest[end][0] - rest[limb][0]), atol=2e-4), (fmt, limb)
        if fmt == 'fbx':
            meshes = [o for o in bpy.context.scene.objects if o.type == 'MESH' and o.find_armature() == armature]
            assert len(meshes) == 1 and len(meshes[0].vertex_groups) == len(rest)
        # The feet: the lowest foot head over the clip no lower than the floor the character stands on.
        feet = heads[:, [at[PREFIX + 'LeftFoot'], at[PREFIX + 'RightFoot']], 2]
        assert feet.min() > -1e-3


def test_mixamo_preset_in_blender(blender, clip):
    export(clip, '--rig', 'mixamo', '--outputs', 'fbx,glb,bvh')
    folder, smpl_joints = clip
    for fmt in ('fbx', 'glb', 'bvh'):
        armature = import_file(str(folder / 'out' / ('clip_track1.' + fmt)))
        assert len(armature.data.bones) == 22 and all(b.name.startswith(PREFIX) for b in armature.data.bones)
        errors, _, _ = direction_errors(armature, smpl_joints, PREFIX, 1 if fmt == 'bvh' else 0)
        medians = {limb: float(np.median(e)) for limb, e in errors.items()}
        print('mixamo preset %s: largest median direction error %.2e degrees' % (fmt, max(medians.values())))
        assert max(medians.values()) <= MEDIAN_DEGREES, medians


def test_fbx_keeps_the_characters_rest_rolls_and_skin(blender, clip, character):
    """The written FBX's armature rests as the input's (A-pose, rolls: each bone's rest matrix) and its
    mesh deforms with the bones: each box's corners follow their bone's pose matrix."""
    export(clip, '--character', character['fbx'], '--outputs', 'fbx')
    folder, _ = clip
    original = import_file(character['fbx'])
    rest = {b.name: np.array(b.matrix_local) for b in original.data.bones}
    armature = import_file(str(folder / 'out' / 'clip_track1_hero.fbx'))
    for bone in armature.data.bones:
        np.testing.assert_allclose(np.array(bone.matrix_local), rest[bone.name], atol=1e-4)
    mesh = [o for o in bpy.context.scene.objects if o.type == 'MESH' and o.find_armature() == armature][0]
    rest_verts = np.array([list(v.co) for v in mesh.data.vertices])
    groups = {g.index: g.name for g in mesh.vertex_groups}
    for frame in (0, NUM_FRAMES // 2):
        bpy.context.scene.frame_set(frame)
        evaluated = mesh.evaluated_get(bpy.context.evaluated_depsgraph_get())
        posed = np.array([list(evaluated.matrix_world @ v.co) for v in evaluated.to_mesh().vertices])
        evaluated.to_mesh_clear()
        for index, vertex in enumerate(mesh.data.vertices):
            bone = armature.pose.bones[groups[vertex.groups[0].group]]
            # Each vertex has one group of weight 1: rigid with its bone (pose matrix times rest inverse).
            moved = np.array(armature.matrix_world @ bone.matrix @ armature.data.bones[bone.name].matrix_local.inverted()
                             @ armature.matrix_world.inverted() @ mesh.matrix_world @ Vector(rest_verts[index]))
            assert np.abs(posed[index] - moved).max() < 1e-4


def _run_cli(clip, *args):
    folder, _ = clip
    process = subprocess.run([sys.executable, '-m', 'src.export', '--motion', str(folder / 'clip.npz'),
                              '--out_dir', str(folder / 'bad_out'), '--smpl_model', str(folder / 'smpl.pkl')]
                             + list(args), cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True)
    return process.returncode, process.stderr.strip().splitlines()


def test_unreadable_and_non_humanoid_fbx_are_one_line(blender, clip):
    folder, _ = clip
    broken = str(folder / 'broken.fbx')
    with open(broken, 'wb') as f:
        f.write(b'Kaydara FBX Binary  \x00' + b'\x01' * 40)
    status, lines = _run_cli(clip, '--character', broken, '--outputs', 'fbx')
    assert status == 1 and len(lines) == 1 and lines[0].startswith('error: %s: cannot read it' % broken), lines
    bpy.ops.wm.read_factory_settings(use_empty=True)
    armature = bpy.data.objects.new('Tail', bpy.data.armatures.new('Tail'))
    bpy.context.scene.collection.objects.link(armature)
    bpy.context.view_layer.objects.active = armature
    bpy.ops.object.mode_set(mode='EDIT')
    for i in range(3):
        bone = armature.data.edit_bones.new('tail%d' % i)
        bone.head, bone.tail = Vector((0, i * .2, 0)), Vector((0, (i + 1) * .2, 0))
    bpy.ops.object.mode_set(mode='OBJECT')
    tail = str(folder / 'tail.fbx')
    bpy.ops.export_scene.fbx(filepath=tail, add_leaf_bones=False)
    status, lines = _run_cli(clip, '--character', tail, '--outputs', 'fbx,bvh')
    assert status == 1 and len(lines) == 1 and 'could not map Hips, Spine, Head, LeftArm' in lines[0], lines
    assert not os.path.exists(str(folder / 'bad_out')) or os.listdir(str(folder / 'bad_out')) == []


def test_unreal_named_bvh_character_to_fbx_and_glb(blender, clip, tmp_path):
    """A BVH character (Unreal names, centimetres, A-pose) retargeted and written as FBX and GLB by
    Blender (from the retargeted BVH): Blender re-imports each with the limbs along SMPL's."""
    from tests.test_export_cli import UNREAL, _bvh_character, _humanoid
    folder, smpl_joints = clip
    path = str(tmp_path / 'manny.bvh')
    _bvh_character(path, _humanoid(UNREAL, 'root'), 100.)
    export(clip, '--character', path, '--outputs', 'fbx,glb')
    for fmt in ('fbx', 'glb'):
        armature = import_file(str(folder / 'out' / ('clip_track1_manny.' + fmt)))
        names = {b.name for b in armature.data.bones}
        assert {UNREAL[n] for n in ('Hips', 'LeftArm', 'RightUpLeg')} <= names
        heads = heads_over_frames(armature, [UNREAL[n] for n in sorted(UNREAL)], range(NUM_FRAMES))
        at = {n: i for i, n in enumerate(sorted(UNREAL))}
        medians = []
        for limb, (end, a, b) in LIMBS.items():
            ours = heads[:, at[end]] - heads[:, at[limb]]
            medians.append(np.median(angles_degrees(ours, smpl_joints[:, b] - smpl_joints[:, a])))
        print('BVH character -> %s: largest median direction error %.2e degrees' % (fmt, max(medians)))
        assert max(medians) <= MEDIAN_DEGREES


def test_smpl_preset_fbx_has_the_smpl_joints(blender, clip):
    """`--rig smpl --outputs fbx`: Blender's FBX (converted from the GLB) imports with SMPL's 24 joints
    where SMPL puts them (the export frame, as the GLB and BVH), every frame."""
    export(clip, '--outputs', 'fbx')
    folder, smpl_joints = clip
    armature = import_file(str(folder / 'out' / 'clip_track1.fbx'))
    names = BodyModel(synthetic_smpl()).joint_names
    assert sorted(b.name for b in armature.data.bones) == sorted(names)
    positions = heads_over_frames(armature, names, range(NUM_FRAMES))
    # Metres written as float32 by the GLB and FBX on the way: well under 1 mm.
    assert np.abs(positions - smpl_joints).max() < 1e-3
