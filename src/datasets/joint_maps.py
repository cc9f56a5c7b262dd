"""Reordering keypoints between the joint orders of src.joints (by joint name).

Each converter keeps its dataset's own joint order as a named list; this turns such arrays into the
training order (LSP-14 or COCO+ 19), with zeros for the joints a dataset does not annotate.
"""
import numpy as np


def reorder(points, source, target, fill=0.):
    """points: K x D in the order `source` (list of names) -> len(target) x D in the order `target`;
    target joints missing from `source` get `fill` in every column."""
    points = np.asarray(points, dtype=np.float64)
    out = np.full((len(target),) + points.shape[1:], fill, dtype=np.float64)
    for i, name in enumerate(target):
        if name in source:
            out[i] = points[source.index(name)]
    return out
