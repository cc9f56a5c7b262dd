"""The demo's work, one image at a time: crop as released, predict, write figure, mesh and parameters.

`demo.py` is only the command line around `DemoPipeline`.
"""
import glob
import os

import numpy as np

from .config import NUM_CAM, NUM_POSE
from .errors import HMRError
from .joints import COCOPLUS19
from .util import demo_io
from .util import image as img_util
from .util import openpose as op_util
from .util import renderer as vis_util

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp', '.gif')
# Panels are drawn on a copy no larger than this (rendering a 6000 px photo six times is slow and
# shows nothing more); the mesh and parameters stay in original pixels.
MAX_FIGURE_SIDE = 1024


def list_images(img_path):
    """A file, a folder (its images, sorted) or a glob pattern -> list of paths."""
    if os.path.isdir(img_path):
        paths = [os.path.join(img_path, n) for n in sorted(os.listdir(img_path))
                 if n.lower().endswith(IMAGE_EXTENSIONS)]
    elif any(c in img_path for c in '*?['):
        paths = sorted(glob.glob(img_path))
    else:
        paths = [img_path]
    if not paths:
        raise HMRError('%s: no images found' % img_path)
    return paths


def parse_bbox(text):
    """'x,y,w,h' -> four floats with positive width and height."""
    try:
        x, y, w, h = [float(v) for v in text.split(',')]
    except ValueError:
        raise HMRError('--bbox must be x,y,w,h in pixels, got %r' % text)
    if w <= 0 or h <= 0:
        raise HMRError('--bbox width and height must be positive, got %r' % text)
    return x, y, w, h


def crop_parameters(img, img_size, json_path=None, bbox=None):
    """Scale and [x, y] centre of the person, as the released demo chooses them.

    Without a hint the person is assumed centred and as large as the image; OpenPose output or a box
    scales the person to ~150 px (from the diagonal of the keypoints' or the box's extent).
    """
    if json_path is not None:
        return op_util.get_bbox(json_path)
    if bbox is not None:
        x, y, w, h = bbox
        height, width = img.shape[:2]
        if x >= width or y >= height or x + w <= 0 or y + h <= 0:
            raise HMRError('--bbox %g,%g,%g,%g lies outside the %dx%d image' % (x, y, w, h, width, height))
        return op_util.PERSON_HEIGHT_PX / np.hypot(w, h), np.array([x + w / 2., y + h / 2.])
    scale = float(img_size) / np.max(img.shape[:2]) if np.max(img.shape[:2]) != img_size else 1.
    center = np.round(np.array(img.shape[:2]) / 2).astype(int)[::-1]
    return scale, center


def preprocess(img, img_size, json_path=None, bbox=None):
    """Crop in [-1, 1] and proc_param, exactly as the released demo."""
    scale, center = crop_parameters(img, img_size, json_path, bbox)
    crop, proc_param = img_util.scale_and_crop(img, scale, center, img_size)
    return 2 * ((crop / 255.) - 0.5), proc_param


def six_panel_figure(path, img, cam_for_render, vert_shifted, joints_orig, renderer):
    """The released demo's figure: input, joints, overlay, mesh, two turned views; saved as PNG.

    Takes get_original's outputs (camera, mesh and joints in the original image)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    shrink = min(1., MAX_FIGURE_SIDE / float(max(img.shape[:2])))
    if shrink < 1:
        import cv2
        img = cv2.resize(img, (int(img.shape[1] * shrink), int(img.shape[0] * shrink)), interpolation=cv2.INTER_AREA)
        cam_for_render, joints_orig = cam_for_render * shrink, joints_orig * shrink
    size = img.shape[:2]
    panels = [
        ('input', img),
        ('joint projection', vis_util.draw_skeleton(img, joints_orig)),
        ('3D Mesh overlay', renderer(vert_shifted, cam=cam_for_render, img=img, do_alpha=True)),
        ('3D mesh', renderer(vert_shifted, cam=cam_for_render, img_size=size)),
        ('diff vp', renderer.rotated(vert_shifted, 60, cam=cam_for_render, img_size=size)),
        ('diff vp', renderer.rotated(vert_shifted, -60, cam=cam_for_render, img_size=size)),
    ]
    figure = plt.figure(figsize=(12, 8))
    for i, (title, panel) in enumerate(panels):
        axis = figure.add_subplot(2, 3, i + 1)
        axis.imshow(panel)
        axis.set_title(title)
        axis.axis('off')
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


class DemoPipeline(object):
    """Loads the model once; `run(image_path, out_dir)` writes one image's results."""

    def __init__(self, config, sess=None):
        from .compat import tf
        from .RunModel import RunModel
        self.config = config
        self.model = RunModel(config, sess=sess if sess is not None else tf.Session())
        faces = self.model.smpl.faces
        self.renderer = vis_util.SMPLRenderer(img_size=config.img_size, face_path=config.smpl_face_path,
                                              faces=faces if not os.path.exists(config.smpl_face_path) else None)

    def run(self, image_path, out_dir, json_path=None, bbox=None):
        """Returns the dict of outputs written for `image_path` (also as JSON) under out_dir."""
        img = demo_io.read_image(image_path)
        crop, proc_param = preprocess(img, self.config.img_size, json_path, bbox)
        joints, verts, cams, joints3d, theta = self.model.predict(crop[None].astype(np.float32), get_theta=True)
        joints, verts, cam, joints3d, theta = joints[0], verts[0], cams[0], joints3d[0], theta[0]
        cam_for_render, vert_shifted, joints_orig = vis_util.get_original(proc_param, verts, cam, joints,
                                                                          img.shape[:2])
        stem = os.path.join(out_dir, os.path.splitext(os.path.basename(image_path))[0])
        six_panel_figure(stem + '.png', img, cam_for_render, vert_shifted, joints_orig, self.renderer)
        demo_io.write_obj(stem + '.obj', vert_shifted, self.renderer.faces, [
            'HMR mesh of %s' % os.path.basename(image_path),
            'camera frame of the original image: x right, y down, z away from the camera;',
            'pixel = f * (x / z, y / z) + (cx, cy) with [f, cx, cy] = %s' % np.round(cam_for_render, 4).tolist()])
        result = {
            'image': os.path.abspath(image_path),
            'image_size': [img.shape[1], img.shape[0]],
            'proc_param': {k: (np.asarray(v).tolist()) for k, v in proc_param.items()},
            'theta': theta,
            'cam': cam,
            'pose': theta[NUM_CAM:NUM_CAM + NUM_POSE],
            'shape': theta[NUM_CAM + NUM_POSE:],
            'joint_names': COCOPLUS19 if len(joints) == len(COCOPLUS19) else COCOPLUS19[:len(joints)],
            'joints2d_crop': joints,
            'joints2d_original': joints_orig,
            'joints3d': joints3d,
            'camera_original': cam_for_render,
            # verts + translation = the OBJ's vertices (camera frame of the original image)
            'translation': vert_shifted[0] - verts[0],
        }
        demo_io.write_json(stem + '.json', result)
        np.savez(stem + '.npz', verts=vert_shifted, faces=self.renderer.faces, **{
            k: np.asarray(v) for k, v in result.items() if k not in ('image', 'proc_param', 'joint_names')})
        return result
