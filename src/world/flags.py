"""The demo's flags for the footage's world, defined at import (demo.py imports this module), and
the options they make."""
import collections

from absl import flags

flags.DEFINE_float('focal', None, 'Focal length of the footage in pixels (default: --fov, the photo\'s EXIF, '
                   'else the released camera)')
flags.DEFINE_float('fov', None, 'Horizontal field of view of the footage in degrees (instead of --focal)')
flags.DEFINE_boolean('world', False, 'Video: find the floor and write the motion in a gravity-aligned frame '
                     '(Y up, metres, floor at y = 0) with planted feet')
flags.DEFINE_boolean('foot_lock', True, 'With --world: keep each foot where it landed while in contact '
                     '(--nofoot_lock or --no_foot_lock: off)')
flags.DEFINE_boolean('flags', False, 'Draw doubtful people (bad reprojection, cut by the border, unsure '
                     'detection) on the overlay video and the figure')

WorldOptions = collections.namedtuple('WorldOptions', ['focal', 'fov', 'world', 'foot_lock', 'flags'])
WorldOptions.__new__.__defaults__ = (None, None, False, True, False)
# Spellings the command line takes besides absl's own.
ALIASES = {'--no_foot_lock': '--nofoot_lock'}


def options(config):
    """The WorldOptions of parsed flags (absent flags, e.g. in tests' configs, take the defaults)."""
    from .focal import check_focal_flags
    values = WorldOptions(*(getattr(config, name, default) for name, default in
                            zip(WorldOptions._fields, WorldOptions.__new__.__defaults__)))
    check_focal_flags(values.focal, values.fov)
    return values


def camera_for(options):
    """image path, H x W image -> the real camera [f, cx, cy] to place its people in, or None for the
    released camera."""
    from ..camera import centred_camera
    from .focal import choose_focal

    def choose(path, image):
        size = (image.shape[1], image.shape[0])
        focal = choose_focal(options.focal, options.fov, path, size)
        return None if focal is None else centred_camera(focal, size)
    return choose
