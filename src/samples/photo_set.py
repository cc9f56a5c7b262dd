"""Real photos with known person boxes, composites built from them, and the score of a detector on them.

Tests and bench/bench_detectors.py both measure detectors here. The photos are scikit-image's bundled
photographs and, when the caller gives their folder (`images_dir`, e.g. the reference folder's
`images/`), the released sample images (COCO, LSP and `random.jpg`); their person boxes were drawn by
hand on the images and are the whole visible person. `ignore` regions hold people too cut off or too
far away to count: a detection there is neither right nor wrong. A composite pastes people cut from
those photos (their box plus some context) at known places and sizes onto a larger canvas made from a
photo without people; it is reproducible from its seed.
Without that folder the set is scikit-image's photos alone: nothing here reads outside the repository.
The frames of the sample video clip, with their true boxes, are scored the same way (`clip_frames`).
"""
import collections
import os

import cv2
import numpy as np

from ..detectors.boxes import iou

Photo = collections.namedtuple('Photo', ['name', 'image', 'people', 'ignore'])
Score = collections.namedtuple('Score', ['recall', 'precision', 'people', 'found', 'false_alarms'])

# name: (people, ignore), boxes [x, y, w, h] in the image's pixels.
SAMPLE_BOXES = collections.OrderedDict([
    ('random.jpg', ([[220, 105, 458, 518], [535, 385, 178, 232]], [])),
    # the catcher; the umpire cut by the left edge, spectators behind the fence, the batter's leg
    ('coco1.png', ([[52, 34, 145, 148]], [[0, 0, 54, 186], [40, 0, 184, 85], [195, 115, 29, 55]])),
    ('coco2.png', ([[66, 30, 97, 120]], [])),
    # two people cut by the left and right edges
    ('im1954.jpg', ([[16, 22, 76, 128]], [[0, 55, 18, 102], [98, 85, 16, 55]])),
    # blurred passers-by in the background
    ('im1963.jpg', ([[12, 10, 135, 85]], [[0, 0, 45, 45]])),
])
SKIMAGE_BOXES = collections.OrderedDict([
    ('astronaut', ([[18, 15, 345, 497]], [])),
    ('camera', ([[0, 65, 332, 447]], [])),
])
# scikit-image 0.18 replaced camera() by another photograph of a cameraman (for its licence): the
# legacy runtime's 0.14 has the classic one.
CLASSIC_CAMERA_BOX = [[47, 73, 263, 439]]
# brick() appeared in scikit-image 0.16; the legacy runtime's set has the other three.
NO_PERSON = ('coffee', 'chelsea', 'rocket', 'brick')
# Composite canvases come from the no-person photos both runtimes' scikit-image versions have.
BACKGROUNDS = ('coffee', 'chelsea', 'rocket')

MIN_IOU = 0.5
# A detection mostly inside an ignore region is not counted.
MIN_IGNORED_FRACTION = 0.5
# Composites: canvas height, widths from these aspect ratios, context kept around a cut-out person
# (fraction of its box), pasted person heights as fractions of the canvas height.
CANVAS_HEIGHT = 600
CANVAS_ASPECTS = (1.2, 1.8)
CONTEXT = 0.15
PERSON_HEIGHTS = (0.35, 0.85)
MAX_PEOPLE = 4
COMPOSITES = 16
# A person this much inside a cut-out comes along as a person; less, as an ignore region.
WHOLE_FRACTION = 0.95


def has_sample_images(images_dir):
    """True when `images_dir` (None: no folder) holds every released sample image of SAMPLE_BOXES."""
    return images_dir is not None and all(os.path.exists(os.path.join(images_dir, name)) for name in SAMPLE_BOXES)


def _rgb(image):
    return np.stack([image] * 3, axis=-1) if image.ndim == 2 else np.ascontiguousarray(image[:, :, :3])


def _skimage_version():
    import skimage
    return tuple(int(part) for part in skimage.__version__.split('.')[:2])


def _skimage_photos():
    """(name, image, people, ignore) of scikit-image's photos that this version bundles."""
    from skimage import data
    found = []
    for name, (people, ignore) in SKIMAGE_BOXES.items():
        if name == 'camera' and _skimage_version() < (0, 18):
            people = CLASSIC_CAMERA_BOX
        found.append((name, _rgb(getattr(data, name)()), people, ignore))
    for name in NO_PERSON:
        if hasattr(data, name):
            found.append((name, _rgb(getattr(data, name)()), [], []))
    return found


def _boxes(boxes):
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 4)


def photos(images_dir=None):
    """The real photos: the sample images (when `images_dir` holds them), scikit-image's people and
    no-person photos."""
    found = []
    if has_sample_images(images_dir):
        from PIL import Image
        for name, (people, ignore) in SAMPLE_BOXES.items():
            image = _rgb(np.asarray(Image.open(os.path.join(images_dir, name)).convert('RGB')))
            found.append(Photo(name, image, _boxes(people), _boxes(ignore)))
    for name, image, people, ignore in _skimage_photos():
        found.append(Photo(name, image, _boxes(people), _boxes(ignore)))
    return found


def _inside_fraction(boxes, region):
    """Fraction of each box's area inside `region`."""
    boxes = _boxes(boxes)
    left = np.maximum(boxes[:, 0], region[0])
    top = np.maximum(boxes[:, 1], region[1])
    right = np.minimum(boxes[:, 0] + boxes[:, 2], region[0] + region[2])
    bottom = np.minimum(boxes[:, 1] + boxes[:, 3], region[1] + region[3])
    inter = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    return inter / np.maximum(boxes[:, 2] * boxes[:, 3], 1e-12)


def cutouts(real_photos):
    """Each person of the photos as (image patch, people boxes, ignore boxes) in patch pixels: the box
    with CONTEXT around it; other people inside the patch come along (whole ones as people)."""
    found = []
    for photo in real_photos:
        height, width = photo.image.shape[:2]
        for box in photo.people:
            margin = CONTEXT * box[2:]
            left, top = np.maximum(0, np.floor(box[:2] - margin)).astype(int)
            right = int(min(width, np.ceil(box[0] + box[2] + margin[0])))
            bottom = int(min(height, np.ceil(box[1] + box[3] + margin[1])))
            region = np.array([left, top, right - left, bottom - top], dtype=np.float64)
            shift = np.array([left, top, 0, 0])
            people, ignore = [], []
            for other, whole in zip(photo.people, _inside_fraction(photo.people, region)):
                target = people if whole >= WHOLE_FRACTION else ignore
                if whole > 0:
                    target.append(_clip(other, region) - shift)
            for other, part in zip(photo.ignore, _inside_fraction(photo.ignore, region)):
                if part > 0:
                    ignore.append(_clip(other, region) - shift)
            found.append((photo.image[top:bottom, left:right], _boxes(people), _boxes(ignore)))
    return found


def _clip(box, region):
    left, top = max(box[0], region[0]), max(box[1], region[1])
    right = min(box[0] + box[2], region[0] + region[2])
    bottom = min(box[1] + box[3], region[1] + region[3])
    return np.array([left, top, right - left, bottom - top])


def _mirror(boxes, width):
    """Boxes of an image `width` wide after a left-right flip."""
    return np.stack([width - boxes[:, 0] - boxes[:, 2], boxes[:, 1], boxes[:, 2], boxes[:, 3]], 1)


def _resize(image, size):
    """`image` resized to (width, height) `size`: area averaging down, bilinear up."""
    shrinking = size[0] < image.shape[1]
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def _choose_cutouts(rng, people_pool, count):
    """Indices of cut-outs holding `count` people in all (a cut-out may hold two), repeats allowed only
    once every cut-out has been tried."""
    chosen, total = [], 0
    for index in np.concatenate([rng.permutation(len(people_pool)) for _ in range(count)]):
        held = len(people_pool[index][1])
        if total + held <= count:
            chosen.append(index)
            total += held
        if total == count:
            break
    return chosen


def composite(seed, people_pool, backgrounds):
    """One canvas from `backgrounds` with 1..MAX_PEOPLE people from `people_pool` side by side, each
    cut-out in its own column (so none covers another), its tallest person at a height drawn from
    PERSON_HEIGHTS."""
    rng = np.random.RandomState(seed)
    width = int(CANVAS_HEIGHT * rng.uniform(*CANVAS_ASPECTS))
    canvas = _resize(backgrounds[rng.randint(len(backgrounds))], (width, CANVAS_HEIGHT)).copy()
    chosen = _choose_cutouts(rng, people_pool, rng.randint(1, MAX_PEOPLE + 1))
    column = width // len(chosen)
    people, ignore = [], []
    for slot, index in enumerate(chosen):
        patch, patch_people, patch_ignore = people_pool[index]
        if rng.rand() < 0.5:
            patch = patch[:, ::-1]
            patch_people, patch_ignore = _mirror(patch_people, patch.shape[1]), _mirror(patch_ignore, patch.shape[1])
        main_height = patch_people[:, 3].max()
        scale = rng.uniform(*PERSON_HEIGHTS) * CANVAS_HEIGHT / main_height
        scale = min(scale, float(column) / patch.shape[1], float(CANVAS_HEIGHT) / patch.shape[0])
        size = (max(1, int(patch.shape[1] * scale)), max(1, int(patch.shape[0] * scale)))
        left = slot * column + rng.randint(0, column - size[0] + 1)
        top = rng.randint(0, CANVAS_HEIGHT - size[1] + 1)
        canvas[top:top + size[1], left:left + size[0]] = _resize(np.ascontiguousarray(patch), size)
        # Boxes follow the pixels: scale by the rounded size actually pasted.
        factor = np.array([size[0] / float(patch.shape[1]), size[1] / float(patch.shape[0])] * 2)
        offset = np.array([left, top, 0, 0])
        people.extend(patch_people * factor + offset)
        ignore.extend(patch_ignore * factor + offset)
    return Photo('composite%02d' % seed, canvas, _boxes(people), _boxes(ignore))


def composites(count=COMPOSITES, seed=0, images_dir=None):
    """`count` composites, seeds seed .. seed + count - 1."""
    real = photos(images_dir)
    pool = cutouts([p for p in real if len(p.people)])
    backgrounds = [p.image for p in real if p.name in BACKGROUNDS]
    return [composite(seed + i, pool, backgrounds) for i in range(count)]


def clip_frames(fps=None, seconds=None):
    """The sample clip (src/samples/sample_clip.py: two people crossing, one leaving and coming back) as
    one Photo a frame, its people's true boxes in the order of their ids; and those ids per frame."""
    from . import sample_clip
    frames, ids = [], []
    for index, (frame, boxes) in enumerate(sample_clip.sample_frames(fps=fps or sample_clip.FPS,
                                                                     seconds=seconds or sample_clip.SECONDS)):
        frame_ids = sorted(boxes)
        frames.append(Photo('frame%03d' % index, frame, _boxes([boxes[i] for i in frame_ids]), _boxes([])))
        ids.append(frame_ids)
    return frames, ids


def score(detections, photo_list, min_iou=MIN_IOU):
    """Score of detections (one list of boxes or Detections per photo) against the photos' people.

    Surest detection first, each takes the free true box it overlaps most if IoU >= min_iou; a
    detection left over is a false alarm unless it lies mostly in an ignore region. A second box on an
    already found person is a false alarm."""
    people = found = false_alarms = 0
    for boxes, photo in zip(detections, photo_list):
        boxes = [getattr(b, 'bbox', b) for b in sorted(boxes, key=lambda b: -getattr(b, 'score', 0))]
        free = np.ones(len(photo.people), bool)
        people += len(photo.people)
        for box in boxes:
            overlaps = iou([box], photo.people)[0] if len(photo.people) else np.zeros(0)
            overlaps[~free] = 0
            if len(overlaps) and overlaps.max() >= min_iou:
                free[np.argmax(overlaps)] = False
                found += 1
            elif not any(_inside_fraction([box], region)[0] >= MIN_IGNORED_FRACTION for region in photo.ignore):
                false_alarms += 1
    recall = found / float(people) if people else 1.
    precision = found / float(found + false_alarms) if found + false_alarms else 1.
    return Score(recall, precision, people, found, false_alarms)
