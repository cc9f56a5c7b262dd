"""The ONNX backend (src/backends/onnx_model.py) on the graph src/onnx_export.py writes: the same outputs
as the TensorFlow backend on the same crops, for any batch size; bad model files are one line.

The exported-model tests (marker onnx_wheel, run by `make test-onnx`) need the exporter's environment
.venv/onnx-export; the rest run in the modern runtime's suite."""
import os
import subprocess
import sys

import numpy as np
import pytest

from src.errors import HMRError
from tests.conftest import PROJECT_DIR, build_run_model
from tests.onnx_fixtures import run_export, synthetic_onnx  # noqa: F401 (a fixture)

onnxruntime = pytest.importorskip('onnxruntime', reason='onnxruntime is not installed in this runtime (the ONNX '
                                  'backend is the modern runtime\'s and the lean install\'s)')

from src.backends.onnx_model import OnnxModel  # noqa: E402

# float32, two code paths (TF's Eigen/oneDNN kernels vs ONNX Runtime's MLAS) on a ResNet-50 + 3 IEF
# iterations: the bounds are theta 1e-4 and vertices 1e-5 m. Joints in 3D are regressed from the
# vertices (same bound); the 2D joints are s * (X + t) in [-1, 1] then x 112 px: 112 * (|X + t| * 1e-4 +
# |s| * 1e-5) with |X + t| < 2 and |s| < 2 on these crops is below 0.03 px.
THETA_ATOL, VERTS_ATOL, JOINTS2D_ATOL = 1e-4, 1e-5, 0.03


def crops(count=4, seed=0):
    """Seeded crops in [-1, 1]: smooth noise images, as the model sees crops (224 x 224 x 3)."""
    import cv2
    rng = np.random.RandomState(seed)
    small = rng.uniform(-1, 1, (count, 28, 28, 3)).astype(np.float32)
    return np.stack([cv2.resize(image, (224, 224), interpolation=cv2.INTER_LINEAR) for image in small])


def photo_crops(reference_dir):
    """The released sample photos, each squashed to one 224 px crop in [-1, 1]."""
    import cv2
    folder = os.path.join(reference_dir, 'images')
    images = [cv2.imread(os.path.join(folder, name))[:, :, ::-1] for name in sorted(os.listdir(folder))
              if name.endswith(('.jpg', '.png'))]
    return np.stack([cv2.resize(image, (224, 224), interpolation=cv2.INTER_AREA) for image in images]
                    ).astype(np.float32) / 127.5 - 1


def onnx_model(config, path, batch_size):
    config.batch_size = batch_size
    return OnnxModel(config, path)


def assert_same_outputs(ours, reference, theta=THETA_ATOL, verts=VERTS_ATOL, joints2d=JOINTS2D_ATOL):
    np.testing.assert_allclose(ours['theta'], reference['theta'], atol=theta, rtol=0)
    np.testing.assert_allclose(ours['cams'], reference['cams'], atol=theta, rtol=0)
    np.testing.assert_allclose(ours['verts'], reference['verts'], atol=verts, rtol=0)
    np.testing.assert_allclose(ours['joints3d'], reference['joints3d'], atol=verts, rtol=0)
    np.testing.assert_allclose(ours['joints'], reference['joints'], atol=joints2d, rtol=0)


@pytest.mark.onnx_wheel
def test_onnx_outputs_equal_tensorflow_outputs(hmr_config, synthetic_onnx, reference_dir):
    images = np.concatenate([crops(), photo_crops(reference_dir)])
    reference = build_run_model(hmr_config, len(images)).predict_dict(images)
    ours = onnx_model(hmr_config, synthetic_onnx, len(images)).predict_dict(images)
    assert sorted(ours) == sorted(reference)
    for key in ours:
        assert ours[key].shape == reference[key].shape and ours[key].dtype == np.float32, key
    # Not a vacuous match: the crops give different people.
    assert np.abs(np.diff(reference['theta'], axis=0)).max() > 100 * THETA_ATOL
    assert_same_outputs(ours, reference)
    # predict: RunModel's named tuple.
    as_tuple = onnx_model(hmr_config, synthetic_onnx, len(images)).predict(images, get_theta=True)
    assert as_tuple._fields == ('joints', 'verts', 'cams', 'joints3d', 'theta')
    np.testing.assert_array_equal(as_tuple.theta, ours['theta'])


@pytest.mark.onnx_wheel
def test_onnx_outputs_do_not_depend_on_the_batch_size(hmr_config, synthetic_onnx):
    images = crops(5, seed=1)
    model = onnx_model(hmr_config, synthetic_onnx, 5)
    together = model.predict_dict(images)
    for i in range(len(images)):
        alone = model.predict_dict(images[i:i + 1])
        # One image against five: MLAS blocks its GEMMs by the batch, so float32 sums differ in order.
        assert_same_outputs(alone, {k: v[i:i + 1] for k, v in together.items()}, theta=1e-5, verts=1e-6,
                            joints2d=3e-3)


@pytest.mark.onnx_wheel
def test_export_without_checkpoint_is_one_line(synthetic_models, tmp_path):
    smpl_path, _ = synthetic_models
    out_path = str(tmp_path / 'm.onnx')
    done = run_export(str(tmp_path / 'model.ckpt-1'), smpl_path, out_path)
    assert done.returncode == 1
    assert done.stderr.strip().count('\n') == 0 and done.stderr.startswith('error: model files missing'), done.stderr
    assert not os.path.exists(out_path) and not os.path.exists(out_path + '.tmp')


def test_missing_model_file_is_one_line(hmr_config, tmp_path):
    with pytest.raises(HMRError, match='ONNX model .*nowhere.onnx is missing'):
        onnx_model(hmr_config, str(tmp_path / 'nowhere.onnx'), 1)


def test_file_that_is_not_onnx_is_one_line(hmr_config, tmp_path):
    path = tmp_path / 'model.ckpt-0.index'
    path.write_bytes(b'\x00not a protobuf\xff' * 10)
    with pytest.raises(HMRError, match='is not a model ONNX Runtime can load') as error:
        onnx_model(hmr_config, str(path), 1)
    assert '\n' not in str(error.value)


def test_onnx_graph_that_is_not_hmr_is_one_line(hmr_config, tmp_path):
    onnx = pytest.importorskip('onnx')
    from onnx import TensorProto, helper
    graph = helper.make_graph([helper.make_node('Relu', ['images'], ['theta'])], 'other',
                              [helper.make_tensor_value_info('images', TensorProto.FLOAT, [None, 224, 224, 3])],
                              [helper.make_tensor_value_info('theta', TensorProto.FLOAT, [None, 224, 224, 3])])
    path = str(tmp_path / 'other.onnx')
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)]), path)
    with pytest.raises(HMRError, match='is an ONNX model but not the HMR graph .*outputs theta'):
        onnx_model(hmr_config, path, 1)


def test_demo_with_a_missing_onnx_model_is_one_line(synthetic_models, tmp_path):
    import cv2
    smpl_path, _ = synthetic_models
    photo = str(tmp_path / 'photo.png')
    cv2.imwrite(photo, np.zeros((64, 48, 3), np.uint8))
    done = subprocess.run([sys.executable, '-m', 'demo', '--backend', 'onnx', '--onnx_path', str(tmp_path / 'x.onnx'),
                           '--smpl_model_path', smpl_path, '--img_path', photo, '--detector', 'none',
                           '--out_dir', str(tmp_path)],
                          cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert done.returncode == 1
    assert done.stderr.strip() == 'error: ONNX model %s is missing: write it with `make onnx` (python -m ' \
        'src.onnx_export) or pass --onnx_path' % (tmp_path / 'x.onnx'), done.stderr


def test_export_without_tf2onnx_says_where_to_run_it(tmp_path):
    import importlib.util
    if importlib.util.find_spec('tf2onnx') is not None:
        pytest.skip('tf2onnx is installed in this runtime')
    done = subprocess.run([sys.executable, '-m', 'src.onnx_export', '--out_path', str(tmp_path / 'm.onnx')],
                          cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert done.returncode == 1
    assert done.stderr.strip() == 'error: the ONNX export needs tf2onnx (with protobuf 3.20): run it in ' \
        '.venv/onnx-export (`make onnx` builds it)', done.stderr
