"""Person detectors on real photos: recall and precision floors, no one on photos without people, keypoints
against OpenPose's, ordering, suppression and clear errors; the photo set's composites and scoring.

Floors are the recall/precision measured on the set (src/detectors/photo_set.py, composites seed 0) minus
a margin of about one or two people, per detector and per set (with or without the sample images)."""
import os

import numpy as np
import pytest

from src import detectors
from src.detectors import Detection, boxes, photo_set
from src.errors import HMRError
from tests.conftest import missing
from tests.runtimes import current_runtime

WITH_SAMPLES = photo_set.has_sample_images()

# (detector, sample images present): {set: (recall floor, precision floor)}. Measured, modern runtime
# (legacy: HOG only): mediapipe composites 0.684 / 0.867, photos 0.875 / 1.0; HOG composites 0.079 /
# 0.27-0.30 (modern / legacy), photos 0 / 0. Scikit-image photos alone: mediapipe composites 0.579 /
# 0.917, photos 1.0 / 1.0; HOG finds none of those people (upper bodies, not pedestrians): no floor.
FLOORS = {
    ('mediapipe', True): {'composites': (0.60, 0.80), 'photos': (0.75, 0.85)},
    ('mediapipe', False): {'composites': (0.50, 0.80), 'photos': (1.0, 1.0)},
    ('hog', True): {'composites': (0.05, 0.15)},
    ('hog', False): {},
}
# Largest mean keypoint distance to OpenPose's on random.jpg, as a fraction of the person's size
# (the diagonal of OpenPose's visible keypoints). Measured: 0.014 (standing man), 0.027 (sitting woman).
MAX_KEYPOINT_ERROR = 0.05
# HOG's false boxes on the four photos without people, measured: 1 (rocket, modern and legacy).
MAX_FALSE_BOXES_ON_EMPTY = {'mediapipe': 0, 'hog': 2}


def not_in_this_runtime(name):
    """Why `name` cannot be had here, or None when it can."""
    if name in detectors.available():
        return None
    if name == 'mediapipe' and current_runtime() == 'legacy':
        return ('mediapipe has no wheel with the BlazePose models for Python 3.6, and TF 1.12\'s Lite '
                'interpreter lacks the op versions they use (DEQUANTIZE v3, RESIZE_BILINEAR v3)')
    return 'the %s detector is not installed in this runtime' % name


@pytest.fixture(scope='module', params=detectors.NAMES)
def detector(request):
    reason = not_in_this_runtime(request.param)
    if reason and current_runtime() == 'legacy':
        pytest.skip(reason)
    if reason:
        missing(reason)
    return detectors.make_detector(request.param)


@pytest.fixture(scope='module')
def photo_sets():
    return {'photos': photo_set.photos(), 'composites': photo_set.composites()}


_found = {}


def detections(detector, photo_sets, label):
    """The detector's boxes on a set, computed once per module."""
    key = (detector.name, label)
    if key not in _found:
        _found[key] = [detector.detect(p.image) for p in photo_sets[label]]
    return _found[key]


def test_each_runtime_has_its_detectors():
    assert set(detectors.available()) <= set(detectors.NAMES)
    assert detectors.available() == [n for n in detectors.NAMES if n in detectors.available()]
    assert 'hog' in detectors.available()
    expected = 'mediapipe' if current_runtime() == 'modern' else 'hog'
    if current_runtime() == 'modern' and 'mediapipe' not in detectors.available():
        missing('mediapipe is not installed (pip install --no-deps -r requirements-nodeps.txt)')
    assert detectors.make_detector('auto').name == expected


def test_unknown_or_missing_detector_is_a_one_line_error():
    with pytest.raises(HMRError) as error:
        detectors.make_detector('yolo')
    assert 'yolo' in str(error.value) and 'mediapipe' in str(error.value) and '\n' not in str(error.value)
    if current_runtime() == 'legacy':
        with pytest.raises(HMRError, match='not installed in this runtime; this runtime has: hog'):
            detectors.make_detector('mediapipe')


@pytest.mark.parametrize('label', ['composites', 'photos'])
def test_recall_and_precision_floors(detector, photo_sets, label):
    floors = FLOORS[(detector.name, WITH_SAMPLES)]
    if label not in floors:
        pytest.skip('no floor for %s on %s (it finds none of these people)' % (detector.name, label))
    score = photo_set.score(detections(detector, photo_sets, label), photo_sets[label])
    recall_floor, precision_floor = floors[label]
    assert score.recall >= recall_floor, score
    assert score.precision >= precision_floor, score


def test_no_person_on_photos_without_people(detector, photo_sets):
    empty = [i for i, p in enumerate(photo_sets['photos']) if p.name in photo_set.NO_PERSON]
    assert len(empty) >= 3
    found = detections(detector, photo_sets, 'photos')
    assert sum(len(found[i]) for i in empty) <= MAX_FALSE_BOXES_ON_EMPTY[detector.name]


def test_detections_are_well_formed_sorted_and_suppressed(detector, photo_sets):
    for label in ('photos', 'composites'):
        for photo, found in zip(photo_sets[label], detections(detector, photo_sets, label)):
            height, width = photo.image.shape[:2]
            for d in found:
                assert isinstance(d, Detection) and isinstance(d.score, float)
                assert d.bbox.dtype == np.float64 and d.bbox.shape == (4,)
                assert d.bbox[2] > 0 and d.bbox[3] > 0
                assert d.bbox[0] >= 0 and d.bbox[1] >= 0
                assert d.bbox[0] + d.bbox[2] <= width + 1e-6 and d.bbox[1] + d.bbox[3] <= height + 1e-6
                if d.keypoints is not None:
                    assert d.keypoints.dtype == np.float64 and d.keypoints.shape == (18, 3)
                    assert np.all((d.keypoints[:, 2] >= 0) & (d.keypoints[:, 2] <= 1))
            areas = [d.bbox[2] * d.bbox[3] for d in found]
            assert areas == sorted(areas, reverse=True), (photo.name, areas)
            # No two boxes of one person: no true person is matched twice, no two boxes overlap much.
            if found:
                overlaps = boxes.iou([d.bbox for d in found], [d.bbox for d in found])
                assert np.all(overlaps[np.triu_indices(len(found), 1)] <= 0.5), photo.name
                if len(photo.people):
                    per_person = (boxes.iou(photo.people, [d.bbox for d in found]) >= photo_set.MIN_IOU).sum(1)
                    assert per_person.max() <= 1, photo.name


def test_keypoints_match_openpose_on_random_jpg(detector, photo_sets):
    if detector.name != 'mediapipe':
        pytest.skip('%s gives boxes only' % detector.name)
    if not WITH_SAMPLES:
        missing('the sample images are not here (%s)' % photo_set.SAMPLE_IMAGES_DIR)
    from src.util.openpose import read_json
    names = [p.name for p in photo_sets['photos']]
    found = detections(detector, photo_sets, 'photos')[names.index('random.jpg')]
    openpose = read_json(os.path.join(photo_set.SAMPLE_IMAGES_DIR, 'random_keypoints.json'))
    assert len(found) == len(openpose) == 2
    for person in openpose:
        seen = person[:, 2] > 0.2
        low, high = person[seen, :2].min(0), person[seen, :2].max(0)
        size = np.linalg.norm(high - low)
        box = np.concatenate([low, high - low])
        match = found[int(np.argmax(boxes.iou([box], [d.bbox for d in found])[0]))]
        both = seen & (match.keypoints[:, 2] > 0.5)
        assert both.sum() >= 10
        error = np.linalg.norm(match.keypoints[both, :2] - person[both, :2], axis=1).mean() / size
        assert error <= MAX_KEYPOINT_ERROR


@pytest.mark.parametrize('bad, message', [
    (np.zeros((20, 20, 3), np.uint8), 'too small'),
    (np.zeros((100, 80), np.uint8), 'H x W x 3'),
    (np.zeros((100, 80, 4), np.uint8), 'H x W x 3'),
    (np.zeros((100, 80, 3), np.float32), 'uint8'),
    ([[1, 2, 3]], 'image array'),
])
def test_bad_images_are_one_line_errors(detector, bad, message):
    with pytest.raises(HMRError, match=message) as error:
        detector.detect(bad)
    assert '\n' not in str(error.value)


def test_suppression_keeps_the_surest_and_orders_by_area():
    big = Detection(np.array([0., 0., 100., 200.]), 0.5, None)
    same_person = Detection(np.array([5., 5., 100., 200.]), 0.9, None)
    small = Detection(np.array([300., 0., 20., 40.]), 0.1, None)
    kept = boxes.suppress_and_sort([small, big, same_person], max_iou=0.5)
    assert kept == [same_person, small]


def test_iou_known_answers():
    assert boxes.iou([[0, 0, 10, 10]], [[0, 0, 10, 10]])[0, 0] == 1
    assert boxes.iou([[0, 0, 10, 10]], [[5, 0, 10, 10]])[0, 0] == pytest.approx(50. / 150)
    assert boxes.iou([[0, 0, 10, 10]], [[20, 20, 5, 5]])[0, 0] == 0


def test_score_known_answers():
    photo = photo_set.Photo('p', None, np.array([[0., 0., 100., 200.], [300., 0., 100., 200.]]),
                            np.array([[600., 0., 50., 50.]]))
    exact = [Detection(b, 1., None) for b in photo.people]
    assert photo_set.score([exact], [photo]) == photo_set.Score(1., 1., 2, 2, 0)
    # A duplicate of a found person and a box far from anyone are false alarms; a box in the ignore
    # region is not counted; a box overlapping a person by IoU < 0.5 finds nobody.
    duplicate = Detection(np.array([10., 10., 100., 200.]), 0.5, None)
    ignored = Detection(np.array([605., 5., 40., 40.]), 0.5, None)
    stray = Detection(np.array([800., 0., 50., 50.]), 0.5, None)
    shifted = Detection(np.array([360., 0., 100., 200.]), 0.5, None)
    score = photo_set.score([[exact[0], duplicate, ignored, stray, shifted]], [photo])
    assert score == photo_set.Score(0.5, 0.25, 2, 1, 3)


def test_composites_are_reproducible_and_hold_one_to_four_people():
    first, again = photo_set.composites(count=4, seed=3), photo_set.composites(count=4, seed=3)
    other = photo_set.composites(count=4, seed=4)
    for a, b, c in zip(first, again, other):
        assert np.array_equal(a.image, b.image) and np.array_equal(a.people, b.people)
        assert a.image.shape != c.image.shape or not np.array_equal(a.image, c.image)
    for photo in photo_set.composites():
        height, width = photo.image.shape[:2]
        assert photo.image.dtype == np.uint8 and height == photo_set.CANVAS_HEIGHT and width > height
        assert 1 <= len(photo.people) <= photo_set.MAX_PEOPLE
        assert np.all(photo.people[:, :2] >= 0)
        assert np.all(photo.people[:, 0] + photo.people[:, 2] <= width + 1e-6)
        assert np.all(photo.people[:, 1] + photo.people[:, 3] <= height + 1e-6)
        # Pasted people do not overlap: each cut-out has its own column.
        overlaps = boxes.iou(photo.people, photo.people)
        assert np.all(overlaps[np.triu_indices(len(photo.people), 1)] < 0.5)


def test_a_pasted_person_is_the_resized_cutout():
    """The true box of a one-person composite holds the person's pixels from the source photo (maybe
    mirrored), and the canvas elsewhere is the background."""
    import cv2
    astronaut = [p for p in photo_set.photos() if p.name == 'astronaut'][0]
    photo = photo_set.composite(0, photo_set.cutouts([astronaut]), [np.full((300, 450, 3), 7, np.uint8)])
    x, y, w, h = np.round(photo.people[0]).astype(int)
    src_x, src_y, src_w, src_h = astronaut.people[0].astype(int)
    pasted = photo.image[y:y + h, x:x + w].astype(float)
    source = astronaut.image[src_y:src_y + src_h, src_x:src_x + src_w]
    errors = [np.abs(pasted - cv2.resize(np.ascontiguousarray(s), (w, h), interpolation=cv2.INTER_AREA)).mean()
              for s in (source, source[:, ::-1])]
    assert min(errors) < 8 < max(errors)
    assert np.all(photo.image[:, :3] == 7) or np.all(photo.image[:, -3:] == 7)


def test_without_sample_images_the_set_is_scikit_image_alone(tmp_path):
    real = photo_set.photos(str(tmp_path))
    assert [p.name for p in real][:2] == ['astronaut', 'camera']
    assert all(p.name in photo_set.SKIMAGE_BOXES or p.name in photo_set.NO_PERSON for p in real)
    for photo in photo_set.composites(count=3, images_dir=str(tmp_path)):
        assert 1 <= len(photo.people) <= photo_set.MAX_PEOPLE


@pytest.mark.parametrize('shape', [(48, 64, 3), (127, 200, 3), (300, 63, 3)])
def test_hog_on_images_smaller_than_its_window_finds_nobody(shape):
    """OpenCV 4.1's detectMultiScale crashes the process on such images (a 5-frame 64 x 48 video did)."""
    image = np.random.RandomState(0).randint(0, 255, shape).astype(np.uint8)
    assert detectors.make_detector('hog').detect(image) == []
