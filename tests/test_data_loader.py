"""Training input: flips (known answers), padding, crop geometry, batches, determinism, bad data."""
import os

import numpy as np
import pytest

from src.compat import tf
from src.config import get_config
from src.data_loader import DataLoader, NonFiniteLabelError
from src.errors import HMRError
from src.joints import COCOPLUS19, SMPL24
from src.samples.synthetic_datasets import write_tiny_datasets
from src.util import data_utils


def run(fn, *arrays):
    with tf.Graph().as_default(), tf.Session() as sess:
        return sess.run(fn(*[tf.constant(a) for a in arrays]))


def test_flipping_twice_is_the_identity():
    rng = np.random.RandomState(0)
    image = rng.rand(16, 16, 3).astype(np.float32)
    kp = np.vstack([rng.rand(2, 19) * 15, np.ones((1, 19))]).astype(np.float32)
    pose = rng.randn(72).astype(np.float32)
    gt3d = rng.randn(14, 3).astype(np.float32)
    gt3d -= gt3d.mean(0)
    twice = run(lambda *a: data_utils.flip_image(*data_utils.flip_image(*a)), image, kp, pose, gt3d)
    for original, back in zip([image, kp, pose, gt3d], twice):
        np.testing.assert_allclose(back, original, atol=1e-6)


def test_flip_mirrors_x_and_swaps_sides():
    kp = np.zeros((3, 19), np.float32)
    kp[0] = np.arange(19)
    kp[1] = 100 + np.arange(19)
    image = np.zeros((224, 224, 3), np.float32)
    image[:, :10] = 1
    flipped_image, flipped = run(data_utils.flip_image, image, kp)
    assert flipped_image[:, -10:].min() == 1 and flipped_image[:, :-10].max() == 0
    right_ankle, left_ankle = COCOPLUS19.index('right_ankle'), COCOPLUS19.index('left_ankle')
    # The new right ankle is the old left ankle, mirrored: x -> 224 - x - 1.
    assert flipped[0, right_ankle] == 223 - left_ankle and flipped[1, right_ankle] == 100 + left_ankle
    assert flipped[0, COCOPLUS19.index('neck')] == 223 - COCOPLUS19.index('neck')


def test_pose_reflection_swaps_limbs_and_negates_y_and_z():
    pose = np.zeros(72, np.float32)
    left_hip, right_hip = SMPL24.index('left_hip'), SMPL24.index('right_hip')
    pose[3 * left_hip:3 * left_hip + 3] = [.1, .2, .3]
    pose[:3] = [np.pi, .5, -.4]
    reflected = run(data_utils.reflect_pose, pose)
    np.testing.assert_allclose(reflected[3 * right_hip:3 * right_hip + 3], [.1, -.2, -.3], atol=1e-7)
    np.testing.assert_allclose(reflected[3 * left_hip:3 * left_hip + 3], 0)
    np.testing.assert_allclose(reflected[:3], [np.pi, -.5, .4], atol=1e-6)


def test_joints3d_reflection_mirrors_x_and_recentres():
    joints = np.zeros((14, 3), np.float32)
    joints[0] = [1., 2., 3.]  # right ankle
    reflected = run(data_utils.reflect_joints3d, joints)
    expected = np.zeros((14, 3))
    expected[5] = [-1., 2., 3.]  # becomes the left ankle
    np.testing.assert_allclose(reflected, expected - expected.mean(0), atol=1e-6)


def test_edge_padding_equals_numpy():
    image = np.random.RandomState(1).rand(5, 7, 3).astype(np.float32)
    np.testing.assert_array_equal(run(lambda im: data_utils.pad_image_edge(im, 4), image),
                                  np.pad(image, ((4, 4), (4, 4), (0, 0)), mode='edge'))


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    return write_tiny_datasets(str(tmp_path_factory.mktemp('data')), n=6)


def loader_config(data_dir, *extra):
    return get_config(['test', '--data_dir=%s' % data_dir, '--datasets=lsp,h36m', '--mocap_datasets=CMU',
                       '--batch_size=4'] + list(extra))


def first_batches(config, seed=3, count=2):
    with tf.Graph().as_default(), tf.Session() as sess:
        loader = DataLoader(config, seed=seed)
        batch, mocap = loader.load(), loader.get_smpl_loader()
        return [sess.run(batch) for _ in range(count)], sess.run(mocap)


def test_batches_have_the_released_layout(tiny_data):
    (batch, _), (pose, shape) = first_batches(loader_config(tiny_data))
    assert batch['image'].shape == (4, 224, 224, 3) and -1 <= batch['image'].min() and batch['image'].max() <= 1
    assert batch['label'].shape == (4, 19, 3) and batch['label3d'].shape == (4, 268)
    assert pose.shape == (4 * 3, 72) and shape.shape == (4 * 3, 10)
    visible = batch['label'][:, :, 2] > 0
    assert np.abs(batch['label'][visible][:, :2]).max() <= 1.5
    assert (batch['label'][~visible] == 0).all()
    # 2D-only examples carry no 3D label; 3D ones carry 24 rotation matrices.
    for label3d, has3d in zip(batch['label3d'], batch['has3d']):
        if has3d[0]:
            rotations = label3d[:216].reshape(24, 3, 3)
            np.testing.assert_allclose(np.einsum('kij,kil->kjl', rotations, rotations), np.tile(np.eye(3), (24, 1, 1)),
                                       atol=1e-5)
        else:
            assert not has3d[1] and (label3d == 0).all()


def test_3d_and_2d_examples_come_in_equal_numbers(tiny_data):
    batches, _ = first_batches(loader_config(tiny_data, '--batch_size=6'), count=4)
    has3d = np.concatenate([b['has3d'][:, 0] for b in batches])
    assert abs(has3d.sum() - (~has3d).sum()) <= 6


def test_without_augmentation_keypoints_are_the_records_in_crop_units(tiny_data):
    config = loader_config(tiny_data, '--use_3d_label=False', '--datasets=lsp', '--trans_max=0', '--scale_min=1',
                           '--scale_max=1', '--batch_size=1')
    with tf.Graph().as_default(), tf.Session() as sess:
        batch = DataLoader(config, seed=0).load()
        labels = [sess.run(batch)['label'][0] for _ in range(6)]
    raw = []
    for record in tf.python_io.tf_record_iterator(os.path.join(tiny_data, 'lsp', 'train_0.tfrecord')):
        example = tf.train.Example.FromString(record).features.feature
        x, y = np.array(example['image/x'].float_list.value), np.array(example['image/y'].float_list.value)
        vis = np.array(example['image/visibility'].int64_list.value)
        center = np.array(example['image/center'].int64_list.value)
        expected = np.stack([2 * (x - center[0] + 112) / 224. - 1, 2 * (y - center[1] + 112) / 224. - 1], 1)
        mirrored = np.stack([2 * (223 - (x - center[0] + 112)) / 224. - 1, expected[:, 1]], 1)[[5, 4, 3, 2, 1, 0, 11, 10, 9, 8, 7, 6, 12, 13]]
        raw.append((expected * vis[:, None], mirrored * vis[[5, 4, 3, 2, 1, 0, 11, 10, 9, 8, 7, 6, 12, 13], None]))
    for label in labels:
        matches = [np.allclose(label[:14, :2], candidate, atol=1e-4) for pair in raw for candidate in pair]
        assert any(matches)


def test_a_seed_makes_the_input_repeatable(tiny_data):
    config = loader_config(tiny_data)
    (first, _), _ = first_batches(config, seed=7)
    (again, _), _ = first_batches(config, seed=7)
    for key in first:
        np.testing.assert_array_equal(first[key], again[key])


def test_reads_records_written_by_the_released_converters(reference_dir):
    data_dir = os.path.join(reference_dir, 'tiny_tfrecords')
    (batch, _), (pose, _) = first_batches(loader_config(data_dir))
    assert np.isfinite(batch['image']).all() and batch['has3d'][:, 0].any()
    assert pose.shape == (12, 72)


def test_missing_data_are_clear_errors(tmp_path, tiny_data):
    with pytest.raises(HMRError, match='does not exist'):
        DataLoader(loader_config(str(tmp_path / 'nowhere')))
    with tf.Graph().as_default(), pytest.raises(HMRError, match='no training records for mpii'):
        DataLoader(loader_config(tiny_data, '--datasets=lsp,mpii,h36m')).load()
    with tf.Graph().as_default(), pytest.raises(HMRError, match='no MoSh records for jointLim'):
        DataLoader(loader_config(tiny_data, '--mocap_datasets=CMU,jointLim')).get_smpl_loader()
    with tf.Graph().as_default(), pytest.raises(HMRError, match='none of lsp has 3D labels'):
        DataLoader(loader_config(tiny_data, '--datasets=lsp')).load()


def test_non_finite_labels_stop_with_the_image_name(tmp_path):
    from src.distributed import SINGLE
    from src.training.loop import run_step
    data_dir = write_tiny_datasets(str(tmp_path / 'bad'), n=2, bad_label=True)
    config = loader_config(data_dir, '--use_3d_label=False', '--datasets=lsp', '--batch_size=2')
    with tf.Graph().as_default(), tf.Session() as sess:
        batch = DataLoader(config, seed=0).load()
        with pytest.raises(NonFiniteLabelError, match='non-finite label .*im0000.jpg') as raised:
            run_step(sess, batch, SINGLE)
    assert raised.value.image == 'im0000.jpg' and isinstance(raised.value, HMRError)


def test_a_truncated_record_file_is_one_line(tmp_path):
    from src.distributed import SINGLE
    from src.training.loop import run_step
    data_dir = write_tiny_datasets(str(tmp_path / 'cut'), n=2)
    records = os.path.join(data_dir, 'lsp', 'train_0.tfrecord')
    with open(records, 'rb') as f:
        data = f.read()
    with open(records, 'wb') as f:
        f.write(data[:len(data) // 2])
    config = loader_config(data_dir, '--use_3d_label=False', '--datasets=lsp', '--batch_size=2')
    with tf.Graph().as_default(), tf.Session() as sess:
        batch = DataLoader(config, seed=0).load()
        with pytest.raises(HMRError, match='a training record is corrupt .*convert that dataset again') as raised:
            run_step(sess, batch, SINGLE)
    assert '\n' not in str(raised.value)
