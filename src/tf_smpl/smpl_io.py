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

    def to_array(self):
        if not isinstance(self.state, dict) or 'x' not in self.state:
            raise HMRError('SMPL model file holds a chumpy object without an array (no "x" field)')
        return np.asarray(_plain(self.state['x']))


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


def _plain(value):
    """Replace chumpy stand-ins by arrays, recursively through containers."""
    if isinstance(value, _ChumpyArray):
        return value.to_array()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


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
    return _plain(data)


def load_smpl_pickle(path):
    """Return the SMPL model dict with NumPy arrays (dense) and SciPy sparse matrices, never chumpy."""
    return load_restricted_pickle(path)


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
