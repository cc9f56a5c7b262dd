"""Images and keypoint labels stay aligned to within a pixel through the converters' resize and crop
and through the training augmentation (centre jitter, scale jitter, edge padding, crop, mirroring).

The raw images are noise with a disk drawn at every visible joint, centred at the joint's sub-pixel
position (cv2.circle with a fractional shift). After each step, the centroid of the pixels of a
joint's colour near its label must lie within 1 px of the label. Left and right joints share a colour,
so the check holds whether or not an example was mirrored (mirroring swaps their labels).
"""
import os

import cv2
import numpy as np
import pytest

from src.compat import tf
from src.config import get_config
from src.data_loader import DataLoader
from src.datasets.common import ImageCoder, convert_to_example
from src.joints import LSP14, mirrored
from src.samples.synthetic_datasets import write_records

RADIUS = 9
TOLERANCE_PX = 1.
# The person: 14 LSP joints (x, y) about its centre, at least 28 px apart, so disks do not touch down
# to a size of 0.7. The right wrist hangs lower than the left one: a mirrored example shows the opposite.
PERSON = {'right_ankle': (-30, 90), 'right_knee': (-30, 55), 'right_hip': (-22, 20), 'left_hip': (22, 20),
          'left_knee': (30, 55), 'left_ankle': (30, 90), 'right_wrist': (-80, 30), 'right_elbow': (-62, -5),
          'right_shoulder': (-30, -35), 'left_shoulder': (30, -35), 'left_elbow': (62, -12),
          'left_wrist': (80, 10), 'neck': (0, -50), 'head_top': (0, -90)}
PAIRS = sorted(set(min(name, mirrored(name)) for name in LSP14))
COLORS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (255, 0, 255), (0, 255, 255), (255, 255, 255),
          (255, 128, 0)]
PALETTE = dict((name, np.array(COLORS[PAIRS.index(min(name, mirrored(name)))], np.float64)) for name in LSP14)


def joints_at(center, scale=1., jitter=None):
    """2 x 14 joint positions in LSP order around `center`, optionally jittered by up to 2 px."""
    offsets = np.array([PERSON[name] for name in LSP14], np.float64).T * scale
    if jitter is not None:
        offsets += jitter.uniform(-2, 2, offsets.shape)
    return offsets + np.asarray(center, np.float64)[:, None]


def disk_image(height, width, joints, visible, rng):
    """Noise (0-60) with a disk of each visible joint's colour centred at its sub-pixel position."""
    image = (rng.rand(height, width, 3) * 60).astype(np.uint8)
    for name, (x, y), seen in zip(LSP14, joints.T, visible):
        if seen:
            cv2.circle(image, (int(round(x * 16)), int(round(y * 16))), RADIUS * 16,
                       [int(c) for c in PALETTE[name]], -1, lineType=cv2.LINE_AA, shift=4)
    return image


def disk_offsets(image, joints, visible, scale=1.):
    """Distance (px) from each visible joint label to the centroid of its disk's pixels in `image`."""
    image = np.asarray(image, np.float64)
    reach = int(np.ceil(RADIUS * scale + 4 * TOLERANCE_PX))
    offsets = []
    for name, (x, y), seen in zip(LSP14, np.asarray(joints).T, visible):
        if not seen:
            continue
        x0, y0 = max(int(round(x)) - reach, 0), max(int(round(y)) - reach, 0)
        window = image[y0:int(round(y)) + reach + 1, x0:int(round(x)) + reach + 1]
        inside = np.abs(window - PALETTE[name]).max(axis=2) < 45
        assert inside.sum() > .25 * np.pi * (RADIUS * scale) ** 2, (name, 'no disk of its colour at its label')
        ys, xs = np.nonzero(inside)
        offsets.append(np.hypot(xs.mean() + x0 - x, ys.mean() + y0 - y))
    return np.array(offsets)


def decode(example):
    feature = example.features.feature
    image = ImageCoder().decode(feature['image/encoded'].bytes_list.value[0])
    joints = np.array([feature['image/x'].float_list.value, feature['image/y'].float_list.value])
    return image, joints, np.array(feature['image/visibility'].int64_list.value)


# ------------------------------------------------------------------------------------------ converters
def test_the_disks_themselves_are_centred_on_their_joints():
    rng = np.random.RandomState(0)
    joints = joints_at([100.3, 120.8], jitter=rng)
    image = disk_image(240, 200, joints, np.ones(14), rng)
    assert disk_offsets(image, joints, np.ones(14)).max() < .25


def test_lsp_converter_keeps_labels_on_their_disks(tmp_path):
    import scipy.io as sio
    from src.datasets.lsp_to_tfrecords import process_lsp
    from src.datasets.records import read_records
    rng = np.random.RandomState(1)
    raw = tmp_path / 'lsp'
    os.makedirs(str(raw / 'images'))
    labels = []
    for i in range(4):
        joints = joints_at([95 + 7.3 * i, 118.6 - 3.1 * i], jitter=rng)
        visible = np.ones(14)
        visible[[3 * i, 13 - i]] = 0
        cv2.imwrite(str(raw / 'images' / ('im%04d.jpg' % (i + 1))),
                    cv2.cvtColor(disk_image(240, 210, joints, visible, rng), cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        labels.append(np.vstack([joints, 1 - visible]))  # LSP stores 0 for visible
    sio.savemat(str(raw / 'joints.mat'), {'joints': np.stack(labels, axis=2)})
    process_lsp(str(raw), str(tmp_path / 'out'))
    records = [ex for split in ('train', 'test') for ex in read_records(str(tmp_path / 'out' / ('%s_000.tfrecord'
                                                                                                % split)))]
    assert len(records) == 4
    for example in records:
        image, joints, visible = decode(example)
        assert disk_offsets(image, joints, visible).max() <= TOLERANCE_PX


@pytest.mark.parametrize('scale', [.55, .83, 1.0, 1.25, 1.5])
def test_rescale_and_crop_keeps_labels_on_their_disks(scale):
    # The person normalisation of the MPII and COCO converters.
    from src.datasets.person_crop import rescale_and_crop
    rng = np.random.RandomState(int(scale * 100))
    joints = joints_at([160.4, 141.7], jitter=rng)
    visible = np.ones(14)
    visible[[2, 9]] = 0
    image = disk_image(300, 330, joints, visible, rng)
    crop, joints_crop, _, _, _ = rescale_and_crop(image, joints, scale, 150, visible=visible)
    assert disk_offsets(crop, joints_crop, visible, scale).max() <= TOLERANCE_PX
    # ... and the same after the JPEG round trip of a record.
    data = ImageCoder().encode_jpeg(crop)
    example = convert_to_example(data, 'x.jpg', crop.shape[0], crop.shape[1], np.vstack([joints_crop, visible]),
                                 [0, 0])
    image, joints_back, visible_back = decode(example)
    assert disk_offsets(image, joints_back, visible_back, scale).max() <= TOLERANCE_PX


@pytest.mark.parametrize('size', [.75, 1., 1.4])
def test_3d_set_examples_keep_labels_on_their_disks(size):
    # MPI-INF-3DHP and Human3.6M: rescaled so the joints' box diagonal is 150 px, a 300 px window cut.
    from src.datasets.common import person_3d_example
    rng = np.random.RandomState(int(size * 10))
    joints = joints_at([250.6, 190.2], scale=size, jitter=rng)
    image = disk_image(400, 520, joints, np.ones(14), rng)
    example = person_3d_example(image, 'f.jpg', joints.T, np.zeros((14, 3)), [1000., 260., 200.])
    crop, joints_crop, visible = decode(example)
    diagonal = np.linalg.norm(joints.max(axis=1) - joints.min(axis=1))
    assert disk_offsets(crop, joints_crop, visible, 150. / diagonal).max() <= TOLERANCE_PX


# ---------------------------------------------------------------------------------------- augmentation
# The person is 144 px tall here: up-scaled by 1.23 and moved by 20 px, it stays inside the 224 crop.
PERSON_SCALE = .8


@pytest.fixture(scope='module')
def disk_records(tmp_path_factory):
    """lsp/train_0.tfrecord: 8 disk images of 200 x 240 (some joints hidden), centre = box middle."""
    rng = np.random.RandomState(2)
    coder = ImageCoder()
    examples = []
    for i in range(8):
        joints = joints_at([100 + rng.uniform(-8, 8), 120 + rng.uniform(-8, 8)], scale=PERSON_SCALE, jitter=rng)
        visible = (rng.rand(14) > .15).astype(np.int64)
        visible[[LSP14.index('right_wrist'), LSP14.index('left_wrist')]] = 1
        image = disk_image(240, 200, joints, visible, rng)
        seen = joints[:, visible > 0]
        center = np.round((seen.min(axis=1) + seen.max(axis=1)) / 2.).astype(np.int64)
        examples.append(convert_to_example(coder.encode_jpeg(image), 'im%04d.jpg' % i, 240, 200,
                                           np.vstack([joints, visible]), center))
    data_dir = str(tmp_path_factory.mktemp('disks'))
    write_records(os.path.join(data_dir, 'lsp', 'train_0.tfrecord'), examples)
    return data_dir


def test_augmented_crops_keep_labels_on_their_disks(disk_records):
    config = get_config(['test', '--data_dir=%s' % disk_records, '--datasets=lsp', '--use_3d_label=False',
                         '--batch_size=8'])
    assert config.trans_max > 0 and config.scale_min < 1 < config.scale_max  # the released jitter is on
    with tf.Graph().as_default(), tf.Session() as sess:
        batch = DataLoader(config, seed=5).load()
        batches = [sess.run(batch) for _ in range(3)]
    mirrored_count, spans, worst = 0, [], 0.
    right, left = LSP14.index('right_wrist'), LSP14.index('left_wrist')
    for images, labels in ((b['image'], b['label']) for b in batches):
        for image, label in zip(images, labels):
            pixels = (image + 1.) * 127.5  # [-1, 1] back to 0-255
            joints = (label[:14, :2].T + 1.) * 224 / 2.  # [-1, 1] back to crop pixels
            visible = label[:14, 2] > 0
            span = np.linalg.norm(joints[:, LSP14.index('head_top')] - joints[:, LSP14.index('left_ankle')])
            offsets = disk_offsets(pixels, joints, visible, span / (PERSON_SCALE * np.hypot(30, 180)))
            worst = max(worst, offsets.max())
            mirrored_count += joints[1, right] < joints[1, left]
            spans.append(span)
    assert worst <= TOLERANCE_PX
    # The examples were mirrored in part and rescaled differently.
    assert 0 < mirrored_count < 24
    assert max(spans) / min(spans) > 1.2
