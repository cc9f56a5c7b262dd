"""opendr backend of SMPLRenderer (legacy runtime): the released renderer, headless through OSMesa."""
import zlib

import numpy as np
from opendr.camera import ProjectPoints
from opendr.geometry import VertNormals
from opendr.lighting import LambertianPointLight
from opendr.renderer import ColoredRenderer
from opendr.topology import get_faces_per_edge, get_vertices_per_edge

from .render_lights import LIGHTS

# opendr's face-index image marks pixels without a face with this value.
NO_FACE = 4294967295


# Mesh topologies seen, by vertex count and faces: SMPL alone, and a few people stacked.
_TOPOLOGIES = {}
_TOPOLOGIES_KEPT = 8


class _Renderer(ColoredRenderer):
    """opendr's ColoredRenderer with the mesh's topology (the faces on each edge, for the edge pass)
    kept across renderers: opendr works it out in a Python loop for each new renderer, about 0.1 s
    for SMPL, most of a small render's time, though it changes only with the faces."""

    @property
    def primitives_per_edge(self):
        key = (len(self.v.r) // 3, self.f.shape, zlib.crc32(np.ascontiguousarray(self.f)))
        if key not in _TOPOLOGIES:
            if len(_TOPOLOGIES) >= _TOPOLOGIES_KEPT:
                _TOPOLOGIES.pop(next(iter(_TOPOLOGIES)))
            verts = self.v.r.reshape((-1, 3))
            edges = get_vertices_per_edge(verts, self.f)
            _TOPOLOGIES[key] = get_faces_per_edge(verts, self.f, edges), edges
        return _TOPOLOGIES[key]


def _renderer(verts, faces, width, height, camera, near, far, vertex_colors):
    """opendr's ColoredRenderer for a pinhole camera [f, cx, cy] on a white background."""
    renderer = _Renderer()
    renderer.camera = ProjectPoints(f=camera[0] * np.ones(2), rt=np.zeros(3), t=np.zeros(3), k=np.zeros(5),
                                    c=np.asarray(camera[1:3], np.float64))
    renderer.frustum = {'near': near, 'far': far, 'height': height, 'width': width}
    renderer.set(v=verts, f=faces, vc=vertex_colors, bgcolor=np.ones(3))
    return renderer


def render(verts, faces, width, height, camera, near, far, color, background=None):
    """Shaded mesh over `background` (float RGB in [0, 1]) or white; returns (float RGB, mask)."""
    # The released three Lambertian lights, given the mesh's normals once instead of each working them out.
    normals = VertNormals(f=faces, v=verts).r
    shading = sum(LambertianPointLight(f=faces, v=verts, num_verts=len(verts), light_pos=position,
                                       vc=np.asarray(color, np.float64), light_color=np.ones(3) * intensity,
                                       vn=normals).r for position, intensity in LIGHTS)
    renderer = _renderer(verts, faces, width, height, camera, near, far, shading)
    image = np.array(renderer.r)
    # The mask is the faces seen plus the boundary lines drawn over the edges (not the colour: shading
    # can be pure white where lights saturate); both come from passes the image already made or shares.
    mask = (renderer.visibility_image != NO_FACE) | renderer.boundarybool_image.astype(bool)
    if background is not None:
        image = np.where(mask[:, :, None], image, background)
    return image, mask


def render_views(verts, faces, views, near, far, color):
    """Shaded mesh on white in each view (width, height, camera, turn: 3 x 3 rotation about the mesh's
    centre or None), each its own render."""
    center = np.mean(verts, axis=0)
    return [render(verts if turn is None else np.dot(verts - center, turn) + center, faces, width, height, camera,
                   near, far, color) for width, height, camera, turn in views]


def render_labels(verts, faces, face_labels, width, height, camera, near, far):
    """Label of the face seen at each pixel (uint8, 0 where no face is), from opendr's face-index
    image: no shading, interpolation or anti-aliasing."""
    face_index = _renderer(verts, faces, width, height, camera, near, far, np.zeros_like(verts)).visibility_image
    covered = face_index != NO_FACE
    labels = np.zeros((height, width), np.uint8)
    labels[covered] = np.asarray(face_labels)[face_index[covered]]
    return labels
