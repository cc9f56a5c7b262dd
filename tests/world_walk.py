"""A synthetic walk of known answer for the world-frame tests: stance feet fixed on a floor (y = 0),
seen by a tilted, rolled camera, with HMR-like noise on the root translation."""
import numpy as np

from src.rotations import axis_angle_to_matrix
from src.world import foot_lock, kinematics

FPS = 30.
# An SMPL-like rest skeleton (metres, y up, facing +z, left = +x), the sole at y = 0.
REST = np.array([
    [0, .93, 0], [.06, .84, 0], [-.06, .84, 0], [0, 1.03, 0], [.1, .46, 0], [-.1, .46, 0], [0, 1.16, 0],
    [.09, .08, -.02], [-.09, .08, -.02], [0, 1.22, 0], [.11, .02, .11], [-.11, .02, .11], [0, 1.44, 0],
    [.07, 1.35, 0], [-.07, 1.35, 0], [0, 1.6, 0], [.17, 1.4, 0], [-.17, 1.4, 0], [.42, 1.4, 0],
    [-.42, 1.4, 0], [.67, 1.4, 0], [-.67, 1.4, 0], [.75, 1.4, 0], [-.75, 1.4, 0]])
HEIGHTS = REST[list(kinematics.FOOT_JOINTS), 1]
LEG_JOINTS = {1, 2, 4, 5, 7, 8, 10, 11}
UPPER = [j for j in range(24) if j not in LEG_JOINTS and j != 0]


def walk(frames=90, speed=1., cycle=30, stance=.6, rest=REST):
    """World-frame poses and trans of a walk along +z: each ankle rests on its footstep during its
    stance and swings in an arc to the next; the legs are solved to reach it; the arms swing. `rest`:
    the skeleton, its sole at y = 0; the pelvis goes 8 cm lower than in it, so that the legs reach."""
    pelvis_height = rest[0, 1] - .08
    poses = np.zeros((frames, 24, 3))
    poses[:, 4, 0] = poses[:, 5, 0] = .2  # knees a little bent, so that they bend the right way
    phase = np.arange(frames) / float(cycle)
    poses[:, 16, 0] = .4 * np.sin(2 * np.pi * phase)   # the arms swing
    poses[:, 17, 0] = -.4 * np.sin(2 * np.pi * phase)
    poses[:, 3, 1] = .1 * np.sin(2 * np.pi * phase)    # and the spine twists
    trans = np.stack([np.zeros(frames), np.full(frames, pelvis_height - rest[0, 1]),
                      speed * np.arange(frames) / FPS], axis=1)
    stride = speed * cycle / FPS
    ankles = np.zeros((frames, 2, 3))
    stance_flags = np.zeros((frames, 2), bool)
    for foot, (ankle, offset) in enumerate(((rest[7], 0.), (rest[8], .5))):
        local = (phase + offset) % 1.
        steps = np.floor(phase + offset)
        on = local < stance
        # Stance: the footstep under the pelvis mid-stance; swing: from one footstep to the next.
        swing = np.clip((local - stance) / (1 - stance), 0, 1)
        start = (steps - offset + stance / 2.) * stride
        z = np.where(on, start, start + swing * stride)
        y = ankle[1] + np.where(on, 0., .08 * np.sin(np.pi * swing))
        ankles[:, foot] = np.stack([np.full(frames, ankle[0]), y, z + ankle[2]], axis=1)
        stance_flags[:, foot] = on
    rotations = axis_angle_to_matrix(poses)
    for t in range(frames):
        glob, joints = kinematics.global_pose(rotations[t:t + 1], rest, trans[t:t + 1])
        for foot, (hip, knee, ankle, _) in enumerate(kinematics.LEGS):
            hip_turn, knee_turn = foot_lock.two_bone_ik(joints[0, hip], joints[0, knee], joints[0, ankle],
                                                        ankles[t, foot], glob[0, knee][:, 0])
            hip_global = hip_turn.dot(glob[0, hip])
            knee_global = hip_turn.dot(knee_turn).dot(glob[0, knee])
            rotations[t, hip] = glob[0, 0].T.dot(hip_global)
            rotations[t, knee] = hip_global.T.dot(knee_global)
            rotations[t, ankle] = knee_global.T.dot(glob[0, 0])  # feet level, pointing ahead
    return kinematics.to_poses(rotations), trans, stance_flags


def tilted_camera(position=(4., 1.6, 1.5), target=(0., .9, 1.5), roll_degrees=6.):
    """camera_from_world rotation and position: looking down at the walk from its side, rolled."""
    forward = np.subtract(target, position)
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0., 1., 0.])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    rotation = np.stack([right, down, forward])
    roll = axis_angle_to_matrix(np.radians(roll_degrees) * np.array([0., 0., 1.]))
    return roll.dot(rotation), np.asarray(position)


def seen_by(rotation, position, poses, trans, jitter=(.01, .02), seed=0, rest=REST):
    """The motion in the camera's frame, as HMR would give it: root turned, trans moved, plus noise."""
    poses = poses.copy()
    roots = axis_angle_to_matrix(poses[:, :3])
    poses[:, :3] = kinematics.to_poses(np.matmul(rotation, roots)[:, None])
    cam_trans = (rest[0] + trans - position).dot(rotation.T) - rest[0]
    rng = np.random.RandomState(seed)
    directions = rng.normal(size=trans.shape)
    noise = directions / np.linalg.norm(directions, axis=1, keepdims=True) * rng.uniform(*jitter, size=(len(trans), 1))
    return poses, cam_trans + noise, cam_trans


def walk_of_body(body, frames=60):
    """A walk of `body`'s rest shape (betas 0) standing on y = 0, seen by `tilted_camera` with HMR-like
    noise: (betas, rest joints with the sole at y = 0, world poses, world trans, camera-frame poses,
    noisy camera-frame trans)."""
    betas = np.zeros(body.num_betas)
    rest_verts, rest_joints = body.rest(betas)
    sole = np.array([0., rest_verts[:, 1].min(), 0.])
    poses, trans, _ = walk(frames=frames, rest=rest_joints - sole)  # the walk's floor is the sole's y = 0
    rotation, position = tilted_camera()
    cam_poses, noisy, _ = seen_by(rotation, position, poses, trans - sole, rest=rest_joints)
    return betas, rest_joints - sole, poses, trans, cam_poses, noisy
