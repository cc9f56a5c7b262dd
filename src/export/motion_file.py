"""Reading a motion to re-export: the demo's video NPZ, its image NPZ, or an AMASS-style SMPL motion.

Each gives `Track`s: one body shape and one pose per frame at the motion's rate (gaps in a video track
filled as the demo fills them), in the frame its poses are in: 'camera' (HMR's: x right, y down, z away
from the camera) or 'z_up' (AMASS's world: z up).
"""
import collections
import functools
import math
import os
import re

import numpy as np

from ..errors import HMRError

Track = collections.namedtuple('Track', ['id', 'betas', 'poses', 'trans', 'fps', 'frame'])
POSE_VALUES = 72


def fill_gaps(frames, poses, trans):
    """Poses and translations on every frame from the first to the last of `frames`: rotations
    interpolated on the sphere (slerp), translations linearly. Animations need one key per frame."""
    from scipy.spatial.transform import Rotation, Slerp
    frames = np.asarray(frames)
    every = np.arange(frames[0], frames[-1] + 1)
    if len(frames) == 1:
        return every, np.asarray(poses), np.asarray(trans)
    rotations = np.asarray(poses).reshape(len(frames), -1, 3)
    joints = [Slerp(frames, Rotation.from_rotvec(rotations[:, j]))(every).as_rotvec() for j in range(rotations.shape[1])]
    filled_trans = np.stack([np.interp(every, frames, np.asarray(trans)[:, c]) for c in range(3)], axis=1)
    return every, np.stack(joints, axis=1).reshape(len(every), -1), filled_trans


def _array(data, key, path, shape_tail=None):
    if key not in data:
        raise HMRError('%s: no %s array (the demo\'s video NPZ, its image NPZ or an AMASS-style motion with '
                       'poses, betas, trans and fps/mocap_framerate)' % (path, key))
    value = np.asarray(data[key])
    if value.dtype.kind not in 'biuf':
        raise HMRError('%s: %s holds %s, not numbers' % (path, key, value.dtype))
    value = value.astype(np.float64)
    if shape_tail is not None and (value.ndim != 1 + len(shape_tail) or value.shape[1:] != shape_tail
                                   or len(value) == 0):
        raise HMRError('%s: %s has shape %s, not N x %s' % (path, key, value.shape,
                                                             ' x '.join(str(n) for n in shape_tail)))
    if not np.all(np.isfinite(value)):
        raise HMRError('%s: %s holds NaN or infinite values' % (path, key))
    return value


def _video_tracks(data, path):
    ids = _array(data, 'track_ids', path).astype(np.int64).reshape(-1)
    fps = float(_array(data, 'fps', path))
    tracks = []
    for track_id in ids:
        prefix = 'track%d_' % track_id
        frames = _array(data, prefix + 'frames', path).astype(np.int64).reshape(-1)
        poses = _array(data, prefix + 'poses', path, (POSE_VALUES,))
        trans = _array(data, prefix + 'trans', path, (3,))
        betas = _array(data, prefix + 'betas', path).reshape(-1)
        if not (len(frames) == len(poses) == len(trans)) or np.any(np.diff(frames) <= 0):
            raise HMRError('%s: track %d has %d frames (increasing), %d poses and %d translations: they must '
                           'match' % (path, track_id, len(frames), len(poses), len(trans)))
        # Frames hold video frame numbers; with the demo's --every they advance by that step.
        step = functools.reduce(math.gcd, np.diff(frames).tolist(), 0) or 1
        _, poses, trans = fill_gaps((frames - frames[0]) // step, poses, trans)
        tracks.append(Track(int(track_id), betas, poses, trans, fps, 'camera'))
    return tracks


def _image_tracks(data, path):
    poses = _array(data, 'people_pose', path, (POSE_VALUES,))
    betas = _array(data, 'people_shape', path)
    trans = _array(data, 'people_translation', path, (3,))
    return [Track(i, betas[i], poses[i:i + 1], trans[i:i + 1], 1., 'camera') for i in range(len(poses))]


def _amass_track(data, path):
    poses = _array(data, 'poses', path)
    if poses.ndim != 2 or poses.shape[1] < POSE_VALUES or len(poses) == 0:
        raise HMRError('%s: poses has shape %s, not T x (at least %d)' % (path, poses.shape, POSE_VALUES))
    trans = _array(data, 'trans', path, (3,))
    if len(trans) != len(poses):
        raise HMRError('%s: %d poses but %d translations' % (path, len(poses), len(trans)))
    rate = 'fps' if 'fps' in data else 'mocap_framerate'
    return [Track(0, _array(data, 'betas', path).reshape(-1), poses[:, :POSE_VALUES], trans,
                  float(_array(data, rate, path)), 'z_up')]


def read_motion(path):
    """The tracks of the motion file at `path`, in the order it lists them."""
    try:
        data = np.load(path, allow_pickle=False)
        keys = set(data.files)
    except (IOError, OSError, ValueError) as e:
        raise HMRError('%s: not a readable NPZ motion (%s)' % (path, str(e).splitlines()[0] if str(e) else e))
    if 'track_ids' in keys:
        tracks = _video_tracks(data, path)
    elif 'people_pose' in keys:
        tracks = _image_tracks(data, path)
    elif 'poses' in keys:
        tracks = _amass_track(data, path)
    else:
        raise HMRError('%s: neither the demo\'s video NPZ (track_ids), its image NPZ (people_pose) nor an '
                       'AMASS-style motion (poses, betas, trans, fps)' % path)
    for track in tracks:
        if not (np.isfinite(track.fps) and track.fps > 0):
            raise HMRError('%s: the frame rate must be a positive number, not %r' % (path, track.fps))
    return tracks


def select_tracks(tracks, wanted, path):
    """The tracks whose ids are in `wanted` (all when empty); an id not in the file is an error."""
    if not wanted:
        return tracks
    known = [t.id for t in tracks]
    missing = [w for w in wanted if w not in known]
    if missing:
        raise HMRError('%s has no track %s (its tracks: %s)' % (
            path, ', '.join(str(m) for m in missing), ', '.join(str(k) for k in known)))
    return [t for t in tracks if t.id in wanted]


def motion_stem(path):
    return re.sub(r'\.npz$', '', os.path.basename(path))
