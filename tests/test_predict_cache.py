"""The evaluation's prediction cache (src/benchmark/predict.py): reused only for the same checkpoint
content, SMPL model and test images; a cache file that holds pickles is never unpickled."""
import os

import numpy as np
import pytest

from src.benchmark.predict import KEYS, predict_cached
from tests.unsafe_files import assert_no_marker, pickle_bearing_npz


class CountingModel(object):
    """Stands in for RunModel: predictions are a function of the images and of the checkpoint bytes."""

    batch_size = 2
    num_stage, joint_type, model_type = 3, 'cocoplus', 'resnet_fc3_dropout'

    def __init__(self, load_path, smpl_model_path):
        self.load_path, self.smpl_model_path = load_path, smpl_model_path
        self.calls = 0

    def predict_dict(self, images):
        self.calls += 1
        with open(self.load_path + '.data-00000-of-00001', 'rb') as f:
            weight = float(sum(bytearray(f.read())))
        means = images.reshape(len(images), -1).mean(axis=1) * weight
        return dict((k, np.tile(means[:, None], (1, 3))) for k in KEYS)


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


@pytest.fixture
def model(tmp_path):
    prefix = str(tmp_path / 'model.ckpt-7')
    write(prefix + '.index', b'index')
    write(prefix + '.data-00000-of-00001', b'\x01\x02\x03\x04')
    write(str(tmp_path / 'smpl.pkl'), b'smpl model')
    return CountingModel(prefix, str(tmp_path / 'smpl.pkl'))


def images(seed, count=3):
    return np.random.RandomState(seed).rand(count, 8, 8, 3).astype(np.float32)


def test_same_inputs_are_read_from_the_cache(model, tmp_path):
    cache = str(tmp_path / 'predictions' / 'seq.npz')
    first = predict_cached(model, images(0), cache)
    assert model.calls == 2  # 3 images in batches of 2
    again = predict_cached(model, images(0), cache)
    assert model.calls == 2
    for k in KEYS:
        np.testing.assert_array_equal(again[k], first[k])


def rewrite_keeping_mtime(path, data):
    """New content of the same size and modification time: only the content tells them apart."""
    stat = os.stat(path)
    write(path, data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize('change', ['checkpoint data', 'checkpoint index', 'smpl model', 'images',
                                    'one pixel', 'another image count'])
def test_changed_inputs_are_predicted_afresh(model, tmp_path, change):
    cache = str(tmp_path / 'seq.npz')
    predict_cached(model, images(0), cache)
    calls = model.calls
    test_images = images(0)
    if change == 'checkpoint data':
        rewrite_keeping_mtime(model.load_path + '.data-00000-of-00001', b'\x01\x02\x03\x05')
    elif change == 'checkpoint index':
        rewrite_keeping_mtime(model.load_path + '.index', b'indey')
    elif change == 'smpl model':
        rewrite_keeping_mtime(model.smpl_model_path, b'smpl modem')
    elif change == 'images':
        test_images = images(1)
    elif change == 'one pixel':
        test_images[2, 4, 4, 1] += .25
    else:
        test_images = images(0, count=4)
    fresh = predict_cached(model, test_images, cache)
    assert model.calls > calls
    # ... and kept in place of the old ones.
    reused = predict_cached(model, test_images, cache)
    np.testing.assert_array_equal(reused['theta'], fresh['theta'])


def test_the_same_checkpoint_elsewhere_reuses_the_cache(model, tmp_path):
    cache = str(tmp_path / 'seq.npz')
    predict_cached(model, images(0), cache)
    calls = model.calls
    os.makedirs(str(tmp_path / 'copy'))
    prefix = str(tmp_path / 'copy' / 'model.ckpt-7')
    for suffix in ('.index', '.data-00000-of-00001'):
        with open(model.load_path + suffix, 'rb') as f:
            write(prefix + suffix, f.read())
    model.load_path = prefix
    predict_cached(model, images(0), cache)
    assert model.calls == calls


def test_a_cache_holding_pickles_is_not_unpickled(model, tmp_path):
    cache = str(tmp_path / 'seq.npz')
    marker = str(tmp_path / 'marker')
    pickle_bearing_npz(cache, marker, keys=('key', 'load_path') + KEYS)
    predictions = predict_cached(model, images(0), cache)
    assert_no_marker(marker)
    assert model.calls == 2 and predictions['theta'].shape == (3, 3)
    # The planted file was replaced by a plain one.
    with np.load(cache, allow_pickle=False) as kept:
        np.testing.assert_array_equal(kept['theta'], predictions['theta'])
