"""Human3.6M (official videos and poses) -> TFRecords of the released layout: the training set and the
per-sequence test set that the H3.6M evaluation reads.

Official raw layout (--data_directory), per subject S1, S5, S6, S7, S8, S9, S11:
  S<k>/Videos/<Action>.<camera>.mp4
  S<k>/MyPoseFeatures/D3_Positions_mono/<Action>.<camera>.cdf   'Pose': 32 joints x 3, mm, camera coords
  S<k>/MyPoseFeatures/D2_Positions/<Action>.<camera>.cdf        'Pose': 32 joints x 2, pixels
<Action> is the action with an optional trial number ("Directions 1", "Directions"); <camera> one of
54138969, 55011271, 58860488, 60457274, numbered 0-3 in that order (3 is the frontal camera). CDF files
are read with cdflib, frames with OpenCV.

Sequences: the action names are made canonical (Photo -> TakingPhoto, WalkDog -> WalkingDog; see
ACTIONS), and the two recordings of an action are trial 0 (the one with the lower trial number) and
trial 1 (the one without a number comes last). With this numbering the known corrupt video
S11/Videos/Directions.54138969.mp4 is (11, 'Directions', 1, 0), the sequence the released evaluation
skips.

Every kept frame: the 14 LSP joints of the 32 (H36M_JOINTS), all visible; the box comes from the 2D
projections (D2_Positions); the person is rescaled so the diagonal of the box is 150 px and a window of
up to 300 x 300 is cut, exactly as for MPI-INF-3DHP (src.datasets.common.person_3d_example);
mosh/gt3d holds the 3D joints in metres; image/cam holds [f, px, py], the pinhole camera fitted by least
squares to the sequence's D3 -> D2 projections (f the mean of fx and fy), after the resize and crop.
The official data has no SMPL parameters: mosh/pose and mosh/shape are -1 and meta/has_3d 0.
Frames whose joints are mostly (7 or more of 14) outside the image are skipped.

Outputs under --output_directory (the released tf_records_human36m_wjoints folder):
  train/train_%04d.tfrecord  subjects 1, 5, 6, 7, 8, every 5th frame (--train_frame_step) of every
                             camera, sequences in a shuffled (--seed) order, 500 records per file.
  test/S<k>_<Action>_<trial>_cam<c>.tfrecord   subjects 9 and 11, one file per sequence and camera
                             (sequence_file_name()), frames in order, every 5th (--test_frame_step; 1
                             keeps all). image/filename is S<k>_<Action>_<trial>_cam<c>_<frame %06d>.jpg,
                             so each record names its action, trial, camera and frame. Protocol 1 reads
                             all cameras and both trials, Protocol 2 camera 3 and trial 0 (PROTOCOLS).
A sequence whose video is missing or cannot be decoded is reported and skipped.

usage: python -m src.datasets.h36m_to_tfrecords --data_directory H36M_DIR \
           --output_directory OUT/tf_records_human36m_wjoints [--split train|test|both]
"""
from __future__ import print_function

import argparse
import os
import os.path as osp
import re
import sys

import numpy as np

from ..errors import HMRError
from ..joints import LSP14, index_map
from .common import ImageCoder, person_3d_example
from .official_files import VideoError, progress, require_dir, video_frames
from .person_crop import enough_in_image
from .records import ShardedWriter

SUBJECTS = {'train': [1, 5, 6, 7, 8], 'test': [9, 11]}
CAMERAS = ['54138969', '55011271', '58860488', '60457274']
FRONTAL_CAMERA = 3
ACTIONS = ['Directions', 'Discussion', 'Eating', 'Greeting', 'Phoning', 'Posing', 'Purchases', 'Sitting',
           'SittingDown', 'Smoking', 'TakingPhoto', 'Waiting', 'Walking', 'WalkingDog', 'WalkTogether']
ACTION_ALIASES = {'Photo': 'TakingPhoto', 'WalkDog': 'WalkingDog'}
# (trials, cameras) of the evaluation protocols.
PROTOCOLS = {1: ([0, 1], [0, 1, 2, 3]), 2: ([0], [FRONTAL_CAMERA])}
# The 32 joints of the D2/D3_Positions files, in order ('neck' is the thorax point, 'head_top' the
# end site above the head).
H36M_JOINTS = [
    'pelvis', 'right_hip', 'right_knee', 'right_ankle', 'right_toe', 'right_toe_end', 'left_hip', 'left_knee',
    'left_ankle', 'left_toe', 'left_toe_end', 'spine', 'spine1', 'neck', 'head', 'head_top', 'left_collar',
    'left_shoulder', 'left_elbow', 'left_wrist', 'left_thumb', 'left_thumb_end', 'left_hand', 'left_hand_end',
    'right_collar', 'right_shoulder', 'right_elbow', 'right_wrist', 'right_thumb', 'right_thumb_end',
    'right_hand', 'right_hand_end']
TO_LSP = index_map(H36M_JOINTS, LSP14)
_NAME = re.compile(r'^(?P<base>[A-Za-z]+)(?: (?P<trial>\d+))?\.(?P<camera>\d+)\.cdf$')


def sequence_file_name(subject, action, trial, camera):
    """Name (without .tfrecord) of a test sequence's file, e.g. S9_Directions_0_cam3."""
    return 'S%d_%s_%d_cam%d' % (subject, action, trial, camera)


def canonical_action(base):
    return ACTION_ALIASES.get(base, base)


def find_sequences(data_dir, subject):
    """[(action, trial, camera number, file stem 'Directions 1.54138969')] of one subject, from the
    D3_Positions_mono files; unknown actions (e.g. _ALL) are left out."""
    pose_dir = osp.join(data_dir, 'S%d' % subject, 'MyPoseFeatures', 'D3_Positions_mono')
    if not osp.isdir(pose_dir):
        return []
    recordings = {}
    for name in sorted(os.listdir(pose_dir)):
        m = _NAME.match(name)
        if not m or m.group('camera') not in CAMERAS:
            continue
        action = canonical_action(m.group('base'))
        if action not in ACTIONS:
            continue
        trial_number = m.group('trial')
        key = (trial_number is None, int(trial_number or 0))  # numbered first, the unnumbered one last
        label = m.group('base') + ('' if trial_number is None else ' ' + trial_number)
        recordings.setdefault(action, {})[key] = label
    sequences = []
    for action in ACTIONS:
        for trial, key in enumerate(sorted(recordings.get(action, {}))):
            label = recordings[action][key]
            for cam_index, camera in enumerate(CAMERAS):
                stem = '%s.%s' % (label, camera)
                if osp.isfile(osp.join(pose_dir, stem + '.cdf')):
                    sequences.append((action, trial, cam_index, stem))
    return sequences


def read_pose_cdf(path, dims):
    """N x 32 x dims array of the 'Pose' variable of an official pose CDF."""
    try:
        import cdflib
    except ImportError:
        raise HMRError('the Human3.6M converter needs cdflib: pip install -r requirements.txt')
    if not osp.isfile(path):
        raise HMRError('Human3.6M pose file not found: expected the official file %s' % path)
    try:
        pose = np.asarray(cdflib.CDF(path).varget('Pose'), dtype=np.float64)
    except Exception as e:
        raise HMRError('could not read the Human3.6M pose file %s: %s' % (path, e))
    if pose.size % (32 * dims):
        raise HMRError('%s: Pose holds %d values, not frames of 32 x %d' % (path, pose.size, dims))
    return pose.reshape(-1, 32, dims)


def fit_camera(pose3d, pose2d, max_frames=2000):
    """[f, px, py] of the pinhole camera that best maps the 3D joints (camera coordinates) onto the 2D
    ones (least squares per axis; f is the mean of fx and fy)."""
    step = max(1, len(pose3d) // max_frames)
    p3, p2 = pose3d[::step].reshape(-1, 3), pose2d[::step].reshape(-1, 2)
    ok = p3[:, 2] > 1e-6
    p3, p2 = p3[ok], p2[ok]
    if len(p3) < 2:
        raise HMRError('cannot fit the Human3.6M camera: no 3D joint in front of the camera')
    params = []
    for axis in range(2):
        A = np.stack([p3[:, axis] / p3[:, 2], np.ones(len(p3))], axis=1)
        params.append(np.linalg.lstsq(A, p2[:, axis], rcond=None)[0])
    (fx, px), (fy, py) = params
    return np.array([0.5 * (fx + fy), px, py])


def sequence_examples(data_dir, subject, action, trial, cam_index, stem, frame_step, coder):
    """Yield the Examples of one sequence (every frame_step-th frame); raises VideoError when the video
    is missing or unreadable."""
    base = osp.join(data_dir, 'S%d' % subject)
    pose3d = read_pose_cdf(osp.join(base, 'MyPoseFeatures', 'D3_Positions_mono', stem + '.cdf'), 3)
    pose2d = read_pose_cdf(osp.join(base, 'MyPoseFeatures', 'D2_Positions', stem + '.cdf'), 2)
    num = min(len(pose3d), len(pose2d))
    video = osp.join(base, 'Videos', stem + '.mp4')
    if not osp.isfile(video):
        raise VideoError('video not found: %s' % video)
    cam = fit_camera(pose3d[:num], pose2d[:num])
    prefix = sequence_file_name(subject, action, trial, cam_index)
    for index, image in video_frames(video, range(0, num, frame_step)):
        gt2d, gt3d = pose2d[index][TO_LSP], pose3d[index][TO_LSP]
        if not enough_in_image(gt2d, image.shape[0], image.shape[1]):
            continue
        example = person_3d_example(image, '%s_%06d.jpg' % (prefix, index), gt2d, gt3d / 1000., cam, coder=coder)
        if example is not None:
            yield example


def _sequences(data_dir, subjects):
    found, missing = [], []
    for subject in subjects:
        seqs = find_sequences(data_dir, subject)
        if not seqs:
            missing.append('S%d' % subject)
        found += [(subject,) + s for s in seqs]
    return found, missing


def process_train(data_dir, out_dir, frame_step=5, per_shard=500, seed=None, subjects=None):
    seqs, missing = _sequences(data_dir, subjects or SUBJECTS['train'])
    _check_found(data_dir, seqs, missing, subjects or SUBJECTS['train'])
    rng = np.random.RandomState(seed) if seed is not None else np.random
    seqs = [seqs[i] for i in rng.permutation(len(seqs))]
    coder = ImageCoder()
    skipped = []
    with ShardedWriter(osp.join(out_dir, 'train', 'train_%04d.tfrecord'), per_shard) as writer:
        for seq in progress(seqs, 'h36m train', unit='seq'):
            try:
                for example in sequence_examples(data_dir, *seq, frame_step=frame_step, coder=coder):
                    writer.write(example)
            except VideoError as e:
                skipped.append(str(e))
    _report('train', writer.num_written, skipped, missing)
    return writer.num_written


def process_test(data_dir, out_dir, frame_step=5, subjects=None):
    """One file per test sequence and camera; returns {file name: number of records}."""
    seqs, missing = _sequences(data_dir, subjects or SUBJECTS['test'])
    _check_found(data_dir, seqs, missing, subjects or SUBJECTS['test'])
    coder = ImageCoder()
    counts, skipped = {}, []
    for seq in progress(seqs, 'h36m test', unit='seq'):
        name = sequence_file_name(*seq[:4]) + '.tfrecord'
        try:
            with ShardedWriter(osp.join(out_dir, 'test', name), None) as writer:
                for example in sequence_examples(data_dir, *seq, frame_step=frame_step, coder=coder):
                    writer.write(example)
        except VideoError as e:
            skipped.append(str(e))
            continue
        if writer.num_written:
            counts[name] = writer.num_written
    _report('test', sum(counts.values()), skipped, missing)
    return counts


def _check_found(data_dir, seqs, missing, subjects):
    if not seqs:
        raise HMRError('no Human3.6M poses found: expected the official files %s' % osp.join(
            data_dir, 'S%d' % subjects[0], 'MyPoseFeatures', 'D3_Positions_mono', '<Action>.<camera>.cdf'))


def _report(split, num, skipped, missing):
    print('h36m %s: %d records%s%s' % (split, num, '; subjects without poses: %s' % ' '.join(missing)
                                       if missing else '', '; %d sequences skipped' % len(skipped)
                                       if skipped else ''))
    for message in skipped:
        print('  skipped: %s' % message)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Human3.6M videos and poses to HMR TFRecords')
    parser.add_argument('--data_directory', required=True, help='folder with S1 ... S11')
    parser.add_argument('--output_directory', required=True, help='e.g. DATA/tf_records_human36m_wjoints')
    parser.add_argument('--split', default='both', choices=['train', 'test', 'both'])
    parser.add_argument('--train_frame_step', type=int, default=5)
    parser.add_argument('--test_frame_step', type=int, default=5)
    parser.add_argument('--train_shards', type=int, default=500, help='records per training file')
    parser.add_argument('--seed', type=int, default=None, help='seed of the training sequence order')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if min(args.train_frame_step, args.test_frame_step) < 1:
        raise HMRError('frame steps must be at least 1')
    require_dir(args.data_directory, 'Human3.6M folder')
    if args.split in ('train', 'both'):
        process_train(args.data_directory, args.output_directory, args.train_frame_step, args.train_shards,
                      args.seed)
    if args.split in ('test', 'both'):
        process_test(args.data_directory, args.output_directory, args.test_frame_step)


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: finished shards are complete; run the converter again to redo the rest'))
