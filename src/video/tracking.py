"""Linking the people detected in successive frames into tracks with stable ids.

Each frame's detections are matched to the live tracks by the Hungarian method
(`scipy.optimize.linear_sum_assignment`) on a cost made of the boxes' overlap (1 - IoU), the distance
of their centres and, when both have keypoints, the difference of the poses they draw, both distances
in units of the person's size.
A track's box is predicted forward at its recent velocity over a short gap, so two people crossing
keep their ids; a pair farther apart than the gate is never matched. A track that goes unmatched for
more than `max_gap` frames ends, and a person seen again after that gets a new id.
"""
import numpy as np
from scipy.optimize import linear_sum_assignment

from ..detectors.boxes import iou

_INFEASIBLE = 1e6
# Fewer confident keypoints in common than this say too little about who is who.
_MIN_COMMON_KEYPOINTS = 3


def _center(box):
    return np.array([box[0] + 0.5 * box[2], box[1] + 0.5 * box[3]])


class _Track(object):
    def __init__(self, track_id, frame_index, box, keypoints):
        self.id = track_id
        self.last_frame = frame_index
        self.box = box
        self.velocity = None  # of the box's centre per frame; None until the track has been matched twice
        self.keypoints = keypoints

    def predicted_box(self, frame_index, predict_frames):
        """The last box moved on at the track's velocity; its size is kept (boxes change size mostly
        where the picture's edge cuts them, which is no motion to extrapolate)."""
        if self.velocity is None:
            return self.box
        shift = self.velocity * min(frame_index - self.last_frame, predict_frames)
        return self.box + np.concatenate([shift, [0., 0.]])

    def update(self, frame_index, box, keypoints, velocity_smoothing):
        step = (_center(box) - _center(self.box)) / float(frame_index - self.last_frame)
        if self.velocity is None:
            self.velocity = step
        else:
            self.velocity = velocity_smoothing * self.velocity + (1 - velocity_smoothing) * step
        self.last_frame, self.box, self.keypoints = frame_index, box, keypoints


class Tracker(object):
    """Give each detected person a track id that stays the same from frame to frame.

    max_gap: frames a track survives without a match (30: one second at 30 fps).
    max_distance: the gate, the largest distance between a track's predicted centre and a
        detection's, in units of the person's size (sqrt of the larger box's area).
    gap_tolerance: the gate and the size unit grow by this fraction per missed frame, since a person
        unseen for a while may have moved farther than the prediction says.
    predict_frames: the box moves at the track's velocity for at most this many frames of a gap; past
        that the velocity is no longer trusted (people stop, turn back).
    velocity_smoothing: weight of the previous velocity in its running average.
    keypoint_weight, max_keypoint_distance: the weight in the cost of the distance between two poses
        (the mean distance of their keypoints, each set centred on its mean, in the same size units),
        and the most that distance adds to a cost; keypoints below min_confidence are ignored.
    """

    def __init__(self, max_gap=30, max_distance=1.0, gap_tolerance=0.1, predict_frames=5,
                 velocity_smoothing=0.5, keypoint_weight=2.0, max_keypoint_distance=0.5, min_confidence=0.1):
        self.max_gap = max_gap
        self.max_distance = max_distance
        self.gap_tolerance = gap_tolerance
        self.predict_frames = predict_frames
        self.velocity_smoothing = velocity_smoothing
        self.keypoint_weight = keypoint_weight
        self.max_keypoint_distance = max_keypoint_distance
        self.min_confidence = min_confidence
        self._tracks = []
        self._next_id = 0
        self._last_frame = None

    def update(self, frame_index, boxes, keypoints=None):
        """Match one frame's detections. boxes: N x 4 [x, y, w, h]; keypoints: N x 18 x 3 (COCO-18
        x, y, confidence) or None. Returns the N track ids, in the order of `boxes`."""
        if self._last_frame is not None and frame_index <= self._last_frame:
            raise ValueError('frames must come in increasing order (%d after %d)' % (frame_index, self._last_frame))
        self._last_frame = frame_index
        boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
        if keypoints is not None and len(boxes):
            keypoints = np.asarray(keypoints, np.float64).reshape(len(boxes), -1, 3)
        else:
            keypoints = None
        self._tracks = [t for t in self._tracks if frame_index - t.last_frame <= self.max_gap]

        ids = [None] * len(boxes)
        if self._tracks and len(boxes):
            cost = np.array([[self._cost(track, frame_index, box, None if keypoints is None else keypoints[d])
                              for d, box in enumerate(boxes)] for track in self._tracks])
            for t, d in zip(*linear_sum_assignment(cost)):
                if cost[t, d] < _INFEASIBLE:
                    track = self._tracks[t]
                    track.update(frame_index, boxes[d], None if keypoints is None else keypoints[d],
                                 self.velocity_smoothing)
                    ids[d] = track.id
        for d, box in enumerate(boxes):
            if ids[d] is None:
                track = _Track(self._next_id, frame_index, box, None if keypoints is None else keypoints[d])
                self._next_id += 1
                self._tracks.append(track)
                ids[d] = track.id
        return ids

    def _cost(self, track, frame_index, box, keypoints):
        gap = frame_index - track.last_frame
        predicted = track.predicted_box(frame_index, self.predict_frames)
        # The person's size from the larger box: a person half out of the picture leaves a sliver of a
        # box, and comes back whole.
        size = np.sqrt(max(predicted[2] * predicted[3], box[2] * box[3], 1e-9)) * (1 + self.gap_tolerance * (gap - 1))
        distance = np.linalg.norm(_center(predicted) - _center(box)) / size
        if distance > self.max_distance:
            return _INFEASIBLE
        cost = (1 - iou([predicted], [box])[0, 0]) + distance
        if keypoints is not None and track.keypoints is not None:
            common = (keypoints[:, 2] > self.min_confidence) & (track.keypoints[:, 2] > self.min_confidence)
            if common.sum() >= _MIN_COMMON_KEYPOINTS:
                # The pose, not the place (the boxes weigh that): both sets centred on their mean.
                before = track.keypoints[common, :2] - track.keypoints[common, :2].mean(axis=0)
                now = keypoints[common, :2] - keypoints[common, :2].mean(axis=0)
                keypoint_distance = np.linalg.norm(before - now, axis=1).mean() / size
                # A cost, not a gate: a person coming back into the picture, or seen whole again after
                # a part of them, changes pose by more than any gate for real changes would allow.
                cost += self.keypoint_weight * min(keypoint_distance, self.max_keypoint_distance)
        return cost
