"""What the dataset converters share: a sharded TFRecord writer that never leaves half a file, the
checks that name a missing official file, the progress bar, the command-line wrapper, the released
person normalisation (rescale to a 150 px person, crop a window) and the 3D-set Example of
MPI-INF-3DHP and Human3.6M, and an in-order video frame reader.

A shard is written to a hidden temporary file beside its final name (`.train_000.tfrecord.partial`) and
renamed when it is complete, so an interrupted conversion leaves only whole shards under the names
the training reader globs (`train_*.tfrecord`); running the converter again overwrites them.
"""
from __future__ import print_function

import os
import os.path as osp
import sys

import numpy as np

from ..compat import tf
from ..errors import HMRError


class VideoError(HMRError):
    """A video that is missing or cannot be decoded (converters report and skip its sequence)."""


class ShardedWriter(object):
    """Writes tf.train.Examples into `pattern % shard_index` files of at most `per_shard` records;
    per_shard None writes one file named `pattern` (no % in it)."""

    def __init__(self, pattern, per_shard):
        if per_shard is not None and per_shard < 1:
            raise HMRError('records per shard must be at least 1, got %d' % per_shard)
        self.pattern = pattern
        self.per_shard = per_shard
        self.paths = []
        self.num_written = 0
        self._writer = None
        self._tmp = None
        self._in_shard = 0
        out_dir = osp.dirname(pattern)
        if out_dir and not osp.isdir(out_dir):
            os.makedirs(out_dir)

    def _open(self):
        path = self.pattern if self.per_shard is None else self.pattern % len(self.paths)
        self._tmp = osp.join(osp.dirname(path), '.%s.partial' % osp.basename(path))
        self._writer = tf.python_io.TFRecordWriter(self._tmp)
        self.paths.append(path)
        self._in_shard = 0

    def _finish(self):
        if self._writer is not None:
            self._writer.close()
            os.rename(self._tmp, self.paths[-1])
            self._writer = None

    def write(self, example):
        if self._writer is not None and self.per_shard is not None and self._in_shard >= self.per_shard:
            self._finish()
        if self._writer is None:
            self._open()
        self._writer.write(example.SerializeToString())
        self._in_shard += 1
        self.num_written += 1

    def close(self):
        self._finish()

    def abort(self):
        """Drop the shard being written (the finished ones stay)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self.paths.pop()
            if osp.exists(self._tmp):
                os.remove(self._tmp)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False


def read_records(path):
    """The tf.train.Examples of one TFRecord file, in order (for checks and tests)."""
    examples = []
    for data in tf.python_io.tf_record_iterator(path):
        example = tf.train.Example()
        example.ParseFromString(data)
        examples.append(example)
    return examples


def require_dir(path, what):
    if not osp.isdir(path):
        raise HMRError('%s not found: %s is not a directory' % (what, path))
    return path


def require_file(path, what):
    """`path`, or an HMRError naming the official file that is missing."""
    if not osp.isfile(path):
        raise HMRError('%s not found: expected the official file %s' % (what, path))
    return path


def read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


def progress(iterable, desc, total=None, unit='img'):
    """A tqdm progress bar on stderr (plain iteration when tqdm is missing)."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is in both requirement files
        return iterable
    return tqdm(iterable, desc=desc, total=total, unit=unit, file=sys.stderr, dynamic_ncols=True)


def person_scale(height, target=150.):
    """Scale that makes a person `height` pixels tall `target` pixels tall."""
    if not np.isfinite(height) or height <= 0:
        return None
    return target / float(height)


def rescale_and_crop(image, joints_xy, scale, margin, visible=None, center=None, center_unscaled=None):
    """The released person normalisation: resize `image` by `scale` (sizes floored, see
    src.util.image.resize_img), then cut a (2 * margin)-pixel window around the person without padding
    (the window stops at the image border).

    joints_xy is 2 x K pixel coordinates in `image`; `center` ([x, y] in the *scaled* image) defaults
    to the middle of the box of the `visible` joints (all joints when visible is None); a
    `center_unscaled` ([x, y] in `image`) is scaled and rounded to whole pixels instead (3D sets).
    Returns the crop, the joints and the centre in crop coordinates, start_pt (int [x, y] of the
    window in the scaled image) and the actual scale factors [y, x] of the resize (as released,
    height first).
    """
    from ..util.image import resize_img
    image_scaled, factors_yx = resize_img(image, scale)
    height, width = image_scaled.shape[:2]
    joints = np.array(joints_xy, dtype=np.float64)
    joints[0] *= factors_yx[1]
    joints[1] *= factors_yx[0]
    if center_unscaled is not None:
        center = np.round(np.asarray(center_unscaled, np.float64) * [factors_yx[1], factors_yx[0]]).astype(int)
    elif center is None:
        seen = joints if visible is None else joints[:, np.asarray(visible, bool)]
        center = (seen.min(axis=1) + seen.max(axis=1)) / 2.
    center = np.asarray(center)
    start_pt = np.maximum(center - margin, 0).astype(int)
    end_pt = (center + margin).astype(int)
    end_pt = np.minimum(end_pt, [width, height])
    crop = image_scaled[start_pt[1]:end_pt[1], start_pt[0]:end_pt[0], :]
    joints -= start_pt[:, None]
    return crop, joints, center - start_pt, start_pt, factors_yx


def person_3d_example(image, image_path, gt2d, gt3d_m, cam, pose=None, shape=None, coder=None):
    """The released 3D-set Example (MPI-INF-3DHP, Human3.6M): all 14 joints visible; the person is
    rescaled so the diagonal of its joints' box is 150 px, and a window of up to 300 x 300 around the
    rounded, rescaled box centre is cut (no padding). gt2d is 14 x 2 pixels, gt3d_m 14 x 3 metres,
    cam [f, px, py]: f is multiplied by the scale, the principal point follows the resize and the crop.
    meta/scale_factors are the resize's actual [y, x] factors, meta/crop_pt the window's [x, y].
    None when the joints have no extent."""
    from .common import ImageCoder, convert_to_example_wmosh
    coder = coder or ImageCoder()
    gt2d = np.asarray(gt2d, np.float64)
    min_pt, max_pt = gt2d.min(axis=0), gt2d.max(axis=0)
    scale = person_scale(np.linalg.norm(max_pt - min_pt))
    if scale is None:
        return None
    crop, joints, center, start_pt, factors_yx = rescale_and_crop(
        image, gt2d.T, scale, 150, center_unscaled=(min_pt + max_pt) / 2.)
    cam = np.array(cam, dtype=np.float64)
    cam[0] *= scale
    cam[1] = cam[1] * factors_yx[1] - start_pt[0]
    cam[2] = cam[2] * factors_yx[0] - start_pt[1]
    label = np.vstack([joints, np.ones((1, joints.shape[1]))])
    height, width = crop.shape[:2]
    return convert_to_example_wmosh(coder.encode_jpeg(crop), image_path, height, width, label, center,
                                    np.asarray(gt3d_m, np.float64), pose, shape, np.asarray(factors_yx),
                                    start_pt, cam)


def enough_in_image(gt2d, height, width, min_points=8):
    """The released 3D-set check: at least `min_points` joints inside the image."""
    gt2d = np.asarray(gt2d)
    inside = (gt2d[:, 0] >= 0) & (gt2d[:, 0] < width) & (gt2d[:, 1] >= 0) & (gt2d[:, 1] < height)
    return int(inside.sum()) >= min_points


def video_frames(path, wanted):
    """Yield (index, RGB frame) for the frame indices in `wanted` of a video, decoding it once in order
    with OpenCV. Stops early after the last wanted frame or at the end of a short/broken video."""
    import cv2
    wanted = sorted(set(int(i) for i in wanted))
    if not wanted:
        return
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise VideoError('could not open the video %s' % path)
    try:
        targets = iter(wanted)
        target = next(targets)
        index = 0
        while True:
            ok = capture.grab()
            if not ok:
                return
            if index == target:
                ok, frame = capture.retrieve()
                if not ok:
                    return
                yield index, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                target = next(targets, None)
                if target is None:
                    return
            index += 1
    finally:
        capture.release()
