"""COCO 2014 keypoints -> TFRecords of the released layout (2D keypoints + the 5 face points).

Official raw layout (--data_directory):
  annotations/person_keypoints_train2014.json   (read with pycocotools)
  images/train2014/COCO_train2014_*.jpg          (train2014/ at the top is accepted too)

As released: every non-crowd person with at least 6 fully visible keypoints (v == 2) whose segmentation
mask is more than 60 px tall (the released test looked at the mask's height only) is kept, unless only
face and shoulder points are labelled. Keypoints become COCO+ 19 (LSP-14 with zero neck and head top,
then nose, eyes, ears); a keypoint counts as visible when labelled (v = 1 or 2) and COCO's v is stored
as is (0, 1 or 2: the training reader takes v > 0 as visible). The person is rescaled so the diagonal
of its visible keypoints' box is 150 px when an ankle is visible, else so the mean shoulder-hip length
is 75 px, else (no torso) the diagonal 50 px; face-only people are skipped. A window of up to 400 x 400
around the keypoints' box centre is cut (no padding). Images in increasing id order; records
`train_%04d_wmeta.tfrecord` (val2014: `val_%04d_wmeta.tfrecord`), 500 people per file.

usage: python -m src.datasets.coco_to_tfrecords --data_directory COCO_DIR --output_directory OUT/coco
"""
from __future__ import print_function

import argparse
import contextlib
import io
import os.path as osp
import sys

import numpy as np

from ..errors import HMRError
from ..joints import COCOPLUS19, reorder
from .common import ImageCoder, convert_to_example
from .official_files import progress, read_bytes, require_dir, require_file
from .person_crop import rescale_and_crop
from .records import ShardedWriter

# COCO's 17 keypoints in the order of the annotation files.
COCO_JOINTS = ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder',
               'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
               'right_knee', 'left_ankle', 'right_ankle']
# A person labelled on none of these (only face and shoulders) is skipped; with none of them visible
# and no torso, a person is face only.
LIMB_JOINTS = ['right_ankle', 'right_knee', 'right_hip', 'left_hip', 'left_knee', 'left_ankle', 'right_wrist',
               'right_elbow', 'left_elbow', 'left_wrist']
MIN_VISIBLE = 6
MIN_MASK_HEIGHT = 60
CROP_MARGIN = 200


def load_coco(data_dir, data_type):
    try:
        from pycocotools.coco import COCO
    except ImportError:
        raise HMRError('the COCO converter needs pycocotools: pip install -r requirements.txt')
    anno_file = require_file(osp.join(data_dir, 'annotations', 'person_keypoints_%s.json' % data_type),
                             'COCO keypoint annotation')
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its timing
        try:
            return COCO(anno_file)
        except (ValueError, KeyError) as e:
            raise HMRError('could not read the COCO annotation %s: %s' % (anno_file, e))


def image_folder(data_dir, data_type):
    for path in (osp.join(data_dir, 'images', data_type), osp.join(data_dir, data_type)):
        if osp.isdir(path):
            return path
    return require_dir(osp.join(data_dir, 'images', data_type), 'COCO image folder')


def keep_annotation(ann, coco):
    """The COCO+ 19 x 3 keypoints of a usable person, else None (the released filters)."""
    keypoints = ann.get('keypoints')
    if not isinstance(keypoints, list) or ann.get('num_keypoints', 0) == 0 or 'segmentation' not in ann:
        return None
    kp = np.asarray(keypoints, dtype=np.float64).reshape(-1, 3)
    if kp.shape[0] != len(COCO_JOINTS):
        return None
    mask = coco.annToMask(ann)
    rows = np.nonzero(mask.any(axis=1))[0]
    if rows.size == 0:
        return None
    mask_height = rows[-1] - rows[0]
    if np.sum(kp[:, 2] == 2) < MIN_VISIBLE or mask_height <= MIN_MASK_HEIGHT:
        return None
    if np.all(kp[[COCO_JOINTS.index(j) for j in LIMB_JOINTS], 2] == 0):
        return None
    return reorder(kp, COCO_JOINTS, COCOPLUS19)


def person_scale(joints):
    """joints 3 x 19; the released COCO rule (None: face only, skip)."""
    visible = joints[2].astype(bool)
    idx = COCOPLUS19.index
    height = np.linalg.norm(joints[:2, visible].max(axis=1) - joints[:2, visible].min(axis=1))
    if visible[idx('right_ankle')] or visible[idx('left_ankle')]:
        return 150. / height
    torso = [np.linalg.norm(joints[:2, idx(s)] - joints[:2, idx(h)])
             for s, h in (('left_shoulder', 'left_hip'), ('right_shoulder', 'right_hip'))
             if visible[idx(s)] and visible[idx(h)]]
    if torso:
        return 75. / np.mean(torso)
    if not visible[[idx(j) for j in LIMB_JOINTS]].any():
        return None
    return 50. / height


def add_image(coco, img_id, img_dir, coder, writer):
    """Write the usable people of one image; returns how many."""
    anns = coco.loadAnns(coco.getAnnIds(imgIds=img_id, catIds=[1], iscrowd=False))
    people = []
    for ann in anns:
        kp = keep_annotation(ann, coco)
        if kp is None:
            continue
        joints = kp.T
        scale = person_scale(joints)
        if scale is None or not np.isfinite(scale) or scale <= 0:
            continue
        people.append((joints, scale))
    if not people:
        return 0
    image_path = require_file(osp.join(img_dir, coco.loadImgs(img_id)[0]['file_name']), 'COCO image')
    image = coder.decode(read_bytes(image_path))
    for joints, scale in people:
        crop, joints_xy, center, _, _ = rescale_and_crop(image, joints[:2], scale, CROP_MARGIN,
                                                         visible=joints[2])
        label = np.vstack([joints_xy, joints[2:3]])
        height, width = crop.shape[:2]
        writer.write(convert_to_example(coder.encode_jpeg(crop), image_path, height, width, label, center))
    return len(people)


def process_coco(data_dir, out_dir, per_shard=500, split='train'):
    require_dir(data_dir, 'COCO folder')
    data_type = '%s2014' % split
    coco = load_coco(data_dir, data_type)
    img_dir = image_folder(data_dir, data_type)
    img_ids = sorted(coco.getImgIds(catIds=coco.getCatIds(catNms=['person'])))
    coder = ImageCoder()
    with ShardedWriter(osp.join(out_dir, '%s_%%04d_wmeta.tfrecord' % split), per_shard) as writer:
        for img_id in progress(img_ids, 'coco %s' % split):
            add_image(coco, img_id, img_dir, coder, writer)
    print('coco %s: %d people in %d files' % (split, writer.num_written, len(writer.paths)))
    return writer.num_written


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='COCO 2014 keypoints to HMR TFRecords')
    parser.add_argument('--data_directory', required=True, help='folder with annotations/ and images/')
    parser.add_argument('--output_directory', required=True)
    parser.add_argument('--split', default='train', choices=['train', 'val'])
    parser.add_argument('--train_shards', type=int, default=500, help='records per file')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    process_coco(args.data_directory, args.output_directory, args.train_shards, args.split)


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: finished shards are complete; run the converter again to redo the rest'))
