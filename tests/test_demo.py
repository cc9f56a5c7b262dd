"""The demo end to end on the synthetic model: every output file and its contents, the released crops,
robust image reading, and one-line errors."""
import json
import os

import numpy as np
import pytest
from PIL import Image

from src.compat import tf
from src.demo_pipeline import DemoPipeline, list_images, parse_bbox, preprocess
from src.errors import HMRError
from src.util.demo_io import read_image
from tests.fixtures import NUM_FACES, NUM_VERTS


def sample_image(path, size=(300, 400)):
    from skimage import data
    image = np.asarray(Image.fromarray(data.astronaut()).resize(size))
    Image.fromarray(image).save(path)
    return image


@pytest.fixture(scope='module')
def pipeline(hmr_config):
    hmr_config.batch_size = 1
    with tf.Graph().as_default():
        yield DemoPipeline(hmr_config, sess=tf.Session())


@pytest.fixture(scope='module')
def demo_run(pipeline, tmp_path_factory):
    folder = tmp_path_factory.mktemp('demo')
    image = sample_image(str(folder / 'person.jpg'))
    result = pipeline.run(str(folder / 'person.jpg'), str(folder))
    return folder, image, result


def read_obj(path):
    verts, faces = [], []
    with open(path) as f:
        for line in f:
            if line.startswith('v '):
                verts.append([float(v) for v in line.split()[1:]])
            elif line.startswith('f '):
                faces.append([int(v) for v in line.split()[1:]])
    return np.array(verts), np.array(faces)


def test_writes_figure_mesh_and_parameters(demo_run):
    folder, image, result = demo_run
    assert sorted(os.listdir(str(folder))) == ['person.jpg', 'person.json', 'person.npz', 'person.obj', 'person.png']
    verts, faces = read_obj(str(folder / 'person.obj'))
    assert verts.shape == (NUM_VERTS, 3) and faces.shape == (NUM_FACES, 3)
    assert faces.min() == 1 and faces.max() <= NUM_VERTS
    with open(str(folder / 'person.json')) as f:
        saved = json.load(f)
    assert len(saved['theta']) == 85 and len(saved['pose']) == 72 and len(saved['shape']) == 10
    np.testing.assert_allclose(saved['theta'][:3], saved['cam'])
    assert np.shape(saved['joints2d_original']) == (19, 2) and np.shape(saved['joints3d']) == (19, 3)
    assert saved['image_size'] == [image.shape[1], image.shape[0]]
    archive = np.load(str(folder / 'person.npz'))
    np.testing.assert_allclose(archive['verts'], verts, atol=1e-5)
    np.testing.assert_allclose(archive['theta'], saved['theta'], rtol=1e-6)
    assert Image.open(str(folder / 'person.png')).size == (1200, 800)


def test_obj_is_in_the_original_camera_frame(demo_run):
    folder, image, result = demo_run
    verts, _ = read_obj(str(folder / 'person.obj'))
    f, cx, cy = result['camera_original']
    # The 3D joints, moved like the mesh, project onto the 2D joints in the original image.
    joints = np.asarray(result['joints3d']) + result['translation']
    projected = f * joints[:, :2] / joints[:, 2:] + [cx, cy]
    spread = np.ptp(np.asarray(result['joints2d_original']), axis=0).max()
    assert np.abs(projected - result['joints2d_original']).max() < .1 * spread
    assert (verts[:, 2] > 0).all()


def test_overlay_covers_the_image_where_the_mesh_projects(demo_run, pipeline):
    folder, image, result = demo_run
    verts, _ = read_obj(str(folder / 'person.obj'))
    renderer = pipeline.renderer
    overlay = renderer(verts, cam=result['camera_original'], img=image)
    mask = renderer.silhouette(verts, result['camera_original'], image.shape[:2])
    f, cx, cy = result['camera_original']
    pixels = np.round(f * verts[:, :2] / verts[:, 2:] + [cx, cy]).astype(int)
    inside = (pixels[:, 0] >= 0) & (pixels[:, 0] < image.shape[1]) & (pixels[:, 1] >= 0) & (pixels[:, 1] < image.shape[0])
    assert inside.mean() > .9
    assert mask[pixels[inside, 1], pixels[inside, 0]].mean() > .95
    changed = np.abs(overlay.astype(int) - image).sum(axis=2) > 0
    assert changed[mask].mean() > .95 and changed[~mask].mean() < .01


def test_crops_equal_the_released_demo(reference_dir):
    golden = np.load(os.path.join(reference_dir, 'golden_seed2.npz'))
    images = os.path.join(reference_dir, 'images')
    for name, js in [('coco1.png', None), ('im1954.jpg', None), ('random.jpg', 'random_keypoints.json')]:
        crop, proc = preprocess(read_image(os.path.join(images, name)), 224, js and os.path.join(images, js))
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


def test_bad_files_are_clear_errors(tmp_path, pipeline):
    text = tmp_path / 'notes.jpg'
    text.write_text(u'not an image')
    tiny = str(tmp_path / 'tiny.png')
    Image.new('RGB', (4, 40)).save(tiny)
    for path, message in [(str(tmp_path / 'absent.jpg'), 'no such image'), (str(text), 'not a readable image'),
                          (tiny, 'at least 8 pixels')]:
        with pytest.raises(HMRError, match=message):
            pipeline.run(path, str(tmp_path))


def test_boxes_and_openpose_files_are_checked(tmp_path, pipeline):
    path = str(tmp_path / 'person.png')
    sample_image(path, size=(120, 160))
    with pytest.raises(HMRError, match='outside the 120x160 image'):
        pipeline.run(path, str(tmp_path), bbox=parse_bbox('500,10,50,80'))
    with pytest.raises(HMRError, match='must be x,y,w,h'):
        parse_bbox('1,2,3')
    with pytest.raises(HMRError, match='must be positive'):
        parse_bbox('1,2,0,5')
    empty = tmp_path / 'empty.json'
    empty.write_text(u'{"people": []}')
    with pytest.raises(HMRError, match='found no people'):
        pipeline.run(path, str(tmp_path), json_path=str(empty))


def test_box_scales_the_person_to_150_pixels():
    image = np.zeros((400, 300, 3), np.uint8)
    _, proc = preprocess(image, 224, bbox=(100, 50, 60, 280))
    assert np.isclose(proc['scale'], 150. / np.hypot(60, 280))


def test_huge_images_are_drawn_small_but_kept_in_original_pixels(tmp_path, pipeline):
    path = str(tmp_path / 'large.jpg')
    sample_image(path, size=(2400, 1800))
    result = pipeline.run(path, str(tmp_path))
    assert Image.open(str(tmp_path / 'large.png')).size == (1200, 800)
    assert result['image_size'] == [2400, 1800] and np.max(result['joints2d_original']) > 300


def test_folder_run_skips_bad_images_and_exits_non_zero(tmp_path, synthetic_models, capsys):
    import demo
    folder = tmp_path / 'in'
    folder.mkdir()
    sample_image(str(folder / 'a.png'), size=(100, 120))
    (folder / 'b.png').write_bytes(b'\x89PNG broken')
    smpl, ckpt = synthetic_models
    out = str(tmp_path / 'out')
    with tf.Graph().as_default():
        code = demo.main(['demo', '--img_path', str(folder), '--out_dir', out, '--load_path', ckpt,
                          '--smpl_model_path', smpl])
    err = capsys.readouterr().err
    assert code == 1
    assert sorted(os.listdir(out)) == ['a.json', 'a.npz', 'a.obj', 'a.png']
    assert 'skipped: ' in err and 'b.png: not a readable image' in err and 'Traceback' not in err


def test_missing_models_explain_what_to_do(tmp_path, capsys):
    import demo
    image = str(tmp_path / 'a.png')
    sample_image(image, size=(50, 60))
    code = demo.main(['demo', '--img_path', image, '--load_path', str(tmp_path / 'model.ckpt-1'),
                      '--smpl_model_path', str(tmp_path / 'smpl.pkl')])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and 'make models' in err[0]


def test_list_images_accepts_files_folders_and_globs(tmp_path):
    for name in ['b.jpg', 'a.png', 'notes.txt']:
        (tmp_path / name).write_bytes(b'')
    assert [os.path.basename(p) for p in list_images(str(tmp_path))] == ['a.png', 'b.jpg']
    assert [os.path.basename(p) for p in list_images(str(tmp_path / '*.jpg'))] == ['b.jpg']
    with pytest.raises(HMRError, match='no images found'):
        list_images(str(tmp_path / '*.gif'))
