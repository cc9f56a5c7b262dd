"""Choosing the backend and the precision (src/backends): a choice this installation cannot run is one line."""
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
