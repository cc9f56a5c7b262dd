"""Render the synthetic body's silhouette with this runtime's renderer and save it:
`python -m tests.render_silhouette OUT.npz`. Used to compare the two renderers."""
import sys

import numpy as np

from src.synthetic_model import synthetic_smpl

# An upright body (y down in the camera frame) 6 units away, seen by a 448 px camera.
CAMERA = [1000., 224., 224.]
SIZE = (448, 448)


def posed_body():
    model = synthetic_smpl()
    return model['v_template'] * [1, -1, -1] + [0, .1, 6.], model['f']


def main(out):
    from src.util.renderer import SMPLRenderer, backend_name
    verts, faces = posed_body()
    renderer = SMPLRenderer(faces=faces)
    turned = renderer.rotated(verts, 60, cam=CAMERA, img_size=SIZE)[:, :, 3] > 0
    np.savez(out, backend=backend_name(), front=renderer.silhouette(verts, CAMERA, SIZE), turned=turned)


if __name__ == '__main__':
    main(sys.argv[1])
