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
from src.joints import SMPL24, mirrored
from src.util.renderer import SMPLRenderer, backend_name
from tests import fixtures
from tests.raw_dataset_replicas import gradient_image, write_jpeg
from tests.render_silhouette import CAMERA, SIZE, posed_body
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
    model = fixtures.synthetic_smpl()
    verts = model['v_template']
    labels = body_parts.vertex_labels(model['weights'])
    assert labels.shape == (fixtures.NUM_VERTS,) and sorted(set(labels.tolist())) == [1, 2, 3, 4, 5, 6]
    for limb in ('arm', 'leg'):
        left, right = labels == body_parts.LABELS['left_' + limb], labels == body_parts.LABELS['right_' + limb]
        assert left.sum() == right.sum() > 0
        # SMPL's left is +x; the right side is the left mirrored (up to the fixture's 3 mm jitter).
        assert (verts[left, 0] > 0).all() and (verts[right, 0] < 0).all()
        np.testing.assert_allclose(verts[left].mean(axis=0) * [-1, 1, 1], verts[right].mean(axis=0), atol=.01)
    head_tube = np.arange(15 * fixtures.TUBE_VERTS, 16 * fixtures.TUBE_VERTS)
    head_top = fixtures.NUM_VERTS - 2
    assert sorted(np.flatnonzero(labels == HEAD)) == sorted(head_tube.tolist() + [head_top])
    neck_height = fixtures.SMPL_REST_JOINTS[SMPL24.index('neck'), 1]
    assert (verts[labels == HEAD, 1] > neck_height).all()


def test_faces_take_the_label_most_of_their_vertices_have():
    faces = np.array([[0, 1, 2], [0, 0, 1], [2, 1, 2]])
    assert body_parts.face_labels(faces, np.array([3, 1, 2])).tolist() == [1, 3, 2]
    model = fixtures.synthetic_smpl()
    labels = body_parts.face_labels(model['f'], body_parts.vertex_labels(model['weights']))
    assert labels.shape == (fixtures.NUM_FACES,) and labels.min() >= 1 and labels.max() <= 6


# -------------------------------------------------------------------------------------- rendering
def closed_body():
    """The upright synthetic body without the fixture's zero-area padding faces (opendr draws those as
    lines in its silhouette), and its face labels."""
    verts, faces = posed_body()
    faces = faces[faces[:, 0] != faces[:, 2]]
    return verts, faces, body_parts.face_labels(faces, body_parts.vertex_labels(fixtures.synthetic_smpl()['weights']))


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


@pytest.fixture(scope='module')
def lsp_test_set(tmp_path_factory, hmr_config):
    """LSP with three test images; UP-3D masks equal to the model's rendered parts ('exact') and
    with the known corruptions ('corrupt'); the predicted part maps."""
    from src.benchmark import cli, evaluate_lsp
    from src.compat import tf
    root = str(tmp_path_factory.mktemp('lsp_segmentation'))
    lsp_dir = osp.join(root, 'lsp')
    write_lsp(lsp_dir, 2 * len(TEST_SIZES))
    test_images = evaluate_lsp.lsp_test_images(lsp_dir)
    hmr_config.batch_size = BATCH
    with tf.Graph().as_default():
        model = cli.load_model(hmr_config)
        chunks = list(evaluate_lsp.predicted_parts(hmr_config, model, test_images))
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
    return {'lsp': lsp_dir, 'exact': osp.join(root, 'exact'), 'corrupt': osp.join(root, 'corrupt'),
            'predicted': predicted}


def run_evaluation(hmr_config, lsp_dir, up3d_dir, out_dir, *extra):
    argv = ['evaluate_lsp', '--load_path=%s' % hmr_config.load_path, '--smpl_model_path=%s' % hmr_config.smpl_model_path,
            '--lsp_dir=%s' % lsp_dir, '--up3d_dir=%s' % up3d_dir, '--pred_dir=%s' % out_dir,
            '--batch_size=%d' % BATCH] + list(extra)
    from src.benchmark import cli, evaluate_lsp
    from src.compat import tf
    with tf.Graph().as_default():
        return cli.run(evaluate_lsp.main, argv)


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
