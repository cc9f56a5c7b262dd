"""SMPL's skeleton without the mesh: forward kinematics of the 24 joints from axis-angle poses, the
rest joints and a translation (the joints SMPL(pose, betas) + trans has), in NumPy."""
import numpy as np

from ..rotations import axis_angle_to_matrix, matrix_to_axis_angle

SMPL_PARENTS = (-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21)
# The joints the floor and the foot lock look at (SMPL24 indices).
LEFT_HIP, RIGHT_HIP, LEFT_KNEE, RIGHT_KNEE, LEFT_ANKLE, RIGHT_ANKLE, LEFT_TOE, RIGHT_TOE = 1, 2, 4, 5, 7, 8, 10, 11
FOOT_JOINTS = (LEFT_ANKLE, LEFT_TOE, RIGHT_ANKLE, RIGHT_TOE)  # the order of the contacts' columns
LEGS = ((LEFT_HIP, LEFT_KNEE, LEFT_ANKLE, LEFT_TOE), (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE, RIGHT_TOE))


def global_pose(rotations, rest_joints, trans, parents=SMPL_PARENTS):
    """(T, 24, 3, 3) local rotations, rest joints (24, 3), trans (T, 3) -> (global rotations (T, 24, 3, 3),
    joint positions (T, 24, 3))."""
    glob = np.empty_like(rotations)
    positions = np.empty(rotations.shape[:2] + (3,))
    glob[:, 0] = rotations[:, 0]
    positions[:, 0] = rest_joints[0] + trans
    for j in range(1, len(parents)):
        p = parents[j]
        glob[:, j] = np.matmul(glob[:, p], rotations[:, j])
        positions[:, j] = positions[:, p] + np.einsum('tab,b->ta', glob[:, p], rest_joints[j] - rest_joints[p])
    return glob, positions


def joints(poses, rest_joints, trans, parents=SMPL_PARENTS):
    """(T, 72) axis-angle poses -> (T, 24, 3) joint positions."""
    poses = np.asarray(poses, np.float64)
    return global_pose(axis_angle_to_matrix(poses.reshape(len(poses), -1, 3)), rest_joints, trans, parents)[1]


def to_poses(rotations):
    """(T, 24, 3, 3) local rotations -> (T, 72) axis-angle poses."""
    return matrix_to_axis_angle(rotations).reshape(len(rotations), -1)


def sole_heights(rest_verts, rest_joints):
    """Height of each of FOOT_JOINTS above the sole (the lowest vertex) in SMPL's upright rest pose."""
    return rest_joints[list(FOOT_JOINTS), 1] - rest_verts[:, 1].min()
