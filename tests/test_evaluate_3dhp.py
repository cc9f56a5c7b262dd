"""MPI-INF-3DHP test set: the converter on a replica of the official layout (tests/raw_3dhp_test_replica.py),
and the evaluation end to end on the synthetic model against ground truth built from the model's own
predictions with known errors, so every number of the report is known in advance."""
import contextlib
import io
import json
import os
import os.path as osp

import numpy as np
import pytest

from src.cli import run_with_flags
from src.compat import tf
from tests import raw_3dhp_test_replica as replica
from tests.raw_dataset_replicas import read_rgb
from tests.test_converters import check_3d_record, expected_3d, features, read_records, run_main

# The test set's activity_annotation 1-7, written out independently of the converter.
ACTIVITY_NAMES = ['Standing/Walking', 'Exercising', 'Sitting', 'Reaching/Crouching', 'On the floor', 'Sports',
                  'Miscellaneous']
BATCH_SIZE = 2
IMG_SIZE = 224
# LSP-14 rows of the hips, and the per-joint errors (mm) of the "offset" ground truth, all away from
# the PCK/AUC thresholds (multiples of 5 mm) so float32 rounding cannot move a joint across one.
LEFT_HIP, RIGHT_HIP = 3, 2
RADII = [3.2, 12.7, 48.4, 96.1, 149.3, 150.8, 201.6, 322.9]


# ------------------------------------------------------------------------------------------- converter
@pytest.fixture(scope='module')
def converted(tmp_path_factory):
    from src.datasets.mpi_inf_3dhp_test_to_tfrecords import process_test
    root = str(tmp_path_factory.mktemp('3dhp_test'))
    expected = replica.write_3dhp_test_set(osp.join(root, 'mpi_inf_3dhp_test_set'))
    out = osp.join(root, 'out')
    counts = process_test(osp.join(root, 'mpi_inf_3dhp_test_set'), out)
    return expected, out, counts, osp.join(root, 'mpi_inf_3dhp_test_set')


def test_replica_has_both_matlab_formats(converted):
    import scipy.io as sio
    raw = converted[3]
    assert 'univ_annot3' in sio.loadmat(osp.join(raw, 'TS1', 'annot_data.mat'))
    with pytest.raises(NotImplementedError):  # v7.3: the converter must read it with h5py
        sio.loadmat(osp.join(raw, 'TS2', 'annot_data.mat'))


def test_valid_frames_in_order_with_crops_3d_and_activity(converted):
    expected, out, counts, _ = converted
    assert counts == {'TS1': 3, 'TS2': 3}
    assert sorted(os.listdir(osp.join(out, 'test'))) == ['TS1.tfrecord', 'TS2.tfrecord']
    valid_images = {'TS1': [1, 3, 5], 'TS2': [2, 3, 4]}
    for seq, frames in expected.items():
        recs = [features(ex) for ex in read_records(osp.join(out, 'test', seq + '.tfrecord'))]
        assert [r['image/filename'][1][0] for r in recs] == [
            ('%s_img_%06d.jpg' % (seq, i)).encode() for i in valid_images[seq]]
        for feat, (k, gt2d, gt3d, activity, path, cam) in zip(recs, frames):
            assert feat['meta/activity'] == ('int64', [activity])
            image = read_rgb(path)
            check_3d_record(feat, gt2d, gt3d, cam, image, image.shape[:2])


def test_records_read_by_the_evaluation_and_the_training_reader(converted):
    from src.benchmark.test_records import read_test_records
    from src.util.data_utils import parse_example_proto
    expected, out, _, _ = converted
    for seq, frames in expected.items():
        record_path = osp.join(out, 'test', seq + '.tfrecord')
        records = read_test_records(record_path, IMG_SIZE)
        assert records['names'] == ['%s_img_%06d.jpg' % (seq, f[0] + 1) for f in frames]
        assert records['images'].shape == (3, IMG_SIZE, IMG_SIZE, 3)
        assert np.all(records['kps'][:, :, 2] == 1)
        with tf.Graph().as_default(), tf.Session() as sess:
            serialized = tf.placeholder(tf.string, [])
            parse = parse_example_proto(serialized, has_3d=True)
            parsed = [sess.run(parse, {serialized: data}) for data in tf.python_io.tf_record_iterator(record_path)]
        for i, (k, gt2d, gt3d, _, image_path, cam) in enumerate(frames):
            exp = expected_3d(read_rgb(image_path).shape[:2], gt2d, cam)
            np.testing.assert_allclose(records['gt3d'][i], gt3d / 1000., atol=1e-5)
            np.testing.assert_allclose(records['kps'][i, :, :2],
                                       2. * (exp['joints'] - exp['center'] + IMG_SIZE // 2) / IMG_SIZE - 1., atol=1e-4)
            np.testing.assert_allclose(parsed[i]['gt3d'], gt3d / 1000., atol=1e-5)
            np.testing.assert_allclose(parsed[i]['label'][:2, :14], exp['joints'].T, atol=1e-3)
            assert np.all(parsed[i]['label'][2, :14] == 1) and not np.any(parsed[i]['has_smpl3d'])
            assert parsed[i]['fname'] == ('%s_img_%06d.jpg' % (seq, k + 1)).encode()


def _errors(lines):
    """The stderr lines that are not progress bars."""
    return [line for line in lines if not line.startswith('mpi_inf_3dhp test')]


def test_missing_folder_annotation_or_frame_is_one_line_error(tmp_path):
    args = ['--output_directory', str(tmp_path / 'out'), '--data_directory']
    status, lines = run_main('mpi_inf_3dhp_test_to_tfrecords', args + [str(tmp_path / 'nowhere')])
    assert status == 1 and len(lines) == 1 and 'not a directory' in lines[0]
    os.makedirs(str(tmp_path / 'empty'))
    status, lines = run_main('mpi_inf_3dhp_test_to_tfrecords', args + [str(tmp_path / 'empty')])
    assert status == 1 and len(lines) == 1 and osp.join('TS1', 'annot_data.mat') in lines[0]
    raw = str(tmp_path / 'raw')
    replica.write_3dhp_test_set(raw)
    os.remove(osp.join(raw, 'TS2', 'imageSequence', 'img_000003.jpg'))
    status, lines = run_main('mpi_inf_3dhp_test_to_tfrecords', args + [raw])
    assert status == 1 and len(_errors(lines)) == 1 and 'img_000003.jpg' in _errors(lines)[0]
    # TS1 is complete; nothing is left of TS2.
    assert sorted(os.listdir(str(tmp_path / 'out' / 'test'))) == ['TS1.tfrecord']


# ------------------------------------------------------------------------------------------ evaluation
def rotation(axis, degrees):
    axis = np.asarray(axis, np.float64) / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    a = np.radians(degrees)
    return np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * k.dot(k)


def offset_truth(pred_mm, rng):
    """Ground truth = prediction + a translation + offsets of known lengths about the pelvis (the hips
    move in opposite directions, so the pelvis stays): the root-relative errors are those lengths."""
    radii = rng.choice(RADII, size=pred_mm.shape[:2])
    radii[:, RIGHT_HIP] = radii[:, LEFT_HIP]
    directions = rng.randn(*pred_mm.shape)
    directions /= np.linalg.norm(directions, axis=-1, keepdims=True)
    directions[:, RIGHT_HIP] = -directions[:, LEFT_HIP]
    translation = rng.uniform(-300, 300, (len(pred_mm), 1, 3))
    return pred_mm + translation + radii[..., None] * directions, radii


def similar_truth(pred_mm):
    """Ground truth = a similarity transform of the prediction (scale 4 about the pelvis, a rotation,
    a translation): Procrustes removes it, and the root-relative errors are |(s R - I)(joint - pelvis)|."""
    scale, R, t = 4., rotation([1, 2, .5], 40), np.array([30., -20., 50.])
    pelvis = (pred_mm[:, LEFT_HIP] + pred_mm[:, RIGHT_HIP])[:, None] / 2.
    relative = pred_mm - pelvis
    return pelvis + t + scale * relative.dot(R.T), np.linalg.norm(scale * relative.dot(R.T) - relative, axis=-1)


def known_metrics(joint_errors):
    """PCK at 150 mm, AUC over 0, 5, ..., 150 mm and MPJPE over all the joints given."""
    e = np.ravel(joint_errors)
    thresholds = np.arange(0., 151., 5.)
    return {'PCK': 100. * np.mean(e <= 150.), 'AUC': 100. * np.mean(e[:, None] <= thresholds[None]),
            'MPJPE': np.mean(e)}


def write_records(src_path, dst_path, sequence, gt3d_mm):
    """The records of src_path under another sequence name, with other 3D joints."""
    from src.datasets.records import ShardedWriter
    with ShardedWriter(dst_path, None) as writer:
        for example, gt in zip(read_records(src_path), gt3d_mm):
            feature = example.features.feature
            del feature['mosh/gt3d'].float_list.value[:]
            feature['mosh/gt3d'].float_list.value.extend(np.ravel(gt / 1000.))
            name = feature['image/filename'].bytes_list.value[0].decode()
            feature['image/filename'].bytes_list.value[0] = (sequence + name[name.index('_'):]).encode()
            writer.write(example)


def run_evaluation(argv):
    """The CLI in this process: (exit status, stdout, stderr lines that are not progress bars)."""
    from src.benchmark import evaluate_3dhp
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), tf.Graph().as_default():
        status = run_with_flags(evaluate_3dhp.main, ['evaluate_3dhp'] + argv)
    lines = [line for line in err.getvalue().splitlines() if line.strip() and not line.startswith('MPI-INF-3DHP')]
    return status, out.getvalue(), lines


@pytest.fixture(scope='module')
def known_truth(converted, hmr_config, tmp_path_factory):
    """Test records TS1, TS2 with offset ground truth and TS3, TS4 (the frames of TS1, TS2 again) with
    similar ground truth; returns (tf3dhp_dir, {sequence: (root-relative joint errors, activity names)},
    the model's argv)."""
    from src.benchmark.predict import predict_all
    from src.benchmark.test_records import read_test_records
    from src.RunModel import RunModel
    expected, out, _, _ = converted
    hmr_config.batch_size = BATCH_SIZE
    argv = ['--load_path', hmr_config.load_path, '--smpl_model_path', hmr_config.smpl_model_path,
            '--batch_size', str(BATCH_SIZE)]
    with tf.Graph().as_default(), tf.Session() as sess:
        model = RunModel(hmr_config, sess=sess)
        # Per sequence, as the evaluation batches them, so its predictions are these.
        preds = dict((seq, predict_all(model, read_test_records(osp.join(out, 'test', seq + '.tfrecord'),
                                                                IMG_SIZE)['images'])['joints3d'][:, :14])
                     for seq in expected)
    rng = np.random.RandomState(5)
    root = str(tmp_path_factory.mktemp('3dhp_known'))
    truth = {}
    for seq, copy in (('TS1', 'TS3'), ('TS2', 'TS4')):
        pred_mm = preds[seq].astype(np.float64) * 1000.
        activities = [ACTIVITY_NAMES[f[3] - 1] for f in expected[seq]]
        for name, (gt_mm, errors) in ((seq, offset_truth(pred_mm, rng)), (copy, similar_truth(pred_mm))):
            write_records(osp.join(out, 'test', seq + '.tfrecord'), osp.join(root, 'test', name + '.tfrecord'),
                          name, gt_mm)
            truth[name] = (errors, activities)
    # Root-relative errors of the similar ground truth are all over 150 mm: PCK and AUC 0 there.
    assert min(truth[s][0].min() for s in ('TS3', 'TS4')) > 151.
    return root, truth, argv


@pytest.fixture(scope='module')
def report(known_truth, tmp_path_factory):
    root, _, argv = known_truth
    pred_dir = str(tmp_path_factory.mktemp('3dhp_report'))
    # One run (each builds the model) also draws the 2 best and 2 worst frames.
    status, stdout, errors = run_evaluation(['--tf3dhp_dir', root, '--pred_dir', pred_dir, '--vis', '--num_vis', '2']
                                            + argv)
    assert status == 0 and not errors, errors
    with open(osp.join(pred_dir, 'mpi_inf_3dhp.json')) as f:
        results = json.load(f)
    with open(osp.join(pred_dir, 'mpi_inf_3dhp.md')) as f:
        markdown = f.read()
    return results, markdown, stdout, pred_dir


def assert_metrics(got, want, frames=None):
    for metric in ('PCK', 'AUC', 'MPJPE'):
        np.testing.assert_allclose(got[metric], want[metric], atol=1e-3, err_msg=metric)
    if frames is not None:
        assert got['frames'] == frames


def test_root_relative_errors_pck_auc_mpjpe_are_the_known_ones(known_truth, report):
    _, truth, _ = known_truth
    results, _, _, _ = report
    order = ['TS1', 'TS2', 'TS3', 'TS4']
    frames = results['per_frame']
    assert results['sequences'] == order
    assert frames['sequence'] == [s for s in order for _ in range(3)]
    assert frames['names'][3:6] == ['TS2_img_%06d.jpg' % k for k in (2, 3, 4)]
    assert frames['names'][6:9] == ['TS3_img_%06d.jpg' % k for k in (1, 3, 5)]
    assert frames['activity'] == [a for s in order for a in truth[s][1]]
    errors = np.concatenate([truth[s][0] for s in order])
    got = frames['pelvis']
    np.testing.assert_allclose(got['joint_errors'], errors, atol=1e-3)
    for i, row in enumerate(errors):
        assert_metrics(dict((m, got[m][i]) for m in ('PCK', 'AUC', 'MPJPE')), known_metrics(row))
    summary = results['summary']['pelvis']
    assert_metrics(summary['overall'], known_metrics(errors), frames=12)
    activities = np.array(frames['activity'])
    assert sorted(summary['per_activity']) == sorted(set(frames['activity']))
    for name, values in summary['per_activity'].items():
        assert_metrics(values, known_metrics(errors[activities == name]), frames=int(np.sum(activities == name)))
    for seq in order:
        assert_metrics(summary['per_sequence'][seq], known_metrics(truth[seq][0]), frames=3)
    assert summary['per_sequence']['TS3']['PCK'] == summary['per_sequence']['TS3']['AUC'] == 0


def test_rigid_alignment_removes_a_similarity_transform(report):
    results, _, _, _ = report
    frames = results['per_frame']
    aligned = np.array(frames['procrustes']['joint_errors'])
    similar = np.array([s in ('TS3', 'TS4') for s in frames['sequence']])
    assert np.all(aligned[similar] < 1e-3)
    # Procrustes fits by least squares: never worse in squared error than root alignment.
    assert np.all(np.sum(aligned ** 2, 1) <= np.sum(np.array(frames['pelvis']['joint_errors']) ** 2, 1) + 1e-6)
    summary = results['summary']['procrustes']
    for seq in ('TS3', 'TS4'):
        assert summary['per_sequence'][seq]['PCK'] == 100. and summary['per_sequence'][seq]['MPJPE'] < 1e-3
    assert_metrics(summary['overall'], known_metrics(aligned), frames=12)
    activities = np.array(frames['activity'])
    for name, values in summary['per_activity'].items():
        assert_metrics(values, known_metrics(aligned[activities == name]))


def test_markdown_and_stdout_show_ours_beside_the_paper(report):
    results, markdown, stdout, _ = report
    for number in ('72.9', '36.5', '124.2', '86.3', '47.8', '89.8'):
        assert number in markdown
    ours = results['summary']['pelvis']['overall']
    assert '| PCK | %.2f | 72.90 |' % ours['PCK'] in markdown
    assert '| MPJPE | %.2f | 124.20 |' % ours['MPJPE'] in markdown
    for name in set(results['per_frame']['activity']):
        assert '| %s |' % name in markdown
    assert 'No rigid alignment: PCK %.2f, AUC %.2f, MPJPE %.2f (paper: 72.9, 36.5, 124.2)' % (
        ours['PCK'], ours['AUC'], ours['MPJPE']) in stdout


def test_vis_writes_the_best_and_worst(known_truth, report):
    _, truth, _ = known_truth
    _, _, stdout, pred_dir = report
    mpjpe = dict((s, truth[s][0].mean(axis=1)) for s in truth)
    assert min(mpjpe['TS3'].min(), mpjpe['TS4'].min()) > max(mpjpe['TS1'].max(), mpjpe['TS2'].max())
    names = sorted(os.listdir(osp.join(pred_dir, 'vis')))
    assert 'wrote 4 pictures' in stdout
    assert len(names) == 4 and [n[:7] for n in names] == ['best_00', 'best_01', 'worst_0', 'worst_0']
    # Ranked by root-relative MPJPE: the worst are frames of the similar ground truth.
    assert all(('TS3' in n or 'TS4' in n) == n.startswith('worst') for n in names)
    image = read_rgb(osp.join(pred_dir, 'vis', names[0]))
    assert image.shape == (2 * IMG_SIZE, 2 * IMG_SIZE, 3)


def test_bad_input_is_one_line_error(known_truth, converted, tmp_path):
    root, _, argv = known_truth
    cases = [(str(tmp_path / 'nowhere'), argv, 'not a directory')]
    os.makedirs(str(tmp_path / 'empty' / 'test'))
    cases.append((str(tmp_path / 'empty'), argv, 'no MPI-INF-3DHP test records'))
    cases.append((root, ['--load_path', str(tmp_path / 'model.ckpt-1')] + argv[2:], 'model files missing'))
    # Records of another converter have no activity.
    from src.datasets.records import ShardedWriter
    with ShardedWriter(str(tmp_path / 'other' / 'test' / 'TS1.tfrecord'), None) as writer:
        for example in read_records(osp.join(converted[1], 'test', 'TS1.tfrecord')):
            del example.features.feature['meta/activity']
            writer.write(example)
    cases.append((str(tmp_path / 'other'), argv, 'meta/activity'))
    for tf3dhp_dir, model_argv, message in cases:
        status, _, errors = run_evaluation(['--tf3dhp_dir', tf3dhp_dir] + model_argv)
        assert status == 1 and len(errors) == 1 and message in errors[0], (message, errors)
