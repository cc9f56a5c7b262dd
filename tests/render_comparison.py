"""Render the synthetic body with this runtime's renderer and save what the two renderers must agree
on: `python -m tests.render_comparison OUT.npz` writes the silhouettes of a front and a turned view,
the front view's colours, and the released lighting per vertex two ways (this project's
`lambertian_colors`, and opendr's own lights where opendr is installed)."""
import sys

import numpy as np

from src.synthetic_model import synthetic_smpl

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


def main(out):
    from src.util.render_lights import lambertian_colors
    from src.util.renderer import SMPLRenderer, backend_name
    verts, faces = posed_body()
    renderer = SMPLRenderer(faces=faces)
    turned = renderer.rotated(verts, 60, cam=CAMERA, img_size=SIZE)[:, :, 3] > 0
    front, front_mask = renderer.render_with_mask(verts, CAMERA, SIZE)
    np.savez(out, backend=backend_name(), front=renderer.silhouette(verts, CAMERA, SIZE), turned=turned,
             front_image=front, front_image_mask=front_mask, lighting=lambertian_colors(verts, faces, ALBEDO),
             opendr_lighting=opendr_lighting(verts, faces))


if __name__ == '__main__':
    main(sys.argv[1])
