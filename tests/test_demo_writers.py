"""The table of writers (src/demo/writers.py): --outputs, its --help text and the README's table of
outputs come from it, and --outputs ply writes the OBJ's meshes as one binary PLY."""
import os
import re

import numpy as np
import pytest

from src.demo import writers
from src.errors import HMRError
from tests import demo_replay
from tests.conftest import PROJECT_DIR


def readme_table():
    with open(os.path.join(PROJECT_DIR, 'README.md')) as f:
        text = f.read()
    found = re.search(r'<!-- outputs table:[^\n]*-->\n(.*?)\n<!-- end of outputs table -->', text, re.S)
    assert found, 'README.md has no table of outputs'
    return found.group(1)


def test_the_readme_documents_every_output_and_no_other():
    assert readme_table() == writers.markdown_table()
    documented = re.findall(r'^\| `([a-z]+)` \|', readme_table(), re.M)
    assert documented == [writer.name for writer in writers.WRITERS]


def test_outputs_help_and_defaults_come_from_the_table():
    text = writers.help_text()
    assert all(writer.name in text for writer in writers.WRITERS)
    assert writers.parse_outputs(None, writers.IMAGE) == ('figure', 'obj', 'json', 'npz')
    assert writers.parse_outputs(None, writers.VIDEO) == ('video', 'json', 'npz', 'bvh', 'glb')
    assert writers.parse_outputs('ply,obj', writers.IMAGE) == ('ply', 'obj')
    with pytest.raises(HMRError, match='ply cannot be written for video input'):
        writers.parse_outputs('json,ply', writers.VIDEO)
    for writer in writers.WRITERS:
        assert all(kind in writer.inputs for kind in writer.default), writer.name
        assert (writer.image is not None) == (writers.IMAGE in writer.inputs), writer.name


def read_obj(path):
    """(vertices N x 3, faces F x 3 0-based) of every object of an OBJ, in file order."""
    verts, faces = [], []
    with open(path) as f:
        for line in f:
            if line.startswith('v '):
                verts.append([float(v) for v in line.split()[1:]])
            elif line.startswith('f '):
                faces.append([int(v.split('/')[0]) - 1 for v in line.split()[1:]])
    return np.array(verts), np.array(faces)


def read_binary_ply(path):
    """(vertices, faces, header lines) of a binary little-endian PLY of float x, y, z vertices and
    uchar-counted int faces, parsed here rather than by the library that wrote it."""
    with open(path, 'rb') as f:
        data = f.read()
    end = data.index(b'end_header\n') + len(b'end_header\n')
    header = data[:end].decode('ascii').splitlines()
    assert header[:2] == ['ply', 'format binary_little_endian 1.0']
    counts = {line.split()[1]: int(line.split()[2]) for line in header if line.startswith('element')}
    assert [line for line in header if line.startswith('property')] == [
        'property float x', 'property float y', 'property float z', 'property list uchar int vertex_indices']
    verts = np.frombuffer(data, '<f4', counts['vertex'] * 3, end).reshape(-1, 3)
    face_rows = np.frombuffer(data, np.dtype([('n', 'u1'), ('v', '<i4', 3)]), counts['face'], end + verts.nbytes)
    assert np.all(face_rows['n'] == 3) and end + verts.nbytes + face_rows.nbytes == len(data)
    return verts, face_rows['v'], header


@pytest.fixture(scope='module')
def ply_and_obj(synthetic_models, tmp_path_factory):
    """NAME.obj and NAME.ply of the recorded photo of two people (tests/demo_replay.py)."""
    out = str(tmp_path_factory.mktemp('ply'))
    stem = demo_replay.replay_image(out, synthetic_models[0], ('obj', 'ply'))
    return stem + '.ply', stem + '.obj'


def test_ply_holds_the_objs_meshes_all_people_in_one_file(ply_and_obj):
    ply_path, obj_path = ply_and_obj
    verts, faces, _ = read_binary_ply(ply_path)
    obj_verts, obj_faces = read_obj(obj_path)
    assert len(obj_verts) == 2 * 6890  # both people
    # The OBJ rounds to 6 decimals (5e-7), the PLY stores float32 (half an ulp: |v| * 2**-24).
    np.testing.assert_allclose(verts, obj_verts, rtol=2. ** -24, atol=5e-7 + 1e-9)
    np.testing.assert_array_equal(faces, obj_faces)
