"""HMR's weak-perspective camera as a pinhole camera: the one place that turns a crop's predicted
[s, tx, ty] into a focal length, a principal point and a translation of the mesh.

The released demo renders with a pinhole of focal length 500 px: a mesh seen by the crop camera at
scale s lies at depth 500 / (s * crop_size / 2); the crop's pixels are the original image's scaled by
proc_param['scale'], so in the original image the focal length is 500 / scale and the principal
point is the crop's centre mapped back. Cameras are [f, cx, cy] (x right, y down, z forward).
"""
import numpy as np

FLENGTH = 500.


def crop_translation(cam, crop_size):
    """Where the crop camera [s, tx, ty] puts the model's mesh in front of a pinhole of FLENGTH."""
    return np.hstack([cam[1:], FLENGTH / (.5 * crop_size * cam[0])])


def to_original(proc_param, verts, cam, joints):
    """The released `get_original`: (camera [f, cx, cy] of the original image, `verts` moved into
    its frame, the crop's 2D `joints` in original pixels)."""
    crop_size = proc_param['img_size']
    undo_scale = 1. / np.array(proc_param['scale'])
    start_pt = proc_param['start_pt'] - .5 * crop_size
    principal_pt = (np.array([crop_size, crop_size]) / 2. + start_pt) * undo_scale
    camera = np.hstack([np.mean(FLENGTH * undo_scale), principal_pt])
    joints_original = (joints + proc_param['start_pt'] - int(crop_size / 2)) * undo_scale
    return camera, verts + crop_translation(cam, crop_size), joints_original


def whole_frame_camera(size, img_size=224):
    """[f, cx, cy] of the released crop of a whole width x height frame (the person as large as it)."""
    width, height = size
    return np.array([FLENGTH * max(width, height) / float(img_size), width / 2., height / 2.])


def project(camera, points):
    """(..., 3) points in the frame of `camera` [f, cx, cy] -> (..., 2) pixels."""
    return camera[0] * points[..., :2] / points[..., 2:] + camera[1:]


def shift_into(camera, own_camera, verts):
    """The translation that moves `verts`, placed for `own_camera`, into `camera` so that the mesh's
    centre lands on the same pixel, at a depth scaled by the ratio of the focal lengths: several
    people, each placed by the released rule in a camera of their own, then share one camera."""
    centre = np.mean(verts, axis=0)
    pixel = own_camera[0] * centre[:2] / centre[2] + np.asarray(own_camera[1:])
    depth = centre[2] * camera[0] / own_camera[0]
    return np.hstack([(pixel - np.asarray(camera[1:])) * depth / camera[0], depth]) - centre


def centred_camera(focal, size):
    """[f, cx, cy] of a pinhole of focal length `focal` px with its principal point at the centre of a
    width x height image: the real camera the world outputs use."""
    width, height = size
    return np.array([float(focal), width / 2., height / 2.])


def focal_from_fov(fov_degrees, width):
    """Focal length in px of a camera whose horizontal field of view over `width` px is `fov_degrees`."""
    return .5 * width / np.tan(np.radians(fov_degrees) / 2.)


def field_of_view(camera, size):
    """(horizontal, vertical) field of view in radians of camera [f, cx, cy] over width x height."""
    return tuple(2. * np.arctan(.5 * side / camera[0]) for side in size)


def focal_from_35mm(focal_35mm, size):
    """Focal length in px from EXIF's FocalLengthIn35mmFilm: the 36 mm film width spans the longer side."""
    return focal_35mm / 36. * max(size)


def focal_from_sensor(focal_mm, pixels_per_mm, resized=1.):
    """Focal length in px from EXIF's FocalLength (mm) and the sensor's pixel density (from
    FocalPlaneXResolution), for the image resized by `resized` since the camera wrote it."""
    return focal_mm * pixels_per_mm * resized


def fit_translation(camera, points, pixels):
    """The translation t (3,) that puts `points` (N x 3, model frame) where camera [f, cx, cy] sees
    them at `pixels` (N x 2), in the least-squares sense of the pinhole's linear equations
    f (X + t_x) = (u - cx) (Z + t_z), f (Y + t_y) = (v - cy) (Z + t_z): a person whose weak-perspective
    projection the released demo drew, placed in a real camera so that its projection stays there."""
    points, offsets = np.asarray(points, np.float64), np.asarray(pixels, np.float64) - np.asarray(camera[1:])
    f = float(camera[0])
    rows, rhs = [], []
    for axis in range(2):
        block = np.zeros((len(points), 3))
        block[:, axis] = f
        block[:, 2] = -offsets[:, axis]
        rows.append(block)
        rhs.append(offsets[:, axis] * points[:, 2] - f * points[:, axis])
    return np.linalg.lstsq(np.vstack(rows), np.hstack(rhs), rcond=None)[0]
