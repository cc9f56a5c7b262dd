"""People over the frames of one video, found by the full detector only now and then, as MediaPipe's pose
tracking does (its `pose_landmark_cpu` graph): between full detections each known person is followed by
the landmark model alone, on the square predicted from their landmarks in the previous frame.

A full detection runs on the first frame, on any frame where a followed person is lost (the landmark
model no longer sees anyone in their square), and otherwise once `redetect_every` frames have passed
since the last one. On those frames the followed people are followed too and merged with the fresh
detections: a fresh detection replaces the followed person it is (it re-anchors someone the following
may have drifted off), a followed person the detector missed is kept, and new people join. Who is who
is judged by keypoints, not boxes (see SAME_PERSON_DISTANCE).
"""
import numbers

import numpy as np

from ..errors import HMRError
from .boxes import area, check_image, iou

# Frames from one full detection to the next while nobody is lost. On the sample clip (25 fps, 100 frames,
# bench/bench_detectors.py) detecting every frame finds recall 0.777 / precision 0.986 in 277 ms a frame;
# following with redetect_every 2, 4, 8, 16: 0.814 / 0.962, 0.777 / 0.986, 0.777 / 0.986, 0.734 / 0.986
# with 52, 26, 14, 8 full detections, in 218, 149, 115, 105 ms a frame (all under the same load, about
# twice the time of an idle machine). Beyond 8 the time hardly falls (following costs one landmark model
# run a person a frame) while new people wait longer and recall drops.
REDETECT_EVERY = 8
# Two detections are one person when the keypoints confident in both (at least MIN_SHARED_KEYPOINTS of
# them) lie within this fraction of the bigger box's diagonal of each other on average. Boxes cannot
# tell: where the clip's two people cross, each mask takes in some of the other and their boxes overlap
# by IoU 0.4-0.7 while their keypoints are 0.19-0.33 diagonals apart; two squares that slid onto one
# person give keypoints 0.01-0.05 apart.
SAME_PERSON_DISTANCE = 0.1
CONFIDENT = 0.5
MIN_SHARED_KEYPOINTS = 4
# Without enough keypoints in common, boxes overlapping more than this are one person (the mediapipe
# detector's own threshold).
SAME_PERSON_IOU = 0.5


def make_follower(detector, redetect_every=REDETECT_EVERY):
    """An object with .name and .detect(frame) -> list of Detection (same contract as detectors) for the
    consecutive frames of one video: a detector that can follow people (one with follow(), mediapipe)
    follows them between full detections; any other (hog) is returned as it is and detects every frame."""
    if not isinstance(redetect_every, numbers.Integral) or redetect_every < 1:
        raise HMRError('redetect_every must be a whole number of frames >= 1, got %r' % (redetect_every,))
    if not hasattr(detector, 'follow'):
        return detector
    return Follower(detector, int(redetect_every))


class Follower(object):
    """Follows the people of one video; make one per video (it remembers the previous frame's people)."""

    def __init__(self, detector, redetect_every):
        self.name = detector.name
        self.detector = detector
        self.redetect_every = redetect_every
        self._people = []
        self._shape = None
        self._since_detection = None  # frames since the last full detection; None before the first

    def detect(self, frame):
        check_image(frame)
        if frame.shape != self._shape:  # another video: nobody to follow
            self._people, self._shape, self._since_detection = [], frame.shape, None
        followed = [self.detector.follow(frame, person) for person in self._people]
        lost = any(person is None for person in followed)
        # The surest first: of two squares that slid onto one person, the one the model is surer of stays.
        people = distinct(sorted((person for person in followed if person is not None), key=lambda d: -d.score))
        if lost or self._since_detection is None or self._since_detection + 1 >= self.redetect_every:
            # Fresh detections first: one replaces the followed person it is (re-anchoring a drifted square).
            people = distinct(list(self.detector.detect(frame)) + people)
            self._since_detection = 0
        else:
            self._since_detection += 1
        self._people = sorted(people, key=lambda d: -area(d))
        return list(self._people)


def distinct(people):
    """`people` without those who are someone earlier in the list."""
    kept = []
    for person in people:
        if not any(same_person(person, other) for other in kept):
            kept.append(person)
    return kept


def same_person(a, b):
    """Whether Detections `a` and `b` are one person: by their keypoints where they share enough
    confident ones, else by their boxes' overlap."""
    if a.keypoints is not None and b.keypoints is not None:
        shared = (a.keypoints[:, 2] > CONFIDENT) & (b.keypoints[:, 2] > CONFIDENT)
        if shared.sum() >= MIN_SHARED_KEYPOINTS:
            distance = np.linalg.norm(a.keypoints[shared, :2] - b.keypoints[shared, :2], axis=1).mean()
            return distance < SAME_PERSON_DISTANCE * max(np.hypot(*a.bbox[2:]), np.hypot(*b.bbox[2:]))
    return iou([a.bbox], [b.bbox])[0, 0] > SAME_PERSON_IOU
