"""Reading an evaluation set's TFRecords into network inputs, as the released evaluation did: the
person window is cut around `image/center` at the converter's scale (no jitter, no flip), padded with
the edge pixels, and scaled to [-1, 1]."""
import os.path as osp

import numpy as np

from ..compat import tf
from ..datasets.common import NUM_LSP
from ..errors import HMRError


def _floats(example, key):
    return np.array(example.features.feature[key].float_list.value, np.float64)


def _ints(example, key):
    return np.array(example.features.feature[key].int64_list.value, np.int64)


def crop_around(image, center, img_size):
    """img_size x img_size window of `image` centred on `center` (x, y), edge-padded."""
    margin = img_size // 2
    padded = np.pad(image, ((margin, margin), (margin, margin), (0, 0)), mode='edge')
    x, y = int(center[0]), int(center[1])
    return padded[y:y + img_size, x:x + img_size]


def read_test_records(path, img_size=224):
    """The examples of one TFRecord file, in order, as a dict of arrays:
    images (N x S x S x 3 in [-1, 1]), kps (N x 14 x 3: x, y in [-1, 1] of the crop, visibility),
    gt3d (N x 14 x 3 in metres, or None without 3D labels) and names (image/filename)."""
    if not osp.isfile(path):
        raise HMRError('test records %s not found: convert the test set first (see `make datasets`)' % path)
    # TensorFlow's JPEG decoder with its default (fast integer) IDCT, as the released evaluation decoded:
    # OpenCV's or Pillow's accurate IDCT gives other pixel values (up to 13 levels apart).
    with tf.Graph().as_default(), tf.Session() as sess:
        encoded = tf.placeholder(tf.string, [])
        decoded = tf.image.decode_jpeg(encoded, channels=3)
        return _read(path, img_size, lambda data: sess.run(decoded, {encoded: data}))


def _read(path, img_size, decode):
    """read_test_records with `decode` (encoded image -> H x W x 3 uint8)."""
    out = {k: [] for k in ('images', 'kps', 'gt3d', 'names')}
    try:
        for data in tf.python_io.tf_record_iterator(path):
            example = tf.train.Example()
            example.ParseFromString(data)
            feature = example.features.feature
            image = decode(feature['image/encoded'].bytes_list.value[0])
            center = _ints(example, 'image/center')
            visible = _ints(example, 'image/visibility').astype(bool)
            xy = np.stack([_floats(example, 'image/x'), _floats(example, 'image/y')], 1)
            xy = 2. * (xy - center + img_size // 2) / img_size - 1.
            out['kps'].append(np.hstack([xy * visible[:, None], visible[:, None]]))
            out['images'].append(2. * (crop_around(image, center, img_size) / 255. - .5))
            out['names'].append(feature['image/filename'].bytes_list.value[0].decode('utf-8'))
            if 'mosh/gt3d' in feature:
                out['gt3d'].append(_floats(example, 'mosh/gt3d').reshape(NUM_LSP, 3))
    except tf.errors.DataLossError as e:
        raise HMRError('test records %s are corrupt (%s): convert them again' % (path, e.message.splitlines()[0]))
    except tf.errors.InvalidArgumentError as e:
        raise HMRError('test records %s hold an image that cannot be decoded (%s): convert them again' % (
            path, e.message.splitlines()[0]))
    if not out['names']:
        raise HMRError('test records %s hold no examples' % path)
    result = {k: np.array(v, np.float32 if k == 'images' else None) for k, v in out.items() if k != 'names'}
    result['names'] = out['names']
    result['gt3d'] = result['gt3d'] if len(out['gt3d']) == len(out['names']) else None
    return result
