"""The restricted SMPL loader against crafted files (issue 22, item 4): sparse matrices whose indices
point outside them (todense() would write there), containers nested or shared to exhaust time or the
stack, arrays of the wrong shapes and faces past the vertices. Each is one HMRError line, for the
TensorFlow SMPL and the NumPy BodyModel alike."""
import pickle
import time

import numpy as np
import pytest
import scipy.sparse as sp

from src.body_model import BodyModel
from src.compat import tf
from src.errors import HMRError
from src.samples.synthetic_model import NUM_VERTS, synthetic_smpl
from src.tf_smpl.batch_smpl import SMPL
from src.tf_smpl.smpl_io import MAX_DEPTH, load_smpl_pickle

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope='module')
def model():
    return synthetic_smpl(0)


def write(path, model, **changes):
    data = dict(model, **changes)
    with open(str(path), 'wb') as f:
        pickle.dump(data, f, protocol=2)
    return str(path)


def loaders():
    def tf_smpl(path):
        with tf.Graph().as_default():
            return SMPL(path)
    return [load_smpl_pickle, BodyModel.from_pickle, tf_smpl]


def assert_refused(path, *fragments):
    for load in loaders():
        with pytest.raises(HMRError) as error:
            load(path)
        message = str(error.value)
        assert '\n' not in message and path in message
        assert all(fragment in message for fragment in fragments), message


def sparse_with(dense, **arrays):
    matrix = sp.csc_matrix(dense)
    for name, change in arrays.items():
        change(getattr(matrix, name))
    return matrix


@pytest.mark.parametrize('name, change', [
    ('row index 40 past the end', lambda m: sparse_with(m, indices=lambda i: i.__setitem__(0, NUM_VERTS + 40))),
    ('huge row index', lambda m: sparse_with(m, indices=lambda i: i.__setitem__(0, 2 ** 30))),
    ('negative row index', lambda m: sparse_with(m, indices=lambda i: i.__setitem__(0, -5))),
    ('indptr going back', lambda m: sparse_with(m, indptr=lambda p: p.__setitem__(3, p[5] + 1))),
])
def test_sparse_matrices_with_bad_indices_are_refused(tmp_path, model, name, change):
    regressor = change(model['J_regressor'].T)  # V x 24, stored as the released file does (csc)
    path = write(tmp_path / 'smpl.pkl', model, J_regressor=regressor.T)
    assert_refused(path, 'refusing to load SMPL model', 'it holds an invalid sparse matrix')


def test_valid_sparse_matrices_are_kept_exactly(tmp_path, model):
    path = write(tmp_path / 'smpl.pkl', model, J_regressor=sp.csc_matrix(model['J_regressor']))
    loaded = load_smpl_pickle(path)
    assert sp.issparse(loaded['J_regressor'])
    np.testing.assert_array_equal(loaded['J_regressor'].toarray(), model['J_regressor'])


def test_shared_lists_nested_45_deep_end_at_once(tmp_path, model):
    shared = []
    for _ in range(45):
        shared = [shared, shared]
    path = write(tmp_path / 'smpl.pkl', model, extra=shared)
    began = time.time()
    assert_refused(path, 'holds containers nested deeper than %d levels' % MAX_DEPTH)
    assert time.time() - began < 30  # before: 2**45 visits, growing memory


def test_a_list_nested_300000_deep_is_one_line(tmp_path, model):
    depth = 300000
    # EMPTY_LIST x depth, then APPEND x (depth - 1): each list inside the one before (pickle.dump
    # itself cannot write this: it recurses).
    deep = b']' * depth + b'a' * (depth - 1)
    path = str(tmp_path / 'smpl.pkl')
    with open(path, 'wb') as f:
        f.write(b'\x80\x02}X\x04\x00\x00\x00deep' + deep + b's.')
    with pytest.raises(HMRError, match='deeper than %d levels' % MAX_DEPTH):
        load_smpl_pickle(path)


@pytest.mark.parametrize('key, value, expected', [
    ('v_template', np.zeros((NUM_VERTS, 2)), 'v_template must be an N x 3 array'),
    ('v_template', np.zeros((100, 3)), 'J_regressor has shape (24, 6890), not 24 x 100'),
    ('shapedirs', np.zeros((NUM_VERTS, 2, 10)), 'shapedirs has shape (6890, 2, 10)'),
    ('posedirs', np.zeros((NUM_VERTS, 3, 200)), 'posedirs has shape (6890, 3, 200)'),
    ('weights', np.zeros((NUM_VERTS, 23)), 'weights has shape (6890, 23)'),
    ('J_regressor', sp.csc_matrix(np.ones((24, 100))), 'J_regressor has shape (24, 100)'),
    ('f', np.array([[0, 1, NUM_VERTS]], np.uint32), 'faces must be vertex indices in [0, 6890)'),
    ('f', np.array([[0, -1, 2]], np.int64), 'faces must be vertex indices in [0, 6890)'),
    ('v_template', np.full((NUM_VERTS, 3), np.nan), 'v_template must hold finite numbers'),
])
def test_arrays_of_the_wrong_shape_are_one_line_for_both_models(tmp_path, model, key, value, expected):
    path = write(tmp_path / 'smpl.pkl', model, **{key: value})
    assert_refused(path, expected)


def test_the_synthetic_model_passes_the_checks(synthetic_models):
    smpl = load_smpl_pickle(synthetic_models[0])
    assert smpl['v_template'].shape == (NUM_VERTS, 3) and smpl['J_regressor'].shape == (24, NUM_VERTS)
