"""--world for the demo's video: every track's motion in one world frame (the floor found from the
longest track, shared by the others), and what of it goes into NAME.json / NAME.npz."""
import numpy as np

from ..rotations import axis_angle_to_matrix
from . import kinematics
from .frame import world_motion_of_body


def world_tracks(tracks, body, fps, every, fill_gaps, lock_feet=True):
    """`tracks`: TrackResult (src/demo/records.py) -> {track id: (frames, WorldMotion)} over each track's frames from its first to its last (gaps
    filled by `fill_gaps`, as the animations are), and the floor (4,) they share."""
    results, floor = {}, None
    for track in sorted(tracks, key=lambda t: -len(t.frames)):
        kept, poses, trans = fill_gaps(np.asarray(track.frames) // every, track.pose, track.translation)
        motion = world_motion_of_body(body, track.shape, poses, trans, fps, lock_feet, floor)
        floor = motion.floor
        # Back to the video's frame numbers (kept frames are every `every`-th from the first).
        results[track.id] = (kept * every + int(track.frames[0]) % every, motion)
    return results, floor


def npz_arrays(results):
    arrays = {}
    for track_id, (frames, motion) in results.items():
        prefix = 'track%d_' % track_id
        arrays.update({prefix + 'world_frames': frames, prefix + 'world_joints': motion.joints,
                       prefix + 'world_trans': motion.trans, prefix + 'world_poses': motion.poses,
                       prefix + 'contacts': motion.contacts})
        arrays['floor'], arrays['world_from_camera'] = motion.floor, motion.world_from_camera
    return arrays


def json_fields(results, lock_feet):
    """The world frame's description, its floor and camera pose, and each track's foot skate."""
    first = next(iter(results.values()))[1]
    return {'frame': 'Y up, metres, floor at y = 0, origin on the floor under the camera, Z backwards '
                     'from the camera along the floor; world_point = world_from_camera . camera_point',
            'floor': first.floor, 'world_from_camera': first.world_from_camera, 'foot_lock': lock_feet,
            'tracks': [{'id': track_id, 'frames': frames, 'contacts': motion.contacts,
                        'foot_skate_mm_per_frame': {'before': motion.skate_before_mm, 'after': motion.skate_after_mm}}
                       for track_id, (frames, motion) in results.items()]}


def summary(results):
    return '; '.join('track %d foot skate %.1f -> %.1f mm/frame' % (track_id, m.skate_before_mm, m.skate_after_mm)
                     for track_id, (_, m) in sorted(results.items()))


def camera_frame_motion(motion, rest_root):
    """A WorldMotion's (locked) poses and trans back in the camera frame, to draw over the footage."""
    inverse = np.linalg.inv(motion.world_from_camera)
    rotation, offset = inverse[:3, :3], inverse[:3, 3]
    poses = np.array(motion.poses)
    poses[:, :3] = kinematics.to_poses(np.matmul(rotation, axis_angle_to_matrix(poses[:, :3]))[:, None])
    return poses, (rest_root + motion.trans).dot(rotation.T) + offset - rest_root
