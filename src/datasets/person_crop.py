"""The released person normalisation of the converters: rescale the image so the person has the
training size, cut a window around them; and the 3D sets' check that enough of a person is inside
the image."""
import numpy as np

from ..util.image import resize_img


def person_scale(height, target=150.):
    """Scale that makes a person `height` pixels tall `target` pixels tall (None without a height)."""
    if not np.isfinite(height) or height <= 0:
        return None
    return target / float(height)


def rescale_and_crop(image, joints_xy, scale, margin, visible=None, center=None, center_unscaled=None):
    """Resize `image` by `scale` (sizes floored, see src.util.image.resize_img), then cut a
    (2 * margin)-pixel window around the person without padding (the window stops at the image border).

    joints_xy is 2 x K pixel coordinates in `image`; `center` ([x, y] in the *scaled* image) defaults
    to the middle of the box of the `visible` joints (all joints when visible is None); a
    `center_unscaled` ([x, y] in `image`) is scaled and rounded to whole pixels instead (3D sets).
    Returns the crop, the joints and the centre in crop coordinates, start_pt (int [x, y] of the
    window in the scaled image) and the actual scale factors [y, x] of the resize (as released,
    height first).
    """
    image_scaled, factors_yx = resize_img(image, scale)
    height, width = image_scaled.shape[:2]
    joints = np.array(joints_xy, dtype=np.float64)
    joints[0] *= factors_yx[1]
    joints[1] *= factors_yx[0]
    if center_unscaled is not None:
        center = np.round(np.asarray(center_unscaled, np.float64) * [factors_yx[1], factors_yx[0]]).astype(int)
    elif center is None:
        seen = joints if visible is None else joints[:, np.asarray(visible, bool)]
        center = (seen.min(axis=1) + seen.max(axis=1)) / 2.
    center = np.asarray(center)
    start_pt = np.maximum(center - margin, 0).astype(int)
    end_pt = (center + margin).astype(int)
    end_pt = np.minimum(end_pt, [width, height])
    crop = image_scaled[start_pt[1]:end_pt[1], start_pt[0]:end_pt[0], :]
    joints -= start_pt[:, None]
    return crop, joints, center - start_pt, start_pt, factors_yx


def enough_in_image(gt2d, height, width, min_points=8):
    """The released 3D-set check: at least `min_points` joints (rows of gt2d, x y) inside the image."""
    gt2d = np.asarray(gt2d)
    inside = (gt2d[:, 0] >= 0) & (gt2d[:, 0] < width) & (gt2d[:, 1] >= 0) & (gt2d[:, 1] < height)
    return int(inside.sum()) >= min_points
