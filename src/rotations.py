"""Rotation conversions through SciPy's `Rotation`, on SciPy 1.2 (legacy runtime) and current SciPy.

SciPy 1.4 renamed the matrix methods (`from_dcm`/`as_dcm` -> `from_matrix`/`as_matrix`) and 1.6 removed
the old names; this module is the one place that knows. Arrays keep their leading shape.
"""
import warnings

import numpy as np
from scipy.spatial.transform import Rotation

_HAS_MATRIX_NAMES = hasattr(Rotation, 'as_matrix')


def _from_matrix(matrices):
    flat = np.asarray(matrices, np.float64).reshape(-1, 3, 3)
    return Rotation.from_matrix(flat) if _HAS_MATRIX_NAMES else Rotation.from_dcm(flat)


def axis_angle_to_matrix(axis_angle):
    """(..., 3) axis-angle vectors (angle = norm, radians) -> (..., 3, 3) rotation matrices."""
    axis_angle = np.asarray(axis_angle, np.float64)
    rotation = Rotation.from_rotvec(axis_angle.reshape(-1, 3))
    matrices = rotation.as_matrix() if _HAS_MATRIX_NAMES else rotation.as_dcm()
    return matrices.reshape(axis_angle.shape[:-1] + (3, 3))


def matrix_to_quaternion(matrices):
    """(..., 3, 3) -> (..., 4) unit quaternions, scalar last (x, y, z, w) as glTF stores them."""
    matrices = np.asarray(matrices)
    return _from_matrix(matrices).as_quat().reshape(matrices.shape[:-2] + (4,))


def matrix_to_euler(matrices, order):
    """(..., 3, 3) -> (..., 3) angles in degrees for `order` (SciPy's: upper case = intrinsic, so 'ZXY'
    gives (z, x, y) with R = Rz(z) Rx(x) Ry(y))."""
    matrices = np.asarray(matrices)
    with warnings.catch_warnings():
        # At gimbal lock SciPy sets the third angle to zero; the angles still give the same matrix.
        warnings.simplefilter('ignore', UserWarning)
        angles = _from_matrix(matrices).as_euler(order, degrees=True)
    return angles.reshape(matrices.shape[:-2] + (3,))



def matrix_to_axis_angle(matrices):
    """(..., 3, 3) rotation matrices -> (..., 3) axis-angle vectors."""
    matrices = np.asarray(matrices)
    return _from_matrix(matrices).as_rotvec().reshape(matrices.shape[:-2] + (3,))
