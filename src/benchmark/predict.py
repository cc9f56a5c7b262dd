"""Running a restored RunModel over any number of images with its fixed batch size."""
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
