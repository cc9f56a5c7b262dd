"""The run page's writer (src/page), without a browser: what index.html and hmr-data.js hold is read
back from the run's own files (meshes bit for bit, the GLBs byte for byte), the file links are the
run's files, a missing three.js bundle is listed with how to install it, and the demo writes the page
unless --no_page. The browser tests are tests/test_page_browser.py."""
import base64
import json
import os
import re

import numpy as np
import pytest

import demo
from src.page import assets
from src.page.writer import write_run_page
from src.util import files

PAGE_FILES = ['hmr-data.js', 'hmr-page.js', 'hmr-three.js', 'index.html']


def page_data(out):
    with open(os.path.join(out, 'hmr-data.js')) as f:
        text = f.read()
    assert text.startswith('window.HMR_RUN = ') and text.endswith(';\n')
    return json.loads(text[len('window.HMR_RUN = '):-2])


def decoded(text, dtype):
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


@pytest.fixture
def bundle(tmp_path_factory, monkeypatch):
    path = str(tmp_path_factory.mktemp('bundle') / 'three-bundle.js')
    files.write_text(path, 'window.HMRThree = {};\n')
    monkeypatch.setenv('HMR_THREE_JS', path)
    return path


def fake_image_run(out, name, people=2):
    """What the demo writes for one photo (only the fields the page reads)."""
    rng = np.random.RandomState(0)
    verts = rng.normal(size=(people, 30, 3)) + [0, 0, 5]
    faces = rng.randint(0, 30, size=(20, 3))
    files.write_npz(os.path.join(out, name + '.npz'), {'people_verts': verts, 'faces': faces, 'verts': verts[0]})
    files.write_json(os.path.join(out, name + '.json'), {
        'camera_original': [500., 100., 80.], 'image_size': [200, 160],
        'people': [{'source': 'hog', 'score': 0.5 + i / 10.} for i in range(people)]})
    files.write_bytes(os.path.join(out, name + '.png'), b'png')
    return verts, faces


def test_image_page_holds_the_runs_meshes_and_links_its_files(tmp_path, bundle):
    out = str(tmp_path)
    verts, faces = fake_image_run(out, 'a')
    fake_image_run(out, 'b', people=1)
    files.write_text(os.path.join(out, 'other.json'), '{}')  # another run's file: not linked
    path = write_run_page(out, ['/photos/a.jpg', '/photos/b.png'], video=False)
    assert path == os.path.join(out, 'index.html')
    assert sorted(os.listdir(out)) == sorted(['a.json', 'a.npz', 'a.png', 'b.json', 'b.npz', 'b.png', 'other.json']
                                             + PAGE_FILES)
    data = page_data(out)
    assert data['problems'] == []
    first, second = data['inputs']
    assert (first['name'], first['figure'], first['files']) == ('a', 'a.png', ['a.json', 'a.npz', 'a.png'])
    assert len(first['people']) == 2 and len(second['people']) == 1
    # float32 is what WebGL draws; the page's vertices are the file's, rounded to it.
    for person, expected in zip(first['people'], verts):
        assert np.array_equal(decoded(person['verts'], '<f4').reshape(-1, 3), expected.astype(np.float32))
    assert np.array_equal(decoded(first['faces'], '<u4').reshape(-1, 3), faces)
    assert [p['score'] for p in first['people']] == [0.5, 0.6] and first['camera'] == [500., 100., 80.]
    with open(path) as f:
        page = f.read()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ['hmr-three.js', 'hmr-data.js', 'hmr-page.js']
    assert 'id="hmr-errors"' in page and '://' not in page  # nothing from the network
    with open(os.path.join(out, 'hmr-three.js')) as f:
        assert f.read() == 'window.HMRThree = {};\n'


def test_obj_alone_gives_the_meshes(tmp_path, bundle):
    out = str(tmp_path)
    meshes = [np.arange(12.).reshape(4, 3), np.arange(12., 24.).reshape(4, 3)]
    faces = np.array([[0, 1, 2], [1, 2, 3]])
    files.write_obj(os.path.join(out, 'p.obj'), meshes, faces, ['test'])
    entry = page_data(os.path.dirname(write_run_page(out, ['p.jpg'], video=False)))['inputs'][0]
    assert [decoded(p['verts'], '<f4').reshape(-1, 3).tolist() for p in entry['people']] == [m.tolist() for m in meshes]
    assert decoded(entry['faces'], '<u4').reshape(-1, 3).tolist() == faces.tolist()


def test_video_page_carries_tracks_and_their_glbs(tmp_path, bundle):
    out = str(tmp_path)
    tracks = [{'id': 0, 'frames': [2, 4, 6], 'score': [0.9, 0.8, 0.7], 'truncated': [False, True, False]},
              {'id': 3, 'frames': [4], 'score': [0.5]}]
    files.write_json(os.path.join(out, 'walk.json'), {'fps': 12.5, 'frames': 5, 'size': [64, 48],
                                                      'camera': [300., 32., 24.], 'tracks': tracks})
    glb = os.urandom(1000)
    files.write_bytes(os.path.join(out, 'walk_track0.glb'), glb)
    files.write_bytes(os.path.join(out, 'walk.mp4'), b'mp4')
    data = page_data(os.path.dirname(write_run_page(out, ['/clips/walk.mp4'], video=True, start=2, every=2)))
    entry = data['inputs'][0]
    assert (entry['overlay'], entry['fps'], entry['frames'], entry['start'], entry['every']) == ('walk.mp4', 12.5, 5, 2, 2)
    assert entry['files'] == ['walk.json', 'walk.mp4', 'walk_track0.glb']
    first, second = entry['tracks']
    assert base64.b64decode(first['glb']) == glb and 'glb' not in second
    assert first['quality'] == {'score': [0.9, 0.8, 0.7], 'truncated': [False, True, False]}
    assert entry['notes'] == ["track 3: no NAME_track3.glb in this run's outputs: not in the 3D view"]


def test_missing_bundle_is_listed_with_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv('HMR_THREE_JS', str(tmp_path / 'absent.js'))
    out = str(tmp_path / 'out')
    os.makedirs(out)
    fake_image_run(out, 'a')
    write_run_page(out, ['a.jpg'], video=False)
    assert not os.path.exists(os.path.join(out, 'hmr-three.js'))
    problems = page_data(out)['problems']
    assert len(problems) == 1 and assets.INSTALL_HINT in problems[0]
    assert 'make page-assets' in capsys.readouterr().err


def run_demo(synthetic_models, out, *args):
    from PIL import Image
    from skimage import data
    from src.compat import tf
    smpl, ckpt = synthetic_models
    image = os.path.join(os.path.dirname(out), 'astronaut.png')
    Image.fromarray(data.astronaut()).save(image)
    with tf.Graph().as_default():
        return demo.main(['demo', '--load_path', ckpt, '--smpl_model_path', smpl, '--img_path', image,
                          '--out_dir', out, '--detector', 'none', '--outputs', 'npz'] + list(args)), image


def test_demo_writes_the_page_unless_no_page(tmp_path, synthetic_models, bundle):
    out = str(tmp_path / 'with')
    code, image = run_demo(synthetic_models, out)
    assert code == 0
    name = os.path.splitext(os.path.basename(image))[0]
    assert sorted(os.listdir(out)) == sorted([name + '.npz'] + PAGE_FILES)
    with np.load(os.path.join(out, name + '.npz')) as arrays:
        expected = arrays['people_verts'][0].astype(np.float32)
    person = page_data(out)['inputs'][0]['people'][0]
    assert np.array_equal(decoded(person['verts'], '<f4').reshape(-1, 3), expected)
    out = str(tmp_path / 'without')
    assert run_demo(synthetic_models, out, '--no_page')[0] == 0
    assert os.listdir(out) == [name + '.npz']
