"""MPI-INF-3DHP test set -> one TFRecord file per sequence, read by src.benchmark.evaluate_3dhp.

Official raw layout (--data_directory, the mpi_inf_3dhp_test_set folder), per sequence TS1..TS6:
  TS<k>/annot_data.mat              'annot2' (2 x 17 x 1 x N, pixels), 'annot3' and 'univ_annot3'
                                    (3 x 17 x 1 x N, mm, camera coordinates; univ_annot3 is rescaled to
                                    the universal skeleton), 'valid_frame' (N, 0/1) and
                                    'activity_annotation' (N, 1-7, see ACTIVITIES). MATLAB v5 files are
                                    read with SciPy, v7.3 files (HDF5, dimensions reversed) with h5py.
  TS<k>/imageSequence/img_%06d.jpg  frames (1-based names)
The 17 joints are those of the test set's evaluation code (mpii_get_joint_set('relevant')), in the
order of TEST_JOINTS; the 14 LSP joints are taken from them.

Output: <output_directory>/test/TS<k>.tfrecord holding every valid frame in order, as the released
3D-set Example (src.datasets.common.person_3d_example, as for the training set): all 14 joints
visible, the person rescaled so the diagonal of its joints' box is 150 px and a window of up to
300 x 300 cut around it; mosh/gt3d holds univ_annot3 in metres (the benchmark's standard ground
truth); image/cam [f, px, py] is the pinhole camera fitted to the sequence's annot3 -> annot2
projections. Two fields are added: meta/activity (int64, 1-7) and image/filename
TS<k>_img_%06d.jpg. Unlike the training converter no frame is dropped for joints outside the
image, so the records hold the whole benchmark; sequences missing from the download are reported and
skipped.

usage: python -m src.datasets.mpi_inf_3dhp_test_to_tfrecords --data_directory mpi_inf_3dhp_test_set \
           --output_directory OUT/mpi_inf_3dhp
"""
from __future__ import print_function

import argparse
import os.path as osp
import sys

import numpy as np

from ..errors import HMRError
from ..joints import LSP14, index_map
from .common import ImageCoder, int64_feature, person_3d_example
from .h36m_to_tfrecords import fit_camera
from .official_files import progress, read_bytes, require_dir, require_file
from .records import ShardedWriter

# The 17 joints of annot2/annot3/univ_annot3 in the test set, in order.
TEST_JOINTS = [
    'head_top', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder', 'left_elbow',
    'left_wrist', 'right_hip', 'right_knee', 'right_ankle', 'left_hip', 'left_knee', 'left_ankle', 'pelvis',
    'spine', 'head']
TO_LSP = index_map(TEST_JOINTS, LSP14)
# activity_annotation k is ACTIVITIES[k - 1].
ACTIVITIES = ['Standing/Walking', 'Exercising', 'Sitting', 'Reaching/Crouching', 'On the floor', 'Sports',
              'Miscellaneous']
SEQUENCES = ['TS%d' % k for k in range(1, 7)]
ANNOTATION_KEYS = ('annot2', 'annot3', 'univ_annot3', 'valid_frame', 'activity_annotation')


def _read_mat_v73(path):
    import h5py
    try:
        with h5py.File(path, 'r') as f:
            missing = [key for key in ANNOTATION_KEYS if key not in f]
            if missing:
                raise HMRError('%s has no "%s" (not an MPI-INF-3DHP test annot_data.mat)' % (path, missing[0]))
            # HDF5 stores MATLAB's column-major arrays with the dimensions reversed.
            return {key: np.asarray(f[key]).T for key in ANNOTATION_KEYS}
    except (IOError, OSError) as e:
        raise HMRError('could not read the MPI-INF-3DHP test annotation %s: %s' % (path, e))


def read_mat(path):
    """The annotation arrays of an annot_data.mat (v5 or v7.3) in MATLAB's dimension order."""
    import scipy.io as sio
    try:
        mat = sio.loadmat(path, variable_names=ANNOTATION_KEYS)
    except NotImplementedError:  # SciPy reads up to v7; v7.3 files are HDF5
        return _read_mat_v73(path)
    except Exception as e:
        raise HMRError('could not read the MPI-INF-3DHP test annotation %s: %s' % (path, e))
    missing = [key for key in ANNOTATION_KEYS if key not in mat]
    if missing:
        raise HMRError('%s has no "%s" (not an MPI-INF-3DHP test annot_data.mat)' % (path, missing[0]))
    return mat


def _joints(mat, key, dims, num, path):
    """N x 17 x dims of a dims x 17 x 1 x N annotation."""
    values = np.asarray(mat[key], np.float64)
    if values.shape[:2] != (dims, len(TEST_JOINTS)) or values.size != dims * len(TEST_JOINTS) * num:
        raise HMRError('%s: %s has shape %s, expected %d x %d x 1 x %d' % (
            path, key, 'x'.join(str(d) for d in values.shape), dims, len(TEST_JOINTS), num))
    return values.reshape(dims, len(TEST_JOINTS), num).transpose(2, 1, 0)


def read_annotation(path):
    """(valid frame indices, gt2d V x 17 x 2 pixels, gt3d V x 17 x 3 mm, universal gt3d V x 17 x 3 mm,
    activities V) of the valid frames of one annot_data.mat."""
    mat = read_mat(path)
    valid = np.ravel(mat['valid_frame']).astype(bool)
    activity = np.ravel(mat['activity_annotation'])
    num = len(valid)
    if len(activity) != num:
        raise HMRError('%s: %d activities for %d frames' % (path, len(activity), num))
    frames = np.nonzero(valid)[0]
    gt2d, gt3d, univ = [_joints(mat, key, dims, num, path)[frames]
                        for key, dims in (('annot2', 2), ('annot3', 3), ('univ_annot3', 3))]
    activity = activity[frames].astype(int)
    unknown = activity[(activity < 1) | (activity > len(ACTIVITIES))]
    if len(unknown):
        raise HMRError('%s: a valid frame has activity %d, expected 1-%d' % (path, unknown[0], len(ACTIVITIES)))
    return frames, gt2d, gt3d, univ, activity


def sequence_examples(data_dir, sequence, coder):
    """Yield the Example of each valid frame of one sequence, in order."""
    seq_dir = osp.join(data_dir, sequence)
    frames, gt2d, gt3d, univ, activity = read_annotation(osp.join(seq_dir, 'annot_data.mat'))
    if not len(frames):
        return
    cam = fit_camera(gt3d, gt2d)
    for i in progress(range(len(frames)), 'mpi_inf_3dhp test %s' % sequence):
        name = 'img_%06d.jpg' % (frames[i] + 1)
        path = require_file(osp.join(seq_dir, 'imageSequence', name), 'MPI-INF-3DHP test frame')
        image = coder.decode(read_bytes(path))
        example = person_3d_example(image, '%s_%s' % (sequence, name), gt2d[i][TO_LSP], univ[i][TO_LSP] / 1000.,
                                    cam, coder=coder)
        if example is None:
            raise HMRError('%s: the joints of valid frame %d have no extent' % (sequence, frames[i] + 1))
        example.features.feature['meta/activity'].CopyFrom(int64_feature(int(activity[i])))
        yield example


def process_test(data_dir, out_dir):
    """Writes <out_dir>/test/TS<k>.tfrecord for each sequence found; returns {sequence: records}."""
    require_dir(data_dir, 'MPI-INF-3DHP test set folder')
    found = [s for s in SEQUENCES if osp.isfile(osp.join(data_dir, s, 'annot_data.mat'))]
    if not found:
        raise HMRError('no MPI-INF-3DHP test sequence found: expected the official %s' % osp.join(
            data_dir, SEQUENCES[0], 'annot_data.mat'))
    missing = [s for s in SEQUENCES if s not in found]
    if missing:
        print('mpi_inf_3dhp test: skipping %d sequences without annot_data.mat: %s' % (
            len(missing), ' '.join(missing)))
    coder = ImageCoder()
    counts = {}
    for sequence in found:
        with ShardedWriter(osp.join(out_dir, 'test', sequence + '.tfrecord'), None) as writer:
            for example in sequence_examples(data_dir, sequence, coder):
                writer.write(example)
        counts[sequence] = writer.num_written
    print('mpi_inf_3dhp test: %d records (%s)' % (
        sum(counts.values()), ', '.join('%s %d' % (s, counts[s]) for s in found)))
    return counts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='MPI-INF-3DHP test set to HMR TFRecords')
    parser.add_argument('--data_directory', required=True, help='the mpi_inf_3dhp_test_set folder (TS1..TS6)')
    parser.add_argument('--output_directory', required=True, help='e.g. DATA/mpi_inf_3dhp; writes test/TS<k>.tfrecord')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    process_test(args.data_directory, args.output_directory)


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: finished shards are complete; run the converter again to redo the rest'))
