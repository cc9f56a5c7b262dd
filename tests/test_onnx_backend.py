"""Choosing the backend and the precision (src/backends): a choice this installation cannot run is one line."""
import numpy as np
import pytest

import src.backends as backends
from src.errors import HMRError


class Flags(object):
    def __init__(self, backend=None, precision='fp32'):
        self.backend, self.precision = backend, precision


def test_default_backend_is_tf_where_tensorflow_is_installed(monkeypatch):
    assert backends.default_name() == 'tf'  # this suite runs in a TensorFlow runtime
    assert backends.chosen(Flags()) == ('tf', 'fp32')
    monkeypatch.setattr(backends, 'tensorflow_installed', lambda: False)
    assert backends.chosen(Flags()) == ('onnx', 'fp32')


def test_tf_backend_without_tensorflow_is_one_line(monkeypatch):
    monkeypatch.setattr(backends, 'tensorflow_installed', lambda: False)
    with pytest.raises(HMRError, match='--backend tf needs TensorFlow, which this environment has not got'):
        backends.chosen(Flags('tf'))


def test_bf16_is_refused_where_it_cannot_run(monkeypatch):
    with pytest.raises(HMRError, match='--precision bf16 runs on --backend tf only'):
        backends.chosen(Flags('onnx', 'bf16'))
    monkeypatch.setattr(backends, 'cpu_flags', lambda: {'sse2', 'avx2', 'avx512f'})
    with pytest.raises(HMRError, match='needs a CPU with avx512_bf16 or amx_bf16'):
        backends.chosen(Flags('tf', 'bf16'))
    monkeypatch.setattr(backends, 'cpu_flags', lambda: {'avx2', 'amx_bf16'})
    assert backends.chosen(Flags('tf', 'bf16')) == ('tf', 'bf16')


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / 'cpuinfo'
    cpuinfo.write_text('processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512_bf16\nbugs\t\t: spectre_v1\n')
    assert backends.cpu_flags(str(cpuinfo)) == {'fpu', 'sse2', 'avx2', 'avx512_bf16'}
    assert backends.cpu_flags(str(tmp_path / 'none')) == set()


def test_bf16_theta_is_within_1e_3_of_float32(hmr_config, reference_dir):
    """The oneDNN bfloat16 rewrite against float32 on the released sample photos (synthetic model)."""
    if not backends.cpu_flags() & set(backends.BF16_CPU_FLAGS):
        pytest.skip('this CPU has neither avx512_bf16 nor amx_bf16: TensorFlow computes --precision bf16 in '
                    'float32 there (measured on an AVX2 CPU: outputs bit-identical), so chosen() refuses it')
    from src.compat import tf
    from src.RunModel import RunModel
    from tests.test_onnx import photo_crops
    images = photo_crops(reference_dir)
    hmr_config.batch_size = len(images)
    results = {}
    for precision in backends.PRECISIONS:
        with tf.Graph().as_default():
            model = RunModel(hmr_config, sess=tf.Session(config=backends.tf_session_config(tf, precision)))
            results[precision] = model.predict_dict(images)
    # bfloat16 keeps 8 bits of mantissa; the bound for theta on the golden set.
    np.testing.assert_allclose(results['bf16']['theta'], results['fp32']['theta'], atol=1e-3, rtol=0)
    assert np.abs(results['bf16']['theta'] - results['fp32']['theta']).max() > 0  # the rewrite did run
