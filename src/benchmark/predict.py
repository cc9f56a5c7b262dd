"""Running a restored RunModel over any number of images with its fixed batch size."""
import hashlib
import os
import zipfile
from glob import glob

import numpy as np

from ..backends.common import fill_batch
from ..util.files import write_npz

KEYS = ('joints', 'verts', 'cams', 'joints3d', 'theta')


def predict_all(model, images, progress=None):
    """RunModel predictions for `images` (N x S x S x 3), the last batch padded with zeros as the
    released evaluation did. Returns a dict of N-row arrays with the keys of RunModel.predict_dict.
    `progress` (optional) is called with the number of images done after each batch."""
    batch_size = model.batch_size
    chunks = {k: [] for k in KEYS}
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size]
        count = len(batch)
        results = model.predict_dict(fill_batch(batch, batch_size))
        for k in KEYS:
            chunks[k].append(results[k][:count])
        if progress is not None:
            progress(count)
    return {k: np.concatenate(v) for k, v in chunks.items()}


# {(path, inode, size, mtime, ctime): SHA-256 of the file}: a checkpoint is hashed once per run, not
# once per sequence. Any write changes the ctime, which no one can set back.
_FILE_DIGESTS = {}


def file_digest(path):
    """SHA-256 of the file at `path`."""
    stat = os.stat(path)
    known = (os.path.abspath(path), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if known not in _FILE_DIGESTS:
        digest = hashlib.sha256()
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                digest.update(block)
        _FILE_DIGESTS[known] = digest.hexdigest()
    return _FILE_DIGESTS[known]


def prediction_key(model, images):
    """A digest of everything the predictions depend on: the checkpoint's index and data files, the
    SMPL model, the graph's settings and the images themselves (not their paths or times)."""
    digest = hashlib.sha256()
    checkpoint = [model.load_path + '.index'] + sorted(glob(model.load_path + '.data-*'))
    for path in checkpoint + [model.smpl_model_path]:
        digest.update(file_digest(path).encode())
    images = np.ascontiguousarray(images)
    digest.update(repr((model.num_stage, model.joint_type, model.model_type, images.dtype.str,
                        images.shape)).encode())
    digest.update(memoryview(images.reshape(-1).view(np.uint8)))
    return digest.hexdigest()


def _read_cache(cache_path, key):
    """The predictions kept in cache_path for `key`, or None. Never unpickles: a file holding pickled
    objects, a truncated one or one of other inputs is ignored (and then replaced)."""
    try:
        with np.load(cache_path, allow_pickle=False) as cached:
            if 'key' in cached.files and str(cached['key']) == key:
                return {k: cached[k] for k in KEYS}
    except (ValueError, KeyError, IOError, OSError, EOFError, zipfile.BadZipfile):
        pass
    return None


def predict_cached(model, images, cache_path, progress=None):
    """predict_all, kept in `cache_path` (NPZ) so an interrupted or repeated evaluation does not run the
    model again: the file is reused when it was made from the same checkpoint content, SMPL model and
    images (see prediction_key), and written atomically otherwise."""
    key = prediction_key(model, images)
    if os.path.isfile(cache_path):
        cached = _read_cache(cache_path, key)
        if cached is not None:
            if progress is not None:
                progress(len(images))
            return cached
    predictions = predict_all(model, images, progress)
    write_npz(cache_path, dict(predictions, key=key))
    return predictions
