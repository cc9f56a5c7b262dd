"""LSP foreground/background and six-part segmentation (paper Table 4) against the UP-3D annotations
(Lassner et al., CVPR 2017: `upi-s1h/data/lsp/im%04d_segmentation.png`, foreground > 0, and
`im%04d_part_segmentation.png`, labels of src.benchmark.body_parts with 255 unknown).

The test images are the second half of LSP (im1001-im2000). Each person is cropped as the demo crops a
keypoint box: the box of the 14 annotated joints (LSP places occluded joints too), scaled so its
diagonal is ~150 px. HMR's mesh is drawn back on the original image with get_original's camera, its
faces labelled by body part, without anti-aliasing; the foreground is every labelled pixel.

Scores are accumulated over all pixels of all test images, as in the UP-3D evaluation code (and
SPIN's re-implementation): accuracy, and F1 averaged over the labels (2 for foreground/background, 7
for the parts with background). Unknown (255) pixels count as background for the accuracy and are
left out of the F1.

usage: python -m src.benchmark.evaluate_lsp --load_path models/model.ckpt-667589 --lsp_dir LSP \
           --up3d_dir upi-s1h/data/lsp [--pred_dir eval_results] [--vis] [--batch_size 8]
"""
from __future__ import print_function

import os.path as osp
import sys

import numpy as np
from absl import flags
from PIL import Image

from ..datasets.lsp_to_tfrecords import load_joints
from ..datasets.official_files import require_dir
from ..util.image import box_scale_and_center, crop_for_model, read_image
from ..errors import HMRError
from ..util import files
from ..util import renderer as vis_util
from . import body_parts, eval_command
from .eval_util import SegmentationScores
from .predict import predict_all
from .tables import PUBLISHED, comparison_table, write_report

flags.DEFINE_string('lsp_dir', None, 'LSP in its official layout: joints.mat and images/im0001.jpg ... im2000.jpg')
flags.DEFINE_string('up3d_dir', None, 'UP-3D LSP segmentations: upi-s1h/data/lsp with im1001_segmentation.png '
                    'and im1001_part_segmentation.png ... (or the upi-s1h folder)')

# --vis colours (RGB) of background, head, torso, right arm, left arm, right leg, left leg; unknown is grey.
PART_COLORS = np.array([[0, 0, 0], [228, 26, 28], [55, 126, 184], [77, 175, 74], [152, 78, 163], [255, 127, 0],
                        [255, 255, 51]], np.uint8)
UNKNOWN_COLOR = (128, 128, 128)


def lsp_test_images(lsp_dir):
    """[(name, image path, 14 x 2 joints)] of the test half of LSP (im1001-im2000 in the official set)."""
    require_dir(lsp_dir, 'LSP folder')
    labels, _ = load_joints(lsp_dir, 'lsp')
    names = ['im%04d' % (i + 1) for i in range(labels.shape[2])]
    first_test = len(names) // 2
    images = [(names[i], osp.join(lsp_dir, 'images', names[i] + '.jpg'), labels[:2, :, i].T)
              for i in range(first_test, len(names))]
    _require_all([path for _, path, _ in images], 'LSP test image')
    return images


def annotation_paths(up3d_dir, names):
    """{name: (foreground mask path, part segmentation path)} from UP-3D's upi-s1h."""
    nested = osp.join(up3d_dir, 'data', 'lsp')
    folder = nested if osp.isdir(nested) else require_dir(up3d_dir, 'UP-3D segmentation folder')
    paths = {name: (osp.join(folder, name + '_segmentation.png'), osp.join(folder, name + '_part_segmentation.png'))
             for name in names}
    _require_all([p for pair in paths.values() for p in pair], 'UP-3D segmentation')
    return paths


def _require_all(paths, what):
    missing = [p for p in paths if not osp.isfile(p)]
    if missing:
        raise HMRError('%s not found: %s%s' % (what, missing[0], ' (and %d more files)' % (len(missing) - 1)
                                               if len(missing) > 1 else ''))


def read_labels(path, shape):
    """A label PNG as an H x W array (the first channel of an RGB one, as UP-3D's evaluation reads it)."""
    try:
        with Image.open(path) as image:
            labels = np.array(image)
    except (IOError, OSError) as e:
        raise HMRError('%s: not a readable PNG (%s)' % (path, e))
    if labels.ndim == 3:
        labels = labels[:, :, 0]
    if labels.shape != tuple(shape):
        raise HMRError('%s is %dx%d but its LSP image is %dx%d' % (path, labels.shape[1], labels.shape[0], shape[1],
                                                                  shape[0]))
    return labels


def joint_box(joints):
    """x, y, w, h of the joints' extent, the box the demo crops around."""
    low, high = joints.min(axis=0), joints.max(axis=0)
    return low[0], low[1], high[0] - low[0], high[1] - low[1]


def predicted_parts(config, model, test_images):
    """For each chunk of `model.batch_size` test images: (names, images, part label maps in the
    original images, predictions)."""
    # The faces of the body model whose skinning weights name their parts.
    faces = model.smpl.faces
    face_labels = body_parts.face_labels(faces, body_parts.vertex_labels(model.sess.run(model.smpl.weights)))
    renderer = vis_util.SMPLRenderer(faces=faces)
    for start in range(0, len(test_images), model.batch_size):
        chunk = test_images[start:start + model.batch_size]
        images = [read_image(path) for _, path, _ in chunk]
        crops, proc_params = zip(*[crop_for_model(image, *box_scale_and_center(joint_box(joints)),
                                                  img_size=config.img_size)
                                   for image, (_, _, joints) in zip(images, chunk)])
        predictions = predict_all(model, np.array(crops, np.float32))
        label_maps = []
        for i, image in enumerate(images):
            cam, verts, _ = vis_util.get_original(proc_params[i], predictions['verts'][i], predictions['cams'][i],
                                                  predictions['joints'][i], image.shape[:2])
            label_maps.append(renderer.labels(verts, cam, image.shape[:2], face_labels))
        yield [name for name, _, _ in chunk], images, label_maps, predictions


def colored(image, labels):
    """Labelled pixels in their part's colour (unknown ones grey), the others the image darkened."""
    palette = np.zeros((256, 3), np.uint8)
    palette[:body_parts.NUM_LABELS] = PART_COLORS
    palette[body_parts.IGNORE] = UNKNOWN_COLOR
    return np.where(labels[:, :, None] > 0, palette[labels], image // 3)


def write_vis(extremes, out_dir):
    """vis/worst_NN_<parts accuracy>pct_<name>.png and vis/best_...: image | predicted | UP-3D parts."""
    paths = []
    worst, best = extremes.ranked()
    for kind, samples in (('worst', worst), ('best', best)):
        for rank, sample in enumerate(samples):
            path = osp.join(out_dir, 'vis', '%s_%02d_%.1fpct_%s.png' % (kind, rank, 100. - sample['error'],
                                                                       sample['name']))
            files.write_png(path, sample['image'])
            paths.append(path)
    return paths


def report_markdown(summary, num_images, load_path):
    return '\n'.join([
        '# LSP segmentation (UP-3D annotations)\n',
        'Model: `%s`; %d LSP test images. Accuracy in %% of pixels; F1 is the mean over the labels (2 for '
        'foreground/background, 7 for the six parts and background), both over all pixels of the test set.\n'
        % (load_path, num_images),
        comparison_table(summary, PUBLISHED['lsp_segmentation'])])


def main(config):
    if not config.lsp_dir or not config.up3d_dir:
        raise HMRError('pass --lsp_dir (LSP with joints.mat and images/) and --up3d_dir (upi-s1h/data/lsp of UP-3D)')
    test_images = lsp_test_images(config.lsp_dir)
    annotations = annotation_paths(config.up3d_dir, [name for name, _, _ in test_images])
    model = eval_command.load_model(config)
    extremes = eval_command.extremes_for(config)
    foreground = SegmentationScores(2)
    parts = SegmentationScores(body_parts.NUM_LABELS, body_parts.IGNORE)
    per_image = []
    bar = eval_command.progress_bar(len(test_images), 'LSP segmentation')
    for names, images, label_maps, predictions in predicted_parts(config, model, test_images):
        panels, errors = [], []
        for name, image, predicted in zip(names, images, label_maps):
            mask_path, parts_path = annotations[name]
            true_foreground = read_labels(mask_path, image.shape[:2]) > 0
            true_parts = read_labels(parts_path, image.shape[:2])
            image_foreground = SegmentationScores(2)
            image_parts = SegmentationScores(body_parts.NUM_LABELS, body_parts.IGNORE)
            for scores in (foreground, image_foreground):
                scores.add(true_foreground, predicted > 0)
            for scores in (parts, image_parts):
                scores.add(true_parts, predicted)
            per_image.append({'image': name, 'fb_accuracy': image_foreground.accuracy(),
                              'parts_accuracy': image_parts.accuracy()})
            errors.append(100. - image_parts.accuracy())
            if extremes is not None:
                panels.append(np.hstack([image, colored(image, predicted), colored(image, true_parts)]))
            bar.update()
        if extremes is not None:
            extremes.add(errors, panels, predictions, names)
    bar.close()

    summary = {'FB accuracy': foreground.accuracy(), 'FB F1': foreground.f1(),
               'Parts accuracy': parts.accuracy(), 'Parts F1': parts.f1()}
    results = {'load_path': config.load_path, 'num_images': len(test_images), 'overall': summary,
               'part_labels': ['background'] + body_parts.PARTS, 'unknown_label': body_parts.IGNORE,
               'per_image': per_image}
    json_path, md_path = write_report(config.pred_dir, 'lsp_segmentation', results,
                                      report_markdown(summary, len(test_images), config.load_path))
    if extremes is not None:
        paths = write_vis(extremes, config.pred_dir)
        print('wrote %d pictures to %s' % (len(paths), osp.join(config.pred_dir, 'vis')))
    print('LSP segmentation: FB accuracy %.2f, F1 %.2f; parts accuracy %.2f, F1 %.2f; wrote %s and %s' % (
        summary['FB accuracy'], summary['FB F1'], summary['Parts accuracy'], summary['Parts F1'], json_path, md_path))
    return results


if __name__ == '__main__':
    from ..cli import run_with_flags
    sys.exit(run_with_flags(main))
