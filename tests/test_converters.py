"""Dataset converters on tiny replicas of the official raw layouts (tests/raw_dataset_replicas.py).

The records are read back by parsing the tf.train.Example protos, and the keypoints, visibility,
centres, image sizes and 3D fields are compared with values computed here from the replica's ground
truth and the released rules (person rescaling, crops, splits, frame sampling).
"""
import os
import os.path as osp
import shutil
import subprocess
import sys
from glob import glob

import numpy as np
import pytest

from src.joints import COCOPLUS19, LSP14
from tests import raw_dataset_replicas as replicas
from tests.raw_3dhp_test_replica import write_3dhp_test_set

PROJECT_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))


# ------------------------------------------------------------------------------------------ helpers
def read_records(path):
    from src.datasets.records import read_records as _read
    return _read(path)


def features(example):
    """{key: ('int64' | 'float' | 'bytes', list of values)}"""
    out = {}
    for key, feat in example.features.feature.items():
        kind = feat.WhichOneof('kind')
        values = list(getattr(feat, kind).value)
        out[key] = (kind.replace('_list', ''), values)
    return out


def all_records(pattern):
    files = sorted(glob(pattern))
    return files, [features(ex) for f in files for ex in read_records(f)]


def decode(feat):
    from src.datasets.common import ImageCoder
    return ImageCoder().decode(feat['image/encoded'][1][0])


def schema(feat):
    return dict((k, (kind, len(v) if kind != 'bytes' else 1)) for k, (kind, v) in feat.items())


def expected_person(image_hw, joints_xy, visible, scale, margin):
    """Independent computation of the released resize-then-crop: joints in the crop, centre, crop size."""
    h, w = image_hw
    nh, nw = int(np.floor(h * scale)), int(np.floor(w * scale))
    factors = np.array([nw / float(w), nh / float(h)])
    joints = np.asarray(joints_xy, np.float64) * factors[:, None]
    vis = np.asarray(visible, bool)
    center = (joints[:, vis].min(axis=1) + joints[:, vis].max(axis=1)) / 2.
    start = np.maximum(center - margin, 0).astype(int)
    end = np.minimum((center + margin).astype(int), [nw, nh])
    return joints - start[:, None], (center - start).astype(int), end - start, (nw, nh), start


def assert_crop_pixels(feat, source_path, new_size, start):
    """The record's image is the crop of the rescaled source image (JPEG tolerance)."""
    import cv2
    image = decode(feat)
    source = cv2.resize(replicas.read_rgb(source_path), tuple(new_size))
    h, w = image.shape[:2]
    ref = source[start[1]:start[1] + h, start[0]:start[0] + w]
    assert ref.shape == image.shape
    assert np.mean(np.abs(ref.astype(float) - image.astype(float))) < 4


def run_main(module, argv):
    """A converter CLI in this process: (exit status, stderr lines)."""
    import importlib
    import io
    import contextlib
    from src.cli import run_command
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = run_command(importlib.import_module('src.datasets.' + module).main, argv)
    return status, [line for line in err.getvalue().splitlines() if line.strip()]


def reference_record(reference_dir, rel):
    return features(read_records(osp.join(reference_dir, 'tiny_tfrecords', rel))[0])


def data_loader_parse(path, has_3d):
    """Parse the first record of `path` through the project's training reader."""
    from src.util import data_utils
    from src.compat import tf
    data = next(iter(tf.python_io.tf_record_iterator(path)))
    with tf.Graph().as_default():
        parsed = data_utils.parse_example_proto(tf.constant(data), has_3d=has_3d)
        with tf.Session() as sess:
            return sess.run(parsed)


# ---------------------------------------------------------------------------------------------- LSP
@pytest.fixture(scope='module')
def lsp_out(tmp_path_factory):
    from src.datasets import lsp_to_tfrecords
    root = str(tmp_path_factory.mktemp('lsp_raw'))
    truth = replicas.write_lsp(osp.join(root, 'lsp_dataset'))
    out = osp.join(root, 'out', 'lsp')
    counts = lsp_to_tfrecords.process_lsp(osp.join(root, 'lsp_dataset'), out, train_shards=1, test_shards=5)
    return truth, out, counts


def test_lsp_split_keypoints_and_visibility(lsp_out):
    truth, out, counts = lsp_out
    assert counts == {'train': 2, 'test': 1}  # the test image without visible joints is skipped
    train_files, train = all_records(osp.join(out, 'train_*.tfrecord'))
    test_files, test = all_records(osp.join(out, 'test_*.tfrecord'))
    assert [osp.basename(f) for f in train_files] == ['train_000.tfrecord', 'train_001.tfrecord']
    assert [osp.basename(f) for f in test_files] == ['test_000.tfrecord']
    for feat, i in zip(train + test, [0, 1, 2]):
        label = truth['joints'][:, :, i]
        np.testing.assert_allclose(feat['image/x'][1], label[0], atol=1e-4)
        np.testing.assert_allclose(feat['image/y'][1], label[1], atol=1e-4)
        assert feat['image/visibility'][1] == [int(v) for v in label[2]]
        vis = label[2].astype(bool)
        center = ((label[:2, vis].min(axis=1) + label[:2, vis].max(axis=1)) / 2.).astype(int)
        assert feat['image/center'][1] == list(center)
        assert feat['image/filename'][1][0] == osp.basename(truth['images'][i]).encode()
        # LSP images are stored as they are.
        with open(truth['images'][i], 'rb') as f:
            assert feat['image/encoded'][1][0] == f.read()
        h, w = replicas.read_rgb(truth['images'][i]).shape[:2]
        assert (feat['image/height'][1], feat['image/width'][1]) == ([h], [w])
    # image 2 (im0002) has three occluded joints, stored as visibility 0
    assert train[1]['image/visibility'][1].count(0) == 3


def test_lsp_extended_all_train_and_visibility(tmp_path):
    from src.datasets import lsp_to_tfrecords
    truth = replicas.write_lsp(str(tmp_path / 'lsp_extended'), extended=True)
    counts = lsp_to_tfrecords.process_lsp(str(tmp_path / 'lsp_extended'), str(tmp_path / 'lsp_ext'))
    assert counts == {'train': 3}
    files, recs = all_records(str(tmp_path / 'lsp_ext' / '*.tfrecord'))
    assert [osp.basename(f) for f in files] == ['train_000.tfrecord']
    for i, feat in enumerate(recs):
        np.testing.assert_allclose(feat['image/x'][1], truth['joints'][0, :, i], atol=1e-4)
        assert feat['image/visibility'][1] == [int(v) for v in truth['joints'][2, :, i]]
    assert recs[1]['image/visibility'][1].count(0) == 3


def test_lsp_record_through_training_reader(lsp_out):
    truth, out, _ = lsp_out
    parsed = data_loader_parse(osp.join(out, 'train_000.tfrecord'), has_3d=False)
    label = np.asarray(parsed['label'])
    np.testing.assert_allclose(label[0, :14], truth['joints'][0, :, 0], atol=1e-3)
    np.testing.assert_allclose(label[2, :14], truth['joints'][2, :, 0])


def test_missing_lsp_file_is_one_line_error(tmp_path):
    os.makedirs(str(tmp_path / 'lsp' / 'images'))
    status, lines = run_main('lsp_to_tfrecords', ['--img_directory', str(tmp_path / 'lsp'),
                                                 '--output_directory', str(tmp_path / 'out')])
    assert status != 0 and len(lines) == 1 and 'joints.mat' in lines[0]
    assert not os.path.exists(str(tmp_path / 'out' / 'train_000.tfrecord'))


# --------------------------------------------------------------------------------------------- MPII
def _mpii_expected_scale(points, rule):
    def d(a, b):
        return np.linalg.norm(np.subtract(points[a], points[b]))
    if rule == 'diagonal150':
        xy = np.array([points[n] for n in LSP14 if n in points])
        return 150. / np.linalg.norm(xy.max(axis=0) - xy.min(axis=0))
    if rule == 'head_hip75':
        return 75. / np.mean([d('head_top', 'right_hip'), d('head_top', 'left_hip')])
    return 56. / np.mean([d('right_shoulder', 'right_hip'), d('left_shoulder', 'left_hip')])


@pytest.fixture(scope='module')
def mpii_out(tmp_path_factory):
    from src.datasets import mpii_to_tfrecords
    root = str(tmp_path_factory.mktemp('mpii_raw'))
    truth = replicas.write_mpii(osp.join(root, 'mpii'))
    out = osp.join(root, 'out', 'mpii')
    num = mpii_to_tfrecords.process_mpii(osp.join(root, 'mpii'), out, per_shard=2)
    return truth, out, num


def test_mpii_single_people_rescaled_and_cropped(mpii_out):
    truth, out, num = mpii_out
    assert num == 3
    files, recs = all_records(osp.join(out, 'train_*.tfrecord'))
    assert [osp.basename(f) for f in files] == ['train_000.tfrecord', 'train_001.tfrecord']
    starts = []
    for feat, (path, points), rule in zip(recs, truth['people'], truth['rules']):
        xy = np.array([points.get(n, (0., 0.)) for n in LSP14], np.float64).T
        vis = np.array([n in points for n in LSP14])
        hw = replicas.read_rgb(path).shape[:2]
        scale = _mpii_expected_scale(points, rule)
        joints, center, size, new_size, start = expected_person(hw, xy, vis, scale, 300)
        np.testing.assert_allclose(feat['image/x'][1], joints[0], atol=1e-3)
        np.testing.assert_allclose(feat['image/y'][1], joints[1], atol=1e-3)
        assert feat['image/visibility'][1] == [int(v) for v in vis]
        assert feat['image/center'][1] == list(center)
        assert (feat['image/width'][1][0], feat['image/height'][1][0]) == tuple(size)
        assert decode(feat).shape[:2] == (size[1], size[0])
        assert feat['image/filename'][1][0] == osp.basename(path).encode()
        assert 'image/face_pts' not in feat
        assert_crop_pixels(feat, path, new_size, start)
        starts.append(start)
    # the windows of the first and third people start inside the rescaled image (the crop is exercised)
    assert starts[0][0] > 0 and starts[2][0] > 0


def test_mpii_missing_annotation_is_one_line_error(tmp_path):
    os.makedirs(str(tmp_path / 'mpii' / 'images'))
    status, lines = run_main('mpii_to_tfrecords', ['--img_directory', str(tmp_path / 'mpii'),
                                                  '--output_directory', str(tmp_path / 'out')])
    assert status != 0 and len(lines) == 1 and 'mpii_human_pose_v1_u12_1.mat' in lines[0]


# --------------------------------------------------------------------------------------------- COCO
@pytest.fixture(scope='module')
def coco_out(tmp_path_factory):
    from src.datasets import coco_to_tfrecords
    root = str(tmp_path_factory.mktemp('coco_raw'))
    truth = replicas.write_coco(osp.join(root, 'coco'))
    out = osp.join(root, 'out', 'coco')
    num = coco_to_tfrecords.process_coco(osp.join(root, 'coco'), out, per_shard=500)
    return truth, out, num


def test_coco_filters_scale_rules_and_face_points(coco_out):
    truth, out, num = coco_out
    assert num == 3
    files, recs = all_records(osp.join(out, 'train_*.tfrecord'))
    assert [osp.basename(f) for f in files] == ['train_0000_wmeta.tfrecord']
    for feat, (path, points, rule) in zip(recs, truth['people']):
        kp = np.array([points.get(n, (0, 0, 0)) for n in COCOPLUS19], np.float64).T  # 3 x 19
        vis = kp[2] > 0
        xy = kp[:2, vis]
        diag = np.linalg.norm(xy.max(axis=1) - xy.min(axis=1))
        if rule == 'diagonal150':
            scale = 150. / diag
        elif rule == 'diagonal50':
            scale = 50. / diag
        else:
            scale = 75. / np.mean([np.linalg.norm(np.subtract(points['left_shoulder'][:2], points['left_hip'][:2])),
                                   np.linalg.norm(np.subtract(points['right_shoulder'][:2], points['right_hip'][:2]))])
        hw = replicas.read_rgb(path).shape[:2]
        joints, center, size, new_size, start = expected_person(hw, kp[:2], vis, scale, 200)
        np.testing.assert_allclose(feat['image/x'][1], joints[0, :14], atol=1e-3)
        np.testing.assert_allclose(feat['image/y'][1], joints[1, :14], atol=1e-3)
        # COCO's v is kept (2 visible, 1 labelled but occluded), neck and head top are 0
        assert feat['image/visibility'][1] == [int(v) for v in kp[2, :14]]
        assert feat['image/visibility'][1][12:14] == [0, 0]
        face = np.array(feat['image/face_pts'][1]).reshape(3, 5)
        np.testing.assert_allclose(face[:2], joints[:, 14:], atol=1e-3)
        np.testing.assert_allclose(face[2], kp[2, 14:])
        assert feat['image/center'][1] == list(center)
        assert (feat['image/width'][1][0], feat['image/height'][1][0]) == tuple(size)
        assert_crop_pixels(feat, path, new_size, start)
    assert recs[2]['image/visibility'][1] != [1] * 14 and 1 in recs[0]['image/visibility'][1]


def test_coco_missing_annotation_is_one_line_error(tmp_path):
    status, lines = run_main('coco_to_tfrecords', ['--data_directory', str(tmp_path),
                                                  '--output_directory', str(tmp_path / 'out')])
    assert status != 0 and len(lines) == 1 and 'person_keypoints_train2014.json' in lines[0]


# --------------------------------------------------------------------------------------------- MoSh
@pytest.fixture(scope='module')
def mosh_out(tmp_path_factory):
    from src.datasets import smpl_to_tfrecords
    root = tmp_path_factory.mktemp('mosh_raw')
    kept = replicas.write_mosh(str(root / 'neutrMosh'))
    out = str(root / 'mocap_neutrMosh')
    num = smpl_to_tfrecords.process_smpl_mocap(str(root / 'neutrMosh'), out, 'neutrSMPL_CMU', per_shard=4, seed=0)
    return kept, out, num, str(root / 'neutrMosh')


def test_mosh_records_hold_every_training_pose(mosh_out, tmp_path):
    from src.datasets import smpl_to_tfrecords
    kept, out, num, raw = mosh_out
    assert num == 7  # 4 + 3 poses; S9 and S11 sequences left out
    files, recs = all_records(osp.join(out, 'neutrSMPL_CMU_*.tfrecord'))
    assert [osp.basename(f) for f in files] == ['neutrSMPL_CMU_000.tfrecord', 'neutrSMPL_CMU_001.tfrecord']
    got = set((tuple(np.float32(r['pose'][1])), tuple(np.float32(r['shape'][1]))) for r in recs)
    assert got == kept
    assert schema(recs[0]) == {'pose': ('float', 72), 'shape': ('float', 10)}
    # a seed makes the shuffle repeatable
    out2 = str(tmp_path / 'again')
    smpl_to_tfrecords.process_smpl_mocap(raw, out2, 'neutrSMPL_CMU', per_shard=4, seed=0)
    assert [r['pose'] for r in all_records(osp.join(out2, '*.tfrecord'))[1]] == [r['pose'] for r in recs]


def test_mosh_missing_folder_is_one_line_error(tmp_path):
    status, lines = run_main('smpl_to_tfrecords', ['--data_directory', str(tmp_path),
                                                  '--output_directory', str(tmp_path / 'out'),
                                                  '--dataset_name', 'neutrSMPL_H3.6'])
    assert status != 0 and len(lines) == 1 and 'neutrSMPL_H3.6' in lines[0]


# ------------------------------------------------------------------------------------------ writer
def test_interrupted_shard_leaves_no_file(tmp_path):
    from src.datasets.smpl_to_tfrecords import mocap_example
    from src.datasets.records import ShardedWriter
    pattern = str(tmp_path / 'x_%03d.tfrecord')
    with pytest.raises(RuntimeError):
        with ShardedWriter(pattern, 2) as writer:
            for i in range(3):
                writer.write(mocap_example(np.zeros(72) + i, np.zeros(10)))
            raise RuntimeError('interrupted')
    assert sorted(os.listdir(str(tmp_path))) == ['x_000.tfrecord']
    assert len(read_records(pattern % 0)) == 2


# ------------------------------------------------------------------------------------- MPI-INF-3DHP
def expected_3d(image_hw, gt2d, cam):
    """Independent computation of the released 3D-set normalisation (150 px person, 300 x 300 window)."""
    h, w = image_hw
    gt2d = np.asarray(gt2d, np.float64)
    lo, hi = gt2d.min(axis=0), gt2d.max(axis=0)
    scale = 150. / np.linalg.norm(hi - lo)
    nh, nw = int(np.floor(h * scale)), int(np.floor(w * scale))
    fx, fy = nw / float(w), nh / float(h)
    center = np.round((lo + hi) / 2. * [fx, fy]).astype(int)
    start = np.maximum(center - 150, 0)
    end = np.minimum(center + 150, [nw, nh])
    joints = gt2d * [fx, fy] - start
    cam = [cam[0] * scale, cam[1] * fx - start[0], cam[2] * fy - start[1]]
    return {'joints': joints, 'center': center - start, 'size': end - start, 'cam': cam, 'start': start,
            'factors': [fy, fx], 'new_size': (nw, nh)}


def check_3d_record(feat, gt2d, gt3d_mm, cam, image, image_hw, tol_pixels=4):
    import cv2
    exp = expected_3d(image_hw, gt2d, cam)
    np.testing.assert_allclose(feat['image/x'][1], exp['joints'][:, 0], atol=1e-3)
    np.testing.assert_allclose(feat['image/y'][1], exp['joints'][:, 1], atol=1e-3)
    assert feat['image/visibility'][1] == [1] * 14
    assert feat['image/center'][1] == list(exp['center'])
    assert (feat['image/width'][1][0], feat['image/height'][1][0]) == tuple(exp['size'])
    np.testing.assert_allclose(np.reshape(feat['mosh/gt3d'][1], (14, 3)), np.asarray(gt3d_mm) / 1000., atol=1e-5)
    np.testing.assert_allclose(feat['image/cam'][1], exp['cam'], rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(feat['meta/scale_factors'][1], exp['factors'], rtol=1e-6)
    assert feat['meta/crop_pt'][1] == list(exp['start'])
    assert feat['meta/has_3d'][1] == [0]
    assert feat['mosh/pose'][1] == [-1.] * 72 and feat['mosh/shape'][1] == [-1.] * 10
    got = decode(feat)
    ref = cv2.resize(image, exp['new_size'])
    s = exp['start']
    ref = ref[s[1]:s[1] + got.shape[0], s[0]:s[0] + got.shape[1]]
    assert ref.shape == got.shape
    assert np.mean(np.abs(ref.astype(float) - got.astype(float))) < tol_pixels


def _match_by_gt3d(recs, gt3d_mm):
    dists = [np.abs(np.reshape(r['mosh/gt3d'][1], (14, 3)) - np.asarray(gt3d_mm) / 1000.).max() for r in recs]
    i = int(np.argmin(dists))
    assert dists[i] < 1e-5, 'no record holds these 3D joints'
    return recs[i]


@pytest.fixture(scope='module')
def mpi_inf_3dhp_out(tmp_path_factory):
    from src.datasets import mpi_inf_3dhp_to_tfrecords as conv
    root = str(tmp_path_factory.mktemp('3dhp_raw'))
    expected = replicas.write_mpi_inf_3dhp(osp.join(root, 'mpi_inf_3dhp'))
    out = osp.join(root, 'out', 'mpi_inf_3dhp')
    num = conv.process_mpi_inf_3dhp(osp.join(root, 'mpi_inf_3dhp'), out, split='train', per_shard=4, seed=0)
    return expected, out, num, osp.join(root, 'mpi_inf_3dhp')


def test_mpi_inf_3dhp_sampling_crops_cameras_and_3d(mpi_inf_3dhp_out):
    expected, out, num, _ = mpi_inf_3dhp_out
    used = dict((k, v) for k, v in expected.items() if k[0] in range(1, 8) and k[2] in [0, 1, 2, 4, 5, 6, 7, 8])
    assert sorted(used) == [(1, 1, 0), (1, 1, 4), (1, 2, 0)]
    assert num == sum(len(v) for v in used.values()) == 8  # frames 0, 2, 4 of two cameras, 0 and 2 of the video
    files, recs = all_records(osp.join(out, 'train', '*.tfrecord'))
    assert [osp.basename(f) for f in files] == ['train_0000.tfrecord', 'train_0001.tfrecord']
    assert len(recs) == num
    for key, frames in used.items():
        for k, gt2d, gt3d, cam, image in frames:
            feat = _match_by_gt3d(recs, gt3d)
            if isinstance(image, str):
                assert feat['image/filename'][1][0] == osp.basename(image).encode()
                image = replicas.read_rgb(image)
                check_3d_record(feat, gt2d, gt3d, cam, image, image.shape[:2])
            else:  # taken from the .avi: MJPEG on top of JPEG
                check_3d_record(feat, gt2d, gt3d, cam, image, image.shape[:2], tol_pixels=8)
    # camera 3 is not a training camera
    for _, _, gt3d, _, _ in expected[(1, 1, 3)]:
        assert min(np.abs(np.reshape(r['mosh/gt3d'][1], (14, 3)) - gt3d / 1000.).max() for r in recs) > 1e-3


def test_mpi_inf_3dhp_trainval_adds_s8(mpi_inf_3dhp_out, tmp_path):
    from src.datasets import mpi_inf_3dhp_to_tfrecords as conv
    expected, out, num, raw = mpi_inf_3dhp_out
    num_tv = conv.process_mpi_inf_3dhp(raw, str(tmp_path), split='trainval', seed=1)
    assert num_tv == num + 1
    recs = all_records(str(tmp_path / 'trainval' / '*.tfrecord'))[1]
    _match_by_gt3d(recs, expected[(8, 1, 0)][0][2])


def test_mpi_inf_3dhp_missing_annotation(tmp_path):
    status, lines = run_main('mpi_inf_3dhp_to_tfrecords', ['--data_directory', str(tmp_path),
                                                          '--output_directory', str(tmp_path / 'out')])
    assert status != 0 and len(lines) == 1 and 'annot.mat' in lines[0] and 'S1' in lines[0]


# ---------------------------------------------------------------------------------------- Human3.6M
@pytest.fixture(scope='module')
def h36m_out(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('h36m_raw'))
    expected = replicas.write_h36m(osp.join(root, 'h36m'))
    out = osp.join(root, 'out', 'tf_records_human36m_wjoints')
    status, lines = run_main('h36m_to_tfrecords', ['--data_directory', osp.join(root, 'h36m'),
                                                  '--output_directory', out, '--train_shards', '4', '--seed', '0'])
    assert status == 0, lines
    return expected, out


def test_h36m_training_frames_boxes_and_3d(h36m_out):
    expected, out = h36m_out
    train = dict((k, v) for k, v in expected.items() if k[0] == 1)
    assert sorted(train) == [(1, 'Directions', 0, 0), (1, 'Directions', 1, 0), (1, 'Directions', 1, 3),
                             (1, 'WalkingDog', 0, 3)]
    files, recs = all_records(osp.join(out, 'train', '*.tfrecord'))
    assert [osp.basename(f) for f in files] == ['train_0000.tfrecord', 'train_0001.tfrecord', 'train_0002.tfrecord']
    # every 5th frame; the frame outside the image is skipped
    assert len(recs) == sum(len(v) for v in train.values()) == 10
    for (subject, action, trial, cam), frames in train.items():
        for k, gt2d, gt3d, camera, image in frames:
            feat = _match_by_gt3d(recs, gt3d)
            name = 'S%d_%s_%d_cam%d_%06d.jpg' % (subject, action, trial, cam, k)
            assert feat['image/filename'][1][0] == name.encode()
            check_3d_record(feat, gt2d, gt3d, camera, image, image.shape[:2], tol_pixels=10)


def test_h36m_test_sequences_for_evaluation(h36m_out):
    from src.datasets.h36m_to_tfrecords import sequence_file_name
    expected, out = h36m_out
    test = dict((k, v) for k, v in expected.items() if k[0] == 9)
    names = sorted(osp.basename(f) for f in glob(osp.join(out, 'test', '*.tfrecord')))
    assert names == sorted(sequence_file_name(*k) + '.tfrecord' for k in test) == [
        'S9_TakingPhoto_0_cam0.tfrecord', 'S9_Walking_0_cam0.tfrecord', 'S9_Walking_0_cam3.tfrecord',
        'S9_Walking_1_cam3.tfrecord']  # Eating has no video: skipped
    for key, frames in test.items():
        recs = [features(ex) for ex in read_records(osp.join(out, 'test', sequence_file_name(*key) + '.tfrecord'))]
        assert len(recs) == len(frames) == 2  # frames 0 and 5, in order
        for feat, (k, gt2d, gt3d, camera, image) in zip(recs, frames):
            assert feat['image/filename'][1][0] == ('%s_%06d.jpg' % (sequence_file_name(*key), k)).encode()
            check_3d_record(feat, gt2d, gt3d, camera, image, image.shape[:2], tol_pixels=10)


def test_3d_and_coco_records_through_training_reader(h36m_out, coco_out):
    expected, out = h36m_out
    path = osp.join(out, 'test', 'S9_Walking_1_cam3.tfrecord')
    parsed = data_loader_parse(path, has_3d=True)
    np.testing.assert_allclose(parsed['gt3d'], expected[(9, 'Walking', 1, 3)][0][2] / 1000., atol=1e-5)
    assert not np.any(parsed['has_smpl3d'])
    assert parsed['label'].shape == (3, 19) and np.all(parsed['label'][2, :14] == 1)
    coco = features(read_records(glob(osp.join(coco_out[1], 'train_*.tfrecord'))[0])[0])
    parsed = data_loader_parse(glob(osp.join(coco_out[1], 'train_*.tfrecord'))[0], has_3d=False)
    np.testing.assert_allclose(parsed['label'][:, 14:].ravel(), coco['image/face_pts'][1], atol=1e-4)


def test_h36m_missing_poses_is_one_line_error(tmp_path):
    status, lines = run_main('h36m_to_tfrecords', ['--data_directory', str(tmp_path),
                                                  '--output_directory', str(tmp_path / 'out')])
    assert status != 0 and len(lines) == 1 and 'D3_Positions_mono' in lines[0]


# ------------------------------------------------------------------------- schema of released records
@pytest.mark.parametrize('fixture, pattern, reference, extra', [
    ('lsp_out', 'train_*.tfrecord', 'lsp/train_0.tfrecord', {}),
    ('lsp_out', 'test_*.tfrecord', 'lsp/train_0.tfrecord', {}),
    ('mpii_out', 'train_*.tfrecord', 'lsp/train_0.tfrecord', {}),
    ('coco_out', 'train_*.tfrecord', 'lsp/train_0.tfrecord', {'image/face_pts': ('float', 15)}),
    ('mpi_inf_3dhp_out', 'train/*.tfrecord', 'tf_records_human36m_wjoints/train/train_0.tfrecord', {}),
    ('h36m_out', 'train/*.tfrecord', 'tf_records_human36m_wjoints/train/train_0.tfrecord', {}),
    ('h36m_out', 'test/*.tfrecord', 'tf_records_human36m_wjoints/train/train_0.tfrecord', {}),
    ('mosh_out', '*.tfrecord', 'mocap_neutrMosh/neutrSMPL_CMU_0.tfrecord', {}),
])
def test_schema_matches_released_record(request, reference_dir, fixture, pattern, reference, extra):
    """Same feature keys, kinds and lengths as a record written by the released converters."""
    out = request.getfixturevalue(fixture)[1]
    files = sorted(glob(osp.join(out, pattern)))
    assert files
    expected = schema(reference_record(reference_dir, reference))
    expected.update(extra)
    for path in files:
        for example in read_records(path):
            assert schema(features(example)) == expected


# ------------------------------------------------------------------------------ prepare_datasets.sh
def test_prepare_datasets_drives_converters_from_one_config(tmp_path):
    lsp = replicas.write_lsp(str(tmp_path / 'raw' / 'lsp_dataset'))
    replicas.write_mosh(str(tmp_path / 'raw' / 'neutrMosh'))
    test_3dhp = write_3dhp_test_set(str(tmp_path / 'raw' / 'mpi_inf_3dhp_test_set'))
    cfg = tmp_path / 'datasets.cfg'
    cfg.write_text('\n'.join([
        'DATA_DIR=%s' % (tmp_path / 'records'),
        'LSP_DIR=%s' % (tmp_path / 'raw' / 'lsp_dataset'),
        'MPII_DIR=%s' % (tmp_path / 'raw' / 'no_mpii_here'),
        'MOSH_DIR=%s' % (tmp_path / 'raw' / 'neutrMosh'),
        'MPI_INF_3DHP_TEST_DIR=%s' % (tmp_path / 'raw' / 'mpi_inf_3dhp_test_set'),
        'MOSH_DATASETS=neutrSMPL_CMU', '']))
    env = dict(os.environ, PYTHON=sys.executable)
    proc = subprocess.run(['bash', osp.join(PROJECT_DIR, 'prepare_datasets.sh'), str(cfg)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=str(tmp_path))
    # LSP and the MoSh set are converted; MPII's missing folder fails the run, with its reason
    assert proc.returncode == 1
    assert 'error: conversion failed for: mpii' in proc.stderr
    assert [l for l in proc.stderr.splitlines() if l.startswith('error: MPII folder not found')]
    assert len(read_records(str(tmp_path / 'records' / 'lsp' / 'train_000.tfrecord'))) == 2
    assert len(read_records(str(tmp_path / 'records' / 'lsp' / 'test_000.tfrecord'))) == 1
    assert len(read_records(str(tmp_path / 'records' / 'mocap_neutrMosh' / 'neutrSMPL_CMU_000.tfrecord'))) == 7
    assert lsp['joints'].shape == (3, 14, 4)
    for sequence in ('TS1', 'TS2'):
        records = read_records(str(tmp_path / 'records' / 'mpi_inf_3dhp' / 'test' / (sequence + '.tfrecord')))
        assert len(records) == len(test_3dhp[sequence])


def test_prepare_datasets_without_config_is_one_line_error(tmp_path):
    proc = subprocess.run(['bash', osp.join(PROJECT_DIR, 'prepare_datasets.sh'), str(tmp_path / 'none.cfg')],
                          env=dict(os.environ, PYTHON=sys.executable),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    assert 'datasets.cfg.example' in proc.stderr


def test_prepare_datasets_without_a_runtime_is_one_line_error(tmp_path):
    """Where neither .venv/tf2 nor .venv/tf1 is installed and PYTHON is not set."""
    shutil.copy(osp.join(PROJECT_DIR, 'prepare_datasets.sh'), str(tmp_path))
    env = dict((k, v) for k, v in os.environ.items() if k != 'PYTHON')
    proc = subprocess.run(['bash', str(tmp_path / 'prepare_datasets.sh'), str(tmp_path / 'datasets.cfg')], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 1 and proc.stderr.strip().splitlines() == [
        "error: no runtime installed: run make setup (or set PYTHON to a Python with HMR's requirements)"]
