"""Where the two runtimes' interpreters are, for tests that drive one from the other."""
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import PROJECT_DIR, missing

PYTHONS = {
    'legacy': os.environ.get('HMR_LEGACY_PYTHON', os.path.join(PROJECT_DIR, '.venv', 'tf1', 'bin', 'python')),
    'modern': os.environ.get('HMR_MODERN_PYTHON', os.path.join(PROJECT_DIR, '.venv', 'tf2', 'bin', 'python')),
}


def python_of(runtime):
    """The interpreter of `runtime`, or None when that environment has not been built."""
    path = PYTHONS[runtime]
    return path if os.path.exists(path) else None


def current_runtime():
    return 'legacy' if sys.version_info[:2] < (3, 7) else 'modern'


def outputs_of_both_runtimes(module, args, out_dir):
    """Run `python -m module *args OUT.npz` in each runtime; {runtime: loaded npz}.

    Skips the calling test in the legacy runtime (the comparison runs once, from the modern one) or
    when an environment is not built."""
    if current_runtime() != 'modern':
        pytest.skip('compared once, from the modern runtime')
    outputs = {}
    for runtime in ['legacy', 'modern']:
        python = python_of(runtime)
        if python is None:
            missing('the %s environment (%s) is not built' % (runtime, PYTHONS[runtime]))
        out = os.path.join(str(out_dir), runtime + '.npz')
        subprocess.check_call([python, '-m', module] + list(args) + [out], cwd=PROJECT_DIR)
        outputs[runtime] = np.load(out)
    return outputs
