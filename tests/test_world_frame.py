"""The floor, the world frame and the foot lock (src/world/frame.py, foot_lock.py) on synthetic motion
of known answer: a walk whose stance feet are fixed on a floor, seen by a tilted, rolled camera, with
1-2 cm of noise on the root each frame (HMR's per-frame translation noise); and a person standing."""
import numpy as np
import pytest

from src.rotations import axis_angle_to_matrix
from src.world import foot_lock, kinematics
from src.world.frame import world_motion

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


def walk(frames=90, speed=1., cycle=30, stance=.6, pelvis_height=.85):
    """World-frame poses and trans of a walk along +z: each ankle rests on its footstep during its
    stance and swings in an arc to the next; the legs are solved to reach it; the arms swing."""
    poses = np.zeros((frames, 24, 3))
    poses[:, 4, 0] = poses[:, 5, 0] = .2  # knees a little bent, so that they bend the right way
    phase = np.arange(frames) / float(cycle)
    poses[:, 16, 0] = .4 * np.sin(2 * np.pi * phase)   # the arms swing
    poses[:, 17, 0] = -.4 * np.sin(2 * np.pi * phase)
    poses[:, 3, 1] = .1 * np.sin(2 * np.pi * phase)    # and the spine twists
    trans = np.stack([np.zeros(frames), np.full(frames, pelvis_height - REST[0, 1]),
                      speed * np.arange(frames) / FPS], axis=1)
    stride = speed * cycle / FPS
    ankles = np.zeros((frames, 2, 3))
    stance_flags = np.zeros((frames, 2), bool)
    for foot, (side, offset) in enumerate(((.09, 0.), (-.09, .5))):
        local = (phase + offset) % 1.
        steps = np.floor(phase + offset)
        on = local < stance
        # Stance: the footstep under the pelvis mid-stance; swing: from one footstep to the next.
        swing = np.clip((local - stance) / (1 - stance), 0, 1)
        start = (steps - offset + stance / 2.) * stride
        z = np.where(on, start, start + swing * stride)
        y = REST[7, 1] + np.where(on, 0., .08 * np.sin(np.pi * swing))
        ankles[:, foot] = np.stack([np.full(frames, side), y, z + REST[7, 2]], axis=1)
        stance_flags[:, foot] = on
    rotations = axis_angle_to_matrix(poses)
    for t in range(frames):
        glob, joints = kinematics.global_pose(rotations[t:t + 1], REST, trans[t:t + 1])
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


def seen_by(rotation, position, poses, trans, jitter=(.01, .02), seed=0):
    """The motion in the camera's frame, as HMR would give it: root turned, trans moved, plus noise."""
    poses = poses.copy()
    roots = axis_angle_to_matrix(poses[:, :3])
    poses[:, :3] = kinematics.to_poses(np.matmul(rotation, roots)[:, None])
    cam_trans = (REST[0] + trans - position).dot(rotation.T) - REST[0]
    rng = np.random.RandomState(seed)
    directions = rng.normal(size=trans.shape)
    noise = directions / np.linalg.norm(directions, axis=1, keepdims=True) * rng.uniform(*jitter, size=(len(trans), 1))
    return poses, cam_trans + noise, cam_trans


def angle_degrees(a, b):
    return np.degrees(np.arccos(np.clip(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b), -1, 1)))


@pytest.fixture(scope='module')
def walked():
    poses, trans, stance = walk()
    rotation, position = tilted_camera()
    cam_poses, noisy, clean = seen_by(rotation, position, poses, trans)
    return poses, trans, stance, rotation, cam_poses, noisy, clean


def test_the_synthetic_walk_keeps_its_stance_feet_still(walked):
    poses, trans, stance = walked[:3]
    ankles = kinematics.joints(poses, REST, trans)[:, [7, 8]]
    still = stance[1:] & stance[:-1]
    assert np.linalg.norm(np.diff(ankles, axis=0), axis=-1)[still].max() < 1e-4
    assert np.abs(ankles[:, :, 1][stance] - REST[7, 1]).max() < 1e-6  # on the floor


def test_the_floor_is_found_under_a_tilted_camera(walked):
    _, _, stance, rotation, cam_poses, noisy, _ = walked
    motion = world_motion(cam_poses, noisy, REST, HEIGHTS, FPS)
    up_in_camera = rotation.dot([0., 1., 0.])
    error = angle_degrees(motion.floor[:3], up_in_camera)
    print('floor normal error %.2f degrees; camera height %.3f m (true 1.6)' % (error, motion.floor[3]))
    assert error < 2.
    assert motion.floor[3] == pytest.approx(1.6, abs=.03)
    np.testing.assert_allclose(motion.world_from_camera[:3, :3].dot(motion.world_from_camera[:3, :3].T),
                               np.eye(3), atol=1e-9)
    # Most stance frames of the ankles are found as contacts, and no swing frame is.
    ankle_contacts = motion.contacts[:, [0, 2]]
    assert (ankle_contacts & stance).sum() > .7 * stance.sum()
    assert not (ankle_contacts & ~stance).any()


def test_locked_feet_stay_put_and_the_rest_of_the_body_moves_little(walked):
    _, _, _, _, cam_poses, noisy, clean = walked
    motion = world_motion(cam_poses, noisy, REST, HEIGHTS, FPS)
    free = world_motion(cam_poses, noisy, REST, HEIGHTS, FPS, lock_feet=False)
    print('foot skate %.1f mm/frame before, %.1f after' % (motion.skate_before_mm, motion.skate_after_mm))
    assert motion.skate_before_mm > 10.
    assert motion.skate_after_mm <= 5.
    assert free.skate_after_mm == free.skate_before_mm
    # Only the legs' rotations change; the upper body moves with the root, by about the noise.
    rotations = motion.poses.reshape(-1, 24, 3)
    np.testing.assert_allclose(rotations[:, UPPER], free.poses.reshape(-1, 24, 3)[:, UPPER], atol=1e-9)
    moved = np.linalg.norm(motion.joints[:, UPPER] - free.joints[:, UPPER], axis=-1)
    assert moved.max() < .03
    # ... towards where the body was without the noise.
    truth = kinematics.joints(cam_poses, REST, clean)
    truth = truth.dot(motion.world_from_camera[:3, :3].T) + motion.world_from_camera[:3, 3]
    after = np.linalg.norm(motion.joints[:, UPPER] - truth[:, UPPER], axis=-1).mean()
    before = np.linalg.norm(free.joints[:, UPPER] - truth[:, UPPER], axis=-1).mean()
    print('upper body vs the noiseless walk: %.1f mm before, %.1f mm after' % (before * 1e3, after * 1e3))
    assert after < before


def test_a_standing_person_stays_standing():
    frames = 60
    poses = np.zeros((frames, 72))
    trans = np.tile([0., 0., 1.], (frames, 1))
    rotation, position = tilted_camera(position=(3., 1.5, 1.), target=(0., .9, 1.))
    cam_poses, noisy, _ = seen_by(rotation, position, poses, trans, seed=1)
    motion = world_motion(cam_poses, noisy, REST, HEIGHTS, FPS)
    assert angle_degrees(motion.floor[:3], rotation.dot([0., 1., 0.])) < 2.
    assert motion.contacts.all()
    assert motion.skate_after_mm <= 5.
    # Upright, the pelvis at its standing height above the floor, the feet on it.
    spine = motion.joints[:, 12] - motion.joints[:, 0]
    assert max(angle_degrees(s, [0, 1, 0]) for s in spine) < 3.
    np.testing.assert_allclose(motion.joints[:, 0, 1], REST[0, 1], atol=.02)
    np.testing.assert_allclose(motion.joints[:, [7, 8], 1], REST[7, 1], atol=.02)


def test_export_inputs_make_the_exporters_write_the_world_frame(walked):
    """src.export turns root rotation and position by C = diag(1, -1, -1); export_inputs undoes that."""
    from src.world.frame import export_inputs
    motion = world_motion(walked[4], walked[5], REST, HEIGHTS, FPS)
    poses, trans = export_inputs(motion.poses, motion.trans, REST[0])
    turn = np.diag([1., -1., -1.])
    np.testing.assert_allclose(np.matmul(turn, axis_angle_to_matrix(poses[:, :3])),
                               axis_angle_to_matrix(motion.poses[:, :3]), atol=1e-9)
    np.testing.assert_allclose((REST[0] + trans).dot(turn), REST[0] + motion.trans, atol=1e-9)
