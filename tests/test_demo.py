"""The demo end to end on the synthetic model: every output file and its contents, several people per
image, batching, the released crops, robust image reading, and one-line errors."""
import json
import os

import numpy as np
import pytest
from PIL import Image

import demo
from src.compat import tf
from src.demo import outputs as demo_outputs
from src.demo import writers
from src.demo.images import ImageRun, prepared
from src.demo.records import RunContext
from src.demo.people import PeopleFinder, from_openpose, parse_boxes, whole_image
from src.demo.sources import list_images
from src.errors import HMRError
from src.util.image import read_image
from src.util.image import crop_for_model
from tests.conftest import PROJECT_DIR, build_run_model
from src.samples.synthetic_model import NUM_FACES, NUM_VERTS

FILES = ['json', 'npz', 'obj']


def sample_image(path, size=(300, 400)):
    from skimage import data
    image = np.asarray(Image.fromarray(data.astronaut()).resize(size))
    Image.fromarray(image).save(path)
    return image


@pytest.fixture(scope='module')
def model(hmr_config):
    return build_run_model(hmr_config, 4)


def run_images(model, paths, out_dir, finder=None, outputs=('figure',) + tuple(FILES), workers=0):
    """ImageRun over `paths` (whole images unless `finder`); returns (failures, reported lines)."""
    lines = []
    finder = finder or PeopleFinder(224, 10)
    run = ImageRun(RunContext(model, model.smpl.faces, None, str(out_dir), outputs, workers, lines.append))
    return run.run(prepared(paths, finder, 224)), lines


def demo_main(tmp_path, synthetic_models, *args):
    smpl, ckpt = synthetic_models
    with tf.Graph().as_default():
        return demo.main(['demo', '--load_path', ckpt, '--smpl_model_path', smpl] + list(args))


def read_obj(path):
    objects, verts, faces = [], [], []
    with open(path) as f:
        for line in f:
            if line.startswith('o '):
                objects.append(line.split()[1])
            elif line.startswith('v '):
                verts.append([float(v) for v in line.split()[1:]])
            elif line.startswith('f '):
                faces.append([int(v) for v in line.split()[1:]])
    return np.array(verts), np.array(faces), objects


def read_json(path):
    with open(str(path)) as f:
        return json.load(f)


@pytest.fixture(scope='module')
def demo_run(model, tmp_path_factory):
    folder = tmp_path_factory.mktemp('demo')
    image = sample_image(str(folder / 'person.jpg'))
    failures, _ = run_images(model, [str(folder / 'person.jpg')], folder)
    assert failures == 0
    return folder, image, read_json(folder / 'person.json')


def test_writes_figure_mesh_and_parameters(demo_run):
    folder, image, result = demo_run
    assert sorted(os.listdir(str(folder))) == ['person.jpg', 'person.json', 'person.npz', 'person.obj', 'person.png']
    verts, faces, _ = read_obj(str(folder / 'person.obj'))
    assert verts.shape == (NUM_VERTS, 3) and faces.shape == (NUM_FACES, 3)
    assert faces.min() == 1 and faces.max() <= NUM_VERTS
    assert len(result['theta']) == 85 and len(result['pose']) == 72 and len(result['shape']) == 10
    np.testing.assert_allclose(result['theta'][:3], result['cam'])
    assert np.shape(result['joints2d_original']) == (19, 2) and np.shape(result['joints3d']) == (19, 3)
    assert result['image_size'] == [image.shape[1], image.shape[0]]
    (person,) = result['people']
    assert person['source'] == 'image' and person['bbox'] == [0, 0, 300, 400]
    for key in ('theta', 'joints2d_original', 'translation', 'camera_original'):
        np.testing.assert_allclose(person[key], result[key])
    with np.load(str(folder / 'person.npz'), allow_pickle=False) as archive:
        np.testing.assert_allclose(archive['verts'], verts, atol=1e-5)
        np.testing.assert_allclose(archive['theta'], result['theta'], rtol=1e-6)
        assert archive['people_verts'].shape == (1, NUM_VERTS, 3) and list(archive['people_source']) == ['image']
    assert Image.open(str(folder / 'person.png')).size == (1200, 800)


def test_obj_is_in_the_original_camera_frame(demo_run):
    folder, image, result = demo_run
    verts, _, _ = read_obj(str(folder / 'person.obj'))
    f, cx, cy = result['camera_original']
    # The 3D joints, moved like the mesh, project onto the 2D joints in the original image.
    joints = np.asarray(result['joints3d']) + result['translation']
    projected = f * joints[:, :2] / joints[:, 2:] + [cx, cy]
    spread = np.ptp(np.asarray(result['joints2d_original']), axis=0).max()
    assert np.abs(projected - result['joints2d_original']).max() < .1 * spread
    assert (verts[:, 2] > 0).all()


def test_figure_overlays_the_mesh_where_it_projects(demo_run, model):
    """The overlay panel differs from the input panel exactly where the mesh lies."""
    from src.demo.figure import panels
    from src.util.renderer import SMPLRenderer
    folder, image, result = demo_run
    verts, _, _ = read_obj(str(folder / 'person.obj'))
    renderer = SMPLRenderer(faces=model.smpl.faces)
    shown, skeleton, overlay, mesh, left, right = panels(image, [verts], model.smpl.faces, result['camera_original'],
                                                         [result['joints2d_original']], renderer)
    assert shown.shape[0] == 362 and all(p.shape == shown.shape for p in (skeleton, overlay, mesh, left, right))
    factor = shown.shape[0] / float(image.shape[0])
    f, cx, cy = result['camera_original']
    pixels = np.round((f * verts[:, :2] / verts[:, 2:] + [cx, cy] + .5) * factor - .5).astype(int)
    inside = (pixels >= 0).all(axis=1) & (pixels[:, 0] < shown.shape[1]) & (pixels[:, 1] < shown.shape[0])
    changed = np.abs(overlay.astype(int) - shown).sum(axis=2) > 0
    assert inside.mean() > .9 and changed[pixels[inside, 1], pixels[inside, 0]].mean() > .9
    covered = (mesh < 250).any(axis=2)
    assert changed[~covered].mean() < .01
    # The turned views show the same body from the side: about as many pixels, not the same ones.
    for view in (left, right):
        side = (view < 250).any(axis=2)
        assert .3 < side.sum() / float(covered.sum()) < 3 and (side != covered).mean() > .01


def test_crops_equal_the_released_demo(reference_dir):
    golden = np.load(os.path.join(reference_dir, 'golden_seed2.npz'))
    images = os.path.join(reference_dir, 'images')
    for name, js in [('coco1.png', None), ('im1954.jpg', None), ('random.jpg', 'random_keypoints.json')]:
        image = read_image(os.path.join(images, name))
        person = from_openpose(os.path.join(images, js))[0] if js else whole_image(image.shape, 224)
        crop, proc = crop_for_model(image, person.scale, person.center, 224)
        key = name.split('.')[0]
        assert np.abs(crop - golden['crop_' + key]).mean() < .02
        np.testing.assert_array_equal(proc['start_pt'], golden['start_pt_' + key])
        assert abs(proc['scale'] - float(golden['scale_' + key])) < 1e-9


@pytest.mark.parametrize('mode', ['L', 'RGBA', 'P', 'CMYK', 'I;16'])
def test_images_of_any_mode_are_read_as_rgb(tmp_path, mode):
    rgb = sample_image(str(tmp_path / 'source.png'), size=(64, 48))
    source = Image.fromarray(rgb)
    if mode == 'I;16':
        converted = Image.fromarray((np.asarray(source.convert('L')).astype(np.uint16) * 257))
        path = str(tmp_path / 'deep.png')
    else:
        converted = source.convert(mode)
        path = str(tmp_path / ('img.%s' % ('jpg' if mode == 'CMYK' else 'png')))
    converted.save(path)
    image = read_image(path)
    assert image.shape == (48, 64, 3) and image.dtype == np.uint8
    reference = np.asarray(source.convert('L').convert('RGB')) if mode in ('L', 'I;16') else rgb
    tolerance = {'P': 40, 'CMYK': 40}.get(mode, 1)
    assert np.abs(image.astype(int) - reference).mean() < tolerance


def test_exif_rotation_is_applied(tmp_path):
    rgb = sample_image(str(tmp_path / 'source.png'), size=(64, 48))
    exif = Image.Exif() if hasattr(Image, 'Exif') else None
    if exif is None:
        pytest.skip('this Pillow cannot write EXIF')
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = str(tmp_path / 'rotated.jpg')
    Image.fromarray(rgb).save(path, exif=exif.tobytes(), quality=95)
    image = read_image(path)
    assert image.shape == (64, 48, 3)
    assert np.abs(image.astype(int) - np.rot90(rgb, -1)).mean() < 10


def test_bad_files_fail_alone_in_one_line(tmp_path, model):
    text = tmp_path / 'notes.jpg'
    text.write_text(u'not an image')
    tiny = str(tmp_path / 'tiny.png')
    Image.new('RGB', (4, 40)).save(tiny)
    good = str(tmp_path / 'good.png')
    sample_image(good, size=(60, 80))
    out = tmp_path / 'out'
    failures, lines = run_images(model, [str(tmp_path / 'absent.jpg'), str(text), good, tiny], out, outputs=FILES)
    assert failures == 3 and len(lines) == 3
    for line, message in zip(lines, ['absent.jpg: no such image', 'notes.jpg: not a readable image',
                                     'tiny.png: image is 4x40; HMR needs at least 8 pixels']):
        assert message in line and '\n' not in line
    assert sorted(os.listdir(str(out))) == ['good.json', 'good.npz', 'good.obj']


def test_an_unexpected_error_on_one_image_is_reported_and_the_rest_go_on(tmp_path, model, monkeypatch):
    for name in ('a.png', 'b.png', 'c.png'):
        sample_image(str(tmp_path / name), size=(60, 80))
    def failing_write_obj(stem, result, faces, body):
        if stem.endswith('b'):
            raise ZeroDivisionError('simulated bug')
        demo_outputs.write_obj(stem, result, faces, body)
    monkeypatch.setattr(writers, 'WRITERS', tuple(w._replace(image=failing_write_obj) if w.name == 'obj' else w
                                                  for w in writers.WRITERS))
    paths = [str(tmp_path / n) for n in ('a.png', 'b.png', 'c.png')]
    failures, lines = run_images(model, paths, tmp_path / 'out', outputs=FILES)
    assert failures == 1 and lines == ['failed: %s: unexpected ZeroDivisionError: simulated bug' % paths[1]]
    assert 'c.obj' in os.listdir(str(tmp_path / 'out'))


@pytest.mark.parametrize('bbox, message', [
    ('0,0,0.01,0.01', 'is 0.0141 px across; HMR needs a person at least 8 px across'),
    ('10,10,nan,50', 'numbers must be finite'),
    ('10,10,inf,50', 'numbers must be finite'),
    ('10,10,50', 'must be x,y,w,h'),
    ('1,2,0,5', 'must be positive'),
    ('500,10,50,80', 'lies outside the 120x160 image'),
])
def test_bad_boxes_are_one_line_errors(tmp_path, synthetic_models, capsys, bbox, message):
    path = str(tmp_path / 'person.png')
    sample_image(path, size=(120, 160))
    code = demo_main(tmp_path, synthetic_models, '--img_path', path, '--bbox', bbox, '--out_dir', str(tmp_path / 'o'))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and message in err[0], err


@pytest.mark.parametrize('keypoints, message', [
    ([[10, 20, .9]] * 17 + [[float('nan'), 5, .9]], 'not finite numbers'),
    ([[10, 20, .1]] * 18, 'no person has a keypoint with confidence above 0.2'),
    ([[10, 20, .9]] * 17 + [[12, 21, .9]], 'HMR needs a person at least 8 px across'),
])
def test_bad_openpose_people_are_one_line_errors(tmp_path, synthetic_models, capsys, keypoints, message):
    path = str(tmp_path / 'person.png')
    sample_image(path, size=(120, 160))
    js = str(tmp_path / 'kp.json')
    with open(js, 'w') as f:
        json.dump({'people': [{'pose_keypoints_2d': list(np.ravel(keypoints))}]}, f)
    code = demo_main(tmp_path, synthetic_models, '--img_path', path, '--json_path', js)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and message in err[0], err


def test_box_scales_the_person_to_150_pixels():
    person = PeopleFinder(224, 10, boxes=parse_boxes('100,50,60,280'))(np.zeros((400, 300, 3), np.uint8), 'x')[0]
    assert np.isclose(person.scale, 150. / np.hypot(60, 280)) and list(person.center) == [130, 190]


def test_huge_images_are_drawn_small_but_kept_in_original_pixels(tmp_path, model):
    path = str(tmp_path / 'large.jpg')
    sample_image(path, size=(2400, 1800))
    run_images(model, [path], tmp_path)
    assert Image.open(str(tmp_path / 'large.png')).size == (1200, 800)
    result = read_json(tmp_path / 'large.json')
    assert result['image_size'] == [2400, 1800] and np.max(result['joints2d_original']) > 300


def test_folder_run_skips_bad_images_and_exits_non_zero(tmp_path, synthetic_models, capsys):
    folder = tmp_path / 'in'
    folder.mkdir()
    sample_image(str(folder / 'a.png'), size=(100, 120))
    (folder / 'b.png').write_bytes(b'\x89PNG broken')
    out = str(tmp_path / 'out')
    code = demo_main(tmp_path, synthetic_models, '--img_path', str(folder), '--out_dir', out, '--detector', 'none',
                     '--nopage')
    err = capsys.readouterr().err
    assert code == 1
    assert sorted(os.listdir(out)) == ['a.json', 'a.npz', 'a.obj', 'a.png']
    assert 'failed: ' in err and 'b.png: not a readable image' in err and 'Traceback' not in err


def test_same_stems_get_unique_output_names(tmp_path, model):
    sample_image(str(tmp_path / 'a.jpg'), size=(60, 80))
    sample_image(str(tmp_path / 'a.png'), size=(80, 60))
    (tmp_path / 'sub').mkdir()
    sample_image(str(tmp_path / 'sub' / 'a.png'), size=(70, 70))
    sample_image(str(tmp_path / 'b.png'), size=(70, 70))
    paths = [str(tmp_path / n) for n in ('a.jpg', 'a.png', 'sub/a.png', 'b.png')]
    assert demo_outputs.output_names(paths) == ['a_jpg', 'a_png', 'a_png_2', 'b']
    run_images(model, paths, tmp_path / 'out', outputs=('json',))
    sizes = {n: read_json(tmp_path / 'out' / n)['image_size'] for n in os.listdir(str(tmp_path / 'out'))}
    assert sizes == {'a_jpg.json': [60, 80], 'a_png.json': [80, 60], 'a_png_2.json': [70, 70], 'b.json': [70, 70]}


def test_missing_models_explain_what_to_do(tmp_path, capsys):
    image = str(tmp_path / 'a.png')
    sample_image(image, size=(50, 60))
    code = demo.main(['demo', '--img_path', image, '--load_path', str(tmp_path / 'model.ckpt-1'),
                      '--smpl_model_path', str(tmp_path / 'smpl.pkl')])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and 'make models' in err[0]


def test_default_image_is_the_sample_the_makefile_writes(tmp_path, capsys, monkeypatch):
    assert demo.DEFAULT_IMAGE == 'data/astronaut.png'
    with open(os.path.join(PROJECT_DIR, 'make', 'demo.mk')) as f:
        assert 'data/astronaut.png:' in f.read()
    monkeypatch.chdir(str(tmp_path))
    code = demo.main(['demo'])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and 'make sample-images' in err[0]


def test_bad_flag_values_are_one_line_errors(capsys):
    for args in (['--max_people', 'many'], ['--detector', 'yolo'], ['--outputs', 'figure,mp3']):
        code = demo.main(['demo'] + args)
        err = capsys.readouterr().err.strip().splitlines()
        assert code in (1, 2) and len(err) == 1 and err[0].startswith('error: '), (args, err)


def test_list_images_accepts_files_folders_and_globs(tmp_path):
    for name in ['b.jpg', 'a.png', 'notes.txt']:
        (tmp_path / name).write_bytes(b'')
    assert [os.path.basename(p) for p in list_images(str(tmp_path))] == ['a.png', 'b.jpg']
    assert [os.path.basename(p) for p in list_images(str(tmp_path / '*.jpg'))] == ['b.jpg']
    with pytest.raises(HMRError, match='no images found'):
        list_images(str(tmp_path / '*.gif'))


def test_outputs_are_chosen_by_name():
    assert writers.parse_outputs(None, 'image') == ('figure', 'obj', 'json', 'npz')
    assert writers.parse_outputs(None, 'video') == ('video', 'json', 'npz', 'bvh', 'glb')
    assert writers.parse_outputs('npz,json,npz', 'image') == ('npz', 'json')
    with pytest.raises(HMRError, match='video cannot be written for image input'):
        writers.parse_outputs('json,video', 'image')
    with pytest.raises(HMRError, match='takes names from'):
        writers.parse_outputs('gif', 'image')


def test_the_released_command_gives_a_mesh_for_every_released_sample(tmp_path, synthetic_models, reference_dir):
    """`python -m demo --img_path <sample>` as the released README says, default flags (the built-in
    detector included): every released sample photo gives at least one person and its files."""
    import shutil
    samples = ['coco1.png', 'coco2.png', 'im1954.jpg', 'im1963.jpg', 'random.jpg']
    folder = tmp_path / 'samples'
    folder.mkdir()
    for name in samples:
        shutil.copy(os.path.join(reference_dir, 'images', name), str(folder / name))
    out = tmp_path / 'out'
    assert demo_main(tmp_path, synthetic_models, '--img_path', str(folder), '--out_dir', str(out)) == 0
    for name in samples:
        stem = os.path.splitext(name)[0]
        people = read_json(str(out / (stem + '.json')))['people']
        assert len(people) >= (2 if name == 'random.jpg' else 1), name
        assert (out / (stem + '.png')).exists() and (out / (stem + '.obj')).exists()
