"""opendr backend of SMPLRenderer (legacy runtime): the released renderer, headless through OSMesa."""
import numpy as np
from opendr.camera import ProjectPoints
from opendr.lighting import LambertianPointLight
from opendr.renderer import ColoredRenderer

from .render_lights import LIGHTS

# opendr's face-index image marks pixels without a face with this value.
NO_FACE = 4294967295


def _renderer(verts, faces, width, height, camera, near, far, vertex_colors):
    """opendr's ColoredRenderer for a pinhole camera [f, cx, cy] on a white background."""
    renderer = ColoredRenderer()
    renderer.camera = ProjectPoints(f=camera[0] * np.ones(2), rt=np.zeros(3), t=np.zeros(3), k=np.zeros(5),
                                    c=np.asarray(camera[1:3], np.float64))
    renderer.frustum = {'near': near, 'far': far, 'height': height, 'width': width}
    renderer.set(v=verts, f=faces, vc=vertex_colors, bgcolor=np.ones(3))
    return renderer


def render(verts, faces, width, height, camera, near, far, color, background=None):
    """Shaded mesh over `background` (float RGB in [0, 1]) or white; returns (float RGB, mask)."""
    renderer = _renderer(verts, faces, width, height, camera, near, far, np.asarray(color))
    albedo = renderer.vc
    shading = None
    for position, intensity in LIGHTS:
        light = LambertianPointLight(f=renderer.f, v=renderer.v, num_verts=len(renderer.v), light_pos=position,
                                     vc=albedo, light_color=np.ones(3) * intensity)
        shading = light if shading is None else shading + light
    renderer.vc = shading
    # The mask comes from a second, unshaded pass: shading can be pure white where lights saturate.
    mask_renderer = ColoredRenderer()
    mask_renderer.camera = renderer.camera
    mask_renderer.frustum = renderer.frustum
    mask_renderer.set(v=verts, f=faces, vc=np.zeros_like(verts), bgcolor=np.ones(3))
    mask = mask_renderer.r[:, :, 0] < .5
    image = np.array(renderer.r)
    if background is not None:
        image = np.where(mask[:, :, None], image, background)
    return image, mask


def render_views(verts, faces, views, near, far, color):
    """Shaded mesh on white in each view (width, height, camera, turn: 3 x 3 rotation about the mesh's
    centre or None); opendr has no uploads to share, so each view is its own render."""
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
