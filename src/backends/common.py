"""What every backend's `predict` and `predict_dict` return, and the ONNX file's names: TensorFlow-free,
so that the ONNX backend can run where TensorFlow is not installed."""
import collections

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


def to_crop_pixels(joints, img_size):
    """From the graph's [-1, 1] crop coordinates to pixels of the img_size crop."""
    return ((joints + 1) * 0.5) * img_size


def as_prediction(results, get_theta):
    kind = PredictionWithTheta if get_theta else Prediction
    return kind(**{k: results[k] for k in kind._fields})
