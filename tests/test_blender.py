"""Blender, the real client: its own importers read the BVH and the GLB headless, and the imported
armature's joints (and, for the GLB, Blender's own skinning of the mesh) follow the SMPL body.

Marked `blender`: `make test-blender` builds .venv/blender with bpy 4.2 and runs it there, and `make test`
leaves it out. Run elsewhere, it skips where `bpy` does not import, or fails under HMR_REQUIRE_BLENDER=1.
"""
import numpy as np
import pytest

from src.body_model import BodyModel
from src.export.bvh import write_bvh
from src.export.gltf import write_glb
from tests.export_helpers import blender, in_export_frame, missing_client, realistic_weights, walk
from src.samples.synthetic_model import synthetic_smpl

pytestmark = pytest.mark.blender

try:
    import bpy
except ImportError:
    bpy = None

FPS = 25.
NUM_FRAMES = 12
FRAMES_CHECKED = [0, 3, NUM_FRAMES // 2, NUM_FRAMES - 1]
TOLERANCE = 1e-3  # metres
# Both importers turn the exports' Y-up frame into Blender's Z-up one: (x, y, z) -> (x, -z, y).
BLENDER_FROM_EXPORT = np.array([[1., 0, 0], [0, 0, -1], [0, 1, 0]])


@pytest.fixture(scope='module', params=['synthetic', 'smooth'])
def exported(request, tmp_path_factory):
    """The walk of a shaped synthetic body written as BVH and GLB, and its SMPL joints and skinned
    vertices (no pose blend shapes) in Blender's frame; with the synthetic model's weights (at most 2 a
    vertex: one JOINTS/WEIGHTS set) and with smooth ones (6 a vertex: two sets)."""
    model = synthetic_smpl()
    if request.param == 'smooth':
        model['weights'] = realistic_weights(model)
    body = BodyModel(model)
    betas = np.random.RandomState(5).randn(10)
    poses, trans = walk(NUM_FRAMES, FPS, seed=1)
    folder = tmp_path_factory.mktemp('blender')
    paths = {'bvh': str(folder / 'walk.bvh'), 'glb': str(folder / 'walk.glb')}
    write_bvh(paths['bvh'], body, betas, poses, trans, FPS)
    write_glb(paths['glb'], body, betas, poses, trans, FPS)
    posed = body.forward(poses, betas, trans, pose_blendshapes=False)
    to_blender = BLENDER_FROM_EXPORT.T
    return (paths, body.joint_names, in_export_frame(posed.joints).dot(to_blender),
            in_export_frame(posed.verts).dot(to_blender))


def _only_armature(blender):
    armatures = [o for o in blender.context.scene.objects if o.type == 'ARMATURE']
    assert len(armatures) == 1
    return armatures[0]


def _joint_positions(blender, armature, names, frame):
    blender.context.scene.frame_set(frame)
    return np.array([list(armature.matrix_world @ armature.pose.bones[name].head) for name in names])


def test_blender_imports_the_bvh_with_the_smpl_joints(blender, exported):
    paths, names, joints, _ = exported
    blender.ops.wm.read_factory_settings(use_empty=True)
    # Metres stay metres (scale 1); BVH frame k becomes Blender frame k + 1.
    blender.ops.import_anim.bvh(filepath=paths['bvh'], global_scale=1.0, frame_start=1, update_scene_fps=True,
                                use_fps_scale=False, rotate_mode='NATIVE', axis_forward='-Z', axis_up='Y')
    armature = _only_armature(blender)
    assert sorted(bone.name for bone in armature.pose.bones) == sorted(names)
    assert abs(blender.context.scene.render.fps / blender.context.scene.render.fps_base - FPS) < 1e-3
    for frame in FRAMES_CHECKED:
        error = np.abs(_joint_positions(blender, armature, names, frame + 1) - joints[frame]).max()
        assert error < TOLERANCE, 'frame %d: joints %.2g m off' % (frame, error)


def test_blender_imports_the_glb_with_the_smpl_joints_and_skinning(blender, exported):
    paths, names, joints, verts = exported
    blender.ops.wm.read_factory_settings(use_empty=True)
    # The importer keys time t at frame t * (scene frame rate): at the export's rate, frame k is key k.
    blender.context.scene.render.fps, blender.context.scene.render.fps_base = int(FPS), 1.
    blender.ops.import_scene.gltf(filepath=paths['glb'])
    armature = _only_armature(blender)
    assert sorted(bone.name for bone in armature.pose.bones) == sorted(names)
    mesh = [o for o in blender.context.scene.objects if o.type == 'MESH' and o.find_armature() == armature][0]
    for frame in FRAMES_CHECKED:
        error = np.abs(_joint_positions(blender, armature, names, frame) - joints[frame]).max()
        assert error < TOLERANCE, 'frame %d: joints %.2g m off' % (frame, error)
        evaluated = mesh.evaluated_get(blender.context.evaluated_depsgraph_get())
        skinned = np.array([list(evaluated.matrix_world @ v.co) for v in evaluated.to_mesh().vertices])
        evaluated.to_mesh_clear()
        # The importer keeps the GLB's vertices in order (SMPL's), none merged or split.
        assert len(skinned) == len(verts[frame])
        error = np.abs(skinned - verts[frame]).max()
        assert error < TOLERANCE, 'frame %d: Blender-skinned mesh %.2g m off' % (frame, error)
