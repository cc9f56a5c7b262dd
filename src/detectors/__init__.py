"""Person detectors: the one place that chooses one.

Every detector is a module here with NAME, available() and a class whose detect(image) takes an
H x W x 3 uint8 RGB image and returns Detections, suppressed and biggest first. Construct one per run
(it loads its model) and call it per frame; for the frames of a video, make_follower(detector) gives one
that follows people between full detections where the detector can.
"""
import collections
import importlib

from ..errors import HMRError
from .follow import make_follower  # noqa: F401 (part of this package's interface)

Detection = collections.namedtuple('Detection', ['bbox', 'score', 'keypoints', 'alignment'])
Detection.__new__.__defaults__ = (None,)
Detection.__doc__ = """One person.
bbox: float64 (4,) [x, y, w, h] in original pixels, the whole visible person.
score: float, the detector's confidence (higher = surer; for a person followed from the previous frame
  of a video, the landmark model's confidence that a person is there).
keypoints: float64 (18, 3) OpenPose COCO-18 (x, y, confidence in [0, 1]) in original pixels, or None.
alignment: float64 (2, 2) the centre of the person's body circle and a point on it, in original pixels,
  from which a detector that can follow people (one with follow(image, detection)) finds them in the
  next frame of a video; None from the others."""

# Best first, by recall and precision on the photo set (src/samples/photo_set.py, bench/bench_detectors.py).
_MODULES = collections.OrderedDict([
    ('mediapipe', ('mediapipe_pose', 'MediaPipePose')),
    ('hog', ('hog', 'HogPeople')),
])
NAMES = tuple(_MODULES)


def _module(name):
    return importlib.import_module('.' + _MODULES[name][0], __name__)


def available():
    """The names whose packages this runtime has, best first."""
    return [name for name in NAMES if _module(name).available()]


def make_detector(name):
    """A ready detector: `name` from NAMES, or 'auto' for the best this runtime has."""
    if name == 'auto':
        names = available()
        if not names:
            raise HMRError('no person detector is installed in this runtime (the project ships %s)' % ', '.join(NAMES))
        name = names[0]
    if name not in _MODULES:
        raise HMRError('unknown detector %r: choose auto or one of %s' % (name, ', '.join(NAMES)))
    module = _module(name)
    if not module.available():
        raise HMRError('the %s detector is not installed in this runtime; this runtime has: %s'
                       % (name, ', '.join(available()) or 'none'))
    return getattr(module, _MODULES[name][1])()
