"""Who to crop in each live frame, mostly without the person detector: as in MediaPipe's pose tracking,
the detector runs only when nobody is followed and now and then to find newcomers; in between, each
person's crop for the next frame is taken from the model's own 2D joints in this frame (the released
crop rule applied to them as to a detector's keypoints). Causal: a frame's crops come from that frame's
detections or from the frames before it.

The model's joints cannot say that their person has gone (it draws a body in any crop), so every
CONFIRM_EVERY frames a detector that can follow people (MediaPipe: its landmark model alone, one run
a person) checks each followed person and re-anchors them on its own landmarks. A person whose joints
leave the picture is dropped at once. The full detector runs when nobody is followed and when a check
loses someone; every REDETECT_EVERY frames it looks for newcomers (MediaPipe's: in the whole picture
only, without its tiles for small people, one detector run instead of ~18). A fresh detection replaces
the followed person it is, and a followed person it missed stays if the landmark model has just seen them
(src/detectors/follow.py's rules); a detector without a landmark model (HOG) decides alone then.

With --live_follow detector the old way is kept: the detector's own following (the landmark model)
on every frame, the full detector every src.detectors.follow.REDETECT_EVERY frames.
"""
import numpy as np

from ..demo.people import from_detections
from ..detectors import Detection, make_follower
from ..detectors.boxes import area
from ..detectors.follow import distinct
from ..errors import HMRError
from ..joints import COCOPLUS19, OPENPOSE_COCO18, reorder

# Processed frames from one full detection to the next while someone is followed: newcomers wait at most
# this long (about 2 s at 12 frames/s). That search (MediaPipe's detector on the whole picture, then the
# landmark model a person found) costs about one model run a person, spread over these frames.
REDETECT_EVERY = 24
# Processed frames between the landmark model's checks of each followed person: what a ghost (a person
# gone while their crop stays) lasts at most, and how far the model's joints may drift from the person.
CONFIRM_EVERY = 4
# A followed person with fewer of the model's 18 keypoints inside the picture has left it.
MIN_JOINTS_INSIDE = 6
# The body circle the landmark model is shown (MediaPipe's alignment: centre at the mid-hip, radius to
# the farthest body point): the farthest of the model's keypoints from the mid-hip, enlarged by this to
# reach the top of the head, which COCO-18 lacks.
HEAD_TOP_MARGIN = 1.15
FOLLOW_MODES = ('joints', 'detector')


def keypoints_of_joints(joints2d, size):
    """The model's COCO+ 19 joints (original pixels) as COCO-18 keypoints (x, y, confidence): confidence 1
    inside the width x height picture, 0 outside (as a detector sees only what is in the picture)."""
    xy = reorder(np.asarray(joints2d, np.float64)[:len(COCOPLUS19)], COCOPLUS19, OPENPOSE_COCO18)
    inside = np.all((xy >= 0) & (xy < np.asarray(size, np.float64)), axis=1)
    return np.hstack([xy, inside[:, None].astype(np.float64)])


def alignment_of(keypoints):
    """(2, 2): the mid-hip and a point on the body circle above it, from COCO-18 keypoints: what the
    landmark model's auxiliary points give MediaPipe's following."""
    xy = keypoints[:, :2]
    centre = xy[[OPENPOSE_COCO18.index('right_hip'), OPENPOSE_COCO18.index('left_hip')]].mean(0)
    up = xy[OPENPOSE_COCO18.index('neck')] - centre
    up = up / np.linalg.norm(up) if np.linalg.norm(up) > 1e-6 else np.array([0., -1.])
    radius = HEAD_TOP_MARGIN * np.linalg.norm(xy[keypoints[:, 2] > 0] - centre, axis=1).max()
    return np.stack([centre, centre + radius * up])


def keypoint_box(keypoints):
    xy = keypoints[keypoints[:, 2] > 0, :2]
    low, high = xy.min(0), xy.max(0)
    return np.concatenate([low, high - low])


def make_live_finder(find_people, mode='joints', redetect_every=REDETECT_EVERY, confirm_every=CONFIRM_EVERY):
    """The live people of `find_people` (a src.demo.people.PeopleFinder): followed by the model's joints
    (mode 'joints') or by the detector's own following ('detector'); without a detector (--detector
    none) the finder's people on every frame."""
    if mode not in FOLLOW_MODES:
        raise HMRError('--live_follow must be one of %s, got %r' % (', '.join(FOLLOW_MODES), mode))
    if find_people.detector is None:
        return EveryFrame(find_people)
    if mode == 'detector':
        find_people.detector = make_follower(find_people.detector)
        return EveryFrame(find_people)
    return JointFollower(find_people, redetect_every, confirm_every)


class EveryFrame(object):
    """The finder on every frame; the model's joints are not used."""

    def __init__(self, find_people):
        self.find_people = find_people

    def warm_up(self, image):
        """The detector's first, slow run, on `image`, leaving no state: a follower (src/detectors/follow.py)
        that had seen a blank picture of the source's size would wait for its next full detection (up to 8
        frames) before looking for anyone."""
        detector = getattr(self.find_people.detector, 'detector', self.find_people.detector)
        if detector is not None:
            detector.detect(image)

    def people(self, image, name):
        """(Persons to crop, their keypoints for the tracker or None)."""
        try:
            people = self.find_people(image, name)
        except HMRError:
            return [], None  # nobody in this frame
        keypoints = [p.keypoints for p in people]
        return people, (keypoints if all(k is not None for k in keypoints) else None)

    def moved(self, image_size, joints2d):
        pass


class JointFollower(object):
    """people(image) gives the frame's people; moved(size, joints) must follow with the model's 2D joints
    of those people (original pixels, in the same order) before the next frame."""

    def __init__(self, find_people, redetect_every, confirm_every):
        self.detector = find_people.detector
        self.max_people = find_people.max_people
        self.redetect_every, self.confirm_every = redetect_every, confirm_every
        self._followed = []  # Detections predicted from the model's joints, for the next frame
        self._shown = []  # the Detections of the people people() gave, in its order
        self._since_detection = self._since_confirmation = 0
        self.detections = 0  # full detections run (for tests and the bench)
        self.confirmations = 0  # landmark model runs checking followed people

    def warm_up(self, image):
        """The detector's first, slow run, on `image`, leaving no state and counting no detection."""
        self.detector.detect(image)

    def people(self, image, name):
        """(Persons to crop, their COCO-18 keypoints for the tracker). A person's `keypoints` (what the
        quality fields compare the model's joints with) are None where only the joints carried them here."""
        followed = self._followed
        can_confirm = hasattr(self.detector, 'follow')
        redetect = self._since_detection + 1 >= self.redetect_every
        lost = False
        if followed and can_confirm and (redetect or self._since_confirmation + 1 >= self.confirm_every):
            # The landmark model checks each followed person and re-anchors them on its own landmarks.
            self.confirmations += len(followed)
            checked = [self.detector.follow(image, person) for person in followed]
            lost = any(person is None for person in checked)
            followed = [person for person in checked if person is not None]
            self._since_confirmation = 0
        else:
            self._since_confirmation += 1
        if not followed or lost or redetect:
            # While everyone is followed, newcomers are looked for in the whole picture only where the detector
            # can (MediaPipe's: one run instead of ~18 with its tiles); the full search when someone is missing.
            quick = bool(followed) and not lost and hasattr(self.detector, 'follow')
            fresh = list(self.detector.detect(image, tiles=False) if quick else self.detector.detect(image))
            self.detections += 1
            self._since_detection = self._since_confirmation = 0
            # A fresh detection replaces the followed person it is; a followed person it missed stays if the
            # landmark model has just seen them (a detector without one: the full detection decides).
            kept = sorted(followed, key=lambda d: -d.score) if can_confirm else []
            followed = distinct(fresh + kept)
        else:
            self._since_detection += 1
        people, self._shown = [], []
        for detection in sorted(followed, key=lambda d: -area(d)):
            person = from_detections([detection], name)  # [] for a person too small to crop
            if person and len(people) < self.max_people:
                people.append(person[0]._replace(keypoints=None) if _predicted(detection) else person[0])
                self._shown.append(detection)
        return people, [d.keypoints for d in self._shown]

    def moved(self, image_size, joints2d):
        """This frame's people (as people() gave them) at the model's joints: next frame's crops."""
        followed = []
        for detection, joints in zip(self._shown, joints2d):
            keypoints = keypoints_of_joints(joints, image_size)
            if keypoints[:, 2].sum() < MIN_JOINTS_INSIDE:
                continue  # they left the picture
            followed.append(_Predicted(keypoint_box(keypoints), detection.score, keypoints, alignment_of(keypoints)))
        self._followed = distinct(followed)


class _Predicted(Detection):
    """A Detection predicted from the model's joints (no detector saw it in this frame)."""
    __slots__ = ()


def _predicted(detection):
    return isinstance(detection, _Predicted)
