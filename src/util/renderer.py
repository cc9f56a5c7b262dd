"""Mesh and keypoint drawing with the released `SMPLRenderer` API, headless.

The rendering backend is chosen here and nowhere else: opendr (the released renderer) when it is
installed, as on the legacy runtime, otherwise pyrender (EGL). `HMR_RENDERER=opendr|pyrender`
forces one. Both draw the same silhouette for the same mesh and camera.

Cameras are [f, cx, cy] in pixels for a pinhole looking down +z with y down (opendr's convention).

A backend is one module `render_<name>.py` beside this one, named in BACKENDS (best first), with
three functions; adding a renderer means writing that file. Vertices are V x 3 float64 in the
camera frame, faces F x 3 integers, colours RGB in [0, 1], `near`/`far` the clipping depths.

- `render(verts, faces, width, height, camera, near, far, color, background=None)` -> (image, mask):
  the mesh shaded by the three lights of `render_lights.LIGHTS` as the released renderer shades it
  (per-vertex Lambertian, interpolated across faces), float64 H x W x 3 in [0, 1] over
  `background` (the same, or white when None), and the boolean H x W mask of the pixels it covers.
- `render_views(verts, faces, views, near, far, color)` -> [(image, mask), ...]: `render` on white for
  each view (width, height, camera, turn), turn a 3 x 3 rotation about the mesh's centre (row
  vectors) or None, in one call so a backend can share work across the views.
- `render_labels(verts, faces, face_labels, width, height, camera, near, far)` -> H x W uint8: the
  label (`face_labels`, one per face) of the face seen at each pixel, 0 where no face is; flat, no
  pixel mixing two labels.
"""
import importlib
import os

import cv2
import numpy as np

from ..camera import FLENGTH, to_original
from ..errors import HMRError
from ..joints import COCOPLUS19, LSP14
from ..tf_smpl.smpl_io import read_face_file

LIGHT_BLUE = (0.65098039, 0.74117647, 0.85882353)
LIGHT_PINK = (.9, .7, .7)
COLORS = [LIGHT_BLUE, LIGHT_PINK]
BACKENDS = ('opendr', 'pyrender')


def backend_name():
    forced = os.environ.get('HMR_RENDERER')
    if forced:
        if forced not in BACKENDS:
            raise HMRError('HMR_RENDERER=%s: choose one of %s' % (forced, ', '.join(BACKENDS)))
        return forced
    try:
        importlib.import_module('opendr')
        return 'opendr'
    except ImportError:
        return 'pyrender'


def _backend():
    name = backend_name()
    try:
        return importlib.import_module('.render_' + name, __package__)
    except ImportError as e:
        raise HMRError('the %s renderer cannot be loaded (%s); install the requirements of this runtime' % (name, e))


# Pixels kept around the mesh's projection when only that part of the picture is rendered.
WINDOW_MARGIN = 2


def _mesh_window(verts, cam, width, height):
    """(x0, y0, x1, y1): the part of a width x height picture the mesh can cover (empty when it lies
    outside), or the whole picture when a vertex is at or behind the camera and has no projection."""
    if np.min(verts[:, 2]) <= 1e-6:
        return 0, 0, width, height
    u = cam[0] * verts[:, 0] / verts[:, 2] + cam[1]
    v = cam[0] * verts[:, 1] / verts[:, 2] + cam[2]
    return (max(0, int(np.floor(u.min())) - WINDOW_MARGIN), max(0, int(np.floor(v.min())) - WINDOW_MARGIN),
            min(width, int(np.ceil(u.max())) + 1 + WINDOW_MARGIN), min(height, int(np.ceil(v.max())) + 1 + WINDOW_MARGIN))


# The share of the picture's width and height a re-framed view's mesh may span.
FRAMED_SPAN = 0.9


def framed_camera(verts, cam, width, height):
    """`cam` [f, cx, cy] when the mesh's projection lies inside the width x height picture; else the
    camera that sees it whole: the focal length shrunk until it spans at most FRAMED_SPAN of the
    picture, the principal point moved to centre it. Only the projection's scale and offset change
    (same rays), so the view keeps its perspective; a mesh reaching behind the camera keeps `cam`."""
    if np.min(verts[:, 2]) <= 1e-6:
        return cam
    x, y = verts[:, 0] / verts[:, 2], verts[:, 1] / verts[:, 2]
    u, v = cam[0] * x + cam[1], cam[0] * y + cam[2]
    if u.min() >= 0 and v.min() >= 0 and u.max() <= width - 1 and v.max() <= height - 1:
        return cam
    spans = [np.ptp(x) / (FRAMED_SPAN * (width - 1)), np.ptp(y) / (FRAMED_SPAN * (height - 1))]
    focal = min(cam[0], 1. / max(max(spans), 1e-12))
    return [focal, (width - 1) / 2. - focal * (x.min() + x.max()) / 2.,
            (height - 1) / 2. - focal * (y.min() + y.max()) / 2.]


def _render_in_window(render, verts, faces, width, height, camera, near, far, color, background):
    """A backend's `render` of the whole picture, made by rendering only the mesh's window (the same
    camera, its principal point moved by whole pixels) and pasting it: a person covers a fraction of
    a photo, and a software renderer's cost is in its pixels."""
    x0, y0, x1, y1 = _mesh_window(verts, camera, width, height)
    image = np.ones((height, width, 3)) if background is None else np.array(background, np.float64)
    mask = np.zeros((height, width), bool)
    if x1 > x0 and y1 > y0:
        part, part_mask = render(verts, faces, x1 - x0, y1 - y0, [camera[0], camera[1] - x0, camera[2] - y0],
                                 near, far, color, None if background is None else image[y0:y1, x0:x1])
        image[y0:y1, x0:x1] = part
        mask[y0:y1, x0:x1] = part_mask
    return image, mask


def _depth_range(verts):
    """Clipping planes that keep the whole mesh, as released."""
    return float(np.maximum(np.min(verts[:, 2]) - 25, .1)), float(np.maximum(np.max(verts[:, 2]) + 25, 25))


class SMPLRenderer(object):
    def __init__(self, img_size=224, flength=FLENGTH, face_path=None, faces=None):
        if faces is None and not face_path:
            raise HMRError('no mesh faces: the SMPL model has none and no --smpl_face_path file was given')
        self.faces = np.asarray(faces).astype(np.int64) if faces is not None else read_face_file(face_path)
        self.w = self.h = img_size
        self.flength = flength
        backend = _backend()
        self._render = backend.render
        self._render_views = backend.render_views
        self._render_labels = backend.render_labels

    def __call__(self, verts, cam=None, img=None, do_alpha=False, far=None, near=None, color_id=0,
                 img_size=None, faces=None):
        """Render `verts` (camera frame) with camera [f, cx, cy]; over `img` when given.

        Returns uint8 RGB, or RGBA with do_alpha (alpha marks the mesh when there is no image).
        `faces` replaces the SMPL faces (several people stacked by `stack_meshes`).
        """
        if img is not None:
            h, w = img.shape[:2]
        elif img_size is not None:
            h, w = img_size[:2]
        else:
            h, w = self.h, self.w
        if cam is None:
            cam = [self.flength, w / 2., h / 2.]
        verts = np.asarray(verts, np.float64)
        default_near, default_far = _depth_range(verts)
        near = default_near if near is None else near
        far = default_far if far is None else far
        background = None
        if img is not None:
            background = img[:, :, :3].astype(np.float64)
            background = background / 255. if background.max() > 1 else background
        color = COLORS[color_id % len(COLORS)] if color_id is not None else LIGHT_BLUE
        image, mask = _render_in_window(self._render, verts, self.faces if faces is None else faces, int(w), int(h),
                                        [float(c) for c in cam], float(near), float(far), color, background)
        image = (np.clip(image, 0, 1) * 255).astype(np.uint8)
        if do_alpha:
            alpha = mask if img is None else np.ones_like(mask)
            image = np.dstack([image, alpha.astype(np.uint8) * 255])
        return image

    def render_with_mask(self, verts, cam, img_size, faces=None):
        """One shaded pass on white: (uint8 RGB, boolean mask of the mesh's pixels). The released
        overlay is this image where the mask is set and the photo elsewhere, so one pass serves both."""
        return self.render_views(verts, cam, img_size, (0,), faces)[0]

    def render_views(self, verts, cam, img_size, turns=(0,), faces=None, axis='y', frame_turned=False):
        """`render_with_mask` of the mesh turned by each of `turns` degrees about its centre (as `rotated`),
        in one call to the backend: a list of (uint8 RGB, mask). With `frame_turned`, a turned view that
        would leave the picture is seen by a camera zoomed out and re-centred on it (`framed_camera`).

        Each view renders only the window its mesh projects into (the camera's principal point moved
        by whole pixels): a person covers a fraction of a photo, and a software renderer's cost is in
        its pixels."""
        verts = np.asarray(verts, np.float64)
        height, width = int(img_size[0]), int(img_size[1])
        cam = [float(c) for c in cam]
        rotations = [None if turn == 0 else turn_matrix(turn, axis) for turn in turns]
        cameras = [cam if r is None or not frame_turned else framed_camera(_turn(verts, r), cam, width, height)
                   for r in rotations]
        windows = [_mesh_window(verts if r is None else _turn(verts, r), c, width, height)
                   for r, c in zip(rotations, cameras)]
        views = [(x1 - x0, y1 - y0, [c[0], c[1] - x0, c[2] - y0], r)
                 for (x0, y0, x1, y1), r, c in zip(windows, rotations, cameras) if x1 > x0 and y1 > y0]
        near, far = _depth_range(verts)
        parts = iter(self._render_views(verts, self.faces if faces is None else faces, views, near, far,
                                        LIGHT_BLUE) if views else [])
        results = []
        for x0, y0, x1, y1 in windows:
            image, mask = np.full((height, width, 3), 255, np.uint8), np.zeros((height, width), bool)
            if x1 > x0 and y1 > y0:
                part, part_mask = next(parts)
                image[y0:y1, x0:x1] = (np.clip(part, 0, 1) * 255).astype(np.uint8)
                mask[y0:y1, x0:x1] = part_mask
            results.append((image, mask))
        return results

    def silhouette(self, verts, cam, img_size):
        """Boolean mask of the pixels the mesh covers."""
        verts = np.asarray(verts, np.float64)
        near, far = _depth_range(verts)
        _, mask = self._render(verts, self.faces, int(img_size[1]), int(img_size[0]), [float(c) for c in cam],
                               near, far, LIGHT_BLUE, None)
        return mask

    def labels(self, verts, cam, img_size, face_labels):
        """H x W uint8 map of the label of the face seen at each pixel (`face_labels`, one per face),
        0 where the mesh is not: flat and unlit, no pixel mixes two labels. Its foreground is the
        silhouette less the one-pixel contour `silhouette` adds (pyrender's multisampled edge,
        opendr's edge lines)."""
        verts = np.asarray(verts, np.float64)
        near, far = _depth_range(verts)
        return self._render_labels(verts, self.faces, np.asarray(face_labels, np.uint8), int(img_size[1]),
                                   int(img_size[0]), [float(c) for c in cam], near, far)

    def rotated(self, verts, deg, cam=None, axis='y', img=None, do_alpha=True, far=None, near=None,
                color_id=0, img_size=None, faces=None):
        """Render the mesh turned by `deg` degrees about its centre (axis 'x', 'y' or 'z')."""
        return self(turned(verts, deg, axis), cam, img=img, do_alpha=do_alpha, far=far, near=near,
                    color_id=color_id, img_size=img_size, faces=faces)


def turn_matrix(deg, axis='y'):
    """The rotation `turned` applies (row vectors: v -> v . R)."""
    rotvec = np.zeros(3)
    rotvec['xyz'.index(axis)] = np.radians(deg)
    return cv2.Rodrigues(rotvec)[0]


def _turn(verts, rotation):
    center = np.mean(verts, axis=0)
    return np.dot(verts - center, rotation) + center


def turned(verts, deg, axis='y'):
    """`verts` turned by `deg` degrees about their centre (axis 'x', 'y' or 'z'), as the figure's side views."""
    return _turn(verts, turn_matrix(deg, axis))


def stack_meshes(meshes, faces):
    """Several meshes sharing `faces` as one (vertices, faces): one pass draws them all, the nearer
    over the farther."""
    faces = np.asarray(faces)
    return (np.concatenate(meshes, axis=0),
            np.concatenate([faces + i * len(mesh) for i, mesh in enumerate(meshes)], axis=0))


def get_original(proc_param, verts, cam, joints, img_size):
    """The released API: a crop's prediction moved into the original image (`src.camera.to_original`).

    Returns the camera [f, cx, cy] that renders the mesh onto the original image, the vertices
    shifted into that camera's frame and the 2D joints in original pixels. `img_size` (the original
    image size) is unused, as released."""
    return to_original(proc_param, verts, cam, joints)


# Skeleton drawing: each joint's parent and the colours of the released figure (RGB).
_PARENT = {
    'right_ankle': 'right_knee', 'right_knee': 'right_hip', 'right_hip': 'right_shoulder',
    'left_hip': 'left_shoulder', 'left_knee': 'left_hip', 'left_ankle': 'left_knee',
    'right_wrist': 'right_elbow', 'right_elbow': 'right_shoulder', 'right_shoulder': 'neck',
    'left_shoulder': 'neck', 'left_elbow': 'left_shoulder', 'left_wrist': 'left_elbow',
    'neck': 'nose', 'nose': 'head_top', 'left_ear': 'left_eye', 'right_ear': 'right_eye',
}
_PARENT_LSP = dict(_PARENT, neck='head_top')
_PALETTE = {
    'pink': (197, 27, 125), 'light_pink': (233, 163, 201), 'light_green': (161, 215, 106),
    'green': (77, 146, 33), 'red': (215, 48, 39), 'purple': (118, 42, 131), 'light_blue': (145, 191, 219),
    'blue': (69, 117, 180), 'white': (255, 255, 255),
}
_JOINT_COLOR = ['light_pink'] * 3 + ['pink'] * 3 + ['light_blue'] * 3 + ['blue'] * 3 + \
    ['purple', 'purple', 'red', 'green', 'green', 'white', 'white']
_EDGE_COLOR = dict(enumerate(_JOINT_COLOR[:12]))
_EDGE_COLOR.update({12: 'purple', 14: 'purple', 17: 'light_green', 18: 'light_green'})


def draw_skeleton(input_image, joints, draw_edges=True, vis=None, radius=None):
    """Draw 19 COCO+ or 14 LSP joints (2 x K or K x 2 pixels) on a copy of the image."""
    joints = np.asarray(joints)
    if joints.shape[0] == 2 and joints.shape[1] != 2:
        joints = joints.T
    if len(joints) not in (len(COCOPLUS19), len(LSP14)):
        raise HMRError('draw_skeleton takes 19 (COCO+) or 14 (LSP) joints, got %d' % len(joints))
    names = COCOPLUS19 if len(joints) == len(COCOPLUS19) else LSP14
    parents = _PARENT if names is COCOPLUS19 else _PARENT_LSP
    image = input_image.copy()
    is_float = np.issubdtype(image.dtype, np.floating)
    max_val = image.max() if is_float else 255
    if is_float:
        image = (image * 255 if max_val <= 2. else image).astype(np.uint8)
    image = np.ascontiguousarray(image)
    if radius is None:
        radius = max(4, int(np.mean(image.shape[:2]) * .01))
    points = [tuple(int(v) for v in p) for p in np.round(joints).astype(int)]
    visible = [vis is None or vis[i] != 0 for i in range(len(names))]
    for child, name in enumerate(names):
        if not visible[child]:
            continue
        color = _PALETTE[_JOINT_COLOR[child]]
        if draw_edges:
            cv2.circle(image, points[child], radius, _PALETTE['white'], -1)
            cv2.circle(image, points[child], radius - 1, color, -1)
        else:
            cv2.circle(image, points[child], radius - 1, color, 1)
        parent = names.index(parents[name]) if name in parents else -1
        if draw_edges and parent >= 0 and visible[parent]:
            cv2.circle(image, points[parent], radius - 1, _PALETTE[_JOINT_COLOR[parent]], -1)
            cv2.line(image, points[child], points[parent], _PALETTE[_EDGE_COLOR.get(child, 'white')],
                     max(1, radius - 2))
    if is_float:
        image = image.astype(np.float32) / 255. if max_val <= 1. else image.astype(np.float32)
    return image


def draw_text(input_image, content):
    """Write `key: value` lines (values as %.2g) in the top-left corner of a copy of the image."""
    image = input_image.copy()
    is_float = np.issubdtype(image.dtype, np.floating)
    if is_float:
        image = (image * 255).astype(np.uint8)
    image = np.ascontiguousarray(image)
    y = 15
    for key in sorted(content):
        cv2.putText(image, '%s: %.2g' % (key, content[key]), (5, y), 0, .45, (0, 0, 0))
        y += 15
    return image.astype(np.float32) / 255. if is_float else image
