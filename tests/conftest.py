"""Shared fixtures: synthetic models written once per test session, and the reference folder."""
import os
import signal
import sys

import pytest

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
# A shell starts background jobs with SIGINT ignored and children inherit that, so the Ctrl-C tests'
# commands would never see their SIGINT; a Python handler here is reset to the default in every child.
signal.signal(signal.SIGINT, signal.default_int_handler)

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PROJECT_DIR)
REFERENCE_DIR = os.environ.get('HMR_REFERENCE_DIR',
                               os.path.join(os.path.dirname(PROJECT_DIR), 'shared', 'hmr_reference'))
# The released sample photos, handed to src.samples.photo_set (which reads no folder of its own).
REFERENCE_IMAGES = os.path.join(REFERENCE_DIR, 'images')

from src.samples import synthetic_model  # noqa: E402


def require_reference():
    """True under HMR_REQUIRE_REFERENCE=1 (CI): then a missing reference folder or runtime fails."""
    return os.environ.get('HMR_REQUIRE_REFERENCE') == '1'


def missing(reason):
    """Skip the calling test because `reason` (something it checks against is not here), or fail it
    when HMR_REQUIRE_REFERENCE=1, so that CI cannot pass without having tested."""
    if require_reference():
        pytest.fail('%s, and HMR_REQUIRE_REFERENCE=1 makes that an error' % reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope='session')
def synthetic_models(tmp_path_factory):
    """(smpl pickle path, checkpoint prefix) of the synthetic model, seed 0."""
    return synthetic_model.write_synthetic_models(str(tmp_path_factory.mktemp('models')))


@pytest.fixture(scope='session')
def reference_dir():
    if not os.path.isdir(REFERENCE_DIR):
        missing('the released-code reference folder %s is not here' % REFERENCE_DIR)
    return REFERENCE_DIR


@pytest.fixture(scope='module')
def hmr_config(synthetic_models):
    """The absl flags object parsed with defaults, pointing at the synthetic model, batch size 1."""
    from src import config as hmr_config
    smpl_path, ckpt = synthetic_models
    flags_obj = hmr_config.FLAGS
    flags_obj.unparse_flags()
    hmr_config.get_config(['test', '--smpl_model_path=%s' % smpl_path, '--batch_size=1'])
    flags_obj.load_path = ckpt
    yield flags_obj
    flags_obj.unparse_flags()


def build_run_model(config, batch_size):
    """A RunModel of `batch_size` in a graph of its own (several can live in one test module)."""
    from src.compat import tf
    from src.RunModel import RunModel
    config.batch_size = batch_size
    with tf.Graph().as_default():
        return RunModel(config, sess=tf.Session())
