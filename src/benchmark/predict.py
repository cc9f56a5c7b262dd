"""Running a restored RunModel over any number of images with its fixed batch size."""
import os

import numpy as np

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
        if count < batch_size:
            batch = np.concatenate([batch, np.zeros((batch_size - count,) + batch.shape[1:], batch.dtype)])
        results = model.predict_dict(batch)
        for k in KEYS:
            chunks[k].append(results[k][:count])
        if progress is not None:
            progress(count)
    return {k: np.concatenate(v) for k, v in chunks.items()}


def predict_cached(model, images, cache_path, progress=None):
    """predict_all, kept in `cache_path` (NPZ) so an interrupted or repeated evaluation does not run the
    model again: the file is reused when it holds the same checkpoint's predictions for as many images,
    and written atomically otherwise."""
    index = model.load_path + '.index'
    checkpoint = '%s@%d' % (os.path.abspath(model.load_path), os.path.getmtime(index) if os.path.exists(index) else 0)
    if os.path.isfile(cache_path):
        with np.load(cache_path) as cached:
            if str(cached['load_path']) == checkpoint and len(cached['theta']) == len(images):
                if progress is not None:
                    progress(len(images))
                return {k: cached[k] for k in KEYS}
    predictions = predict_all(model, images, progress)
    folder = os.path.dirname(cache_path)
    if folder and not os.path.isdir(folder):
        os.makedirs(folder)
    with open(cache_path + '.tmp', 'wb') as f:
        np.savez(f, load_path=checkpoint, **predictions)
    os.replace(cache_path + '.tmp', cache_path)
    return predictions
