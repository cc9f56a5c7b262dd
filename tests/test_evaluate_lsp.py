"""LSP segmentation (paper Table 4): the scores on hand-made maps, the six UP-3D parts on the SMPL
mesh, part-label rendering on both backends, and the evaluation end to end on a synthetic LSP test set
whose UP-3D masks are the model's own rendered prediction, exact and with known corruptions.

`python -m tests.test_evaluate_lsp OUT.npz` saves this runtime's label rendering (for the comparison
of the two runtimes); the end-to-end tests import TensorFlow where they use it, so that run does not.
"""
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
from PIL import Image

from src.benchmark import body_parts
from src.benchmark.eval_util import SegmentationScores
from src.cli import run_with_flags
from src.joints import SMPL24, mirrored
from src.samples import synthetic_model
from src.util.renderer import SMPLRenderer, backend_name
from tests.raw_dataset_replicas import gradient_image, write_jpeg
from tests.render_comparison import CAMERA, SIZE, posed_body
from tests.runtimes import outputs_of_both_runtimes

HEAD, TORSO = body_parts.LABELS['head'], body_parts.LABELS['torso']
BATCH = 2
# Synthetic LSP: 6 images, the last 3 are the test half; sizes H x W.
TEST_SIZES = [(260, 200), (300, 240), (240, 320)]
# A standing person's 14 LSP joints around its centre (pixels; 70 x 150 box).
PERSON = np.array([[-15, 70], [-12, 35], [-10, 0], [10, 0], [12, 35], [15, 70], [-35, 0], [-30, -25], [-20, -50],
                   [20, -50], [30, -25], [35, 0], [0, -55], [0, -80]], np.float64)
# Known corruptions of the masks: background pixels of test image 0 marked person, the head of test
# image 1 marked torso, torso pixels of test image 2 marked unknown.
FLIPPED, UNKNOWN = 50, 40


# ------------------------------------------------------------------------------------------ scores
def test_scores_of_hand_made_maps_accumulate_over_images():
    truth = np.array([[0, 0, 1], [1, 2, 255], [2, 2, 0]])
    guess = np.array([[0, 1, 1], [1, 2, 2], [0, 2, 0]])
    scores = SegmentationScores(3)
    scores.add(truth, guess)
    # Right: 6 of 9 (the unknown pixel counts as background, the guess says 2).
    assert scores.accuracy() == pytest.approx(100. * 6 / 9)
    # Label 0: TP 2, FP 1, FN 1; label 1: TP 2, FP 1; label 2: TP 2, FN 1 (the unknown pixel not counted).
    assert scores.f1() == pytest.approx((4. / 6 + 4. / 5 + 4. / 5) / 3)
    scores.add(np.ones((2, 2)), np.ones((2, 2)))
    assert scores.accuracy() == pytest.approx(100. * 10 / 13)
    assert scores.f1() == pytest.approx((4. / 6 + 12. / 13 + 4. / 5) / 3)


def test_foreground_scores_average_both_labels():
    truth = np.zeros((4, 5), bool)
    truth[1:3, 1:4] = True  # 6 person pixels
    guess = truth.copy()
    guess[0, 0] = True  # one false positive
    scores = SegmentationScores(2)
    scores.add(truth, guess)
    assert scores.accuracy() == pytest.approx(100. * 19 / 20)
    # Person: TP 6, FP 1 -> 12 / 13; background: TP 13, FN 1 -> 26 / 27.
    assert scores.f1() == pytest.approx((12. / 13 + 26. / 27) / 2)


# ------------------------------------------------------------------------------------- body parts
def test_every_smpl_joint_has_a_part_and_the_mirrored_joint_the_mirrored_part():
    for i, name in enumerate(SMPL24):
        part = body_parts.PARTS[body_parts.JOINT_LABELS[i] - 1]
        assert body_parts.JOINT_LABELS[SMPL24.index(mirrored(name))] == body_parts.LABELS[mirrored(part)]
    assert body_parts.PARTS == ['head', 'torso', 'right_arm', 'left_arm', 'right_leg', 'left_leg']


def test_synthetic_body_parts_are_labelled_mirrored_and_the_head_is_the_head():
    model = synthetic_model.synthetic_smpl()
    verts = model['v_template']
    labels = body_parts.vertex_labels(model['weights'])
    assert labels.shape == (synthetic_model.NUM_VERTS,) and sorted(set(labels.tolist())) == [1, 2, 3, 4, 5, 6]
    for limb in ('arm', 'leg'):
        left, right = labels == body_parts.LABELS['left_' + limb], labels == body_parts.LABELS['right_' + limb]
        assert left.sum() == right.sum() > 0
        # SMPL's left is +x; the right side is the left mirrored (up to the fixture's 3 mm jitter).
        assert (verts[left, 0] > 0).all() and (verts[right, 0] < 0).all()
        np.testing.assert_allclose(verts[left].mean(axis=0) * [-1, 1, 1], verts[right].mean(axis=0), atol=.01)
    head_tube = np.arange(15 * synthetic_model.TUBE_VERTS, 16 * synthetic_model.TUBE_VERTS)
    head_top = synthetic_model.NUM_VERTS - 2
    assert sorted(np.flatnonzero(labels == HEAD)) == sorted(head_tube.tolist() + [head_top])
    neck_height = synthetic_model.SMPL_REST_JOINTS[SMPL24.index('neck'), 1]
    assert (verts[labels == HEAD, 1] > neck_height).all()


def test_faces_take_the_label_most_of_their_vertices_have():
    faces = np.array([[0, 1, 2], [0, 0, 1], [2, 1, 2]])
    assert body_parts.face_labels(faces, np.array([3, 1, 2])).tolist() == [1, 3, 2]
    model = synthetic_model.synthetic_smpl()
    labels = body_parts.face_labels(model['f'], body_parts.vertex_labels(model['weights']))
    assert labels.shape == (synthetic_model.NUM_FACES,) and labels.min() >= 1 and labels.max() <= 6


# -------------------------------------------------------------------------------------- rendering
def closed_body():
    """The upright synthetic body without the fixture's zero-area padding faces (opendr draws those as
    lines in its silhouette), and its face labels."""
    verts, faces = posed_body()
    faces = faces[faces[:, 0] != faces[:, 2]]
    return verts, faces, body_parts.face_labels(faces, body_parts.vertex_labels(synthetic_model.synthetic_smpl()['weights']))


def test_two_labelled_triangles_land_where_the_camera_projects_them():
    square = np.array([[-1., -1, 10], [1, -1, 10], [1, 1, 10], [-1, 1, 10]])
    renderer = SMPLRenderer(faces=np.array([[0, 1, 2], [0, 2, 3]]))
    labels = renderer.labels(square, [500., 100., 60.], (120, 200), [4, 6])
    assert labels.dtype == np.uint8 and labels.shape == (120, 200)
    # Corners at x 50..150, y 10..110: the first triangle is above the diagonal, the second below.
    assert labels[20, 140] == 4 and labels[100, 60] == 6 and labels[5, 5] == 0 and labels[60, 170] == 0
    assert sorted(np.unique(labels).tolist()) == [0, 4, 6]


def test_part_labels_cover_the_silhouette_and_sit_where_the_parts_are():
    verts, faces, face_labels = closed_body()
    renderer = SMPLRenderer(faces=faces)
    labels = renderer.labels(verts, CAMERA, SIZE, face_labels)
    silhouette = renderer.silhouette(verts, CAMERA, SIZE)
    person = labels > 0
    assert sorted(np.unique(labels).tolist()) == list(range(7))
    # The labels are the silhouette without anti-aliasing: what the silhouette adds is its one-pixel
    # contour (pyrender's multisampled edge, opendr's edge lines), a few percent of it.
    assert (person <= silhouette).all()
    assert (silhouette <= cv2.dilate(person.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)).all()
    assert (silhouette & ~person).sum() < .05 * silhouette.sum()
    top_row = np.flatnonzero(person.any(axis=1))[0]
    assert (labels[top_row][person[top_row]] == HEAD).all()
    # The body faces the camera: its left arm and leg are on the image's right.
    columns = np.arange(SIZE[1])[None, :]
    for limb in ('arm', 'leg'):
        left, right = [labels == body_parts.LABELS[side + limb] for side in ('left_', 'right_')]
        assert (columns * left).sum() / left.sum() > SIZE[1] / 2. > (columns * right).sum() / right.sum()


def test_legacy_and_modern_renderers_draw_the_same_parts(tmp_path):
    rendered = outputs_of_both_runtimes('tests.test_evaluate_lsp', [], tmp_path)
    legacy, modern = rendered['legacy'], rendered['modern']
    assert str(legacy['backend']) == 'opendr' and str(modern['backend']) == 'pyrender'
    for view in ('front', 'side'):
        for label in range(1, 7):
            a, b = legacy[view] == label, modern[view] == label
            assert (a & b).sum() >= .95 * (a | b).sum(), (view, body_parts.PARTS[label - 1])


def render_both_views(out):
    verts, faces, face_labels = closed_body()
    renderer = SMPLRenderer(faces=faces)
    centre = verts.mean(axis=0)
    side = (verts - centre).dot(cv2.Rodrigues(np.array([0., np.radians(60), 0.]))[0]) + centre
    np.savez(out, backend=backend_name(), front=renderer.labels(verts, CAMERA, SIZE, face_labels),
             side=renderer.labels(side, [900., 150., 230.], (451, 301), face_labels))


# ------------------------------------------------------------------------------------- end to end
def write_png(path, labels):
    Image.fromarray(np.asarray(labels, np.uint8)).save(path)


def write_lsp(root, num_images):
    """joints.mat (3 x 14 x N, 0 = visible) and images/im%04d.jpg of the test half."""
    import scipy.io as sio
    rng = np.random.RandomState(0)
    joints = np.zeros((3, 14, num_images))
    for i, (height, width) in enumerate(TEST_SIZES):
        index = num_images - len(TEST_SIZES) + i
        joints[:2, :, index] = (PERSON + [width / 2., height / 2.] + rng.uniform(-10, 10, 2)).T
        write_jpeg(osp.join(root, 'images', 'im%04d.jpg' % (index + 1)), gradient_image(height, width, seed=i))
    sio.savemat(osp.join(root, 'joints.mat'), {'joints': joints})


def write_masks(folder, names, part_maps, foreground_maps=None):
    os.makedirs(folder)
    for i, (name, parts) in enumerate(zip(names, part_maps)):
        foreground = parts > 0 if foreground_maps is None else foreground_maps[i]
        write_png(osp.join(folder, name + '_segmentation.png'), foreground * 255)
        write_png(osp.join(folder, name + '_part_segmentation.png'), parts)


def released_crop(image, joints, img_size=224):
    """The released demo's input for a person given by keypoints, written from its description: the
    box of the joints, scaled so its diagonal is 150 px (cv2.resize of the whole image, sizes floored),
    an img_size window centred on the rounded, scaled box centre, the edge pixels repeated outside.
    Returns the crop in [-1, 1], the scale and the window's top left corner in the scaled image."""
    low, high = joints.min(axis=0), joints.max(axis=0)
    scale = 150. / np.linalg.norm(high - low)
    height, width = int(image.shape[0] * scale), int(image.shape[1] * scale)
    scaled = cv2.resize(image, (width, height))
    center = np.round((low + high) / 2. * [width / float(image.shape[1]), height / float(image.shape[0])])
    rows = np.clip(np.arange(img_size) + int(center[1]) - img_size // 2, 0, height - 1)
    cols = np.clip(np.arange(img_size) + int(center[0]) - img_size // 2, 0, width - 1)
    return scaled[rows][:, cols] / 127.5 - 1., scale, center - img_size // 2


def rasterized_parts(verts, cam, corner, scale, faces, face_labels, shape, img_size=224):
    """Part labels of the mesh in the original image, by another route than the renderer: each vertex
    is projected into the crop (focal length 500 px, depth 500 / (img_size / 2 * s), the camera's
    translation added), the crop's offset and scale are undone, and each face takes the pixels whose
    centres it covers where it is nearer than what is there (a z-buffer). Pixel (i, j) is the point
    (x, y) = (j, i), as HMR's keypoints count pixels."""
    s, tx, ty = cam
    points = verts + [tx, ty, 500. / (img_size / 2. * s)]
    xy = (500. * points[:, :2] / points[:, 2:] + img_size / 2. + corner) / scale
    labels = np.zeros(shape, np.uint8)
    depth = np.full(shape, np.inf)
    for face, label in zip(faces, face_labels):
        (x0, y0), (x1, y1), (x2, y2) = xy[face]
        area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
        cols = np.arange(max(int(np.ceil(min(x0, x1, x2))), 0), min(int(max(x0, x1, x2)), shape[1] - 1) + 1)
        rows = np.arange(max(int(np.ceil(min(y0, y1, y2))), 0), min(int(max(y0, y1, y2)), shape[0] - 1) + 1)
        if area == 0 or not len(cols) or not len(rows):
            continue
        px, py = np.meshgrid(cols, rows)
        w0 = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) / area
        w1 = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) / area
        w2 = 1. - w0 - w1
        z = w0 * points[face[0], 2] + w1 * points[face[1], 2] + w2 * points[face[2], 2]
        window = np.ix_(rows, cols)
        nearer = (w0 >= 0) & (w1 >= 0) & (w2 >= 0) & (z < depth[window])
        depth[window] = np.where(nearer, z, depth[window])
        labels[window] = np.where(nearer, label, labels[window])
    return labels


def independent_part_maps(model, test_images):
    """rasterized_parts of the model's predictions on released_crop inputs, for each test image."""
    from src.tf_smpl.smpl_io import load_smpl_pickle
    smpl = load_smpl_pickle(model.smpl_model_path)
    faces = np.asarray(smpl['f'], np.int64)
    face_labels = body_parts.face_labels(faces, body_parts.vertex_labels(np.asarray(smpl['weights'])))
    maps = []
    for _, path, joints in test_images:
        image = np.array(Image.open(path).convert('RGB'))
        crop, scale, corner = released_crop(image, joints)
        batch = np.zeros((model.batch_size,) + crop.shape, np.float32)
        batch[0] = crop
        _, verts, cams, _ = model.predict(batch)
        maps.append(rasterized_parts(verts[0], cams[0], corner, scale, faces, face_labels, image.shape[:2]))
    return maps


def iou(a, b):
    return (a & b).sum() / float((a | b).sum())


@pytest.fixture(scope='module')
def lsp_test_set(tmp_path_factory, hmr_config):
    """LSP with three test images; UP-3D masks equal to the model's rendered parts ('exact') and
    with the known corruptions ('corrupt'); the predicted part maps."""
    from src.benchmark import eval_command, evaluate_lsp
    from src.compat import tf
    root = str(tmp_path_factory.mktemp('lsp_segmentation'))
    lsp_dir = osp.join(root, 'lsp')
    write_lsp(lsp_dir, 2 * len(TEST_SIZES))
    test_images = evaluate_lsp.lsp_test_images(lsp_dir)
    hmr_config.batch_size = BATCH
    with tf.Graph().as_default():
        model = eval_command.load_model(hmr_config)
        chunks = list(evaluate_lsp.predicted_parts(hmr_config, model, test_images))
        independent = independent_part_maps(model, test_images)
        model.sess.close()
    hmr_config.batch_size = 1
    names = [name for chunk in chunks for name in chunk[0]]
    predicted = [labels for chunk in chunks for labels in chunk[2]]
    assert names == ['im0004', 'im0005', 'im0006']
    assert [p.shape for p in predicted] == TEST_SIZES
    for labels in predicted:  # the whole upright body is in view
        assert sorted(np.unique(labels).tolist()) == list(range(7))
    write_masks(osp.join(root, 'exact'), names, predicted)

    foreground = [p > 0 for p in predicted]
    flipped = np.flatnonzero(~foreground[0])[:FLIPPED]
    foreground[0].flat[flipped] = True
    parts = [p.copy() for p in predicted]
    parts[1][parts[1] == HEAD] = TORSO
    unknown = np.flatnonzero(parts[2] == TORSO)[:UNKNOWN]
    parts[2].flat[unknown] = body_parts.IGNORE
    write_masks(osp.join(root, 'corrupt'), names, parts, foreground)
    write_masks(osp.join(root, 'independent'), names, independent)
    return {'lsp': lsp_dir, 'exact': osp.join(root, 'exact'), 'corrupt': osp.join(root, 'corrupt'),
            'independent': osp.join(root, 'independent'), 'predicted': predicted,
            'independent_maps': independent}


def run_evaluation(hmr_config, lsp_dir, up3d_dir, out_dir, *extra):
    argv = ['evaluate_lsp', '--load_path=%s' % hmr_config.load_path, '--smpl_model_path=%s' % hmr_config.smpl_model_path,
            '--lsp_dir=%s' % lsp_dir, '--up3d_dir=%s' % up3d_dir, '--pred_dir=%s' % out_dir,
            '--batch_size=%d' % BATCH] + list(extra)
    from src.benchmark import evaluate_lsp
    from src.compat import tf
    with tf.Graph().as_default():
        return run_with_flags(evaluate_lsp.main, argv)


def read_results(out_dir):
    with open(osp.join(str(out_dir), 'lsp_segmentation.json')) as f:
        return json.load(f)


def test_masks_of_the_own_prediction_score_perfectly_and_vis_draws_them(hmr_config, lsp_test_set, tmp_path):
    assert run_evaluation(hmr_config, lsp_test_set['lsp'], lsp_test_set['exact'], str(tmp_path), '--vis',
                          '--num_vis=1') == 0
    results = read_results(tmp_path)
    assert results['num_images'] == 3 and results['part_labels'] == ['background'] + body_parts.PARTS
    assert results['overall'] == {'FB accuracy': 100., 'FB F1': 1., 'Parts accuracy': 100., 'Parts F1': 1.}
    assert [r['image'] for r in results['per_image']] == ['im0004', 'im0005', 'im0006']
    assert all(r['fb_accuracy'] == r['parts_accuracy'] == 100. for r in results['per_image'])
    table = (tmp_path / 'lsp_segmentation.md').read_text()
    assert all(number in table for number in ['91.67', '0.87', '87.12', '0.60', '100.00', '1.00'])
    pictures = sorted(os.listdir(str(tmp_path / 'vis')))
    assert len(pictures) == 2 and pictures[0].startswith('best_00_100.0pct_im000')
    for picture in pictures:
        height, width = TEST_SIZES[int(picture[-5]) - 4]
        assert Image.open(str(tmp_path / 'vis' / picture)).size == (3 * width, height)


# How closely the evaluation's part maps may follow the independent ones (tests below): pyrender
# samples pixel centres as the independent rasteriser does; opendr adds part of the outline.
AGREEMENT = {'pyrender': {'foreground IoU': .99, 'part IoU': .97, 'centroid px': .5, 'FB accuracy': 99.9,
                          'FB F1': .995, 'Parts accuracy': 99.8, 'Parts F1': .99},
             'opendr': {'foreground IoU': .95, 'part IoU': .9, 'centroid px': .8, 'FB accuracy': 99.5,
                        'FB F1': .98, 'Parts accuracy': 99.4, 'Parts F1': .97}}


def test_predicted_parts_match_masks_made_without_the_evaluation(lsp_test_set):
    # The masks above are the evaluation's own maps; these are made from the released crop and camera
    # conventions, projected and rasterised independently of predicted_parts and the renderer.
    limits = AGREEMENT[backend_name()]
    for predicted, independent in zip(lsp_test_set['predicted'], lsp_test_set['independent_maps']):
        assert iou(predicted > 0, independent > 0) > limits['foreground IoU']
        for label in range(1, body_parts.NUM_LABELS):
            assert iou(predicted == label, independent == label) > limits['part IoU'], body_parts.PARTS[label - 1]
            # Where each part is: its centroid within a pixel.
            ys, xs = np.nonzero(predicted == label)
            ys_ref, xs_ref = np.nonzero(independent == label)
            assert np.hypot(xs.mean() - xs_ref.mean(), ys.mean() - ys_ref.mean()) < limits['centroid px'], \
                body_parts.PARTS[label - 1]


def test_independent_masks_score_nearly_perfectly(hmr_config, lsp_test_set, tmp_path):
    assert run_evaluation(hmr_config, lsp_test_set['lsp'], lsp_test_set['independent'], str(tmp_path)) == 0
    overall = read_results(tmp_path)['overall']
    for name in ('FB accuracy', 'FB F1', 'Parts accuracy', 'Parts F1'):
        assert overall[name] > AGREEMENT[backend_name()][name], name


def test_known_corruptions_give_known_scores(hmr_config, lsp_test_set, tmp_path):
    assert run_evaluation(hmr_config, lsp_test_set['lsp'], lsp_test_set['corrupt'], str(tmp_path)) == 0
    results = read_results(tmp_path)
    predicted = lsp_test_set['predicted']
    sizes = [p.size for p in predicted]
    total = float(sum(sizes))
    counts = np.sum([np.bincount(p.ravel(), minlength=7) for p in predicted], axis=0)
    heads = (predicted[1] == HEAD).sum()
    person, background = float(counts[1:].sum()), float(counts[0])
    overall = results['overall']
    assert overall['FB accuracy'] == pytest.approx(100. * (total - FLIPPED) / total)
    assert overall['FB F1'] == pytest.approx((2 * person / (2 * person + FLIPPED) + 2 * (background - FLIPPED) / (
        2 * (background - FLIPPED) + FLIPPED)) / 2)
    # Unknown pixels count as background for the accuracy (they were torso: wrong) and not for the F1.
    assert overall['Parts accuracy'] == pytest.approx(100. * (total - heads - UNKNOWN) / total)
    head_f1 = 2. * (counts[HEAD] - heads) / (2 * (counts[HEAD] - heads) + heads)
    torso_f1 = 2. * (counts[TORSO] - UNKNOWN) / (2 * (counts[TORSO] - UNKNOWN) + heads)
    assert overall['Parts F1'] == pytest.approx((5 + head_f1 + torso_f1) / 7)
    per_image = [(r['fb_accuracy'], r['parts_accuracy']) for r in results['per_image']]
    assert per_image == pytest.approx([(100. * (sizes[0] - FLIPPED) / sizes[0], 100.),
                                       (100., 100. * (sizes[1] - heads) / sizes[1]),
                                       (100., 100. * (sizes[2] - UNKNOWN) / sizes[2])])


@pytest.mark.parametrize('case, message', [
    ('no_lsp_dir', 'pass --lsp_dir'),
    ('no_up3d_dir', 'UP-3D segmentation folder not found'),
    ('missing_mask', 'UP-3D segmentation not found: '),
    ('missing_image', 'LSP test image not found: '),
    ('no_joints', 'joints.mat'),
])
def test_missing_files_are_one_line_errors(hmr_config, lsp_test_set, tmp_path, capsys, case, message):
    lsp_dir, up3d_dir = lsp_test_set['lsp'], lsp_test_set['exact']
    if case == 'no_lsp_dir':
        lsp_dir = ''
    elif case == 'no_up3d_dir':
        up3d_dir = str(tmp_path / 'nonexistent')
    elif case == 'missing_mask':
        up3d_dir = str(tmp_path / 'masks')
        write_masks(up3d_dir, ['im0004', 'im0005'], [np.zeros((2, 2))] * 2)
    elif case == 'missing_image':
        os.makedirs(str(tmp_path / 'lsp' / 'images'))
        os.symlink(osp.join(lsp_dir, 'joints.mat'), str(tmp_path / 'lsp' / 'joints.mat'))
        lsp_dir = str(tmp_path / 'lsp')
    else:
        lsp_dir = str(tmp_path)
    assert run_evaluation(hmr_config, lsp_dir, up3d_dir, str(tmp_path / 'out')) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith('error: ') and message in err and len(err.splitlines()) == 1
    assert not osp.exists(str(tmp_path / 'out'))


if __name__ == '__main__':
    render_both_views(sys.argv[1])
