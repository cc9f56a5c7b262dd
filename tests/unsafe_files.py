"""Crafted files that run code when unpickled: each creates a marker file if anything unpickles it."""
import os
import pickle

import numpy as np


class WritesMarker(object):
    """Unpickling this calls open(marker, 'w'), which creates the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, 'w')


def _object_array(marker):
    array = np.empty(1, dtype=object)
    array[0] = WritesMarker(marker)
    return array


def pickle_bearing_npy(path, marker):
    """A .npy of an object array (NumPy pickles its items)."""
    with open(path, 'wb') as f:
        np.save(f, _object_array(marker), allow_pickle=True)
    return path


def pickle_bearing_npz(path, marker, keys=('arr_0',)):
    """A .npz whose every member is an object array."""
    with open(path, 'wb') as f:
        np.savez(f, **dict((k, _object_array(marker)) for k in keys))
    return path


def plain_pickle(path, marker):
    """A bare pickle (np.load falls back to unpickling a file without the .npy magic)."""
    with open(path, 'wb') as f:
        pickle.dump(WritesMarker(marker), f, protocol=2)
    return path


def assert_no_marker(marker):
    assert not os.path.exists(marker), 'a crafted pickle was executed: %s exists' % marker
