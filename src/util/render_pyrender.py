"""pyrender backend of SMPLRenderer (modern runtime), headless through EGL (Mesa's software EGL works).

The mesh comes in HMR's camera frame (x right, y down, z forward, pinhole f, cx, cy in pixels, the
convention of opendr's ProjectPoints); OpenGL looks down -z with y up, so the mesh is turned by
pi about x before rendering with the same intrinsics.

Shading is the released renderer's: the three lights' Lambertian colour worked out per vertex
(`render_lights.lambertian_colors`, opendr's formula) and interpolated across each face, which
pyrender draws in its flat mode. Its physically based shader would give another look, and on a
software GL it costs four times as much per picture.
"""
import os

os.environ.setdefault('PYOPENGL_PLATFORM', 'egl')

import numpy as np  # noqa: E402
import pyrender  # noqa: E402
import trimesh  # noqa: E402

from .render_lights import lambertian_colors  # noqa: E402

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


def _camera(camera, near, far):
    return pyrender.IntrinsicsCamera(fx=camera[0], fy=camera[0], cx=camera[1] + .5, cy=camera[2] + .5, znear=near,
                                     zfar=far)


def _shaded(verts, faces, color):
    """The mesh in OpenGL's frame with the released lighting in its vertex colours, both sides drawn."""
    colors = np.hstack([lambertian_colors(verts, faces, color), np.ones((len(verts), 1))])
    material = pyrender.MetallicRoughnessMaterial(baseColorFactor=[1., 1., 1., 1.], doubleSided=True)
    return pyrender.Mesh([pyrender.Primitive(positions=np.dot(verts, _TO_OPENGL), indices=faces, color_0=colors,
                                             material=material)])


def render_views(verts, faces, views, near, far, color):
    """Shaded mesh on white in each view (width, height, camera [f, cx, cy], turn: 3 x 3 rotation about
    the mesh's centre or None); returns a list of (float RGB, mask). The lights stay with the camera,
    so a turned view is a turned mesh, shaded anew."""
    faces = np.asarray(faces)
    center = np.mean(verts, axis=0)
    results = []
    for width, height, camera, turn in views:
        scene = pyrender.Scene(bg_color=[1., 1., 1., 0.])
        scene.add(_shaded(verts if turn is None else np.dot(verts - center, turn) + center, faces, color))
        scene.add(_camera(camera, near, far))
        rgba, _ = _offscreen(width, height).render(scene, flags=pyrender.RenderFlags.RGBA | pyrender.RenderFlags.FLAT)
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
    scene.add(_camera(camera, near, far))
    labels, _ = _offscreen(width, height).render(scene, flags=pyrender.RenderFlags.SEG, seg_node_map=colors)
    return np.ascontiguousarray(labels[:, :, 0])
