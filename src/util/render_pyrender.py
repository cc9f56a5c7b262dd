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
