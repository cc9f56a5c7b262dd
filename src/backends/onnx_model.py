"""RunModel's API on ONNX Runtime: the graph src/onnx_export.py wrote, run without TensorFlow."""
import os

import numpy as np

from ..errors import HMRError
from ..tf_smpl.smpl_io import load_smpl_pickle, mesh_faces
from .common import (CHECKPOINT_KEY, IMG_SIZE_KEY, INPUT_NAME, MODEL_KIND, MODEL_KIND_KEY, OUTPUT_NAMES, as_prediction,
                     to_crop_pixels)


class MeshFaces(object):
    """What the demo reads of RunModel's `smpl`: the mesh's triangles."""

    def __init__(self, smpl_model_path, face_path=None, model=None):
        self.faces = mesh_faces(load_smpl_pickle(smpl_model_path) if model is None else model, face_path)


def _session(onnx_path, optimise=True):
    """An ONNX Runtime session on `onnx_path`; optimise=False where only its metadata is read."""
    import onnxruntime
    if not os.path.exists(onnx_path):
        raise HMRError('ONNX model %s is missing: write it with `make onnx` (python -m src.onnx_export) or pass '
                       '--onnx_path' % onnx_path)
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # its warnings are about graph rewrites, not about the user's run
    if not optimise:
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        return onnxruntime.InferenceSession(onnx_path, options, providers=['CPUExecutionProvider'])
    except Exception as e:  # onnxruntime raises its own exception types, one per cause
        raise HMRError('%s is not a model ONNX Runtime can load: %s' % (onnx_path, str(e).strip().splitlines()[0]))


def exported_checkpoint(onnx_path):
    """The checkpoint digest (common.checkpoint_digest) the exporter recorded in `onnx_path`, or None
    (exported before it recorded one)."""
    return _session(onnx_path, optimise=False).get_modelmeta().custom_metadata_map.get(CHECKPOINT_KEY)


class OnnxModel(object):
    """predict / predict_dict as RunModel's, from `onnx_path` (any batch size; `batch_size` is how many
    images the demo gathers per call)."""

    def __init__(self, config, onnx_path, smpl_model=None):
        self.batch_size = config.batch_size
        self.img_size = config.img_size
        self.session = _session(onnx_path)
        meta = self.session.get_modelmeta().custom_metadata_map
        outputs = [o.name for o in self.session.get_outputs()]
        inputs = [i.name for i in self.session.get_inputs()]
        if meta.get(MODEL_KIND_KEY) != MODEL_KIND or inputs != [INPUT_NAME] or sorted(outputs) != sorted(OUTPUT_NAMES):
            raise HMRError('%s is an ONNX model but not the HMR graph src/onnx_export.py writes (inputs %s, '
                           'outputs %s)' % (onnx_path, ','.join(inputs), ','.join(outputs)))
        if int(meta[IMG_SIZE_KEY]) != self.img_size:
            raise HMRError('%s takes %s px crops, not --img_size %d' % (onnx_path, meta[IMG_SIZE_KEY], self.img_size))
        self.smpl = MeshFaces(config.smpl_model_path, config.smpl_face_path, smpl_model)

    def predict(self, images, get_theta=False):
        """As RunModel.predict: images N x img_size x img_size x 3 in [-1, 1]."""
        return as_prediction(self.predict_dict(images), get_theta)

    def predict_dict(self, images):
        """As RunModel.predict_dict: a dict with keys joints (crop pixels), verts, cams, joints3d, theta."""
        values = self.session.run(list(OUTPUT_NAMES), {INPUT_NAME: np.asarray(images, np.float32)})
        results = dict(zip(OUTPUT_NAMES, values))
        results['joints'] = to_crop_pixels(results['joints'], self.img_size)
        return results
