"""The restricted SMPL loader: reads chumpy-era pickles without chumpy, refuses everything else."""
import os
import pickle
import sys

import numpy as np
import pytest

from src.errors import HMRError
from src.samples.synthetic_model import NUM_FACES, NUM_VERTS, synthetic_smpl, write_synthetic_smpl
from src.tf_smpl.smpl_io import load_smpl_pickle


@pytest.fixture
def chumpy_blocked(monkeypatch):
    monkeypatch.setitem(sys.modules, 'chumpy', None)
    monkeypatch.setitem(sys.modules, 'chumpy.ch', None)


@pytest.mark.parametrize('chumpy_style', [True, False])
def test_loads_the_released_layout_without_chumpy(tmp_path, chumpy_blocked, chumpy_style):
    path = str(tmp_path / 'smpl.pkl')
    expected = write_synthetic_smpl(path, seed=3, chumpy_style=chumpy_style)
    model = load_smpl_pickle(path)
    assert set(model) == set(expected)
    assert model['v_template'].shape == (NUM_VERTS, 3) and model['f'].shape == (NUM_FACES, 3)
    assert model['shapedirs'].shape == (NUM_VERTS, 3, 10) and model['posedirs'].shape == (NUM_VERTS, 3, 207)
    for key in ['v_template', 'shapedirs', 'posedirs', 'weights', 'J', 'f', 'kintree_table']:
        np.testing.assert_array_equal(model[key], expected[key])
    for key in ['J_regressor', 'cocoplus_regressor']:
        np.testing.assert_array_equal(model[key].toarray(), expected[key])
    assert model['bs_type'] == 'lrotmin'


def test_the_fixture_pickle_names_the_released_globals(tmp_path):
    import pickletools
    path = str(tmp_path / 'smpl.pkl')
    write_synthetic_smpl(path)
    with open(path, 'rb') as f:
        names = {arg for op, arg, _ in pickletools.genops(f.read()) if op.name == 'GLOBAL'}
    assert {'chumpy.ch Ch', 'scipy.sparse.csc csc_matrix', 'numpy.core.multiarray _reconstruct'} <= names


class _Exploit(object):
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ('touch %s' % self.marker,))


@pytest.mark.parametrize('protocol', [0, 2, pickle.HIGHEST_PROTOCOL])
def test_refuses_a_pickle_that_calls_code_without_running_it(tmp_path, protocol):
    marker = tmp_path / 'pwned'
    path = str(tmp_path / 'evil.pkl')
    with open(path, 'wb') as f:
        pickle.dump({'v_template': _Exploit(str(marker))}, f, protocol=protocol)
    with pytest.raises(HMRError, match='not allowed'):
        load_smpl_pickle(path)
    assert not marker.exists()


def test_refuses_unexpected_classes_even_harmless_ones(tmp_path):
    import collections
    path = str(tmp_path / 'odd.pkl')
    with open(path, 'wb') as f:
        pickle.dump({'v_template': collections.OrderedDict()}, f, protocol=2)
    with pytest.raises(HMRError, match='collections.OrderedDict is not allowed'):
        load_smpl_pickle(path)


def test_clear_errors_for_missing_truncated_and_foreign_files(tmp_path):
    with pytest.raises(HMRError, match='cannot read SMPL model .*make models'):
        load_smpl_pickle(str(tmp_path / 'absent.pkl'))
    path = str(tmp_path / 'cut.pkl')
    write_synthetic_smpl(path)
    with open(path, 'rb') as f:
        head = f.read(5000)
    with open(path, 'wb') as f:
        f.write(head)
    with pytest.raises(HMRError, match='not a valid model pickle'):
        load_smpl_pickle(path)
    with open(path, 'wb') as f:
        pickle.dump([1, 2, 3], f, protocol=2)
    with pytest.raises(HMRError, match='not a dict'):
        load_smpl_pickle(path)


def test_synthetic_model_is_a_consistent_body():
    model = synthetic_smpl()
    # Every regressor row is a convex combination of vertices, and skinning weights sum to one.
    np.testing.assert_allclose(model['J_regressor'].sum(1), 1)
    np.testing.assert_allclose(model['cocoplus_regressor'].sum(1), 1)
    np.testing.assert_allclose(model['weights'].sum(1), 1)
    assert model['f'].max() < NUM_VERTS and model['kintree_table'][0, 0] == 2 ** 32 - 1


def test_mesh_faces_come_from_the_model_or_else_the_released_face_file(tmp_path):
    from src.tf_smpl.smpl_io import mesh_faces
    from src.util.renderer import SMPLRenderer
    faces = np.array([[0, 1, 2], [2, 3, 0]])
    np.save(str(tmp_path / 'smpl_faces.npy'), faces[::-1].astype(np.uint32))
    face_file = str(tmp_path / 'smpl_faces.npy')
    np.testing.assert_array_equal(mesh_faces({'f': faces}, face_file), faces)
    np.testing.assert_array_equal(mesh_faces({}, face_file), faces[::-1])
    assert mesh_faces({}, str(tmp_path / 'absent.npy')) is None
    with pytest.raises(HMRError, match='no mesh faces'):
        SMPLRenderer(faces=None)
