"""Which focal length a photo or video was taken with: --focal PX, else --fov DEG (horizontal), else
the photo's EXIF, else None (the released camera is kept). The geometry is in src/camera.py."""
from PIL import Image

from .. import camera as cam
from ..errors import HMRError

EXIF_IFD = 0x8769
FOCAL_LENGTH = 0x920A
FOCAL_LENGTH_35MM = 0xA405
FOCAL_PLANE_X_RESOLUTION = 0xA20E
FOCAL_PLANE_RESOLUTION_UNIT = 0xA210
PIXEL_X_DIMENSION = 0xA002
PIXEL_Y_DIMENSION = 0xA003
# FocalPlaneResolutionUnit -> millimetres per unit (2: inch, 3: centimetre, 4: millimetre).
MM_PER_UNIT = {2: 25.4, 3: 10., 4: 1.}


def _number(value):
    """An EXIF rational or integer as a float (None for missing or zero-denominator values)."""
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if number > 0 else None


def exif_focal(path, size):
    """Focal length in px from the EXIF of the image at `path` (seen as width x height `size`), or
    None when it says nothing usable: FocalLengthIn35mmFilm first, else FocalLength with the sensor's
    pixel density (FocalPlaneXResolution and its unit)."""
    try:
        with Image.open(path) as image:
            exif = image.getexif()
            tags = dict(exif)
            tags.update(exif.get_ifd(EXIF_IFD))
    except (IOError, OSError, SyntaxError, ValueError):
        return None
    focal_35mm = _number(tags.get(FOCAL_LENGTH_35MM))
    if focal_35mm:
        return cam.focal_from_35mm(focal_35mm, size)
    focal_mm = _number(tags.get(FOCAL_LENGTH))
    density = _number(tags.get(FOCAL_PLANE_X_RESOLUTION))
    unit = MM_PER_UNIT.get(tags.get(FOCAL_PLANE_RESOLUTION_UNIT, 2))
    if focal_mm and density and unit:
        # The density is of the image the camera wrote; it may have been resized (or turned) since.
        written = [_number(tags.get(tag)) for tag in (PIXEL_X_DIMENSION, PIXEL_Y_DIMENSION)]
        written_long = max(written) if all(written) else max(size)
        return cam.focal_from_sensor(focal_mm, density / unit, max(size) / written_long)
    return None


def check_focal_flags(focal, fov):
    if focal is not None and fov is not None:
        raise HMRError('give --focal or --fov, not both')
    if focal is not None and not focal > 0:
        raise HMRError('--focal must be a positive number of pixels, got %g' % focal)
    if fov is not None and not 0 < fov < 180:
        raise HMRError('--fov must be a horizontal field of view in degrees between 0 and 180, got %g' % fov)


def choose_focal(focal, fov, path, size):
    """The focal length in px for an image of width x height `size` read from `path` (None: a video
    or no file), or None to keep the released camera."""
    check_focal_flags(focal, fov)
    if focal is not None:
        return float(focal)
    if fov is not None:
        return float(cam.focal_from_fov(fov, size[0]))
    return exif_focal(path, size) if path else None
