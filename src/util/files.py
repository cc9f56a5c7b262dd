"""Writing files whole or not at all: every output of the project (demo results, figures, evaluation
reports, run parameters, animations) goes through `atomic_file`, so an interrupted or failed write
leaves the previous file or none, never half of one."""
import contextlib
import io
import json
import os
import tempfile

import numpy as np

from ..errors import HMRError
from .names import one_line


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path, mode='w'):
    """An open file that becomes `path` only when the block ends without an error: it is written
    under a unique temporary name in the same folder (made with O_EXCL, so a file or symlink planted
    there is never followed, and two runs writing one path never share it) and renamed over `path`,
    or removed. Text is UTF-8 whatever the locale. The file gets the usual mode, 0666 less the umask."""
    folder = os.path.dirname(path)
    temporary = None
    try:
        if folder and not os.path.isdir(folder):
            os.makedirs(folder)
        handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp',
                                             dir=folder or '.')
        with os.fdopen(handle, mode, **({} if 'b' in mode else {'encoding': 'utf-8'})) as f:
            yield f
            os.fchmod(f.fileno(), 0o666 & ~_umask())
        os.replace(temporary, path)
        temporary = None
    except (IOError, OSError) as e:
        raise HMRError('cannot write %s: %s' % (path, e.strerror or e))
    finally:
        if temporary is not None and os.path.lexists(temporary):
            os.remove(temporary)


def _obj_lines(prefix, rows, fmt):
    rows = np.asarray(rows)
    return ((prefix + fmt + '\n') * len(rows)) % tuple(rows.ravel())


# The face lines of recent (faces, first vertex) pairs: every mesh of a run has SMPL's faces, and
# formatting them is most of an OBJ's cost.
_FACE_LINES = {}
_FACE_LINES_KEPT = 8


def _face_lines(faces, first_vertex):
    key = (faces.tobytes(), faces.shape, first_vertex)
    if key not in _FACE_LINES:
        if len(_FACE_LINES) >= _FACE_LINES_KEPT:
            _FACE_LINES.clear()
        _FACE_LINES[key] = _obj_lines('f ', faces + first_vertex, ' '.join(['%d'] * 3))
    return _FACE_LINES[key]


def write_obj(path, meshes, faces, header):
    """Wavefront OBJ of one or several meshes (`meshes`: V x 3 or a list of them, all with `faces`),
    one object `person<i>` each, 1-based faces; `header` lines become comments. Written atomically."""
    if np.ndim(meshes) == 2:
        meshes = [meshes]
    faces = np.asarray(faces)
    parts = ['# %s\n' % one_line(line) for line in header]
    for i, verts in enumerate(meshes):
        if len(meshes) > 1:
            parts.append('o person%d\n' % i)
        parts.append(_obj_lines('v ', verts, ' '.join(['%.6f'] * 3)))
        parts.append(_face_lines(faces, 1 + i * len(verts)))
    write_text(path, ''.join(parts))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def write_text(path, text):
    """Write `text` to `path` whole or not at all."""
    with atomic_file(path) as f:
        f.write(text)


def write_bytes(path, data):
    with atomic_file(path, 'wb') as f:
        f.write(data)


def write_json(path, data, indent=1):
    """`data` (NumPy arrays and scalars included) as sorted JSON, written atomically; NaN and infinity
    are refused (they are not JSON)."""
    try:
        text = json.dumps(_jsonable(data), indent=indent, sort_keys=True, allow_nan=False)
    except ValueError:
        raise HMRError('cannot write %s: the values hold NaN or infinity, which JSON cannot' % path)
    write_text(path, text)


def write_png(path, image, compress_level=6):
    """An RGB(A) uint8 image as PNG, written atomically."""
    # Imported here: the animation exports use this module in an environment without Pillow.
    from PIL import Image
    with atomic_file(path, 'wb') as f:
        Image.fromarray(np.asarray(image, dtype=np.uint8)).save(f, format='PNG', compress_level=compress_level)


def write_npz(path, arrays):
    """NumPy arrays (no objects: readers load them with allow_pickle=False), written atomically.

    Made in memory first: a zip file that fails writing (a full disk) into the open file would be
    closed again by the garbage collector after the file, and print a traceback."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes(path, buffer.getbuffer())
