"""A new dataset's converter written only as src/datasets/registry.py tells a new engineer to (the
test double behind tests/test_dataset_registry.py). Raw layout: people.json, a list of
{"image": file name, "keypoints": 14 x 3 (x, y, visible) in LSP order}, beside the images.

usage: python -m tests.toy_dataset_converter --img_directory RAW --output_directory OUT/toy
"""
import argparse
import json
import os.path as osp
import sys

import numpy as np

from src.datasets.common import ImageCoder, convert_to_example
from src.datasets.official_files import progress, read_bytes, require_file
from src.datasets.records import ShardedWriter


def main(argv=None):
    parser = argparse.ArgumentParser(description='toy dataset to HMR TFRecords')
    parser.add_argument('--img_directory', required=True)
    parser.add_argument('--output_directory', required=True)
    args = parser.parse_args(argv)
    with open(require_file(osp.join(args.img_directory, 'people.json'), 'toy annotation')) as f:
        people = json.load(f)
    coder = ImageCoder()
    with ShardedWriter(osp.join(args.output_directory, 'train_%03d.tfrecord'), 2) as writer:
        for person in progress(people, 'toy train'):
            path = osp.join(args.img_directory, person['image'])
            data = read_bytes(path)
            height, width = coder.decode(data).shape[:2]
            label = np.array(person['keypoints'], np.float64).T
            center = (label[:2].min(axis=1) + label[:2].max(axis=1)) / 2.
            writer.write(convert_to_example(data, path, height, width, label, center))


if __name__ == '__main__':
    from src.cli import run_command
    sys.exit(run_command(main))
