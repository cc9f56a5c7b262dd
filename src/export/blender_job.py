"""The jobs Blender does for src/export/blender.py, run as `python -m src.export.blender_job job.json` in
Blender's Python (bpy 4.2): 'convert' (GLB -> FBX), 'read' (a character's armature) and 'animate'
(a character keyed with given bone poses, written as FBX / GLB). A problem is one stderr line
starting with 'hmr-blender-error: ' and exit status 2."""
import json
import os
import sys

import bpy
import numpy as np
from mathutils import Matrix


class JobError(Exception):
    pass


def set_fps(fps):
    scene = bpy.context.scene
    scene.render.fps = max(1, int(round(fps)))
    scene.render.fps_base = scene.render.fps / float(fps)


def import_file(path, fps):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    # glTF keys at time t land on frame t * fps: at the motion's rate, key k on frame k.
    set_fps(fps)
    extension = os.path.splitext(path)[1].lower()
    try:
        if extension == '.fbx':
            bpy.ops.import_scene.fbx(filepath=path)
        elif extension in ('.glb', '.gltf'):
            bpy.ops.import_scene.gltf(filepath=path)
        elif extension == '.bvh':
            # HMR's BVHs are Y up like the glTF importer's input; key k on frame k.
            bpy.ops.import_anim.bvh(filepath=path, global_scale=1., frame_start=0, use_fps_scale=False,
                                    update_scene_fps=False, rotate_mode='NATIVE', axis_forward='-Z', axis_up='Y')
        else:
            raise JobError('%s: Blender reads characters as .fbx, .glb, .gltf or .bvh' % path)
    except RuntimeError as e:
        raise JobError('%s: cannot read it (%s)' % (path, str(e).strip().splitlines()[-1]))
    # The FBX importer takes the file's frame rate; the exports are at the motion's.
    set_fps(fps)
    armatures = [o for o in bpy.context.scene.objects if o.type == 'ARMATURE']
    if not armatures:
        raise JobError('%s has no armature (skeleton): a humanoid character needs one' % path)
    return max(armatures, key=lambda o: len(o.data.bones))


def matrix(m):
    return [list(row) for row in m]


def read(job):
    armature = import_file(job['input'], 30.)
    bones = list(armature.data.bones)
    index = {bone.name: i for i, bone in enumerate(bones)}
    skinned = any(o.type == 'MESH' and o.find_armature() == armature for o in bpy.context.scene.objects)
    return {'names': [b.name for b in bones], 'parents': [index[b.parent.name] if b.parent else -1 for b in bones],
            'matrix_local': [matrix(b.matrix_local) for b in bones], 'tails': [list(b.tail_local) for b in bones],
            'matrix_world': matrix(armature.matrix_world), 'skinned': skinned}


def keyed(armature, names, bases, frame_start):
    """Key every bone's matrix_basis (location, quaternion) on frames frame_start.. from `bases`."""
    armature.animation_data_create()
    action = bpy.data.actions.new('hmr_motion')
    armature.animation_data.action = action
    frames = frame_start + np.arange(len(bases), dtype=np.float64)
    for j, name in enumerate(names):
        bone = armature.pose.bones[name]
        bone.rotation_mode = 'QUATERNION'
        quaternions = np.array([list(Matrix(m.tolist()).to_quaternion()) for m in bases[:, j]])
        # One hemisphere along time, so interpolation takes the short way.
        for t in range(1, len(quaternions)):
            if np.dot(quaternions[t], quaternions[t - 1]) < 0:
                quaternions[t] *= -1
        curves = [('location', bases[:, j, :3, 3]), ('rotation_quaternion', quaternions)]
        for path, values in curves:
            for axis in range(values.shape[1]):
                curve = action.fcurves.new('pose.bones["%s"].%s' % (name, path), index=axis, action_group=name)
                curve.keyframe_points.add(len(frames))
                curve.keyframe_points.foreach_set('co', np.stack([frames, values[:, axis]], 1).ravel())
                curve.keyframe_points.foreach_set('interpolation', [1] * len(frames))  # LINEAR
                curve.update()
    scene = bpy.context.scene
    scene.frame_start, scene.frame_end = int(frame_start), int(frame_start + len(bases) - 1)


def export(armature, outputs, fps):
    bpy.ops.object.select_all(action='DESELECT')
    armature.select_set(True)
    bpy.context.view_layer.objects.active = armature
    for fmt, path in outputs.items():
        if fmt == 'fbx':
            # One key per frame (no simplification), no extra leaf bones: the file has the input's bones.
            bpy.ops.export_scene.fbx(filepath=path, add_leaf_bones=False, bake_anim=True, bake_anim_use_nla_strips=False,
                                     bake_anim_use_all_actions=False, bake_anim_simplify_factor=0.,
                                     bake_anim_force_startend_keying=True)
        elif fmt == 'glb':
            bpy.ops.export_scene.gltf(filepath=path, export_format='GLB', export_animations=True,
                                      export_frame_range=True, export_force_sampling=True, export_optimize_animation_size=False)
        if not os.path.isfile(path):
            raise JobError('Blender wrote no %s file' % fmt)


def convert(job):
    armature = import_file(job['input'], job['fps'])
    action = armature.animation_data.action if armature.animation_data else None
    if action is not None:
        # Key k on frame k, as the other exports: the BVH importer starts on frame 1 whatever it is asked.
        first = action.frame_range[0]
        for curve in action.fcurves:
            for point in curve.keyframe_points:
                for vector in (point.co, point.handle_left, point.handle_right):
                    vector.x -= first
        scene = bpy.context.scene
        scene.frame_start, scene.frame_end = 0, int(round(action.frame_range[1] - first))
    export(armature, job['outputs'], job['fps'])
    return {}


def animate(job):
    armature = import_file(job['input'], job['fps'])
    bases = np.load(job['keys'], allow_pickle=False)
    if armature.animation_data:
        armature.animation_data.action = None
    keyed(armature, job['names'], bases, 0)
    export(armature, job['outputs'], job['fps'])
    return {'frames': len(bases)}


def main(path):
    with open(path) as f:
        job = json.load(f)
    try:
        answer = {'read': read, 'convert': convert, 'animate': animate}[job['task']](job)
    except JobError as e:
        sys.stderr.write('hmr-blender-error: %s\n' % e)
        return 2
    with open(job['answer'], 'w') as f:
        json.dump(answer, f)
    return 0


if __name__ == '__main__':
    status = main(sys.argv[1])
    sys.stdout.flush()
    sys.stderr.flush()
    # bpy as a module can crash while the interpreter tears it down after an export; the job is done.
    os._exit(status)
