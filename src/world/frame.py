"""The floor and a gravity-aligned world frame for a static camera, from one body's motion.

1. Contacts: a foot joint (ankle or toe) touches the floor on frames where it is slow (speed of its
   position smoothed over a few frames below CONTACT_SPEED) and low (within CONTACT_HEIGHT of the
   floor, once a floor is known).
2. Floor: the plane n . p = d (n up, unit) that the slow foot joints lie on, each at its own height
   above the sole, fitted by SciPy's least_squares with a robust (soft L1) loss, so that a foot
   swinging slowly at the top of its arc does not pull it; a weak prior towards the body's mean up
   direction (pelvis to neck) keeps a person who stands still (contacts all at one place) upright.
3. World frame: Y = n up, Z = the camera's backward direction along the floor, X = Y x Z (camera's
   right), metres, the floor at y = 0 and the origin under the camera.
"""
import collections

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.optimize import least_squares

from ..errors import HMRError
from ..rotations import axis_angle_to_matrix
from . import foot_lock, kinematics

CONTACT_SPEED = .35      # m/s: a walking foot's swing is several times faster
CONTACT_HEIGHT = .05     # m above the joint's standing height
SMOOTH_SECONDS = .2      # positions averaged over this long before the speed is taken
ROBUST_SCALE = .02       # m: residuals beyond this count linearly (soft L1)
UP_PRIOR = .3            # weight of the body's up direction against the contacts (unitless vs metres)
NECK, PELVIS = 12, 0

WorldMotion = collections.namedtuple('WorldMotion', [
    'poses', 'trans', 'joints', 'contacts', 'floor', 'world_from_camera', 'skate_before_mm', 'skate_after_mm'])
WorldMotion.__doc__ = """One body's motion in the world frame.

poses (T, 72) and trans (T, 3): SMPL parameters with SMPL(pose, betas) + trans in the world frame (the
root rotation and the translation changed; with the foot lock also the legs' rotations); joints
(T, 24, 3): their SMPL joints; contacts (T, 4) bool: left ankle, left toe, right ankle, right toe;
floor (4,): a, b, c, e with a x + b y + c z + e = 0 in camera coordinates, (a, b, c) unit and up;
world_from_camera (4, 4); skate_*_mm: mean slide of contact joints in mm per frame, before and after
the foot lock (equal without it)."""


def speeds(positions, fps):
    """(T, K, 3) positions -> (T, K) speeds in m/s of the positions averaged over SMOOTH_SECONDS."""
    window = max(1, int(round(SMOOTH_SECONDS * fps)))
    smooth = uniform_filter1d(positions, window, axis=0, mode='nearest')
    if len(positions) < 2:
        return np.zeros(positions.shape[:2])
    return np.linalg.norm(np.gradient(smooth, axis=0), axis=-1) * fps


def _unit(v):
    return v / np.linalg.norm(v)


def fit_floor(points, heights, up_prior):
    """The plane (n, d), n . p = d, n unit and up, that `points` (N x 3, camera frame) lie `heights`
    (N,) above, robustly, with a weak pull of n towards `up_prior`."""
    up_prior = _unit(up_prior)

    def residuals(params):
        n = params[:3] / np.linalg.norm(params[:3])
        return np.hstack([points.dot(n) - heights - params[3], UP_PRIOR * (n - up_prior),
                          np.linalg.norm(params[:3]) - 1.])  # the last fixes the scale of the free vector

    start = np.hstack([up_prior, np.median(points.dot(up_prior) - heights)])
    fit = least_squares(residuals, start, loss='soft_l1', f_scale=ROBUST_SCALE)
    return _unit(fit.x[:3]), fit.x[3]


def world_from_camera_matrix(normal, d):
    """4 x 4: camera coordinates -> world (Y = normal, Z backwards along the floor, origin under the camera)."""
    back = -np.array([0., 0., 1.])
    back = _unit(back - back.dot(normal) * normal)
    right = np.cross(normal, back)
    matrix = np.eye(4)
    matrix[:3, :3] = np.stack([right, normal, back])
    matrix[1, 3] = -d
    return matrix


def contact_flags(positions, heights, fps, normal=None, d=None):
    """(T, 4) contacts of the foot joints `positions` (T, 4, 3): slow and, given a floor, low."""
    slow = speeds(positions, fps) < CONTACT_SPEED
    if normal is None:
        return slow
    return slow & (positions.dot(normal) - d - heights < CONTACT_HEIGHT)


def find_floor(joints, heights, fps):
    """(normal, d, contacts) from camera-frame SMPL joints (T, 24, 3) and the foot joints' heights
    above the sole (4,)."""
    feet = joints[:, list(kinematics.FOOT_JOINTS)]
    up = np.mean(joints[:, NECK] - joints[:, PELVIS], axis=0)
    slow = contact_flags(feet, heights, fps)
    if not slow.any():
        raise HMRError('no foot ever rests on the floor (the feet never slow down): cannot find the floor')
    normal, d = fit_floor(feet[slow], np.broadcast_to(heights, slow.shape)[slow], up)
    contacts = contact_flags(feet, heights, fps, normal, d)
    if contacts.any():  # once more, on the contacts alone (the slow frames up in the air left out)
        normal, d = fit_floor(feet[contacts], np.broadcast_to(heights, contacts.shape)[contacts], up)
        contacts = contact_flags(feet, heights, fps, normal, d)
    return normal, d, contacts


def skate_mm(joints, contacts):
    """Mean slide, mm per frame, of the foot joints over consecutive frames both in contact."""
    feet = joints[:, list(kinematics.FOOT_JOINTS)]
    both = contacts[1:] & contacts[:-1]
    if not both.any():
        return 0.
    return float(np.linalg.norm(np.diff(feet, axis=0), axis=-1)[both].mean() * 1000.)


def world_motion(poses, trans, rest_joints, heights, fps, lock_feet=True, floor=None):
    """One body's motion (camera frame: poses (T, 72), trans (T, 3), its rest joints (24, 3) and its
    foot joints' heights above the sole (4,), see kinematics.sole_heights) in the world frame, at
    `fps` frames per second; `floor` (4,), a plane as WorldMotion.floor, is used instead of fitting one
    (e.g. another person's in the same footage). Returns a WorldMotion."""
    poses, trans = np.asarray(poses, np.float64), np.asarray(trans, np.float64)
    rest_joints, heights = np.asarray(rest_joints, np.float64), np.asarray(heights, np.float64)
    joints = kinematics.joints(poses, rest_joints, trans)
    if floor is None:
        normal, d, contacts = find_floor(joints, heights, fps)
    else:
        normal, d = np.asarray(floor[:3], np.float64), -float(floor[3])
        contacts = contact_flags(joints[:, list(kinematics.FOOT_JOINTS)], heights, fps, normal, d)
    matrix = world_from_camera_matrix(normal, d)
    rotation, offset = matrix[:3, :3], matrix[:3, 3]
    roots = axis_angle_to_matrix(poses[:, :3])
    world_poses = poses.copy()
    world_poses[:, :3] = kinematics.to_poses(np.matmul(rotation, roots)[:, None])
    world_trans = (rest_joints[0] + trans).dot(rotation.T) + offset - rest_joints[0]
    world_joints = joints.dot(rotation.T) + offset
    before = skate_mm(world_joints, contacts)
    if lock_feet:
        world_poses, world_trans = foot_lock.lock(world_poses, world_trans, rest_joints, contacts)
        world_joints = kinematics.joints(world_poses, rest_joints, world_trans)
    return WorldMotion(world_poses, world_trans, world_joints, contacts, np.hstack([normal, -d]), matrix,
                       before, skate_mm(world_joints, contacts))


def world_motion_of_body(body, betas, poses, trans, fps, lock_feet=True, floor=None):
    """world_motion for a src.body_model.BodyModel of shape `betas`."""
    rest_verts, rest_joints = body.rest(betas)
    return world_motion(poses, trans, rest_joints, kinematics.sole_heights(rest_verts, rest_joints), fps,
                        lock_feet, floor)


def export_inputs(poses, trans, rest_root):
    """World-frame poses and trans as src.export's writers take them: they turn the camera frame by
    C = diag(1, -1, -1) (root rotation C R, root position C (J_root + trans)); given these, they write
    the world frame itself. `rest_root`: the body's rest root joint (3,)."""
    turn = np.diag([1., -1., -1.])
    poses = np.array(poses, np.float64)
    poses[:, :3] = kinematics.to_poses(np.matmul(turn, axis_angle_to_matrix(poses[:, :3]))[:, None])
    return poses, (rest_root + np.asarray(trans)).dot(turn) - rest_root
