"""Render the synthetic body with this runtime's renderer and save what the two renderers must agree
on: `python -m tests.render_comparison OUT.npz` writes the silhouettes of a front and a turned view,
the front view's colours, and the released lighting per vertex two ways (this project's
`lambertian_colors`, and opendr's own lights where opendr is installed); with opendr, also its
backend's pictures of one and of two people beside the released code's way of drawing them."""
import sys

import numpy as np

from src.samples.synthetic_model import synthetic_smpl

# An upright body (y down in the camera frame) 6 units away, seen by a 448 px camera.
CAMERA = [1000., 224., 224.]
SIZE = (448, 448)
ALBEDO = np.array([.65, .74, .86])


def posed_body():
    model = synthetic_smpl()
    return model['v_template'] * [1, -1, -1] + [0, .1, 6.], model['f']


def opendr_lighting(verts, faces):
    """The released renderer's lights as opendr computes them, or an empty array without opendr."""
    try:
        from opendr.lighting import LambertianPointLight
    except ImportError:
        return np.zeros((0, 3))
    from src.util.render_lights import LIGHTS
    return sum(LambertianPointLight(f=faces, v=verts, num_verts=len(verts), light_pos=position, vc=ALBEDO,
                                    light_color=np.ones(3) * intensity).r for position, intensity in LIGHTS)


def opendr_as_released(verts, faces):
    """The backend's render of `verts` beside the released code's way of making it (a fresh
    ColoredRenderer, opendr's lights each working out the normals, the mask from a second, unshaded
    render): [ours, released] pairs of image and mask at SIZE, or nothing without opendr."""
    try:
        from opendr.camera import ProjectPoints
        from opendr.renderer import ColoredRenderer
    except ImportError:
        return {}
    from src.util import render_opendr

    def released_renderer(vertex_colors):
        renderer = ColoredRenderer()
        renderer.camera = ProjectPoints(f=CAMERA[0] * np.ones(2), rt=np.zeros(3), t=np.zeros(3), k=np.zeros(5),
                                        c=np.asarray(CAMERA[1:], np.float64))
        renderer.frustum = {'near': 1., 'far': 20., 'height': SIZE[0], 'width': SIZE[1]}
        renderer.set(v=verts, f=faces, vc=vertex_colors, bgcolor=np.ones(3))
        return renderer

    shaded = released_renderer(opendr_lighting(verts, faces))
    image, mask = render_opendr.render(verts, faces, SIZE[1], SIZE[0], CAMERA, 1., 20., ALBEDO)
    return {'ours_image': image, 'ours_mask': mask, 'released_image': np.array(shaded.r),
            'released_mask': released_renderer(np.zeros_like(verts)).r[:, :, 0] < .5}


def main(out):
    from src.util.render_lights import lambertian_colors
    from src.util.renderer import SMPLRenderer, backend_name
    verts, faces = posed_body()
    renderer = SMPLRenderer(faces=faces)
    turned = renderer.rotated(verts, 60, cam=CAMERA, img_size=SIZE)[:, :, 3] > 0
    front, front_mask = renderer.render_with_mask(verts, CAMERA, SIZE)
    # Two people in one mesh after one alone: the opendr backend keeps a topology per face array.
    pair = np.concatenate([verts - [.4, 0, 0], verts + [.4, 0, .5]]), np.concatenate([faces, faces + len(verts)])
    as_released = {'%s_%s' % (who, key): value for who, mesh in [('one', (verts, faces)), ('two', pair)]
                   for key, value in opendr_as_released(*mesh).items()}
    np.savez(out, backend=backend_name(), **as_released, front=renderer.silhouette(verts, CAMERA, SIZE), turned=turned,
             front_image=front, front_image_mask=front_mask, lighting=lambertian_colors(verts, faces, ALBEDO),
             opendr_lighting=opendr_lighting(verts, faces))


if __name__ == '__main__':
    main(sys.argv[1])
