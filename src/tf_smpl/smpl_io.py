"""Read the released SMPL model pickle safely, on Python 3, without chumpy.

`neutral_smpl_with_cocoplus_reg.pkl` is a Python 2 pickle: NumPy arrays, SciPy sparse matrices and
chumpy `Ch` objects wrapping arrays. Unpickling runs whatever callable the file names, so the loader
admits only the handful of classes such a file needs, replaces chumpy objects by the array they hold,
and refuses every other global before anything is called.
"""
import os
import pickle

import numpy as np
import scipy.sparse

from ..errors import HMRError


class _ForbiddenGlobal(pickle.UnpicklingError):
    pass


class _ChumpyArray(object):
    """Stands in for `chumpy.ch.Ch`: keeps the pickled state, whose array is under 'x'."""

    def __setstate__(self, state):
        self.state = state

    def to_array(self, plain, depth):
        if not isinstance(self.state, dict) or 'x' not in self.state:
            raise HMRError('a chumpy object without an array (no "x" field)')
        array = plain(self.state['x'], depth + 1)
        if not isinstance(array, np.ndarray) or array.dtype.kind not in 'biuf':
            raise HMRError('a chumpy object whose "x" is not a numeric array')
        return array


def _reconstructor():
    import copyreg
    return copyreg._reconstructor


# (module, name) as written by Python 2 or 3 pickles -> a function returning the object to use.
_ALLOWED = {
    ('chumpy.ch', 'Ch'): lambda: _ChumpyArray,
    ('numpy', 'ndarray'): lambda: np.ndarray,
    ('numpy', 'dtype'): lambda: np.dtype,
    ('numpy.core.multiarray', '_reconstruct'): lambda: _multiarray('_reconstruct'),
    ('numpy.core.multiarray', 'scalar'): lambda: _multiarray('scalar'),
    ('numpy._core.multiarray', '_reconstruct'): lambda: _multiarray('_reconstruct'),
    ('numpy._core.multiarray', 'scalar'): lambda: _multiarray('scalar'),
    ('scipy.sparse.csc', 'csc_matrix'): lambda: scipy.sparse.csc_matrix,
    ('scipy.sparse._csc', 'csc_matrix'): lambda: scipy.sparse.csc_matrix,
    ('scipy.sparse.csr', 'csr_matrix'): lambda: scipy.sparse.csr_matrix,
    ('scipy.sparse._csr', 'csr_matrix'): lambda: scipy.sparse.csr_matrix,
    ('copy_reg', '_reconstructor'): _reconstructor,
    ('copyreg', '_reconstructor'): _reconstructor,
    ('__builtin__', 'object'): lambda: object,
    ('builtins', 'object'): lambda: object,
    ('__builtin__', 'set'): lambda: set,
    ('builtins', 'set'): lambda: set,
    # Python 3 pickles of bytes at protocol 2 call _codecs.encode(str, 'latin1').
    ('_codecs', 'encode'): lambda: _latin1_encode,
}


def _multiarray(name):
    """numpy.core became numpy._core in NumPy 2; ask whichever this NumPy has."""
    try:
        from numpy._core import multiarray
    except ImportError:
        from numpy.core import multiarray
    return getattr(multiarray, name)


def _latin1_encode(text, encoding='utf-8'):
    if encoding != 'latin1':
        raise _ForbiddenGlobal('refusing _codecs.encode with encoding %r' % encoding)
    return text.encode('latin1')


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        factory = _ALLOWED.get((module, name))
        if factory is None:
            raise _ForbiddenGlobal('global %s.%s is not allowed in an SMPL model file' % (module, name))
        return factory()


# Bounds on what a model pickle may hold: the released file is a dict of ~20 arrays, two levels deep.
MAX_DEPTH = 32
MAX_ITEMS = 100000


class _Plain(object):
    """Replaces chumpy stand-ins by arrays and rebuilds sparse matrices from checked arrays, through
    containers; each container once (shared references cost nothing: `l = [l, l]` 45 deep is not
    2**45 visits), no deeper than MAX_DEPTH, no more than MAX_ITEMS items in all."""

    def __init__(self):
        self.done = {}
        self.items = 0

    def __call__(self, value, depth=0):
        if id(value) in self.done:
            return self.done[id(value)]
        if depth > MAX_DEPTH:
            raise HMRError('containers nested deeper than %d levels' % MAX_DEPTH)
        self.items += 1
        if self.items > MAX_ITEMS:
            raise HMRError('more than %d objects' % MAX_ITEMS)
        if isinstance(value, _ChumpyArray):
            result = value.to_array(self, depth)
        elif isinstance(value, scipy.sparse.spmatrix):
            result = _checked_sparse(value)
        elif isinstance(value, dict):
            result = {k: self(v, depth + 1) for k, v in value.items()}
        elif isinstance(value, (list, tuple, set)):
            result = type(value)(self(v, depth + 1) for v in value)
        elif isinstance(value, np.ndarray) and value.dtype.hasobject:
            raise HMRError('an array of Python objects')
        else:
            result = value
        self.done[id(value)] = result
        return result


def _plain(value):
    return _Plain()(value)


def _checked_sparse(matrix):
    """A csc/csr matrix rebuilt from its pickled arrays after a full check (indices within the shape,
    indptr monotone and of the right length): SciPy trusts them, and todense() writes `data` at the
    offsets they give, so an unchecked matrix can write outside its array."""
    state = vars(matrix)
    shape = state.get('_shape', state.get('shape'))
    arrays = [state.get(k) for k in ('data', 'indices', 'indptr')]
    if not (isinstance(shape, tuple) and len(shape) == 2
            and all(isinstance(n, (int, np.integer)) and 0 <= n < 2 ** 31 for n in shape)):
        raise HMRError('a sparse matrix of invalid shape %r' % (shape,))
    if not all(isinstance(a, np.ndarray) and a.ndim == 1 for a in arrays) or arrays[0].dtype.kind not in 'biuf' \
            or any(a.dtype.kind not in 'iu' for a in arrays[1:]):
        raise HMRError('a sparse matrix whose data/indices/indptr are not numeric vectors')
    try:
        rebuilt = type(matrix)(tuple(a.copy() for a in arrays), shape=tuple(int(n) for n in shape))
        rebuilt.check_format(full_check=True)
    except (ValueError, TypeError, OverflowError) as e:
        raise HMRError('an invalid sparse matrix (%s)' % str(e).splitlines()[0])
    return rebuilt


def load_restricted_pickle(path, what='SMPL model', missing_hint='run `make models`, or pass --smpl_model_path'):
    """A dict from a chumpy-era pickle (SMPL model, MoSh fits), through the restricted unpickler."""
    try:
        with open(path, 'rb') as f:
            data = _RestrictedUnpickler(f, encoding='latin1').load()
    except (IOError, OSError) as e:
        raise HMRError('cannot read %s %s: %s (%s)' % (what, path, e.strerror or e, missing_hint))
    except _ForbiddenGlobal as e:
        raise HMRError('refusing to load %s %s: %s' % (what, path, e))
    except Exception as e:  # a truncated or foreign file fails inside pickle with any error type
        raise HMRError('%s %s is not a valid model pickle (%s: %s)' % (what, path, type(e).__name__, e))
    if not isinstance(data, dict):
        raise HMRError('%s %s holds a %s, not a dict of model arrays' % (what, path, type(data).__name__))
    try:
        return _plain(data)
    except HMRError as e:
        raise HMRError('refusing to load %s %s: it holds %s' % (what, path, e))


def load_smpl_pickle(path):
    """Return the SMPL model dict with NumPy arrays (dense) and SciPy sparse matrices, never chumpy;
    the arrays it has are checked to fit together (check_smpl_arrays)."""
    model = load_restricted_pickle(path)
    try:
        check_smpl_arrays(model)
    except HMRError as e:
        raise HMRError('SMPL model %s: %s' % (path, e))
    return model


def _shape(value):
    return tuple(getattr(value, 'shape', np.shape(value)))


def check_smpl_arrays(model):
    """HMRError unless the model's arrays have SMPL's shapes for one vertex count N: v_template N x 3,
    shapedirs N x 3 x B, posedirs N x 3 x 207, weights N x 24, J_regressor 24 x N, cocoplus_regressor
    K x N, kintree_table 2 x 24, faces F x 3 within [0, N); numeric and finite. Missing keys are left
    to the users (a model may lack the faces)."""
    template = model.get('v_template')
    if template is None or _shape(template)[1:] != (3,) or len(_shape(template)) != 2:
        raise HMRError('v_template must be an N x 3 array, got shape %s' % (_shape(template),))
    n = _shape(template)[0]
    wanted = {'shapedirs': lambda s: len(s) == 3 and s[:2] == (n, 3) and s[2] >= 1,
              'posedirs': lambda s: s == (n, 3, 207),
              'weights': lambda s: s == (n, 24),
              'J_regressor': lambda s: s == (24, n),
              'cocoplus_regressor': lambda s: len(s) == 2 and s[1] == n,
              'kintree_table': lambda s: s == (2, 24),
              'f': lambda s: len(s) == 2 and s[1] == 3}
    described = {'shapedirs': '%d x 3 x B' % n, 'posedirs': '%d x 3 x 207' % n, 'weights': '%d x 24' % n,
                 'J_regressor': '24 x %d' % n, 'cocoplus_regressor': 'K x %d' % n, 'kintree_table': '2 x 24',
                 'f': 'F x 3'}
    for key, fits in sorted(wanted.items()):
        if key not in model:
            continue
        value = model[key]
        if not fits(_shape(value)):
            raise HMRError('%s has shape %s, not %s (for the %d vertices of v_template)'
                           % (key, _shape(value), described[key], n))
    for key in ['v_template'] + sorted(k for k in wanted if k in model):
        values = model[key].data if scipy.sparse.issparse(model[key]) else np.asarray(model[key])
        if values.dtype.kind not in 'biuf' or not np.all(np.isfinite(values)):
            raise HMRError('%s must hold finite numbers' % key)
    if 'f' in model:
        faces = np.asarray(model['f'])
        if faces.dtype.kind not in 'iu' or faces.size and (faces.min() < 0 or faces.max() >= n):
            raise HMRError('faces must be vertex indices in [0, %d)' % n)


def read_face_file(face_path):
    """The F x 3 integer faces of a released-style smpl_faces.npy; a pickle in it is refused, not run."""
    if not os.path.isfile(face_path):
        raise HMRError('%s: no such mesh face file' % face_path)
    try:
        # A pickle in the file would be code: refused (NumPy 1.14 would run it by default).
        faces = np.load(face_path, allow_pickle=False)
    except (ValueError, IOError, OSError) as e:
        raise HMRError('%s is not a NumPy array of mesh faces (%s); pickled data is refused' % (
            face_path, str(e).strip().splitlines()[0]))
    if not isinstance(faces, np.ndarray):  # an .npz archive
        faces.close()
        raise HMRError('%s is a NumPy archive, not mesh faces (an F x 3 integer array)' % face_path)
    if faces.ndim != 2 or faces.shape[1] != 3 or faces.dtype.kind not in 'iu':
        raise HMRError('%s holds a %s array of shape %s, not mesh faces (an F x 3 integer array)' % (
            face_path, faces.dtype, faces.shape))
    return faces.astype(np.int64)


def mesh_faces(model, face_path=None):
    """The SMPL mesh's F x 3 faces: the model's own `f`, or where a model lacks it the released
    smpl_faces.npy at `face_path`; None when there is neither."""
    if 'f' in model:
        return np.asarray(model['f']).astype(np.int64)
    if face_path and os.path.exists(face_path):
        return read_face_file(face_path)
    return None
