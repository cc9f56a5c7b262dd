"""MPI-INF-3DHP training set -> TFRecords of the released layout (2D + 3D joints, no SMPL).

Official raw layout (--data_directory), per subject k and sequence s:
  S<k>/Seq<s>/annot.mat            'frames' (N), 'cameras' (14 ids), 'annot2' (cell of 14: N x 56 = 28
                                   joints x 2, pixels), 'annot3' and 'univ_annot3' (cell of 14: N x 84, mm,
                                   camera coordinates)
  S<k>/Seq<s>/camera.calibration   the Skeletool text file: a `name <id>` line per camera followed by
                                   `intrinsic` (4 x 4, row major) and `extrinsic` lines
  S<k>/Seq<s>/imageFrames/video_<c>/frame_%06d.jpg   frames (1-based names), as the released code read
                                   them; when a camera's frame folder is missing, the frames it needs
                                   are taken from the official S<k>/Seq<s>/imageSequence/video_<c>.avi.

As released: cameras 0, 1, 2, 4, 5, 6, 7, 8; subjects 1-7 for --split train (written to
<output_directory>/train/), 1-8 for trainval (<output_directory>/trainval/), sequences 1 and 2. Per camera
a frame is kept when some joint moved 200 mm or more since the last kept one (the first always), and
when at least 8 of the 14 joints lie inside the image. Joints are mapped to LSP-14 (all visible), 3D
to metres; the person is rescaled so the diagonal of its joints' box is 150 px and a window of up to
300 x 300 is cut (src.datasets.common.person_3d_example: meta/scale_factors, meta/crop_pt and
image/cam [f, px, py] follow the resize and crop). mosh/pose and mosh/shape are -1 with meta/has_3d 0.
All examples are shuffled (--seed makes it repeatable) into `train_%04d.tfrecord`, 500 per file.
Sequences missing from the download are reported and skipped; each sequence's own camera.calibration
is used (the released code read S1/Seq1's for all). x coordinates, the centre and px are scaled by the
width's factor and y, py by the height's (the released code used the height's factor for x, a
sub-pixel difference).

usage: python -m src.datasets.mpi_inf_3dhp_to_tfrecords --data_directory 3DHP_DIR \
           --output_directory OUT/mpi_inf_3dhp [--split train|trainval]
"""
from __future__ import print_function

import argparse
import os.path as osp
import sys

import numpy as np

from ..errors import HMRError
from ..joints import LSP14, index_map
from .common import ImageCoder, person_3d_example
from .official_files import progress, read_bytes, require_dir, require_file, video_frames
from .person_crop import enough_in_image
from .records import ShardedWriter

# The 28 joints of the training annotation (annot2/annot3 columns), in order.
MPI_INF_3DHP_JOINTS = [
    'spine3', 'spine4', 'spine2', 'spine', 'pelvis', 'neck', 'head', 'head_top', 'left_clavicle',
    'left_shoulder', 'left_elbow', 'left_wrist', 'left_hand', 'right_clavicle', 'right_shoulder',
    'right_elbow', 'right_wrist', 'right_hand', 'left_hip', 'left_knee', 'left_ankle', 'left_foot',
    'left_toe', 'right_hip', 'right_knee', 'right_ankle', 'right_foot', 'right_toe']
TO_LSP = index_map(MPI_INF_3DHP_JOINTS, LSP14)
CAMERAS = [0, 1, 2, 4, 5, 6, 7, 8]
SUBJECTS = {'train': list(range(1, 8)), 'trainval': list(range(1, 9))}
SEQUENCES = [1, 2]
MIN_MOTION_MM = 200.


def read_annotation(path):
    """(frames N, {camera: (gt2d N x 14 x 2, gt3d N x 14 x 3 mm)}) of one annot.mat."""
    import scipy.io as sio
    try:
        mat = sio.loadmat(path, struct_as_record=True, squeeze_me=True)
    except Exception as e:
        raise HMRError('could not read the MPI-INF-3DHP annotation %s: %s' % (path, e))
    for key in ('frames', 'annot2', 'annot3'):
        if key not in mat:
            raise HMRError('%s has no "%s" (not an MPI-INF-3DHP annot.mat)' % (path, key))
    frames = np.atleast_1d(mat['frames']).astype(int).ravel()
    annot2, annot3 = list(np.atleast_1d(mat['annot2'])), list(np.atleast_1d(mat['annot3']))
    cameras = list(np.atleast_1d(mat['cameras']).astype(int).ravel()) if 'cameras' in mat else \
        list(range(len(annot2)))
    per_camera = {}
    for slot, cam_id in enumerate(cameras):
        num = len(frames)
        gt2d = np.asarray(annot2[slot], np.float64).reshape(num, -1, 2)[:, TO_LSP]
        gt3d = np.asarray(annot3[slot], np.float64).reshape(num, -1, 3)[:, TO_LSP]
        per_camera[int(cam_id)] = (gt2d, gt3d)
    return frames, per_camera


def read_calibration(path):
    """{camera id: [f, px, py]} from a Skeletool camera.calibration file (f = mean of fx and fy)."""
    cams, current = {}, None
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == 'name' and len(parts) > 1:
                current = int(parts[1])
            elif parts[0] == 'intrinsic' and current is not None:
                K = np.array([float(v) for v in parts[1:17]]).reshape(4, 4)
                cams[current] = np.array([0.5 * (K[0, 0] + K[1, 1]), K[0, 2], K[1, 2]])
    if not cams:
        raise HMRError('%s holds no camera (expected "name" and "intrinsic" lines)' % path)
    return cams


def sample_frames(gt3d):
    """Boolean mask of the frames kept: the first, then each one where a joint moved >= 200 mm since
    the last kept frame."""
    keep = np.zeros(len(gt3d), bool)
    if len(gt3d) == 0:
        return keep
    keep[0] = True
    last = gt3d[0]
    for i in range(1, len(gt3d)):
        if np.any(np.linalg.norm(gt3d[i] - last, axis=1) >= MIN_MOTION_MM):
            keep[i] = True
            last = gt3d[i]
    return keep


def sequence_items(data_dir, sub_id, seq_id, cameras, frames_cache):
    """[(image path, gt2d 14 x 2, gt3d 14 x 3 mm, cam)] of the sampled frames of one sequence."""
    seq_dir = osp.join(data_dir, 'S%d' % sub_id, 'Seq%d' % seq_id)
    frames, per_camera = read_annotation(osp.join(seq_dir, 'annot.mat'))
    calib = read_calibration(require_file(osp.join(seq_dir, 'camera.calibration'),
                                          'MPI-INF-3DHP camera calibration'))
    items = []
    for cam_id in cameras:
        if cam_id not in per_camera or cam_id not in calib:
            continue
        gt2d, gt3d = per_camera[cam_id]
        keep = np.nonzero(sample_frames(gt3d))[0]
        frame_dir = osp.join(seq_dir, 'imageFrames', 'video_%d' % cam_id)
        video = osp.join(seq_dir, 'imageSequence', 'video_%d.avi' % cam_id)
        if not osp.isdir(frame_dir) and osp.isfile(video):
            frame_dir = extract_frames(video, frames[keep],
                                       osp.join(frames_cache, 'S%d' % sub_id, 'Seq%d' % seq_id, 'video_%d' % cam_id))
        for i in keep:
            items.append((osp.join(frame_dir, 'frame_%06d.jpg' % (frames[i] + 1)), gt2d[i], gt3d[i], calib[cam_id]))
    return items


def extract_frames(video, frame_ids, out_dir):
    """Write the wanted frames of an official .avi as frame_%06d.jpg (1-based) into out_dir, once."""
    import os
    wanted = [int(i) for i in frame_ids if not osp.isfile(osp.join(out_dir, 'frame_%06d.jpg' % (int(i) + 1)))]
    if wanted:
        if not osp.isdir(out_dir):
            os.makedirs(out_dir)
        coder = ImageCoder()
        for index, frame in video_frames(video, wanted):
            path = osp.join(out_dir, 'frame_%06d.jpg' % (index + 1))
            with open(path + '.partial', 'wb') as f:
                f.write(coder.encode_jpeg(frame, quality=95))
            os.rename(path + '.partial', path)
    return out_dir


def process_mpi_inf_3dhp(data_dir, out_dir, split='train', per_shard=500, seed=None, subjects=None,
                         cameras=None):
    if split not in SUBJECTS:
        raise HMRError('unknown MPI-INF-3DHP split %s (train or trainval)' % split)
    require_dir(data_dir, 'MPI-INF-3DHP folder')
    subjects = subjects or SUBJECTS[split]
    cameras = cameras or CAMERAS
    frames_cache = osp.join(out_dir, 'frames')
    items, missing = [], []
    for sub_id in subjects:
        for seq_id in SEQUENCES:
            if not osp.isfile(osp.join(data_dir, 'S%d' % sub_id, 'Seq%d' % seq_id, 'annot.mat')):
                missing.append('S%d/Seq%d' % (sub_id, seq_id))
                continue
            items += sequence_items(data_dir, sub_id, seq_id, cameras, frames_cache)
    if missing:
        print('mpi_inf_3dhp: skipping %d sequences without annot.mat: %s' % (len(missing), ' '.join(missing)))
    if len(missing) == len(subjects) * len(SEQUENCES):
        raise HMRError('no MPI-INF-3DHP sequence found: expected the official %s' % osp.join(
            data_dir, 'S%d' % subjects[0], 'Seq1', 'annot.mat'))
    rng = np.random.RandomState(seed) if seed is not None else np.random
    order = rng.permutation(len(items))
    coder = ImageCoder()
    num_bad = num_missing = 0
    with ShardedWriter(osp.join(out_dir, split, 'train_%04d.tfrecord'), per_shard) as writer:
        for i in progress(order, 'mpi_inf_3dhp %s' % split):
            path, gt2d, gt3d, cam = items[i]
            if not osp.isfile(path):
                num_missing += 1
                continue
            image = coder.decode(read_bytes(path))
            if not enough_in_image(gt2d, image.shape[0], image.shape[1]):
                num_bad += 1
                continue
            example = person_3d_example(image, path, gt2d, gt3d / 1000., cam, coder=coder)
            if example is None:
                num_bad += 1
                continue
            writer.write(example)
    print('mpi_inf_3dhp %s: %d records, %d frames mostly outside the image, %d frames without image' % (
        split, writer.num_written, num_bad, num_missing))
    return writer.num_written


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='MPI-INF-3DHP training set to HMR TFRecords')
    parser.add_argument('--data_directory', required=True, help='folder with S1..S8')
    parser.add_argument('--output_directory', required=True)
    parser.add_argument('--split', default='train', choices=sorted(SUBJECTS))
    parser.add_argument('--train_shards', type=int, default=500, help='records per file')
    parser.add_argument('--seed', type=int, default=None, help='seed of the shuffle')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    process_mpi_inf_3dhp(args.data_directory, args.output_directory, args.split, args.train_shards, args.seed)


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: finished shards are complete; run the converter again to redo the rest'))
