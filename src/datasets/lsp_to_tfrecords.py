"""LSP and LSP-extended -> TFRecords of the released layout (2D keypoints, no 3D).

Official raw layouts:
  LSP           lsp_dataset/joints.mat  ('joints', 3 x 14 x 2000; third row 0 = visible)
                lsp_dataset/images/im0001.jpg ... im2000.jpg
  LSP-extended  lsp_extended/joints.mat ('joints', 14 x 3 x 10000; third row 1 = visible)
                lsp_extended/images/im00001.jpg ... im10000.jpg

As released: images are stored unchanged (no rescaling; LSP people are already about 150 px tall),
image/center is the middle of the box of the visible joints, visibility is 1 for visible. LSP's first
half of the images (1000 of 2000) is `train_%03d.tfrecord`, the second half `test_%03d.tfrecord`;
all of LSP-extended is training. The variant is told by the layout of joints.mat (14 x 3 x N is
LSP-extended, 3 x 14 x N is LSP), or by --dataset. An image without any visible joint has no box:
it is skipped and counted (the released converter stopped there).

usage: python -m src.datasets.lsp_to_tfrecords --img_directory LSP_DIR --output_directory OUT/lsp
"""
from __future__ import print_function

import argparse
import os.path as osp
import sys
from glob import glob

import numpy as np

from ..errors import HMRError
from .common import ImageCoder, convert_to_example
from .official_files import progress, read_bytes, require_dir, require_file
from .records import ShardedWriter


def load_joints(img_dir, dataset='auto'):
    """(labels 3 x 14 x N with visibility 1 = visible, 'lsp' or 'lsp_ext')."""
    import scipy.io as sio
    mat_path = require_file(osp.join(img_dir, 'joints.mat'), 'LSP annotation joints.mat')
    mat = sio.loadmat(mat_path)
    if 'joints' not in mat:
        raise HMRError('%s has no variable "joints" (not an LSP joints.mat)' % mat_path)
    joints = np.asarray(mat['joints'], dtype=np.float64)
    if joints.ndim != 3 or sorted(joints.shape[:2]) != [3, 14]:
        raise HMRError('%s: joints must be 3 x 14 x N or 14 x 3 x N, got %s' % (mat_path, joints.shape))
    layout_ext = joints.shape[0] == 14
    if dataset == 'auto':
        dataset = 'lsp_ext' if layout_ext else 'lsp'
    if layout_ext:
        joints = np.transpose(joints, (1, 0, 2))
    labels = np.copy(joints)
    if dataset == 'lsp':
        # LSP marks occlusion (0 = visible); LSP-extended marks visibility.
        labels[2] = np.logical_not(joints[2]).astype(np.float64)
    else:
        labels[2] = joints[2].astype(bool).astype(np.float64)
    return labels, dataset


def example_of(image_path, label, coder):
    """The released 2D Example of one LSP image, or None when no joint is visible."""
    image_data = read_bytes(image_path)
    image = coder.decode(image_data)
    height, width = image.shape[:2]
    visible = label[2].astype(bool)
    if not visible.any():
        return None
    min_pt = label[:2, visible].min(axis=1)
    max_pt = label[:2, visible].max(axis=1)
    center = (min_pt + max_pt) / 2.
    return convert_to_example(image_data, image_path, height, width, label, center)


def package(image_paths, labels, out_pattern, per_shard, desc):
    coder = ImageCoder()
    skipped = 0
    with ShardedWriter(out_pattern, per_shard) as writer:
        for i, path in enumerate(progress(image_paths, desc)):
            example = example_of(path, np.copy(labels[:, :, i]), coder)
            if example is None:
                skipped += 1
                continue
            writer.write(example)
    return writer.num_written, skipped


def process_lsp(img_dir, out_dir, train_shards=500, test_shards=500, dataset='auto'):
    """Convert one LSP or LSP-extended folder; returns {split: number of records}."""
    require_dir(img_dir, 'LSP folder')
    labels, dataset = load_joints(img_dir, dataset)
    image_paths = sorted(glob(osp.join(img_dir, 'images', '*.jpg')))
    if not image_paths:
        raise HMRError('no LSP images: expected the official %s' % osp.join(img_dir, 'images', 'im*.jpg'))
    if len(image_paths) != labels.shape[2]:
        raise HMRError('%s holds %d images but joints.mat labels %d' % (
            osp.join(img_dir, 'images'), len(image_paths), labels.shape[2]))
    counts = {}
    if dataset == 'lsp_ext':
        counts['train'] = package(image_paths, labels, osp.join(out_dir, 'train_%03d.tfrecord'), train_shards,
                                  'lsp_ext train')
    else:
        num_train = len(image_paths) // 2
        counts['train'] = package(image_paths[:num_train], labels[:, :, :num_train],
                                  osp.join(out_dir, 'train_%03d.tfrecord'), train_shards, 'lsp train')
        counts['test'] = package(image_paths[num_train:], labels[:, :, num_train:],
                                 osp.join(out_dir, 'test_%03d.tfrecord'), test_shards, 'lsp test')
    for split, (written, skipped) in sorted(counts.items()):
        print('%s %s: %d records%s' % (dataset, split, written,
                                       ', %d images without visible joints skipped' % skipped if skipped else ''))
    return dict((k, v[0]) for k, v in counts.items())


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='LSP / LSP-extended to HMR TFRecords')
    parser.add_argument('--img_directory', required=True, help='folder with joints.mat and images/')
    parser.add_argument('--output_directory', required=True)
    parser.add_argument('--dataset', default='auto', choices=['auto', 'lsp', 'lsp_ext'])
    parser.add_argument('--train_shards', type=int, default=500, help='records per training file')
    parser.add_argument('--validation_shards', type=int, default=500, help='records per test file')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    process_lsp(args.img_directory, args.output_directory, args.train_shards, args.validation_shards,
                args.dataset)


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: finished shards are complete; run the converter again to redo the rest'))
