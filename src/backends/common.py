"""What every backend's `predict` and `predict_dict` take and return, and the ONNX file's names:
TensorFlow-free, so that the ONNX backend can run where TensorFlow is not installed."""
import collections

import numpy as np

# What `predict` returns: tuples that unpack as the released ones, with names.
Prediction = collections.namedtuple('Prediction', ['joints', 'verts', 'cams', 'joints3d'])
PredictionWithTheta = collections.namedtuple('PredictionWithTheta', Prediction._fields + ('theta',))

# The exported graph's input (N x img_size x img_size x 3 in [-1, 1]) and outputs (predict_dict's keys,
# joints still in [-1, 1] crop coordinates as the graph computes them).
INPUT_NAME = 'images'
OUTPUT_NAMES = ('joints', 'verts', 'cams', 'joints3d', 'theta')
# ONNX metadata the exporter writes and the ONNX backend checks: a graph of HMR, and its crop size.
MODEL_KIND_KEY, MODEL_KIND = 'hmr_model', 'HMR inference graph (src/onnx_export.py)'
IMG_SIZE_KEY = 'hmr_img_size'
# ...and which checkpoint it holds: the SHA-256 of the checkpoint's .index file, which lists every
# variable with its data's checksum, so that a model exported from other weights is not taken for it.
CHECKPOINT_KEY = 'hmr_checkpoint_index_sha256'


def checkpoint_digest(load_path):
    """The SHA-256 of checkpoint `load_path`'s .index file, or None where it is missing."""
    import hashlib
    try:
        with open(load_path + '.index', 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()
    except (IOError, OSError):
        return None


def fill_batch(images, batch_size):
    """`images` (N x ... , N <= batch_size) made the backend's fixed batch: the missing rows are zero
    images, as the released evaluation filled its last batch. The caller keeps the first N results."""
    missing = batch_size - len(images)
    if missing < 0:
        raise ValueError('%d images do not fit a batch of %d' % (len(images), batch_size))
    if not missing:
        return images
    return np.concatenate([images, np.zeros((missing,) + images.shape[1:], images.dtype)])


def to_crop_pixels(joints, img_size):
    """From the graph's [-1, 1] crop coordinates to pixels of the img_size crop."""
    return ((joints + 1) * 0.5) * img_size


def as_prediction(results, get_theta):
    kind = PredictionWithTheta if get_theta else Prediction
    return kind(**{k: results[k] for k in kind._fields})
