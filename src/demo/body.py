"""The SMPL body of a demo run, from one reading of the pickle: the network's SMPL (TF or ONNX backend),
the NumPy body the animations and the overlay pose, and the mesh's faces by one rule
(`smpl_io.mesh_faces`: the pickle's own, else the released --smpl_face_path)."""
import typing

import numpy as np

from ..errors import HMRError
from ..tf_smpl.smpl_io import load_smpl_pickle, mesh_faces
from . import writers


class RunBody(typing.NamedTuple):
    model: dict                   # the SMPL pickle's arrays (smpl_io.load_smpl_pickle)
    faces: np.ndarray             # (F, 3) int64 vertex indices


def read_body(config):
    """The pickle at --smpl_model_path, read once for the run."""
    model = load_smpl_pickle(config.smpl_model_path)
    return RunBody(model, mesh_faces(model, config.smpl_face_path))


def numpy_body(config, outputs, body=None):
    """The NumPy SMPL, made only when an output (or --world) needs it; from `body` (a RunBody) when
    given, else from the pickle."""
    if not writers.needs(outputs, writers.BODY) and not getattr(config, 'world', False):
        return None
    from ..body_model import BodyModel
    if body is None:
        return BodyModel.from_pickle(config.smpl_model_path)
    try:
        return BodyModel(body.model)
    except HMRError as e:
        raise HMRError('%s: %s' % (config.smpl_model_path, e))
