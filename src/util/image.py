"""Images in: any image a user has read as RGB uint8, and the released demo's preprocessing (scale the
person to ~150 px, then crop around a centre).

Images are read with Pillow: EXIF orientation applied, grayscale/palette/CMYK/16-bit converted, an
alpha channel dropped (as the released demo did).
"""
import os

import cv2
import numpy as np
from PIL import Image, ImageOps

from ..errors import HMRError

MIN_SIDE = 8
MAX_PIXELS = 20000 * 20000


def _to_8bit(image):
    """16-bit and float single-channel images -> 8-bit grayscale, scaled by their full range."""
    array = np.asarray(image)
    if image.mode.startswith('I;16') or array.dtype == np.uint16:
        return Image.fromarray((array.astype(np.float64) / 257.).round().astype(np.uint8))
    if image.mode in ('I', 'F'):
        top = 65535. if array.max() > 255 else 255.
        return Image.fromarray((np.clip(array, 0, top) * 255. / top).round().astype(np.uint8))
    return image


def read_image(path):
    """H x W x 3 uint8 RGB, upright as a viewer shows it. Raises HMRError for what is not an image."""
    if not os.path.isfile(path):
        raise HMRError('%s: no such image file' % path)
    previous_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as image:
            # Pillow itself refuses only from twice its limit, and warns in between: check the size
            # before decoding.
            if image.size[0] * image.size[1] > MAX_PIXELS:
                raise HMRError('%s: image of %dx%d pixels is larger than %d; downscale it first'
                               % ((path,) + tuple(image.size) + (MAX_PIXELS,)))
            image.load()
            image = ImageOps.exif_transpose(image)
            image = _to_8bit(image)
            if image.mode != 'RGB':
                image = image.convert('RGB')
            array = np.asarray(image, dtype=np.uint8).copy()
    except Image.DecompressionBombError:
        raise HMRError('%s: image larger than %d pixels; downscale it first' % (path, MAX_PIXELS))
    except (IOError, OSError, SyntaxError, ValueError) as e:
        raise HMRError('%s: not a readable image (%s)' % (path, str(e).splitlines()[0] if str(e) else type(e).__name__))
    finally:
        Image.MAX_IMAGE_PIXELS = previous_limit
    if min(array.shape[:2]) < MIN_SIDE:
        raise HMRError('%s: image is %dx%d; HMR needs at least %d pixels a side'
                       % (path, array.shape[1], array.shape[0], MIN_SIDE))
    return array


# The released demo scales the person (the diagonal of their box or keypoints) to this many pixels.
PERSON_HEIGHT_PX = 150.
# A person smaller than this across cannot fill the crop with more than a few blown-up pixels.
MIN_PERSON_PX = 8.


def scale_for_extent(extent_px, what):
    """The released rule: the scale that makes a person `extent_px` across 150 px.

    A person smaller than MIN_PERSON_PX, or not a finite size, is refused: it would blow a few pixels
    up into the whole crop (and an unbounded scale would scale the image to an unbounded size)."""
    if not np.isfinite(extent_px) or extent_px < MIN_PERSON_PX:
        raise HMRError('%s is %.3g px across; HMR needs a person at least %g px across' % (what, extent_px,
                                                                                         MIN_PERSON_PX))
    return PERSON_HEIGHT_PX / extent_px


def box_scale_and_center(box, what='person box'):
    """Scale and [x, y] centre of a person box [x, y, w, h], by the released --bbox rule."""
    x, y, w, h = [float(v) for v in box]
    if not all(np.isfinite([x, y, w, h])) or w <= 0 or h <= 0:
        raise HMRError('%s %g,%g,%g,%g is not a box of finite, positive size' % (what, x, y, w, h))
    return scale_for_extent(np.hypot(w, h), '%s %g,%g,%g,%g' % (what, x, y, w, h)), np.array([x + w / 2., y + h / 2.])


def resize_img(img, scale_factor):
    """Resize by `scale_factor` (sizes floored, bilinear); also return the exact [y, x] factors used."""
    new_size = np.floor(np.array(img.shape[0:2]) * scale_factor).astype(int)
    new_img = cv2.resize(img, (int(new_size[1]), int(new_size[0])))
    actual_factor = [new_size[0] / float(img.shape[0]), new_size[1] / float(img.shape[1])]
    return new_img, actual_factor


def scale_and_crop(image, scale, center, img_size):
    """Scale `image` (H x W x 3) by `scale`, then cut an img_size square around `center` ([x, y] pixels
    of the unscaled image), padding with edge pixels where the square leaves the image.

    Returns the crop and proc_param {'scale', 'start_pt', 'end_pt', 'img_size'}, which map results
    back to the original image (see renderer.get_original).
    """
    image_scaled, scale_factors = resize_img(image, scale)
    scale_factors = [scale_factors[1], scale_factors[0]]  # [x, y]
    center_scaled = np.round(np.asarray(center) * scale_factors).astype(int)

    margin = int(img_size / 2)
    image_pad = np.pad(image_scaled, ((margin, ), (margin, ), (0, )), mode='edge')
    center_pad = center_scaled + margin
    start_pt = center_pad - margin
    end_pt = center_pad + margin
    crop = image_pad[start_pt[1]:end_pt[1], start_pt[0]:end_pt[0], :]
    proc_param = {'scale': scale, 'start_pt': start_pt, 'end_pt': end_pt, 'img_size': img_size}
    return crop, proc_param


# Above this many pixels the scaled whole image is not made: the crop samples the original directly.
MAX_SCALED_PIXELS = 2 ** 25


def _sample_window(image, scale, start_pt, img_size):
    """The crop `scale_and_crop` makes, sampled straight from the original: the bilinear source
    positions of cv2.resize at the same factors, and the same edge padding, without the scaled image."""
    new_size = np.floor(np.array(image.shape[0:2]) * scale).astype(int)
    factors = new_size / np.array(image.shape[0:2], np.float64)
    margin = int(img_size / 2)
    taps = []
    for axis in (0, 1):  # y, x: two source rows/columns and their weights per crop row/column
        scaled = np.clip(start_pt[1 - axis] - margin + np.arange(img_size), 0, new_size[axis] - 1)
        source = np.clip((scaled + .5) / factors[axis] - .5, 0, image.shape[axis] - 1)
        low = np.floor(source).astype(int)
        taps.append((low, np.minimum(low + 1, image.shape[axis] - 1), source - low))
    (y0, y1, wy), (x0, x1, wx) = taps
    wy, wx = wy[:, None, None], wx[None, :, None]
    pixels = image.astype(np.float64)
    top = pixels[y0][:, x0] * (1 - wx) + pixels[y0][:, x1] * wx
    bottom = pixels[y1][:, x0] * (1 - wx) + pixels[y1][:, x1] * wx
    return np.round(top * (1 - wy) + bottom * wy).astype(image.dtype)


def crop_for_model(image, scale, center, img_size):
    """The released demo's crop of `image` (uint8) in [-1, 1], and its proc_param.

    When the scaled image would be huge (a small person in a large photo), or the crop would reach
    beyond the released padding (a person centred outside the image, which the released slicing cuts
    short), the same crop is sampled from the original instead; it equals `scale_and_crop` to within
    one level of rounding.
    """
    new_size = np.floor(np.array(image.shape[0:2]) * scale).astype(int)
    scale_factors = new_size[::-1] / np.array(image.shape[1::-1], np.float64)
    start_pt = np.round(np.asarray(center) * scale_factors).astype(int)
    inside = np.all(start_pt >= 0) and np.all(start_pt <= new_size[::-1])
    if inside and np.prod(new_size.astype(np.float64)) <= MAX_SCALED_PIXELS:
        crop, proc_param = scale_and_crop(image, scale, center, img_size)
    else:
        margin = int(img_size / 2)
        proc_param = {'scale': scale, 'start_pt': start_pt, 'end_pt': start_pt + 2 * margin, 'img_size': img_size}
        crop = _sample_window(image, scale, start_pt, img_size)
    return 2 * ((crop / 255.) - 0.5), proc_param
