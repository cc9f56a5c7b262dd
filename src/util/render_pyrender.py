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
# pyrender draws the mesh nodes farthest from the camera first, nodes equally far in set order (which
# changes from run to run), and where faces of two nodes are at one depth the first drawn wins. Each
# label's node is placed this much farther than the previous one (its vertices moved back by as much)
# so the order, hence every label, is the same in every run.
_NODE_STEP = 2. ** -20
_renderer = []


def _offscreen(width, height):
    """The one offscreen context (creating one costs ~0.1 s), its viewport set to width x height."""
    if not _renderer:
        _renderer.append(pyrender.OffscreenRenderer(width, height))
    _renderer[0].viewport_width, _renderer[0].viewport_height = width, height
    return _renderer[0]


class _Stage(object):
    """The released lights in one scene kept across calls; each call swaps in its mesh and camera, so
    a call costs the mesh's upload and its views' pixels, not a new scene."""

    def __init__(self):
        self.scene = pyrender.Scene(bg_color=[1., 1., 1., 0.], ambient_light=[.05, .05, .05])
        for position, intensity in LIGHTS:
            pose = np.eye(4)
            pose[:3, 3] = np.dot(position, _TO_OPENGL)
            self.scene.add(pyrender.PointLight(color=np.ones(3), intensity=intensity * 2e5), pose=pose)
        self.mesh_node = self.camera_node = None

    def show(self, mesh):
        if self.mesh_node is not None:
            self.scene.remove_node(self.mesh_node)
        self.mesh_node = self.scene.add(mesh)

    def look(self, camera, near, far):
        if self.camera_node is not None:
            self.scene.remove_node(self.camera_node)
        self.camera_node = self.scene.add(pyrender.IntrinsicsCamera(
            fx=camera[0], fy=camera[0], cx=camera[1] + .5, cy=camera[2] + .5, znear=near, zfar=far))


_stage = []


def _turn_pose(turn, center):
    """The OpenGL node pose of `verts -> (verts - center) . turn + center` (HMR's frame, row vectors)."""
    pose = np.eye(4)
    pose[:3, :3] = np.dot(_TO_OPENGL, np.dot(np.transpose(turn), _TO_OPENGL))
    center_gl = np.dot(_TO_OPENGL, center)
    pose[:3, 3] = center_gl - np.dot(pose[:3, :3], center_gl)
    return pose


def render_views(verts, faces, views, near, far, color):
    """Shaded mesh on white in each view (width, height, camera [f, cx, cy], turn: 3 x 3 rotation about
    the mesh's centre or None), uploaded once; returns a list of (float RGB, mask)."""
    if not _stage:
        _stage.append(_Stage())
    stage = _stage[0]
    material = pyrender.MetallicRoughnessMaterial(baseColorFactor=list(color) + [1.], metallicFactor=0.,
                                                  roughnessFactor=1., doubleSided=True)
    mesh = pyrender.Mesh.from_trimesh(trimesh.Trimesh(np.dot(verts, _TO_OPENGL), faces, process=False),
                                      material=material, smooth=True)
    stage.show(mesh)
    center = np.mean(verts, axis=0)
    results = []
    for width, height, camera, turn in views:
        stage.scene.set_pose(stage.mesh_node, np.eye(4) if turn is None else _turn_pose(turn, center))
        stage.look(camera, near, far)
        rgba, _ = _offscreen(width, height).render(stage.scene, flags=pyrender.RenderFlags.RGBA)
        mask = rgba[:, :, 3] > 0
        image = rgba[:, :, :3].astype(np.float64) / 255.
        results.append((np.where(mask[:, :, None], image, 1.), mask))
    return results


def render(verts, faces, width, height, camera, near, far, color, background=None):
    """Shaded mesh over `background` (float RGB in [0, 1]) or white; returns (float RGB, mask)."""
    image, mask = render_views(verts, faces, [(width, height, camera, None)], near, far, color)[0]
    if background is not None:
        image = np.where(mask[:, :, None], image, background)
    return image, mask


def render_labels(verts, faces, face_labels, width, height, camera, near, far):
    """Label of the face seen at each pixel (uint8, 0 where no face is).

    Each label's faces are one node drawn in pyrender's segmentation mode: one flat colour per node,
    no lighting and, unlike `render`, no multisampling, so no pixel mixes two labels.
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
    labels, _ = _offscreen(width, height).render(scene, flags=pyrender.RenderFlags.SEG, seg_node_map=colors)
    return np.ascontiguousarray(labels[:, :, 0])
