"""What every detector shares: the input check, [x, y, w, h] box overlap, suppression and ordering."""
import numpy as np

from ..errors import HMRError

# Below this a photo holds no person a detector (or HMR's 224 px crop) can make anything of.
MIN_IMAGE_SIDE = 32


def check_image(image):
    """Raise HMRError unless `image` is what detectors take: H x W x 3 uint8 RGB, >= MIN_IMAGE_SIDE a side."""
    if not isinstance(image, np.ndarray):
        raise HMRError('a detector needs an image array, got %s' % type(image).__name__)
    if image.ndim != 3 or image.shape[2] != 3:
        raise HMRError('a detector needs an H x W x 3 RGB image, got an array of shape %s'
                       % (tuple(image.shape),))
    if image.dtype != np.uint8:
        raise HMRError('a detector needs 8-bit pixels (uint8), got %s' % image.dtype)
    if min(image.shape[:2]) < MIN_IMAGE_SIDE:
        raise HMRError('an image of %d x %d pixels is too small to find a person in (at least %d a side)'
                       % (image.shape[1], image.shape[0], MIN_IMAGE_SIDE))


def iou(boxes_a, boxes_b):
    """N x M intersection over union of [x, y, w, h] boxes."""
    a = np.asarray(boxes_a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(boxes_b, dtype=np.float64).reshape(-1, 4)
    left = np.maximum(a[:, None, 0], b[None, :, 0])
    top = np.maximum(a[:, None, 1], b[None, :, 1])
    right = np.minimum(a[:, None, 0] + a[:, None, 2], b[None, :, 0] + b[None, :, 2])
    bottom = np.minimum(a[:, None, 1] + a[:, None, 3], b[None, :, 1] + b[None, :, 3])
    inter = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None, :] - inter
    return inter / np.maximum(union, 1e-12)


def clip_to_image(box, shape):
    """The part of an [x, y, w, h] box inside an image of `shape` (H, W, ...)."""
    height, width = shape[:2]
    left, top = np.clip(box[0], 0, width), np.clip(box[1], 0, height)
    right, bottom = np.clip(box[0] + box[2], 0, width), np.clip(box[1] + box[3], 0, height)
    return np.array([left, top, right - left, bottom - top], dtype=np.float64)


def area(detection):
    return detection.bbox[2] * detection.bbox[3]


def suppress_and_sort(detections, max_iou):
    """Keep the surest of any boxes overlapping by more than `max_iou`; return them biggest first."""
    kept = []
    for detection in sorted(detections, key=lambda d: -d.score):
        if not kept or iou([detection.bbox], [k.bbox for k in kept]).max() <= max_iou:
            kept.append(detection)
    return sorted(kept, key=lambda d: -area(d))
