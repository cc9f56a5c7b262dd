"""Several people per image: every person of an OpenPose file, repeated boxes, the detector, their
order and limit, one shared camera, batching equal to single runs, and pipelined/parallel runs equal
to the sequential one (files byte for byte, figures within a pixel tolerance)."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from src.demo.images import ImageRun, prepared
from src.demo.records import RunContext
from src.demo.people import PeopleFinder, from_box, from_detections, from_openpose, parse_boxes
from src.demo.stream import predict_stream
from src.detectors import available, make_detector
from src.detectors.boxes import iou
from src.errors import HMRError
from src.util.image import PERSON_HEIGHT_PX
from src.util.image import read_image
from tests.conftest import PROJECT_DIR, REFERENCE_IMAGES, build_run_model
from tests.runtimes import current_runtime

@pytest.fixture(scope='module')
def models(hmr_config):
    return {size: build_run_model(hmr_config, size) for size in (1, 4)}


def group_photo(path):
    """Three real people side by side: the astronaut at three sizes on a wide canvas."""
    from skimage import data
    person = Image.fromarray(data.astronaut())
    canvas = Image.new('RGB', (900, 400), (90, 110, 130))
    boxes = []
    for left, height in ((10, 380), (380, 300), (680, 200)):
        canvas.paste(person.resize((height, height)), (left, 400 - height))
        boxes.append([left, 400 - height, height, height])
    canvas.save(path)
    return boxes


def openpose_person(box, confidence):
    """COCO-18 keypoints spread over a box."""
    x, y, w, h = box
    kp = np.zeros((18, 3))
    kp[:, 0] = x + w * np.linspace(.2, .8, 18)
    kp[:, 1] = y + h * np.linspace(.05, .95, 18)
    kp[:, 2] = confidence
    return list(kp.ravel())


def run(model, paths, out, finder, outputs=('json', 'npz', 'obj'), workers=0):
    lines = []
    failures = ImageRun(RunContext(model, model.smpl.faces, None, str(out), outputs, workers, lines.append)).run(
        prepared(paths, finder, 224))
    return failures, lines


def load_json(path):
    with open(str(path)) as f:
        return json.load(f)


def test_every_openpose_person_most_confident_first(tmp_path, models):
    path = str(tmp_path / 'group.png')
    boxes = group_photo(path)
    js = str(tmp_path / 'group.json')
    with open(js, 'w') as f:
        json.dump({'people': [{'pose_keypoints_2d': openpose_person(boxes[0], .5)},
                              {'pose_keypoints_2d': openpose_person(boxes[1], .9)},
                              {'pose_keypoints_2d': openpose_person(boxes[2], .1)},  # nothing visible: dropped
                              {'pose_keypoints_2d': openpose_person(boxes[2], .7)}]}, f)
    assert [p.score for p in from_openpose(js)] == pytest.approx([.9, .7, .5])
    failures, _ = run(models[4], [path], tmp_path / 'out', PeopleFinder(224, 10, json_path=js))
    result = load_json(tmp_path / 'out' / 'group.json')
    assert failures == 0 and [p['source'] for p in result['people']] == ['openpose'] * 3
    # The people's boxes are their keypoints' extents, in the order above.
    for person, box in zip(result['people'], [boxes[1], boxes[2], boxes[0]]):
        assert abs(person['bbox'][0] - (box[0] + .2 * box[2])) < 1e-6
    # The top level is the first person's, as before.
    assert result['theta'] == result['people'][0]['theta']


def test_repeated_boxes_limit_and_one_shared_camera(tmp_path, models):
    path = str(tmp_path / 'group.png')
    boxes = group_photo(path)
    text = ';'.join(','.join(str(v) for v in box) for box in boxes)
    finder = PeopleFinder(224, 2, boxes=parse_boxes(text))
    run(models[4], [path], tmp_path / 'out', finder)
    result = load_json(tmp_path / 'out' / 'group.json')
    assert [p['bbox'] for p in result['people']] == boxes[:2]
    camera = result['people'][0]['camera_original']
    assert all(p['camera_original'] == camera for p in result['people'])
    with open(str(tmp_path / 'out' / 'group.obj')) as f:
        lines = f.read().splitlines()
    assert [line for line in lines if line.startswith('o ')] == ['o person0', 'o person1']
    with np.load(str(tmp_path / 'out' / 'group.npz'), allow_pickle=False) as arrays:
        verts = arrays['people_verts']
        assert verts.shape[0] == 2 and list(arrays['people_source']) == ['bbox', 'bbox']
    # Each mesh, moved into the shared camera, has its centre on the pixel where the released demo
    # (get_original, the person's own camera) puts it, and a depth scaled by the focal lengths.
    from src.util.renderer import get_original
    for person, placed in zip(result['people'], verts):
        proc = {k: np.asarray(v) for k, v in person['proc_param'].items()}
        raw = placed - np.asarray(person['translation'])
        own_camera, own_verts, _ = get_original(proc, raw, np.asarray(person['cam']), np.zeros((19, 2)), None)
        own_centre, centre = own_verts.mean(0), placed.mean(0)
        own_pixel = own_camera[0] * own_centre[:2] / own_centre[2] + own_camera[1:]
        np.testing.assert_allclose(camera[0] * centre[:2] / centre[2] + camera[1:], own_pixel, atol=1e-6)
        assert np.isclose(centre[2] / own_centre[2], camera[0] / own_camera[0])


def test_nearer_people_are_drawn_over_farther_ones():
    """Two meshes in one picture: where they overlap, the nearer one is seen."""
    from src.util.renderer import SMPLRenderer, stack_meshes
    square = np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]], np.float64)
    faces = np.array([[0, 1, 2], [0, 2, 3]])
    renderer = SMPLRenderer(faces=faces)
    near, far = square * [1, 1, 1] + [0, 0, 5], square * [2, 2, 1] + [.5, 0, 10]
    verts, all_faces = stack_meshes([far, near], faces)
    depth_order = renderer.render_with_mask(verts, [100., 50., 50.], (100, 100), all_faces)[1]
    alone = renderer.render_with_mask(near, [100., 50., 50.], (100, 100))[1]
    # The near square covers its own pixels whichever order the meshes come in.
    assert depth_order.sum() > alone.sum() and depth_order[alone].all()
    both = stack_meshes([near, far], faces)
    np.testing.assert_array_equal(renderer.render_with_mask(both[0], [100., 50., 50.], (100, 100), both[1])[1],
                                  depth_order)


def test_a_batch_of_people_equals_single_runs(tmp_path, models):
    path = str(tmp_path / 'group.png')
    boxes = group_photo(path)
    finder = PeopleFinder(224, 10, boxes=[tuple(b) for b in boxes] + [(100, 50, 200, 300), (500, 100, 120, 250)])
    items = list(prepared([path, path], finder, 224))
    singles = [p for _, preds in predict_stream(models[1], items, lambda i: i.crops) for p in preds]
    batched = [p for _, preds in predict_stream(models[4], items, lambda i: i.crops) for p in preds]
    assert len(singles) == len(batched) == 10  # five people twice: batches of 4, 4 and 2 padded
    for single, batch in zip(singles, batched):
        for key in ('theta', 'verts', 'joints', 'joints3d', 'cams'):
            np.testing.assert_allclose(getattr(batch, key), getattr(single, key), rtol=1e-5, atol=1e-5)


# Crop scale of a detected person over that of their true box (--bbox rule), as measured on the real
# photos and composites (src/samples/photo_set.py): keypoints put the keypoints' extent (not the box)
# at 150 px, as the released demo does with OpenPose's, so people come out 1.14-1.65 x (median 1.24)
# larger, most for those cut off at the waist; the crouching catcher of coco1.png (found by the
# whole-image check) 1.76 x, his keypoints spanning more than his compact box; a box detector's crop
# errs by its box (1.05-1.19 x).
SCALE_RATIO = {'mediapipe': (1., 1.85), 'hog': (.8, 1.3)}
# The crop's centre from the true box's, as a share of the box diagonal: within 0.15 for every person
# found on the modern runtime. The legacy runtime draws the composites with its own OpenCV (a few
# pixel levels apart) and runs BlazePose as a TF graph; there the detector also finds, in composite03,
# a person whose visible part is a wide, short box (194 x 122 px) and whose keypoints put the crop
# 0.19 of that diagonal off and at 2.4x its scale (measured): bounds 0.2 and 2.5 there.
CENTRE_SHARE = {'modern': .15, 'legacy': .2}
LEGACY_MEDIAPIPE_SCALE_RATIO = (1., 2.5)


@pytest.mark.parametrize('name', available())
def test_detected_people_are_cropped_like_their_true_boxes(name):
    """Every person a detector finds on the real photos and their composites (its box overlapping the
    hand-drawn one) is cropped about as the true box is: centre and scale within the bounds above."""
    from src.samples import photo_set
    detector, ratios = make_detector(name), []
    for photo in photo_set.photos(REFERENCE_IMAGES) + photo_set.composites(count=6, images_dir=REFERENCE_IMAGES):
        found = from_detections(detector.detect(photo.image), photo.name)
        for box in photo.people:
            truth = from_box(box)
            matches = [p for p in found if iou([p.bbox], [box])[0, 0] > .5]
            if matches:
                person = matches[0]
                assert np.linalg.norm(person.center - truth.center) < CENTRE_SHARE[current_runtime()] * np.hypot(
                    *box[2:]), (photo.name, box)
                ratios.append(person.scale / truth.scale)
    low, high = (LEGACY_MEDIAPIPE_SCALE_RATIO if (name, current_runtime()) == ('mediapipe', 'legacy')
                 else SCALE_RATIO[name])
    assert len(ratios) >= 3 and low < min(ratios) and max(ratios) < high, ratios


def test_detected_keypoints_crop_as_the_released_openpose_crop(reference_dir):
    """random.jpg's two people, from MediaPipe's keypoints, get the crop the released demo makes from
    the OpenPose keypoints shipped with it: scale within 5 %, centre within 3 % of the person's size
    (measured 3 % and 2.7 %: 4 px of the 224 px crop, where training jittered the centre by 20 px)."""
    if 'mediapipe' not in available():
        pytest.skip('MediaPipe has no Python %d.%d wheel: this runtime detects by box' % sys.version_info[:2])
    images = os.path.join(reference_dir, 'images')
    image = read_image(os.path.join(images, 'random.jpg'))
    detected = from_detections(make_detector('mediapipe').detect(image), 'random.jpg')
    for released in from_openpose(os.path.join(images, 'random_keypoints.json')):
        person = min(detected, key=lambda p: np.linalg.norm(p.center - released.center))
        size = PERSON_HEIGHT_PX / released.scale
        assert abs(person.scale / released.scale - 1) < .05
        assert np.linalg.norm(person.center - released.center) < .03 * size


def test_no_person_is_one_line_and_the_image_fails(tmp_path, models):
    from skimage import data
    coffee = str(tmp_path / 'coffee.png')
    Image.fromarray(data.coffee()).save(coffee)
    astronaut = str(tmp_path / 'astronaut.png')
    Image.fromarray(data.astronaut()).save(astronaut)
    detector = make_detector('auto')
    failures, lines = run(models[4], [coffee, astronaut], tmp_path / 'out', PeopleFinder(224, 10, detector=detector))
    assert failures == 1 and len(lines) == 1
    assert '%s: the %s detector found no person' % (coffee, detector.name) in lines[0]
    assert sorted(os.listdir(str(tmp_path / 'out'))) == ['astronaut.json', 'astronaut.npz', 'astronaut.obj']


def test_parallel_pictures_and_batches_write_what_the_sequential_run_writes(tmp_path, models):
    from skimage import data
    folder = tmp_path / 'in'
    folder.mkdir()
    photo = Image.fromarray(data.astronaut())
    paths = []
    for i in range(5):
        paths.append(str(folder / ('p%d.jpg' % i)))
        photo.crop((i * 8, i * 5, 400 + i * 8, 480)).save(paths[-1])
    outputs = ('figure', 'json', 'npz', 'obj')
    finder = PeopleFinder(224, 10)
    run(models[4], paths, tmp_path / 'sequential', finder, outputs, workers=0)
    run(models[4], paths, tmp_path / 'parallel', finder, outputs, workers=2)
    run(models[1], paths, tmp_path / 'single', finder, ('json',), workers=0)
    for i in range(5):
        name = 'p%d' % i
        for ext in ('json', 'npz', 'obj'):
            with open(str(tmp_path / 'sequential' / (name + '.' + ext)), 'rb') as a, \
                    open(str(tmp_path / 'parallel' / (name + '.' + ext)), 'rb') as b:
                assert a.read() == b.read(), name + '.' + ext
        figures = [np.asarray(Image.open(str(tmp_path / d / (name + '.png'))), np.int16)
                   for d in ('sequential', 'parallel')]
        assert np.mean(np.abs(figures[0] - figures[1]) > 8) < .001
        single, batched = [load_json(tmp_path / d / (name + '.json')) for d in ('single', 'sequential')]
        np.testing.assert_allclose(batched['theta'], single['theta'], rtol=1e-5, atol=1e-5)


def test_ctrl_c_leaves_only_complete_files(tmp_path, synthetic_models):
    from skimage import data
    folder = tmp_path / 'in'
    folder.mkdir()
    for i in range(30):
        Image.fromarray(data.astronaut()).resize((300 + i, 300)).save(str(folder / ('p%02d.jpg' % i)))
    out = tmp_path / 'out'
    smpl, ckpt = synthetic_models
    proc = subprocess.Popen([sys.executable, '-m', 'demo', '--img_path', str(folder), '--out_dir', str(out),
                             '--load_path', ckpt, '--smpl_model_path', smpl, '--detector', 'none', '--workers', '2',
                             '--batch_size', '2'], cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    deadline = time.time() + 600
    while not (out.is_dir() and any(n.endswith('.png') for n in os.listdir(str(out)))) and time.time() < deadline:
        time.sleep(.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130 and 'interrupted' in err and 'Traceback' not in err, err[-2000:]
    names = os.listdir(str(out))
    assert names and not [n for n in names if '.tmp' in n or n.startswith('.')]
    assert len([n for n in names if n.endswith('.json')]) < 30
    for name in names:
        path = str(out / name)
        if name.endswith('.json'):
            load_json(path)
        elif name.endswith('.npz'):
            np.load(path, allow_pickle=False)['theta']
        elif name.endswith('.png'):
            assert Image.open(path).size == (1200, 800)
        elif name.endswith('.obj'):
            with open(path) as f:
                assert sum(1 for line in f if line.startswith('f ')) == len(np.asarray(
                    np.load(str(out / (name[:-4] + '.npz')), allow_pickle=False)['faces']))


def test_boxes_text_takes_several_people():
    assert parse_boxes('1,2,30,40;5,6,70,80') == [(1, 2, 30, 40), (5, 6, 70, 80)]
    with pytest.raises(HMRError, match='several separated by ";"'):
        parse_boxes('1,2,30,40;5,6')


def test_pictures_workers_whose_renderer_cannot_start_fail_the_job_not_the_run(monkeypatch):
    """A picture worker whose renderer cannot start (a broken GL install) reports that on each job;
    before, the pool restarted such workers forever."""
    from src.demo.workers import Pictures
    monkeypatch.setenv('HMR_RENDERER', 'no-such-renderer')  # inherited by the spawned workers
    pictures = Pictures(1, np.array([[0, 1, 2]]))
    try:
        future = pictures.submit(return_renderer)
        with pytest.raises(HMRError, match='HMR_RENDERER=no-such-renderer'):
            future.result(timeout=120)
    finally:
        pictures.close()


def return_renderer(renderer):
    return renderer


def test_the_figures_turned_views_show_every_person():
    """Two people at different depths (a photo of a group): turned about their common centre, the far
    one swings out of the released camera's view; the figure's turned panels re-frame so that each
    person's own silhouette, seen by the panel's camera, lies inside the picture and is drawn."""
    from src.demo import figure
    from src.util import renderer as vis_util
    from tests.render_comparison import posed_body
    verts, faces = posed_body()
    people = [verts + [-.4, 0., 0.], verts + [1.5, 0., 14.]]  # 6 m and 20 m from the camera
    height, width = 360, 480
    camera = np.array([600., width / 2., height / 2.])
    image = np.full((height, width, 3), 90, np.uint8)
    renderer = vis_util.SMPLRenderer(faces=faces)
    shown, _, _, mesh, left, right = figure.panels(image, people, faces, camera, [np.zeros((19, 2))] * 2, renderer)
    factor = figure._panel_scale(image.shape)
    cam = np.hstack([camera[0] * factor, figure._scaled_pixels(camera[1:], factor)])
    stacked, stacked_faces = vis_util.stack_meshes(people, faces)
    size = shown.shape[:2]
    for turn, panel in zip(figure.TURNS, (left, right)):
        rotation = vis_util.turn_matrix(turn)
        centre = stacked.mean(0)
        turned = [np.dot(p - centre, rotation) + centre for p in people]
        released_view = [renderer.silhouette(p, cam, size) for p in turned]
        framed = vis_util.framed_camera(np.concatenate(turned), list(cam), size[1], size[0])
        own = [renderer.silhouette(p, framed, size) for p in turned]
        drawn = np.any(panel != figure.WHITE, axis=2)
        # Without re-framing a person is (mostly) outside the picture: the case this test is about.
        assert min(s.sum() / float(o.sum()) for s, o in zip(released_view, own)) < .5
        for silhouette, person in zip(own, turned):
            u = framed[0] * person[:, 0] / person[:, 2] + framed[1]
            v = framed[0] * person[:, 1] / person[:, 2] + framed[2]
            assert u.min() >= 0 and v.min() >= 0 and u.max() <= size[1] - 1 and v.max() <= size[0] - 1
            # drawn where the person is, but where the other person stands in front of them
            assert (drawn & silhouette).sum() >= .5 * silhouette.sum()
    # The unturned mesh panel keeps the photo's camera: the same pixels as without re-framing.
    unframed = renderer.render_views(stacked, cam, size, (0,) + figure.TURNS, stacked_faces)
    np.testing.assert_array_equal(mesh, unframed[0][0])


def test_a_view_that_fits_keeps_the_released_camera():
    from src.util.renderer import FRAMED_SPAN, framed_camera
    verts = np.array([[-1., -1., 10.], [1., 1., 12.]])
    assert framed_camera(verts, [500., 100., 80.], 200, 160) == [500., 100., 80.]
    wide = framed_camera(verts * [30, 1, 1], [500., 100., 80.], 200, 160)
    x = verts[:, 0] * 30 / verts[:, 2]
    assert wide[0] < 500 and np.isclose(wide[0] * np.ptp(x), FRAMED_SPAN * (200 - 1))
    u = wide[0] * x + wide[1]
    assert np.isclose(u.min() + u.max(), 200 - 1)  # centred
