"""pyrender backend of SMPLRenderer (modern runtime), headless through EGL (Mesa's software EGL works).

The mesh comes in HMR's camera frame (x right, y down, z forward, pinhole f, cx, cy in pixels, the
convention of opendr's ProjectPoints); OpenGL looks down -z with y up, so the mesh is turned by
pi about x before rendering with the same intrinsics.
"""
import os

os.environ.setdefault('PYOPENGL_PLATFORM', 'egl')

import numpy as np  # noqa: E402
import pyrender  # noqa: E402
import trimesh  # noqa: E402

from .render_lights import LIGHTS  # noqa: E402

_TO_OPENGL = np.diag([1., -1., -1.])
# Label maps are rendered on viewports rounded up to multiples of this many pixels.
_TILE = 256
# pyrender draws the mesh nodes farthest from the camera first, nodes equally far in set order (which
# changes from run to run), and where faces of two nodes are at one depth the first drawn wins. Each
# label's node is placed this much farther than the previous one (its vertices moved back by as much)
# so the order, hence every label, is the same in every run.
_NODE_STEP = 2. ** -20
_renderers = {}


def _offscreen(width, height):
    """One offscreen context per image size, reused across calls (creating one costs ~0.1 s)."""
    key = (width, height)
    if key not in _renderers:
        _renderers[key] = pyrender.OffscreenRenderer(width, height)
    return _renderers[key]


def render(verts, faces, width, height, camera, near, far, color, background=None):
    """Shaded mesh over `background` (float RGB in [0, 1]) or white; returns (float RGB, mask)."""
    material = pyrender.MetallicRoughnessMaterial(baseColorFactor=list(color) + [1.], metallicFactor=0.,
                                                  roughnessFactor=1., doubleSided=True)
    mesh = trimesh.Trimesh(np.dot(verts, _TO_OPENGL), faces, process=False)
    scene = pyrender.Scene(bg_color=[1., 1., 1., 0.], ambient_light=[.05, .05, .05])
    scene.add(pyrender.Mesh.from_trimesh(mesh, material=material, smooth=True))
    scene.add(pyrender.IntrinsicsCamera(fx=camera[0], fy=camera[0], cx=camera[1] + .5, cy=camera[2] + .5, znear=near,
                                        zfar=far))
    for position, intensity in LIGHTS:
        pose = np.eye(4)
        pose[:3, 3] = np.dot(position, _TO_OPENGL)
        scene.add(pyrender.PointLight(color=np.ones(3), intensity=intensity * 2e5), pose=pose)
    rgba, _ = _offscreen(width, height).render(scene, flags=pyrender.RenderFlags.RGBA)
    mask = rgba[:, :, 3] > 0
    image = rgba[:, :, :3].astype(np.float64) / 255.
    backdrop = np.ones_like(image) if background is None else background
    return np.where(mask[:, :, None], image, backdrop), mask


def render_labels(verts, faces, face_labels, width, height, camera, near, far):
    """Label of the face seen at each pixel (uint8, 0 where no face is).

    Each label's faces are one node drawn in pyrender's segmentation mode: one flat colour per node,
    no lighting and, unlike `render`, no multisampling, so no pixel mixes two labels. The viewport
    is rounded up to whole tiles and cropped (pixels are counted from the top left, so the crop is
    exact): images of many sizes then share a few offscreen contexts.
    """
    gl_verts = np.dot(verts, _TO_OPENGL)
    face_labels = np.asarray(face_labels)
    scene = pyrender.Scene()
    colors = {}
    for label in np.unique(face_labels[face_labels > 0]):
        part_faces = np.asarray(faces)[face_labels == label]
        pose = np.eye(4)
        pose[2, 3] = -_NODE_STEP * label
        # Segmentation mode culls back faces: both windings make the part double-sided, as in `render`.
        part = trimesh.Trimesh(gl_verts - pose[:3, 3], np.vstack([part_faces, part_faces[:, ::-1]]), process=False)
        colors[scene.add(pyrender.Mesh.from_trimesh(part), pose=pose)] = int(label)
    scene.add(pyrender.IntrinsicsCamera(fx=camera[0], fy=camera[0], cx=camera[1] + .5, cy=camera[2] + .5, znear=near,
                                        zfar=far))
    tiled_width, tiled_height = [-(-size // _TILE) * _TILE for size in (width, height)]
    labels, _ = _offscreen(tiled_width, tiled_height).render(scene, flags=pyrender.RenderFlags.SEG,
                                                             seg_node_map=colors)
    return np.ascontiguousarray(labels[:height, :width, 0])
