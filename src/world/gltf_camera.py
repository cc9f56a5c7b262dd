"""The footage's camera in the exports: a glTF perspective camera node in a GLB, and a small JSON
beside a BVH (which has no camera), so that looking through it in Blender or a glTF viewer puts the
meshes over the footage.

The exports' frame is the image camera's turned about x (x right, y up, z towards the camera), where
a glTF camera at the origin with no rotation looks down -z as the image camera does; with --world the
exports are in the world frame and the camera node gets its pose, world_from_camera C.
"""
import numpy as np
import pygltflib

from ..camera import field_of_view
from ..util import files

# A glTF camera looks down its -z with y up; the image camera looks down +z with y down.
GLTF_CAMERA_TO_IMAGE_CAMERA = np.diag([1., -1., -1., 1.])
ZNEAR = .01


def camera_fields(camera, size, world_from_camera=None):
    """What the exports say about the camera [f, cx, cy] of a width x height frame: the glTF
    perspective fields, the pinhole itself and the node's pose (4 x 4, row-major, in the export frame)."""
    xfov, yfov = field_of_view(camera, size)
    # Without a world frame the export frame is the image camera's turned as a glTF camera is turned.
    pose = np.eye(4) if world_from_camera is None else np.dot(world_from_camera, GLTF_CAMERA_TO_IMAGE_CAMERA)
    return {'focal_px': float(camera[0]), 'principal_point_px': [float(camera[1]), float(camera[2])],
            'image_size': [int(size[0]), int(size[1])], 'yfov': float(yfov), 'xfov': float(xfov),
            'aspectRatio': float(size[0]) / float(size[1]), 'znear': ZNEAR, 'pose': pose.tolist(),
            'note': 'pixel = f (x / z, y / z) + (cx, cy) in the image camera (x right, y down, z forward); '
                    'glTF cameras have their principal point at the centre'}


def add_camera(gltf, camera, size, world_from_camera=None):
    """Add the camera to `gltf` (a pygltflib.GLTF2): a perspective camera and a node in its scene."""
    fields = camera_fields(camera, size, world_from_camera)
    gltf.cameras.append(pygltflib.Camera(name='footage', type='perspective', extras=fields,
                                         perspective=pygltflib.Perspective(
                                             yfov=fields['yfov'], aspectRatio=fields['aspectRatio'],
                                             znear=ZNEAR)))
    pose = np.asarray(fields['pose'])
    node = pygltflib.Node(name='footage_camera', camera=len(gltf.cameras) - 1)
    if not np.allclose(pose, np.eye(4)):
        node.matrix = pose.T.reshape(-1).tolist()  # glTF matrices are column-major
    gltf.nodes.append(node)
    gltf.scenes[gltf.scene or 0].nodes.append(len(gltf.nodes) - 1)
    return gltf


def add_camera_to_glb(path, camera, size, world_from_camera=None):
    """Rewrite the GLB at `path` with the camera added (atomically)."""
    gltf = add_camera(pygltflib.GLTF2.load_binary(path), camera, size, world_from_camera)
    files.write_bytes(path, b''.join(gltf.save_to_bytes()))


def write_camera_json(path, camera, size, world_from_camera=None):
    """The camera beside a BVH: `path` is the BVH's, the JSON is PATH without .bvh + '.camera.json'."""
    stem = path[:-4] if path.endswith('.bvh') else path
    files.write_json(stem + '.camera.json', camera_fields(camera, size, world_from_camera))


def camera_beside(stem, formats, camera, size, world_from_camera=None):
    """The camera added to the animation files just written as `stem`.<fmt>: into the GLB, beside the BVH."""
    if 'glb' in formats:
        add_camera_to_glb(stem + '.glb', camera, size, world_from_camera)
    if 'bvh' in formats:
        write_camera_json(stem + '.bvh', camera, size, world_from_camera)
