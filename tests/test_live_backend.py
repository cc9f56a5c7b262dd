"""What runs the network of a live run without --backend (src/backends live_choice): ONNX Runtime when the
model at --onnx_path was exported from --load_path (faster per frame here), else TensorFlow, said in one
line. The exported-model tests (marker onnx_wheel, run by `make test-onnx`) need the exporter's
environment; the rest run in the modern runtime's suite."""
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from src import backends
from src.backends import live_choice
from src.backends.common import checkpoint_digest
from src.samples.sample_clip import write_sample_clip
from src.samples.synthetic_model import write_synthetic_models
from tests.conftest import PROJECT_DIR
from tests.onnx_fixtures import synthetic_onnx  # noqa: F401 (a fixture)

pytest.importorskip('onnxruntime', reason='the live run chooses ONNX Runtime where it is installed (the modern '
                    'runtime)')


def live_config(ckpt, onnx_path, backend=None, precision='fp32'):
    return SimpleNamespace(backend=backend, precision=precision, load_path=ckpt, onnx_path=onnx_path)


def test_a_backend_asked_for_is_kept_without_a_line(synthetic_models, tmp_path):
    _, ckpt = synthetic_models
    assert live_choice(live_config(ckpt, str(tmp_path / 'none.onnx'), backend='tf')) == ('tf', None)
    assert live_choice(live_config(ckpt, str(tmp_path / 'none.onnx'), backend='onnx')) == ('onnx', None)


def test_without_the_onnx_model_tensorflow_runs_and_the_line_says_how_to_export_it(synthetic_models, tmp_path):
    _, ckpt = synthetic_models
    name, line = live_choice(live_config(ckpt, str(tmp_path / 'none.onnx')))
    assert name == 'tf'
    assert line == ('live: TensorFlow runs the network (ONNX Runtime runs it faster from %s: write it with '
                    '`make onnx`)' % (tmp_path / 'none.onnx'))


def test_checkpoint_digest_tells_weights_apart(synthetic_models, tmp_path):
    _, ckpt = synthetic_models
    _, other = write_synthetic_models(str(tmp_path / 'seed1'), seed=1)
    _, again = write_synthetic_models(str(tmp_path / 'seed0'), seed=0)
    assert checkpoint_digest(ckpt) == checkpoint_digest(again)
    assert checkpoint_digest(ckpt) != checkpoint_digest(other)
    assert checkpoint_digest(str(tmp_path / 'missing.ckpt')) is None


@pytest.mark.onnx_wheel
def test_the_model_exported_from_the_checkpoint_is_chosen(synthetic_models, synthetic_onnx):  # noqa: F811
    _, ckpt = synthetic_models
    name, line = live_choice(live_config(ckpt, synthetic_onnx))
    assert name == 'onnx'
    assert line.startswith('live: ONNX Runtime runs the network (%s, exported from %s)' % (synthetic_onnx, ckpt))


@pytest.mark.onnx_wheel
def test_bfloat16_stays_on_tensorflow(synthetic_models, synthetic_onnx, monkeypatch):  # noqa: F811
    _, ckpt = synthetic_models
    monkeypatch.setattr(backends, 'cpu_flags', lambda: {'amx_bf16'})
    assert live_choice(live_config(ckpt, synthetic_onnx, precision='bf16')) == ('tf', None)


@pytest.mark.onnx_wheel
def test_a_model_exported_from_other_weights_is_not_chosen(synthetic_onnx, tmp_path):  # noqa: F811
    _, other = write_synthetic_models(str(tmp_path / 'seed1'), seed=1)
    name, line = live_choice(live_config(other, synthetic_onnx))
    assert name == 'tf'
    assert line == 'live: TensorFlow runs the network: %s was not exported from %s (`make onnx` exports it)' % (
        synthetic_onnx, other)


@pytest.mark.onnx_wheel
def test_a_capture_on_the_chosen_onnx_model_records_what_tensorflow_records(synthetic_models,
                                                                             synthetic_onnx, tmp_path):  # noqa: F811
    """A slow clip (every frame processed): the capture on ONNX Runtime, chosen by default, holds the
    poses of the capture with --backend tf (the float32 parity bound of tests/test_onnx.py)."""
    smpl, ckpt = synthetic_models
    clip = str(tmp_path / 'slow.mp4')
    write_sample_clip(clip, fps=1., seconds=4.)
    runs = {}
    for backend in ('default', 'tf'):
        out = str(tmp_path / backend)
        proc = subprocess.run([sys.executable, '-m', 'demo', '--live', clip, '--load_path', ckpt, '--smpl_model_path',
                               smpl, '--onnx_path', synthetic_onnx, '--detector', 'none', '--outputs', 'npz',
                               '--timeout', '3', '--out_dir', out] + (['--backend', 'tf'] if backend == 'tf' else []),
                              cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        runs[backend] = (proc.stderr, os.path.join(out, 'slow.npz'))
    assert 'live: ONNX Runtime runs the network' in runs['default'][0]
    assert 'runs the network' not in runs['tf'][0]
    with np.load(runs['default'][1]) as onnx_run, np.load(runs['tf'][1]) as tf_run:
        assert list(onnx_run['track_ids']) == list(tf_run['track_ids']) == [0]
        assert len(onnx_run['track0_poses']) == len(tf_run['track0_poses']) == 4
        for key in ('track0_poses', 'track0_betas', 'track0_cams'):
            np.testing.assert_allclose(onnx_run[key], tf_run[key], atol=1e-4, rtol=0, err_msg=key)
