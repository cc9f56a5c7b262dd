"""Reading any image a user has as RGB uint8, and writing the demo's outputs (OBJ, JSON, NPZ, PNG).

Images are read with Pillow: EXIF orientation applied, grayscale/palette/CMYK/16-bit converted, an
alpha channel dropped (as the released demo did).
"""
import contextlib
import json
import os

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


@contextlib.contextmanager
def atomic_file(path, mode='w'):
    """An open file that becomes `path` only when the block ends without an error: it is written
    under a temporary name in the same folder and renamed over `path`, or removed."""
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):
        os.makedirs(folder)
    temporary = path + '.tmp'
    try:
        with open(temporary, mode) as f:
            yield f
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _obj_lines(prefix, rows, fmt):
    rows = np.asarray(rows)
    return ((prefix + fmt + '\n') * len(rows)) % tuple(rows.ravel())


def write_obj(path, meshes, faces, header):
    """Wavefront OBJ of one or several meshes (`meshes`: V x 3 or a list of them, all with `faces`),
    one object `person<i>` each, 1-based faces; `header` lines become comments. Written atomically."""
    if np.ndim(meshes) == 2:
        meshes = [meshes]
    faces = np.asarray(faces)
    parts = ['# %s\n' % line for line in header]
    for i, verts in enumerate(meshes):
        if len(meshes) > 1:
            parts.append('o person%d\n' % i)
        parts.append(_obj_lines('v ', verts, ' '.join(['%.6f'] * 3)))
        parts.append(_obj_lines('f ', faces + 1 + i * len(verts), ' '.join(['%d'] * 3)))
    write_text(path, ''.join(parts))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def write_text(path, text):
    """Write `text` to `path` whole or not at all."""
    with atomic_file(path) as f:
        f.write(text)


def write_json(path, data, indent=1):
    """`data` (NumPy arrays and scalars included) as sorted JSON, written atomically."""
    write_text(path, json.dumps(_jsonable(data), indent=indent, sort_keys=True))


def write_png(path, image, compress_level=6):
    """An RGB(A) uint8 image as PNG, written atomically."""
    with atomic_file(path, 'wb') as f:
        Image.fromarray(np.asarray(image, dtype=np.uint8)).save(f, format='PNG', compress_level=compress_level)


def write_npz(path, arrays):
    """NumPy arrays (no objects: readers load them with allow_pickle=False), written atomically."""
    with atomic_file(path, 'wb') as f:
        np.savez(f, **arrays)
