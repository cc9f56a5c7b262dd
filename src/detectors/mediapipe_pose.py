"""BlazePose, several people per image: MediaPipe's person detector, then its full landmark model per person.

MediaPipe's own `solutions.pose` follows one person, so this module runs the two TensorFlow Lite models
that the `mediapipe` 0.10 wheel bundles (installed without its dependencies: only the files are used)
through TensorFlow's interpreter (on TF 1.12, as a TensorFlow graph: tflite_graph.py), with the pre-
and post-processing of MediaPipe's graphs
`pose_detection_cpu`, `pose_detection_to_roi` and `pose_landmark_by_roi_cpu`: the detector finds each
person's face and a circle around the body (SSD anchors, weighted suppression), the landmark model
reads a rotated square around that circle and gives 33 landmarks and a person mask. The box is the
mask's extent; the keypoints are the landmarks in OpenPose's COCO-18 order. In a video the landmark
model's auxiliary points give the square to look at in the next frame (`follow`, used by
src/detectors/follow.py), as in MediaPipe's `pose_landmark_cpu` graph.
"""
import contextlib
import importlib.util
import os
import sys
import tempfile

import cv2
import numpy as np

from . import Detection, blazepose_files
from .boxes import check_image, clip_to_image, iou, suppress_and_sort
from .. import joints
from ..errors import HMRError

NAME = 'mediapipe'
DETECTOR_MODEL = os.path.join('modules', 'pose_detection', 'pose_detection.tflite')
LANDMARK_MODEL = os.path.join('modules', 'pose_landmark', 'pose_landmark_full.tflite')

# pose_detection_cpu.pbtxt: a 224 px letterboxed input in [-1, 1], anchors on strides 8, 16 and 3 x 32,
# two anchors per layer and cell (fixed size), 12 numbers per anchor: box x, y, w, h and 4 keypoints.
DETECTOR_SIZE = 224
ANCHOR_LAYERS = [(8, 1), (16, 1), (32, 3)]  # (stride, number of layers with that stride)
ANCHORS_PER_LAYER = 2
MIN_DETECTION_SCORE = 0.5
# The detector is made for people near the camera: in a group photo their faces are a few of its 224
# pixels. So it also looks at tiles of the image's short side and of half that, overlapping by half:
# recall on the composites 0.47 (whole image only) -> 0.58 (one level) -> 0.68 (two), 0.28 -> 0.74 on 32
# other composites, at about 4x the time. A person counts in a tile only if the inner BODY_IN_TILE of
# their body circle's radius is inside it: a tile cutting someone misjudges their body (false boxes).
TILE_LEVELS = 2
BODY_IN_TILE = 0.5
DETECTION_MERGE_IOU = 0.3
# Detector keypoints: 0 the mid-hip, 1 a point whose distance from it is the radius of the body circle.
HIP_KEYPOINT, BODY_RADIUS_KEYPOINT = 0, 1
# pose_detection_to_roi.pbtxt (and pose_landmarks_to_roi.pbtxt when following): the landmark model looks at
# that circle's square, 1.25 times larger.
ROI_SCALE = 1.25
# pose_landmark_by_roi_cpu.pbtxt / tensors_to_pose_landmarks_and_segmentation.pbtxt.
LANDMARK_SIZE = 256
LANDMARK_VALUES = 5  # x, y, z, visibility, presence
LANDMARK_OUTPUTS = 39  # BlazePose's 33 and 6 auxiliary points
HEATMAP_CELLS = 64
MIN_POSE_PRESENCE = 0.5
HEATMAP_KERNEL = 7
MIN_HEATMAP_CONFIDENCE = 0.5
MASK_THRESHOLD = 0.5
# Boxes of one person found from two detections overlap this much or more.
SAME_PERSON_IOU = 0.5


def model_dir():
    """The folder of the installed mediapipe package, found without importing it (its imports pull in
    packages the project does not install); else the one `python -m src.detectors.blazepose_files` fills
    with the wheel's two models (the legacy runtime's setup does); None when neither is here."""
    spec = importlib.util.find_spec('mediapipe')
    if spec is not None and spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    return blazepose_files.default_folder() if blazepose_files.installed(blazepose_files.default_folder()) else None


def _interpreter_class():
    """What runs the models: TensorFlow's Lite interpreter on TF >= 2; on TF 1.12, whose Lite interpreter
    lacks their op versions, the models as a TensorFlow graph; without TensorFlow, LiteRT's interpreter
    (the ai-edge-litert package, for an installation that has no TensorFlow); else None."""
    if importlib.util.find_spec('tensorflow') is not None:
        from ..compat import IS_TF2, tf
        if IS_TF2:
            return tf.lite.Interpreter
        from .tflite_graph import TFLiteGraph
        return TFLiteGraph
    if importlib.util.find_spec('ai_edge_litert') is not None:
        from ai_edge_litert.interpreter import Interpreter
        return Interpreter
    return None


def available():
    """True when the mediapipe wheel's two models are here and something runs them."""
    folder = model_dir()
    return (folder is not None and all(os.path.exists(os.path.join(folder, m)) for m in (DETECTOR_MODEL, LANDMARK_MODEL))
            and _interpreter_class() is not None)


@contextlib.contextmanager
def without_native_info_lines():
    """Drop the `INFO: ...` lines native code prints on the process's stderr meanwhile (TF Lite's
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." when an interpreter allocates its
    tensors; nothing in Python turns it off). Everything else written there is passed on afterwards."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode('utf-8', 'replace').splitlines(True):
                if not line.startswith('INFO: '):
                    sys.stderr.write(line)
            sys.stderr.flush()


def sigmoid(x):
    return 1. / (1. + np.exp(-np.clip(np.asarray(x, np.float64), -100., 100.)))


def ssd_anchor_centres():
    """(2254, 2) normalised x, y centres of the detector's anchors, in its output order."""
    centres = []
    for stride, layers in ANCHOR_LAYERS:
        cells = int(np.ceil(float(DETECTOR_SIZE) / stride))
        y, x = np.mgrid[0:cells, 0:cells]
        grid = np.stack([(x.ravel() + 0.5) / cells, (y.ravel() + 0.5) / cells], axis=1)
        centres.append(np.repeat(grid, layers * ANCHORS_PER_LAYER, axis=0))
    return np.concatenate(centres)


def detection_windows(shape):
    """(left, top, side) squares the detector looks at: the whole image letterboxed, then tiles of the
    short side and of half of it, overlapping by half, never smaller than the detector's input."""
    height, width = shape[:2]
    whole = ((width - max(height, width)) // 2, (height - max(height, width)) // 2, max(height, width))
    windows = [whole]
    for level in range(TILE_LEVELS):
        side = min(height, width) // (2 ** level)
        if side < DETECTOR_SIZE:
            break
        windows.extend((left, top, side) for top in _tile_starts(height, side) for left in _tile_starts(width, side)
                       if (left, top, side) != whole)
    return windows


def _body_inside(keypoints, window, shape):
    """Which detections have the inner BODY_IN_TILE of their body circle (mid-hip centre, radius to the
    radius point) inside the window; a window side on the image's border cuts no one."""
    left, top, side = window
    height, width = shape[:2]
    radius = BODY_IN_TILE * np.linalg.norm(keypoints[:, BODY_RADIUS_KEYPOINT] - keypoints[:, HIP_KEYPOINT], axis=1)
    low = keypoints[:, HIP_KEYPOINT] - radius[:, None]
    high = keypoints[:, HIP_KEYPOINT] + radius[:, None]
    inside_low = (low >= [left, top]) | ([left, top] <= np.zeros(2))
    inside_high = (high <= [left + side, top + side]) | ([left + side, top + side] >= [width, height])
    return np.all(inside_low & inside_high, axis=1)


def _tile_starts(length, side):
    """Starts of windows of `side` covering `length`, overlapping by about half, the last flush with the end."""
    count = int(np.ceil(max(length - side, 0) / (side / 2.))) + 1
    return np.linspace(0, length - side, count).round().astype(int)


def _weighted_merge(boxes, keypoints, scores):
    """MediaPipe's WEIGHTED suppression: each surest remaining detection absorbs those overlapping it
    by more than DETECTION_MERGE_IOU, its box and keypoints becoming their score-weighted mean."""
    order = np.argsort(-scores)
    merged = []
    while len(order):
        overlap = iou(boxes[order[:1]], boxes[order])[0] > DETECTION_MERGE_IOU
        group = order[overlap]
        weights = scores[group][:, None]
        merged.append((np.sum(boxes[group] * weights, 0) / weights.sum(),
                       np.sum(keypoints[group] * weights[:, :, None], 0) / weights.sum(),
                       scores[order[0]]))
        order = order[~overlap]
    return merged


class MediaPipePose(object):
    name = NAME

    def __init__(self):
        if not available():
            raise HMRError('the mediapipe detector needs the BlazePose models of the mediapipe 0.10 wheel (installed '
                           'with --no-deps, see requirements-nodeps.txt, or fetched with python -m '
                           'src.detectors.blazepose_files) and TensorFlow or ai-edge-litert to run them; this '
                           'runtime has not got them')
        interpreter = _interpreter_class()
        folder = model_dir()
        with without_native_info_lines():
            self._detector = interpreter(model_path=os.path.join(folder, DETECTOR_MODEL))
            self._landmarker = interpreter(model_path=os.path.join(folder, LANDMARK_MODEL))
            self._detector.allocate_tensors()
            self._landmarker.allocate_tensors()
        self._anchors = ssd_anchor_centres()
        self._landmark_outputs = {tuple(d['shape'][1:]): d['index'] for d in self._landmarker.get_output_details()}

    def detect(self, image, tiles=True):
        """Everyone in `image`; tiles=False looks at the whole picture only (one detector run instead of
        about 18 on 640 x 480: people near the camera, as newcomers to a live scene are)."""
        check_image(image)
        people = [self._landmarks(image, hip, radius_point, score)
                  for score, hip, radius_point in self._find_people(image, tiles)]
        people = [p for p in people if p is not None] or self._whole_image_person(image)
        return suppress_and_sort(people, SAME_PERSON_IOU)

    def _whole_image_person(self, image):
        """[the person filling the image] when the landmark model, shown the whole image as its square,
        is sure someone is there; else []. The detector finds people by their faces, so it misses a
        tight crop of one person whose face is hidden (the released sample coco1.png, a masked
        catcher); a tight crop is what the landmark model expects, and its presence score stays low on
        photos of no one (the photo set's four people-free photos)."""
        height, width = image.shape[:2]
        centre = np.array([width, height], np.float64) / 2.
        radius = max(height, width) / (2. * ROI_SCALE)  # the landmark square is then the image's long side
        person = self._landmarks(image, centre, centre - [0., radius])
        return [] if person is None else [person]

    def follow(self, image, person):
        """`person`, a Detection of this detector in the previous frame of a video, in `image`: the landmark
        model alone on the square its alignment points predict (MediaPipe's pose_landmarks_to_roi), as
        MediaPipe's pose tracking does between detections. Its score is the model's pose presence; None
        when the model sees nobody there."""
        check_image(image)
        return self._landmarks(image, person.alignment[0], person.alignment[1])

    def _find_people(self, image, tiles=True):
        """(score, mid-hip xy, body-radius point xy) in original pixels for each person found in any window
        (the whole picture only without `tiles`)."""
        boxes, keypoints, scores = [], [], []
        for number, window in enumerate(detection_windows(image.shape)[:None if tiles else 1]):
            found = self._detect_in_window(image, *window)
            # A tile that cuts a person through misjudges their body circle; an overlapping tile or the
            # whole image sees them whole.
            whole = _body_inside(found[1], window, image.shape) if number else np.ones(len(found[2]), bool)
            for found_list, all_list in zip(found, (boxes, keypoints, scores)):
                all_list.append(found_list[whole])
        boxes, keypoints, scores = [np.concatenate(a) for a in (boxes, keypoints, scores)]
        return [(score, kps[HIP_KEYPOINT], kps[BODY_RADIUS_KEYPOINT])
                for _, kps, score in _weighted_merge(boxes, keypoints, scores)]

    def _detect_in_window(self, image, left, top, side):
        """Face boxes, 4 keypoints and scores (pixels) found in the square window at left, top: its part
        inside the image is scaled to the detector's input, the rest black (MediaPipe's letterbox)."""
        height, width = image.shape[:2]
        scale = float(DETECTOR_SIZE) / side
        x0, y0 = max(left, 0), max(top, 0)
        x1, y1 = min(left + side, width), min(top + side, height)
        square = np.zeros((DETECTOR_SIZE, DETECTOR_SIZE, 3), np.uint8)
        paste = (int(round((x0 - left) * scale)), int(round((y0 - top) * scale)))
        size = (min(DETECTOR_SIZE - paste[0], max(1, int(round((x1 - x0) * scale)))),
                min(DETECTOR_SIZE - paste[1], max(1, int(round((y1 - y0) * scale)))))
        square[paste[1]:paste[1] + size[1], paste[0]:paste[0] + size[0]] = cv2.resize(
            image[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA)
        self._detector.set_tensor(self._detector.get_input_details()[0]['index'],
                                  square[None].astype(np.float32) / 127.5 - 1.)
        self._detector.invoke()
        outputs = {tuple(d['shape'][1:]): self._detector.get_tensor(d['index'])[0]
                   for d in self._detector.get_output_details()}
        raw = outputs[(len(self._anchors), 12)].astype(np.float64) / DETECTOR_SIZE
        scores = sigmoid(outputs[(len(self._anchors), 1)][:, 0].astype(np.float64))
        keep = scores >= MIN_DETECTION_SCORE
        anchors, raw, scores = self._anchors[keep], raw[keep], scores[keep]
        centres = raw[:, 0:2] + anchors
        boxes = np.concatenate([centres - raw[:, 2:4] / 2., raw[:, 2:4]], axis=1) * side
        boxes[:, :2] += [left, top]
        keypoints = (raw[:, 4:12].reshape(-1, 4, 2) + anchors[:, None, :]) * side + [left, top]
        return boxes, keypoints, scores

    def _landmarks(self, image, hip, radius_point, score=None):
        """The Detection of the person whose body circle has its centre at `hip` and passes through
        `radius_point`, or None when the model sees nobody there; its score is `score`, else the landmark
        model's pose presence."""
        dx, dy = radius_point - hip
        size = 2. * np.hypot(dx, dy) * ROI_SCALE
        if size < 1:
            return None
        # The square is turned so that the body circle's radius points up.
        angle = np.pi / 2. - np.arctan2(-dy, dx)
        cos, sin = np.cos(angle), np.sin(angle)
        linear = size / LANDMARK_SIZE * np.array([[cos, -sin], [sin, cos]])
        roi_to_image = np.hstack([linear, (hip - linear.dot([LANDMARK_SIZE / 2.] * 2))[:, None]])
        crop = cv2.warpAffine(image, roi_to_image, (LANDMARK_SIZE, LANDMARK_SIZE),
                              flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
        self._landmarker.set_tensor(self._landmarker.get_input_details()[0]['index'],
                                    crop[None].astype(np.float32) / 255.)
        self._landmarker.invoke()
        output = lambda shape: self._landmarker.get_tensor(self._landmark_outputs[shape])[0]  # noqa: E731
        presence = float(output((1,))[0])
        if presence < MIN_POSE_PRESENCE:
            return None
        raw = output((LANDMARK_OUTPUTS * LANDMARK_VALUES,)).reshape(LANDMARK_OUTPUTS, LANDMARK_VALUES)
        xy = _refine_with_heatmap(raw[:, :2], output((HEATMAP_CELLS, HEATMAP_CELLS, LANDMARK_OUTPUTS)))
        xy = xy.dot(linear.T) + roi_to_image[:, 2]
        confidence = sigmoid(raw[:, 3])
        mask = sigmoid(output((LANDMARK_SIZE, LANDMARK_SIZE, 1))[:, :, 0]) > MASK_THRESHOLD
        bbox = _mask_box(mask, roi_to_image, image.shape)
        if bbox is None:
            return None
        body = len(joints.BLAZEPOSE33)
        # The first two auxiliary points are the body circle's centre and a point on it, as the detector's
        # keypoints 0 and 1: pose_landmarks_to_roi.pbtxt makes the next frame's square from them as
        # pose_detection_to_roi.pbtxt makes this one from the detector's.
        return Detection(bbox, presence if score is None else float(score),
                         to_coco18(xy[:body], confidence[:body]), xy[body:body + 2].copy())


def _refine_with_heatmap(xy, heatmap):
    """Landmarks (ROI pixels) moved to the confidence-weighted mean of their heatmap around them, as
    MediaPipe's RefineLandmarksFromHeatmap does where the heatmap is confident."""
    cells = heatmap.shape[0]
    refined = xy.copy()
    half = HEATMAP_KERNEL // 2
    for i, (x, y) in enumerate(xy / LANDMARK_SIZE * cells):
        col, row = int(x), int(y)
        if not (0 <= col < cells and 0 <= row < cells):
            continue
        rows = slice(max(0, row - half), min(cells, row + half + 1))
        cols = slice(max(0, col - half), min(cells, col + half + 1))
        confidence = sigmoid(heatmap[rows, cols, i])
        if confidence.max() >= MIN_HEATMAP_CONFIDENCE:
            r, c = np.mgrid[rows, cols]
            refined[i] = [np.sum(c * confidence), np.sum(r * confidence)]
            refined[i] *= float(LANDMARK_SIZE) / cells / confidence.sum()
    return refined


def _mask_box(mask, roi_to_image, shape):
    """The [x, y, w, h] extent in the image of the person mask's pixels that fall inside it, or None if
    there are none. Outside the image the square holds its border pixels repeated (as MediaPipe pads it),
    and the mask often spills into those streaks: they are no part of the visible person."""
    rows, cols = np.nonzero(mask)
    centres = np.stack([cols + .5, rows + .5], 1).dot(roi_to_image[:, :2].T) + roi_to_image[:, 2]
    inside = np.all((centres >= 0) & (centres < [shape[1], shape[0]]), axis=1)
    rows, cols = rows[inside], cols[inside]
    if not len(rows):
        return None
    # Pixel corners, so that the box covers whole mask pixels.
    corners = np.concatenate([np.stack([cols + dx, rows + dy], 1) for dx in (0, 1) for dy in (0, 1)])
    points = corners.dot(roi_to_image[:, :2].T) + roi_to_image[:, 2]
    low, high = points.min(0), points.max(0)
    box = clip_to_image(np.concatenate([low, high - low]), shape)
    return box if box[2] > 0 and box[3] > 0 else None


_COCO18_FROM_BLAZEPOSE = [joints.BLAZEPOSE33.index(name) if name in joints.BLAZEPOSE33 else None
                          for name in joints.OPENPOSE_COCO18]


def to_coco18(xy, confidence):
    """18 x 3 OpenPose COCO-18 keypoints from BlazePose's 33; the neck is the shoulders' midpoint."""
    keypoints = np.zeros((len(joints.OPENPOSE_COCO18), 3))
    for target, source in enumerate(_COCO18_FROM_BLAZEPOSE):
        if source is not None:
            keypoints[target] = [xy[source, 0], xy[source, 1], confidence[source]]
    shoulders = [joints.BLAZEPOSE33.index('left_shoulder'), joints.BLAZEPOSE33.index('right_shoulder')]
    neck = joints.OPENPOSE_COCO18.index('neck')
    keypoints[neck, :2] = xy[shoulders].mean(0)
    keypoints[neck, 2] = confidence[shoulders].min()
    return keypoints
