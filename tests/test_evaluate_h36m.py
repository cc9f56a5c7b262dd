"""Human3.6M evaluation end to end on synthetic test records whose ground truth is built from the
model's own predictions with known errors, on the released test-record layout."""
import json
import os

import numpy as np
import pytest

from src.benchmark import eval_command, evaluate_h36m
from src.benchmark.predict import predict_all
from src.benchmark.test_records import read_test_records
from src.cli import run_with_flags
from src.compat import tf
from src.datasets.common import ImageCoder, convert_to_example_wmosh
from src.datasets.h36m_to_tfrecords import sequence_file_name
from src.joints import LSP14
from src.samples.synthetic_datasets import write_records
from tests.test_eval_util import rotation

# Sequence -> how its ground truth is made from the prediction. Trial 1 / camera 0 is Protocol 1 only.
SEQUENCES = {(9, 'Directions', 0, 3): 'similarity', (11, 'Eating', 0, 3): 'offset',
             (9, 'Directions', 1, 0): 'offset'}
FRAMES = 3
BATCH = 2
LIMBS = [i for i, name in enumerate(LSP14) if not name.endswith('_hip')]


def write_sequence(path, joints_m, seed):
    rng = np.random.RandomState(seed)
    coder = ImageCoder()
    examples = []
    for frame, gt3d in enumerate(joints_m):
        image = (rng.rand(160, 160, 3) * 255).astype(np.uint8)
        label = np.vstack([rng.uniform(20, 140, (2, 14)), np.ones((1, 14))])
        name = os.path.basename(path).replace('.tfrecord', '_%06d.jpg' % frame)
        examples.append(convert_to_example_wmosh(coder.encode_jpeg(image), name, 160, 160, label, [80, 80], gt3d,
                                                 None, None, [1., 1.], [0, 0], [500., 80., 80.]))
    write_records(path, examples)


def known_ground_truth(kind, pred_mm, frame):
    """Ground truth (mm) made from a prediction, and its known (MPJPE, PA-MPJPE)."""
    pelvis = (pred_mm[LSP14.index('left_hip')] + pred_mm[LSP14.index('right_hip')]) / 2.
    if kind == 'similarity':
        R, scale = rotation([1, 1, 0], 20 + 30 * frame), 0.8 + 0.2 * frame
        gt = scale * (pred_mm - pelvis).dot(R.T) + [100., 200., 3000.]
        centered = pred_mm - pelvis
        return gt, np.mean(np.linalg.norm(scale * centered.dot(R.T) - centered, axis=1)), 0.
    offset = np.array([0., 30., 40.]) * (1 + frame)  # |offset| = 50 mm * (1 + frame), on 12 joints
    gt = pred_mm.copy()
    gt[LIMBS] += offset
    return gt, 50. * (1 + frame) * 12 / 14, None


@pytest.fixture(scope='module')
def h36m_test_set(tmp_path_factory, hmr_config):
    """(tfh36m_dir, {sequence: (MPJPE per frame, PA-MPJPE per frame or None)})."""
    root = str(tmp_path_factory.mktemp('h36m'))
    paths = {s: os.path.join(root, 'test', sequence_file_name(*s) + '.tfrecord') for s in SEQUENCES}
    for seed, path in enumerate(paths.values()):
        write_sequence(path, np.zeros((FRAMES, 14, 3)), seed)
    hmr_config.batch_size = BATCH
    with tf.Graph().as_default():
        model = eval_command.load_model(hmr_config)
        expected = {}
        for seed, (sequence, path) in enumerate(paths.items()):
            pred_mm = predict_all(model, read_test_records(path)['images'])['joints3d'][:, :14] * 1000.
            made = [known_ground_truth(SEQUENCES[sequence], p, f) for f, p in enumerate(pred_mm)]
            write_sequence(path, np.array([m[0] for m in made]) / 1000., seed)
            expected[sequence] = (np.array([m[1] for m in made]), [m[2] for m in made])
        model.sess.close()
    hmr_config.batch_size = 1
    return root, expected


def run_evaluation(hmr_config, tfh36m_dir, out_dir, *extra):
    argv = ['evaluate_h36m', '--load_path=%s' % hmr_config.load_path, '--smpl_model_path=%s' % hmr_config.smpl_model_path,
            '--tfh36m_dir=%s' % tfh36m_dir, '--pred_dir=%s' % out_dir, '--batch_size=%d' % BATCH] + list(extra)
    with tf.Graph().as_default():
        return run_with_flags(evaluate_h36m.main, argv)


def released_crops(path, img_size=224):
    """The released evaluation's input of each record, written from its description, independently of
    src.benchmark: TensorFlow decodes the JPEG; the img_size window whose top left corner is at
    image/center - img_size / 2 is cut, pixels outside the image taking the nearest edge pixel's value;
    values map to [-1, 1]. Also the keypoints in that window's [-1, 1] frame, zeroed where invisible."""
    crops, keypoints = [], []
    with tf.Graph().as_default(), tf.Session() as sess:
        data = tf.placeholder(tf.string)
        decoded = tf.image.decode_jpeg(data)
        for record in tf.python_io.tf_record_iterator(path):
            feature = tf.train.Example.FromString(record).features.feature
            image = sess.run(decoded, {data: feature['image/encoded'].bytes_list.value[0]})
            cx, cy = feature['image/center'].int64_list.value
            rows = np.clip(np.arange(cy - img_size // 2, cy + img_size // 2), 0, image.shape[0] - 1)
            cols = np.clip(np.arange(cx - img_size // 2, cx + img_size // 2), 0, image.shape[1] - 1)
            crops.append(image[rows][:, cols] / 127.5 - 1.)
            visible = np.array(feature['image/visibility'].int64_list.value, np.float64)
            x = (np.array(feature['image/x'].float_list.value) - cx) / (img_size / 2.)
            y = (np.array(feature['image/y'].float_list.value) - cy) / (img_size / 2.)
            keypoints.append(np.stack([x * visible, y * visible, visible], 1))
    return np.array(crops), np.array(keypoints)


def records_near_the_edges(path):
    """Records whose person centres lie near each corner, so the window reaches past the image."""
    rng = np.random.RandomState(7)
    coder = ImageCoder()
    examples = []
    for i, center in enumerate([[20, 15], [180, 30], [5, 110], [170, 118]]):
        image = (rng.rand(120, 190, 3) * 255).astype(np.uint8)
        label = np.vstack([rng.uniform(0, 190, 14), rng.uniform(0, 120, 14), rng.rand(14) > .3])
        examples.append(convert_to_example_wmosh(coder.encode_jpeg(image), 'edge_%d.jpg' % i, 120, 190, label,
                                                 center, np.zeros((14, 3)), None, None, [1., 1.], [0, 0],
                                                 [500., 95., 60.]))
    write_records(path, examples)
    return path


@pytest.mark.parametrize('records', ['tiny_tfrecords/tf_records_human36m_wjoints/train/train_0.tfrecord',
                                     'tiny_tfrecords/lsp/train_0.tfrecord', 'near the edges'])
def test_evaluation_crop_equals_the_released_crop_pixel_for_pixel(reference_dir, tmp_path, records):
    # Records written by the released converters (../shared/hmr_reference), and records whose window
    # needs the edge padding.
    path = (records_near_the_edges(str(tmp_path / 'edges.tfrecord')) if records == 'near the edges'
            else os.path.join(reference_dir, records))
    expected_crops, expected_kps = released_crops(path)
    got = read_test_records(path, 224)
    assert got['images'].shape == expected_crops.shape and got['images'].dtype == np.float32
    np.testing.assert_array_equal(np.round((got['images'] + 1.) * 127.5), np.round((expected_crops + 1.) * 127.5))
    np.testing.assert_allclose(got['images'], expected_crops, atol=1e-6)
    np.testing.assert_allclose(got['kps'], expected_kps, atol=1e-5)


@pytest.mark.parametrize('protocol', [1, 2])
def test_known_errors_per_frame_action_and_overall(hmr_config, h36m_test_set, tmp_path, protocol):
    tfh36m_dir, expected = h36m_test_set
    assert run_evaluation(hmr_config, tfh36m_dir, str(tmp_path), '--protocol=%d' % protocol) == 0
    with open(str(tmp_path / ('h36m_p%d.json' % protocol))) as f:
        results = json.load(f)
    used = {s: e for s, e in expected.items() if protocol == 1 or s[2:] == (0, 3)}
    assert results['overall']['sequences'] == len(used)
    frames = dict(zip(results['per_frame']['names'], zip(results['per_frame']['MPJPE'],
                                                         results['per_frame']['PA-MPJPE'])))
    assert len(frames) == FRAMES * len(used)
    for sequence, (mpjpe, pa) in used.items():
        for frame in range(FRAMES):
            got = frames['%s_%06d.jpg' % (sequence_file_name(*sequence), frame)]
            assert got[0] == pytest.approx(mpjpe[frame], abs=2e-3)
            if pa[frame] is not None:
                assert got[1] == pytest.approx(pa[frame], abs=2e-3)
    # Per action: the mean of its sequences' means; overall: the mean over actions.
    actions = {}
    for sequence, (mpjpe, _) in used.items():
        actions.setdefault(sequence[1], []).append(np.mean(mpjpe))
    for action, means in actions.items():
        assert results['actions'][action]['MPJPE'] == pytest.approx(np.mean(means), abs=2e-3)
    assert results['overall']['MPJPE'] == pytest.approx(np.mean([np.mean(m) for m in actions.values()]), abs=2e-3)
    all_frames = np.hstack([m for m, _ in used.values()])
    assert results['overall']['MPJPE (all frames)'] == pytest.approx(all_frames.mean(), abs=2e-3)
    assert results['overall']['Median'] == pytest.approx(np.median(all_frames), abs=2e-3)
    table = (tmp_path / ('h36m_p%d.md' % protocol)).read_text()
    published = ['87.97', '58.10'] if protocol == 1 else ['56.80']
    assert all(number in table for number in published)
    assert '| Eating |' in table


def test_predictions_are_kept_and_reused_for_the_same_checkpoint(hmr_config, h36m_test_set, tmp_path):
    tfh36m_dir, expected = h36m_test_set
    assert run_evaluation(hmr_config, tfh36m_dir, str(tmp_path), '--protocol=2') == 0
    cache = tmp_path / 'predictions' / (sequence_file_name(11, 'Eating', 0, 3) + '.npz')
    with np.load(str(cache)) as saved:
        kept = {k: saved[k] for k in saved.files}
    # Moving the kept joints by 10 mm along z on every limb joint shows in the next run's errors.
    kept['joints3d'][:, LIMBS, 2] += 0.01
    np.savez(str(cache), **kept)
    assert run_evaluation(hmr_config, tfh36m_dir, str(tmp_path), '--protocol=2') == 0
    with open(str(tmp_path / 'h36m_p2.json')) as f:
        per_sequence = json.load(f)['per_sequence']
    # Eating's limb offsets were (0, 30k, 40k) mm; now (0, 30k, 40k - 10) for k = 1, 2, 3.
    shifted = np.mean([np.hypot(30. * k, 40. * k - 10.) * 12 / 14 for k in (1, 2, 3)])
    assert per_sequence['S11_Eating_0_cam3']['MPJPE'] == pytest.approx(shifted, abs=2e-3)
    # Predictions kept for other inputs (another checkpoint, SMPL model or images) are predicted afresh.
    kept['key'] = 'f' * 64
    np.savez(str(cache), **kept)
    assert run_evaluation(hmr_config, tfh36m_dir, str(tmp_path), '--protocol=2') == 0
    with open(str(tmp_path / 'h36m_p2.json')) as f:
        assert json.load(f)['per_sequence']['S11_Eating_0_cam3']['MPJPE'] == pytest.approx(
            np.mean(expected[(11, 'Eating', 0, 3)][0]), abs=2e-3)


def test_vis_writes_the_best_and_worst(hmr_config, h36m_test_set, tmp_path):
    tfh36m_dir, expected = h36m_test_set
    assert run_evaluation(hmr_config, tfh36m_dir, str(tmp_path), '--protocol=2', '--vis', '--num_vis=2') == 0
    pictures = sorted(os.listdir(str(tmp_path / 'vis')))
    assert len(pictures) == 4
    worst = max(np.max(expected[s][0]) for s in expected if s[2:] == (0, 3))
    assert pictures[2].startswith('worst_00_%.1fmm' % worst)
    from PIL import Image
    assert Image.open(str(tmp_path / 'vis' / pictures[0])).size == (2 * 224, 2 * 224)


@pytest.mark.parametrize('args, message', [
    (['--tfh36m_dir=/nonexistent'], 'no Human3.6M test records'),
    (['--protocol=3'], '--protocol must be 1 or 2'),
    (['--load_path=/nonexistent/model.ckpt-1'], 'model files missing (/nonexistent/model.ckpt-1.index)'),
    (['--load_path=/tmp'], 'is not a checkpoint'),
])
def test_bad_input_is_one_line_error(hmr_config, h36m_test_set, tmp_path, capsys, args, message):
    assert run_evaluation(hmr_config, h36m_test_set[0], str(tmp_path), *args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith('error: ') and message in err and len(err.splitlines()) == 1
