"""The floor, the world frame and the foot lock (src/world/frame.py, foot_lock.py) on synthetic motion
of known answer: a walk whose stance feet are fixed on a floor, seen by a tilted, rolled camera, with
1-2 cm of noise on the root each frame (HMR's per-frame translation noise); and a person standing."""
import numpy as np
import pytest

from src.rotations import axis_angle_to_matrix
from src.world import kinematics
from src.world.frame import world_motion

from tests.world_walk import FPS, HEIGHTS, REST, UPPER, seen_by, tilted_camera, walk


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
