"""Where the two runtimes' interpreters are, for tests that drive one from the other."""
import os
import sys

from tests.conftest import PROJECT_DIR

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
