"""Tiny training sets in the released TFRecord layout, written with the project's Example builders, for
the tests and `make bench` (no licensed dataset needed).

Images are noise with a coloured disk at every visible joint, so keypoints are learnable.
"""
import os

import numpy as np

from ..compat import tf
from ..datasets.common import ImageCoder, convert_to_example, convert_to_example_wmosh, float_feature


def _sample(rng, coder, size=160, joints=14):
    import cv2
    image = (rng.rand(size, size, 3) * 60).astype(np.uint8)
    center = np.array([size // 2, size // 2])
    x = np.clip(center[0] + rng.randn(joints) * 25, 5, size - 5)
    y = np.clip(center[1] + rng.randn(joints) * 35, 5, size - 5)
    visible = (rng.rand(joints) > .15).astype(np.int64)
    for i in range(joints):
        if visible[i]:
            cv2.circle(image, (int(x[i]), int(y[i])), 5, [int(c) for c in (np.array([37, 91, 173]) * (i + 1)) % 255], -1)
    return coder.encode_jpeg(image), size, size, np.vstack([x, y, visible]), center


def write_records(path, examples):
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    with tf.python_io.TFRecordWriter(path) as writer:
        for example in examples:
            writer.write(example.SerializeToString())


def write_tiny_datasets(data_dir, n=8, seed=0, mocap_name='CMU', bad_label=False):
    """lsp (2D), h36m (3D with MoSh), and a MoSh set for the prior; returns data_dir.

    bad_label puts a NaN into one lsp record's keypoints."""
    rng = np.random.RandomState(seed)
    coder = ImageCoder()
    lsp = []
    for i in range(n):
        data, h, w, label, center = _sample(rng, coder)
        if bad_label and i == 0:
            label[0, 3] = np.nan
        lsp.append(convert_to_example(data, 'im%04d.jpg' % i, h, w, label, center))
    write_records(os.path.join(data_dir, 'lsp', 'train_0.tfrecord'), lsp)
    h36m = []
    for i in range(n):
        data, h, w, label, center = _sample(rng, coder)
        h36m.append(convert_to_example_wmosh(data, 's%04d.jpg' % i, h, w, label, center, rng.randn(14, 3) * .3,
                                             rng.randn(72) * .2, rng.randn(10) * .5, np.array([1., 1.]),
                                             np.array([0, 0]), np.array([500., 80., 80.])))
    write_records(os.path.join(data_dir, 'tf_records_human36m_wjoints', 'train', 'train_0.tfrecord'), h36m)
    mocap = []
    for _ in range(4 * n):
        features = {'pose': float_feature(rng.randn(72) * .2), 'shape': float_feature(rng.randn(10) * .5)}
        mocap.append(tf.train.Example(features=tf.train.Features(feature=features)))
    write_records(os.path.join(data_dir, 'mocap_neutrMosh', 'neutrSMPL_%s_0.tfrecord' % mocap_name), mocap)
    return data_dir
