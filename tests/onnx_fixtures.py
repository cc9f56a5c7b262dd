"""The synthetic model as an ONNX file, written once per session by src/onnx_export.py in the exporter's
environment (.venv/onnx-export: tf2onnx needs protobuf 3.20, not the modern runtime's 4.25)."""
import os
import subprocess

import pytest

from tests.conftest import PROJECT_DIR, missing

EXPORT_PYTHON = os.environ.get('HMR_ONNX_EXPORT_PYTHON',
                               os.path.join(PROJECT_DIR, '.venv', 'onnx-export', 'bin', 'python'))


def run_export(load_path, smpl_path, out_path):
    """python -m src.onnx_export in the exporter's environment: the finished process."""
    if not os.path.exists(EXPORT_PYTHON):
        missing('the ONNX exporter environment %s is not built (make setup-onnx-export)' % EXPORT_PYTHON)
    return subprocess.run([EXPORT_PYTHON, '-m', 'src.onnx_export', '--load_path', load_path,
                           '--smpl_model_path', smpl_path, '--out_path', out_path],
                          cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)


@pytest.fixture(scope='session')
def synthetic_onnx(synthetic_models, tmp_path_factory):
    """Path of the synthetic checkpoint exported to ONNX."""
    smpl_path, ckpt = synthetic_models
    out_path = str(tmp_path_factory.mktemp('onnx') / 'hmr.onnx')
    done = run_export(ckpt, smpl_path, out_path)
    assert done.returncode == 0, done.stderr
    return out_path
