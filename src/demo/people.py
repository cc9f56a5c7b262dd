"""Who to reconstruct in an image: the people of an OpenPose file, given boxes, a detector's people, or
the whole image, each with the scale and centre the released demo would crop it with.

The released rules: keypoints (OpenPose's, or a detector's) scale the diagonal of the visible
keypoints' extent to 150 px; a box scales its diagonal to 150 px; without a hint the image is one
tight crop. A person too small to crop, or given with non-finite numbers, is a one-line HMRError.
"""
import collections

import numpy as np

from ..errors import HMRError
from ..util import openpose as op_util
from ..util.image import box_scale_and_center

Person = collections.namedtuple('Person', ['bbox', 'source', 'score', 'scale', 'center', 'keypoints'])
Person.__new__.__defaults__ = (None,)  # keypoints: K x 3 (x, y, confidence) when the source gives them
SOURCES = ('detector', 'openpose', 'bbox', 'image')


def parse_boxes(text):
    """'x,y,w,h' or 'x,y,w,h;x,y,w,h;...' -> list of (x, y, w, h) with finite, positive sizes."""
    boxes = []
    for part in text.split(';'):
        try:
            box = tuple(float(v) for v in part.split(','))
        except ValueError:
            box = ()
        if len(box) != 4:
            raise HMRError('--bbox must be x,y,w,h in pixels (several separated by ";"), got %r' % text)
        if not all(np.isfinite(box)):
            raise HMRError('--bbox numbers must be finite, got %r' % part)
        if box[2] <= 0 or box[3] <= 0:
            raise HMRError('--bbox width and height must be positive, got %r' % part)
        boxes.append(box)
    return boxes


def from_box(box, image_shape=None, source='bbox', score=1.):
    """A person given by a box [x, y, w, h] in pixels (of an image of `image_shape`, if given)."""
    scale, center = box_scale_and_center(box)
    x, y, w, h = [float(v) for v in box]
    if image_shape is not None:
        height, width = image_shape[:2]
        if x >= width or y >= height or x + w <= 0 or y + h <= 0:
            raise HMRError('person box %g,%g,%g,%g lies outside the %dx%d image' % (x, y, w, h, width, height))
    return Person(np.array([x, y, w, h]), source, float(score), scale, center)


def from_keypoints(keypoints, source, what, score=None):
    """A person from K x 3 (x, y, confidence) keypoints, scaled and centred as released; None when
    no keypoint is confident enough."""
    keypoints = np.asarray(keypoints, np.float64)
    box = op_util.keypoint_box(keypoints, what)
    if box is None:
        return None
    scale, center, bbox = box
    score = op_util.confidence(keypoints) if score is None else score
    return Person(bbox, source, float(score), scale, center, keypoints)


def from_openpose(json_path):
    """Every person of an OpenPose file with a confident keypoint, the most confident first (the one
    the released demo used)."""
    people = []
    for i, keypoints in enumerate(op_util.read_json(json_path)):
        person = from_keypoints(keypoints, 'openpose', '%s: person %d' % (json_path, i))
        if person is not None:
            people.append(person)
    if not people:
        raise HMRError('%s: no person has a keypoint with confidence above %g' % (json_path, op_util.VIS_THRESHOLD))
    return sorted(people, key=lambda p: -p.score)


def from_detections(detections, name):
    """People from a detector, in its order: cropped by their keypoints when it gives them, else by
    their box; `bbox` is the detector's box either way."""
    people = []
    for detection in detections:
        try:
            person = None
            if detection.keypoints is not None:
                person = from_keypoints(detection.keypoints, 'detector', '%s: a detected person' % name,
                                        detection.score)
            if person is None:
                person = from_box(detection.bbox, None, 'detector', detection.score)
        except HMRError:
            continue  # too small to crop: a person of a few pixels is no person HMR can reconstruct
        people.append(person._replace(bbox=np.asarray(detection.bbox, np.float64)))
    return people


def whole_image(image_shape, img_size):
    """The released default: the image is a tight crop around one person."""
    height, width = image_shape[:2]
    scale = float(img_size) / max(height, width) if max(height, width) != img_size else 1.
    center = np.round(np.array([height, width]) / 2).astype(int)[::-1]
    return Person(np.array([0., 0., width, height]), 'image', 1., scale, center)


class PeopleFinder(object):
    """Chooses the people of each image: an OpenPose file or boxes if given, else the detector, else
    the whole image. At most `max_people`, in the order above (biggest first for a detector)."""

    def __init__(self, img_size, max_people, json_path=None, boxes=None, detector=None):
        self.img_size = img_size
        self.max_people = max_people
        self.json_path = json_path
        self.boxes = boxes
        self.detector = detector

    def __call__(self, image, name):
        if self.json_path:
            people = from_openpose(self.json_path)
        elif self.boxes:
            people = [from_box(box, image.shape) for box in self.boxes]
        elif self.detector is not None:
            people = from_detections(self.detector.detect(image), name)
            if not people:
                raise HMRError('%s: the %s detector found no person (give --bbox, --json_path, or '
                               '--detector none to use the whole image)' % (name, self.detector.name))
        else:
            people = [whole_image(image.shape, self.img_size)]
        return people[:self.max_people]
