"""Planted feet: during a contact each foot stays where it landed.

For every run of frames in which a foot joint touches the floor, its anchor is the median of its
positions over the run (where it landed, robust to per-frame noise). Each frame, the root is moved by
the mean of the contact feet's offsets to their anchors (frames without a contact take it
interpolated between their neighbours), which removes the noise HMR's per-frame translation puts
into the whole body; what remains is closed by an analytic two-bone IK of each contact leg (hip and
knee rotations), the foot keeping its orientation. No other joint's rotation changes.
"""
import numpy as np

from ..rotations import axis_angle_to_matrix
from . import kinematics

# The knee is never straightened beyond this fraction of the leg's full length.
MAX_REACH = .999


def _runs(flags):
    """(start, stop) of each run of True in `flags`."""
    edges = np.flatnonzero(np.diff(np.hstack([0, flags.astype(np.int8), 0])))
    return zip(edges[::2], edges[1::2])


def anchors(positions, contacts):
    """(T, 4, 3) targets of the foot joints (NaN outside contacts): each run's median position."""
    targets = np.full(positions.shape, np.nan)
    for k in range(contacts.shape[1]):
        for start, stop in _runs(contacts[:, k]):
            targets[start:stop, k] = np.median(positions[start:stop, k], axis=0)
    return targets


def foot_offsets(positions, targets, contacts):
    """(T, 2, 3) how far each foot must move (the ankle's offset if it touches, else the toe's) and
    (T, 2) whether it is planted."""
    offsets = np.zeros(positions.shape[:1] + (2, 3))
    planted = np.zeros(positions.shape[:1] + (2,), bool)
    for foot in range(2):
        ankle, toe = 2 * foot, 2 * foot + 1
        for joint in (toe, ankle):  # the ankle wins when both touch
            on = contacts[:, joint]
            offsets[on, foot] = targets[on, joint] - positions[on, joint]
            planted[on, foot] = True
    return offsets, planted


def root_correction(offsets, planted):
    """(T, 3): the mean offset of the planted feet, interpolated over frames with none."""
    count = planted.sum(axis=1)
    frames = np.flatnonzero(count)
    mean = (offsets * planted[..., None]).sum(axis=1)[frames] / count[frames, None]
    every = np.arange(len(offsets))
    return np.stack([np.interp(every, frames, mean[:, c]) for c in range(3)], axis=1)


def _rotation_between(a, b):
    """Rotation matrix turning direction a onto direction b (shortest arc)."""
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    axis = np.cross(a, b)
    sin, cos = np.linalg.norm(axis), np.clip(a.dot(b), -1., 1.)
    if sin < 1e-12:
        return np.eye(3)
    return axis_angle_to_matrix(axis / sin * np.arctan2(sin, cos))


def two_bone_ik(hip, knee, ankle, target, knee_axis):
    """Rotations (hip_turn, knee_turn), global, that bring `ankle` to `target` (or as near as the
    leg reaches): the knee bends about the leg's plane normal to make the hip-ankle distance right,
    then the hip turns the leg onto the target. `knee_axis` is the bend axis when the leg is straight."""
    thigh, shin = np.linalg.norm(knee - hip), np.linalg.norm(ankle - knee)
    reach = np.clip(np.linalg.norm(target - hip), abs(thigh - shin) + 1e-6, MAX_REACH * (thigh + shin))
    wanted = np.arccos(np.clip((thigh ** 2 + shin ** 2 - reach ** 2) / (2 * thigh * shin), -1., 1.))
    u, v = hip - knee, ankle - knee
    now = np.arccos(np.clip(u.dot(v) / (thigh * shin), -1., 1.))
    axis = np.cross(u, v)
    axis = axis / np.linalg.norm(axis) if np.linalg.norm(axis) > 1e-9 else knee_axis
    # Turning v about u x v by a positive angle opens the knee's angle between u and v.
    knee_turn = axis_angle_to_matrix(axis * (wanted - now))
    new_ankle = knee + knee_turn.dot(v)
    return _rotation_between(new_ankle - hip, target - hip), knee_turn


def lock(poses, trans, rest_joints, contacts):
    """Poses (T, 72) and trans (T, 3) with the contact feet planted (see the module)."""
    if not contacts.any():
        return poses, trans
    feet = list(kinematics.FOOT_JOINTS)
    positions = kinematics.joints(poses, rest_joints, trans)[:, feet]
    targets = anchors(positions, contacts)
    offsets, planted = foot_offsets(positions, targets, contacts)
    trans = trans + root_correction(offsets, planted)
    rotations = axis_angle_to_matrix(poses.reshape(len(poses), -1, 3))
    glob, joints = kinematics.global_pose(rotations, rest_joints, trans)
    parents = kinematics.SMPL_PARENTS
    for t in np.flatnonzero(planted.any(axis=1)):
        for foot, (hip, knee, ankle, toe) in enumerate(kinematics.LEGS):
            if not planted[t, foot]:
                continue
            joint = 2 * foot if contacts[t, 2 * foot] else 2 * foot + 1
            # The ankle's target: where it must be for the touching joint to reach its anchor.
            target = joints[t, ankle] + targets[t, joint] - joints[t, feet[joint]]
            hip_turn, knee_turn = two_bone_ik(joints[t, hip], joints[t, knee], joints[t, ankle], target,
                                              glob[t, knee][:, 0])
            hip_global = hip_turn.dot(glob[t, hip])
            knee_global = hip_turn.dot(knee_turn).dot(glob[t, knee])
            rotations[t, hip] = glob[t, parents[hip]].T.dot(hip_global)
            rotations[t, knee] = hip_global.T.dot(knee_global)
            rotations[t, ankle] = knee_global.T.dot(glob[t, ankle])  # the foot keeps its orientation
    return kinematics.to_poses(rotations), trans
