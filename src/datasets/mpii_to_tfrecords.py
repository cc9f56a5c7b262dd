"""MPII Human Pose -> TFRecords of the released layout (2D keypoints of the single persons).

Official raw layout (the MPII release, folder passed as --img_directory):
  annotations/mpii_human_pose_v1_u12_1.mat   MATLAB struct RELEASE: annolist(i).image.name,
      annolist(i).annorect(r).objpos.{x,y}, annolist(i).annorect(r).annopoints.point(p).{id,x,y,is_visible},
      img_train(i), single_person{i} (1-based indices of the single persons' rects), act(i)
      (the .mat is also found at the top of the folder or in mpii_human_pose_v1_u12_2/, as unpacked)
  images/<annolist(i).image.name>

As released: only training images (img_train == 1) and only their `single_person` rects are kept; a
joint is visible iff it is annotated (is_visible is not used); each person is rescaled so that the
diagonal of the box of its joints is 150 px when an ankle is annotated, else so that head top to hip is
75 px, else shoulder to hip 56 px (a person with none of these is skipped); then a window of up to
600 x 600 around the joints' box centre is cut (no padding). Records `train_%03d.tfrecord`, 500 people
per file. Joint coordinates are scaled per axis (the released code multiplied x by the height's scale
factor, a sub-pixel difference).

usage: python -m src.datasets.mpii_to_tfrecords --img_directory MPII_DIR --output_directory OUT/mpii
"""
from __future__ import print_function

import argparse
import os.path as osp
import sys

import numpy as np

from ..errors import HMRError
from ..joints import LSP14, reorder
from .common import ImageCoder, convert_to_example
from .official_files import progress, read_bytes, require_dir, require_file
from .person_crop import rescale_and_crop
from .records import ShardedWriter

ANNOTATION_NAME = 'mpii_human_pose_v1_u12_1.mat'
# MPII's joint ids 0..15, by name (thorax is the chest point, neck the upper neck).
MPII_JOINTS = ['right_ankle', 'right_knee', 'right_hip', 'left_hip', 'left_knee', 'left_ankle', 'pelvis',
               'thorax', 'neck', 'head_top', 'right_wrist', 'right_elbow', 'right_shoulder', 'left_shoulder',
               'left_elbow', 'left_wrist']
CROP_MARGIN = 300


def find_annotation(img_dir):
    for sub in ('annotations', '', 'mpii_human_pose_v1_u12_2'):
        path = osp.join(img_dir, sub, ANNOTATION_NAME)
        if osp.isfile(path):
            return path
    return require_file(osp.join(img_dir, 'annotations', ANNOTATION_NAME), 'MPII annotation')


def load_anno(path):
    import scipy.io as sio
    try:
        mat = sio.loadmat(path, struct_as_record=False, squeeze_me=True)
    except Exception as e:  # scipy raises several types on a broken file
        raise HMRError('could not read the MPII annotation %s: %s' % (path, e))
    if 'RELEASE' not in mat:
        raise HMRError('%s has no RELEASE struct (not the official MPII annotation)' % path)
    return mat['RELEASE']


def _as_list(value):
    """MATLAB struct arrays squeezed by scipy: one element comes back bare, none as an empty array."""
    if isinstance(value, np.ndarray):
        return list(value.ravel())
    return [value]


def read_joints(rect):
    """3 x 14 (x, y, annotated) in LSP order, or None without at least two annotated points."""
    annopoints = getattr(rect, 'annopoints', None)
    points = getattr(annopoints, 'point', None)
    if not isinstance(points, np.ndarray) or points.size < 2:
        return None  # as released: no points, or a single one, is not a usable person
    mpii = np.zeros((len(MPII_JOINTS), 3))
    for point in points.ravel():
        jid = int(point.id)
        if 0 <= jid < len(MPII_JOINTS):
            mpii[jid] = [float(point.x), float(point.y), 1.]  # annotated = visible, as released
    return reorder(mpii, MPII_JOINTS, LSP14).T


def person_scale(joints):
    """The released MPII rule for the scale that brings a person to the training size (None: skip)."""
    visible = joints[2].astype(bool)
    idx = LSP14.index

    def dist(a, b):
        return np.linalg.norm(joints[:2, idx(a)] - joints[:2, idx(b)])

    if visible[idx('right_ankle')] or visible[idx('left_ankle')]:
        height = np.linalg.norm(joints[:2, visible].max(axis=1) - joints[:2, visible].min(axis=1))
        return 150. / height if height > 0 else None
    heights = [dist('head_top', hip) for hip in ('right_hip', 'left_hip')
               if visible[idx('head_top')] and visible[idx(hip)]]
    if heights:
        return 75. / np.mean(heights)
    heights = [dist(s, h) for s, h in (('right_shoulder', 'right_hip'), ('left_shoulder', 'left_hip'))
               if visible[idx(s)] and visible[idx(h)]]
    if heights:
        return 56. / np.mean(heights)
    return None


def parse_people(anno_info, single_persons):
    """[(joints 3 x 14, scale)] of the single persons of one image."""
    rects = _as_list(anno_info.annorect)
    people = []
    for ridx in single_persons:
        ridx = int(ridx)
        if not 1 <= ridx <= len(rects):
            continue
        joints = read_joints(rects[ridx - 1])
        if joints is None:
            continue
        scale = person_scale(joints)
        if scale is None or not np.isfinite(scale):
            continue
        people.append((joints, scale))
    return people


def person_example(image, image_path, joints, scale, coder):
    crop, joints_xy, center, _, _ = rescale_and_crop(image, joints[:2], scale, CROP_MARGIN, visible=joints[2])
    label = np.vstack([joints_xy, joints[2:3]])
    height, width = crop.shape[:2]
    return convert_to_example(coder.encode_jpeg(crop), image_path, height, width, label, center)


def process_mpii(img_dir, out_dir, per_shard=500):
    require_dir(img_dir, 'MPII folder')
    anno = load_anno(find_annotation(img_dir))
    annolist = _as_list(anno.annolist)
    img_train = np.asarray(anno.img_train).ravel().astype(bool)
    single_person = _as_list(anno.single_person)
    if not (len(annolist) == len(img_train) == len(single_person)):
        raise HMRError('MPII annotation: annolist, img_train and single_person differ in length')
    image_dir = osp.join(img_dir, 'images')
    coder = ImageCoder()
    train_ids = np.nonzero(img_train)[0]
    num_images = 0
    with ShardedWriter(osp.join(out_dir, 'train_%03d.tfrecord'), per_shard) as writer:
        for img_id in progress(train_ids, 'mpii train'):
            people = parse_people(annolist[img_id], [p for p in _as_list(single_person[img_id])])
            if not people:
                continue
            image_path = require_file(osp.join(image_dir, str(annolist[img_id].image.name)), 'MPII image')
            image_data = read_bytes(image_path)
            image = coder.decode(image_data)
            for joints, scale in people:
                writer.write(person_example(image, image_path, joints, scale, coder))
            num_images += 1
    print('mpii train: %d people from %d images' % (writer.num_written, num_images))
    return writer.num_written


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='MPII Human Pose to HMR TFRecords')
    parser.add_argument('--img_directory', required=True, help='folder with annotations/ and images/')
    parser.add_argument('--output_directory', required=True)
    parser.add_argument('--train_shards', type=int, default=500, help='records per file')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    process_mpii(args.img_directory, args.output_directory, args.train_shards)


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: finished shards are complete; run the converter again to redo the rest'))
