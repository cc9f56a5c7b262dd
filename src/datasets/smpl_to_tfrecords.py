"""MoSh'ed SMPL parameter sets (the adversarial prior's data) -> TFRecords of the released layout.

Raw layout (as distributed with HMR's training data, --data_directory):
  <data_directory>/<dataset_name>/<sequence folder>/*.pkl
  dataset_name: the MoSh name of a prior set in src.datasets.registry (neutrSMPL_CMU, ...). Each
  pickle (Python 2 pickles are read) is a dict with 'poses' (or 'new_poses'), N x 72 axis-angle, and
  'betas' (10, or more of which the first 10 are used).

Files of H3.6M's test subjects (a path folder or file name starting with S9 or S11) are left out, as
released. All poses are shuffled together (--seed makes this repeatable) and written as Examples with
two float features, `pose` (72) and `shape` (10, the sequence's betas), 10000 per file:
<output_directory>/<dataset_name>_%03d.tfrecord (the training reader globs neutrSMPL_<name>_*.tfrecord).

usage: python -m src.datasets.smpl_to_tfrecords --data_directory MOSH_DIR \
           --output_directory OUT/mocap_neutrMosh --dataset_name neutrSMPL_CMU
"""
from __future__ import print_function

import argparse
import os
import os.path as osp
import re
import sys

import numpy as np

from ..compat import tf
from ..errors import HMRError
from ..tf_smpl.smpl_io import load_restricted_pickle
from .common import float_feature
from .official_files import progress, require_dir
from .records import ShardedWriter
from .registry import DATASETS, MOCAP

DATASET_NAMES = [d.mosh_name for d in DATASETS if d.kind == MOCAP]
_TEST_SUBJECT = re.compile(r'^S(9|11)(?![0-9])')


def mocap_example(pose, shape=None):
    features = {'pose': float_feature(np.asarray(pose, dtype=np.float64))}
    if shape is not None:
        features['shape'] = float_feature(np.asarray(shape, dtype=np.float64))
    return tf.train.Example(features=tf.train.Features(feature=features))


def is_test_subject(rel_path):
    """True for H3.6M's test subjects S9 and S11 (any folder or file name of the relative path)."""
    return any(_TEST_SUBJECT.match(part) for part in rel_path.replace('\\', '/').split('/'))


def find_pickles(data_dir):
    """The sequence pickles under data_dir (one folder level down, as released), test subjects left out."""
    found = []
    for sub in sorted(os.listdir(data_dir)):
        folder = osp.join(data_dir, sub)
        if not osp.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith('.pkl') and not is_test_subject(osp.join(sub, name)):
                found.append(osp.join(folder, name))
    return found


def load_sequence(path):
    """(poses N x 72, betas 10) of one MoSh pickle."""
    # A pickle is code: MoSh files go through the same restricted unpickler as the SMPL model.
    res = load_restricted_pickle(path, what='MoSh pickle', missing_hint='check --data_directory')
    poses = res.get('poses', res.get('new_poses'))
    if poses is None or 'betas' not in res:
        raise HMRError('%s is not a MoSh SMPL pickle (needs "poses" or "new_poses", and "betas")' % path)
    poses = np.asarray(poses, dtype=np.float64)
    betas = np.asarray(res['betas'], dtype=np.float64).ravel()
    if poses.ndim != 2 or poses.shape[1] != 72 or betas.size < 10:
        raise HMRError('%s: poses must be N x 72 and betas hold 10 values, got %s and %d' % (
            path, poses.shape, betas.size))
    return poses, betas[:10]


def process_smpl_mocap(data_dir, out_dir, dataset_name, per_shard=10000, seed=None):
    seq_dir = require_dir(osp.join(data_dir, dataset_name), 'MoSh folder %s' % dataset_name)
    pickles = find_pickles(seq_dir)
    if not pickles:
        raise HMRError('no MoSh pickles: expected %s' % osp.join(seq_dir, '<sequence>', '*.pkl'))
    poses, shapes = [], []
    for path in progress(pickles, '%s read' % dataset_name, unit='file'):
        seq_poses, betas = load_sequence(path)
        poses.append(seq_poses)
        shapes.append(np.tile(betas, (seq_poses.shape[0], 1)))
    poses, shapes = np.vstack(poses), np.vstack(shapes)
    rng = np.random.RandomState(seed) if seed is not None else np.random
    order = rng.permutation(poses.shape[0])
    with ShardedWriter(osp.join(out_dir, '%s_%%03d.tfrecord' % dataset_name), per_shard) as writer:
        for i in progress(order, '%s write' % dataset_name, unit='pose'):
            writer.write(mocap_example(poses[i], shapes[i]))
    print('%s: %d poses from %d sequences in %d files' % (dataset_name, writer.num_written, len(pickles),
                                                         len(writer.paths)))
    return writer.num_written


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='MoSh SMPL parameters to HMR TFRecords (the prior)')
    parser.add_argument('--data_directory', required=True, help='folder holding the neutrSMPL_* folders')
    parser.add_argument('--output_directory', required=True)
    parser.add_argument('--dataset_name', default='neutrSMPL_CMU',
                        help='one of %s (another folder name works too)' % ', '.join(DATASET_NAMES))
    parser.add_argument('--num_shards', type=int, default=10000, help='records per file')
    parser.add_argument('--seed', type=int, default=None, help='seed of the shuffle')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    process_smpl_mocap(args.data_directory, args.output_directory, args.dataset_name, args.num_shards, args.seed)


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: finished shards are complete; run the converter again to redo the rest'))
