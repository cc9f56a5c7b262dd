"""Smoothing one track's SMPL parameters over time.

Camera and translation go through a causal One-Euro filter (Casiez, Roussel and Vogel, CHI 2012):
a low-pass filter whose cutoff rises with the signal's speed, so it removes jitter when a person
moves slowly and follows fast motion with little lag; each output depends only on the frames up to
it. Poses are filtered as unit quaternions, one per joint (never as axis-angle components, which jump
at 180 degrees): each quaternion is given the sign nearer the previous output before filtering and
renormalised after. The shape is one robust mean per track: the median of each coefficient over the
track's frames, so it is the one offline step.
"""
import numpy as np
from scipy.spatial.transform import Rotation

# (min_cutoff Hz, beta, d_cutoff Hz) per signal, chosen by `python -m bench.bench_smoothing --tune` on
# a 30 fps jittered clip: the least jitter among the settings that follow a sudden step within two
# frames and stay within 1.5x the unsmoothed error to the true motion. Units: cams HMR's [s, tx, ty],
# trans metres, poses unit quaternions (beta per unit of speed: per second).
CAM_FILTER = (0.5, 3.0, 3.0)
TRANS_FILTER = (2.0, 3.0, 3.0)
POSE_FILTER = (0.5, 3.0, 3.0)


def _smoothing_factor(cutoff, dt):
    tau = 1.0 / (2 * np.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter(object):
    """Causal One-Euro filter over arrays of a fixed shape (..., D) sampled at increasing times.

    The speed that sets the cutoff is the norm of the filtered derivative over the last axis, so a
    D-vector (a quaternion, a 3D point) is filtered with one cutoff; give shape (..., 1) to filter
    each component on its own. Timestamps are in seconds and may have gaps.
    """

    def __init__(self, min_cutoff=1.0, beta=0.0, d_cutoff=1.0):
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.reset()

    def reset(self):
        self._t = self._x = self._dx = None

    def __call__(self, t, x):
        x = np.asarray(x, np.float64)
        if self._x is None:
            self._t, self._x, self._dx = t, x.copy(), np.zeros_like(x)
            return x.copy()
        dt = t - self._t
        if dt <= 0:
            raise ValueError('timestamps must increase (%r after %r)' % (t, self._t))
        dx = (x - self._x) / dt
        self._dx = self._dx + _smoothing_factor(self.d_cutoff, dt) * (dx - self._dx)
        speed = np.linalg.norm(self._dx, axis=-1, keepdims=True)
        alpha = _smoothing_factor(self.min_cutoff + self.beta * speed, dt)
        self._x = self._x + alpha * (x - self._x)
        self._t = t
        return self._x.copy()


def _filter_sequence(times, values, params):
    one_euro = OneEuroFilter(*params)
    return np.stack([one_euro(t, v) for t, v in zip(times, values)])


class PoseFilter(object):
    """Online One-Euro filter of 72-value axis-angle poses, as 24 unit quaternions: each step takes
    one frame's pose and returns it filtered, from that frame and the ones before only."""

    def __init__(self, params=POSE_FILTER):
        self._one_euro = OneEuroFilter(*params)
        self._previous = None

    def __call__(self, t, pose):
        pose = np.asarray(pose, np.float64)
        q = Rotation.from_rotvec(pose.reshape(-1, 3)).as_quat()
        if self._previous is not None:
            # q and -q are the same rotation: take the one nearer the last output.
            q = np.where(np.sum(q * self._previous, axis=-1, keepdims=True) < 0, -q, q)
        filtered = self._one_euro(t, q)
        self._previous = filtered / np.linalg.norm(filtered, axis=-1, keepdims=True)
        return Rotation.from_quat(self._previous).as_rotvec().reshape(pose.shape)


def smooth_poses(times, poses, params=POSE_FILTER):
    """(T, 72) axis-angle poses -> the same, filtered as 24 unit quaternions per frame."""
    pose_filter = PoseFilter(params)
    poses = np.asarray(poses, np.float64)
    return np.stack([pose_filter(t, pose) for t, pose in zip(times, poses)]).reshape(poses.shape)


def robust_betas(betas):
    """One shape for a track: the per-coefficient median of its frames' (T, 10) betas."""
    return np.median(np.asarray(betas, np.float64), axis=0)


def smooth_track(frames, cams, poses, betas, trans, fps, cam_filter=CAM_FILTER, trans_filter=TRANS_FILTER,
                 pose_filter=POSE_FILTER):
    """Smooth one track. frames (T,) increasing frame indices (gaps allowed), cams (T, 3), poses (T, 72)
    axis-angle, betas (T, 10), trans (T, 3); fps the video's frame rate. Each *_filter is a One-Euro
    (min_cutoff Hz, beta, d_cutoff Hz). Returns (cams', poses', betas' (10,), trans')."""
    frames = np.asarray(frames)
    if len(frames) == 0:
        raise ValueError('a track has at least one frame')
    if np.any(np.diff(frames) <= 0):
        raise ValueError('frame indices must increase')
    times = frames / float(fps)
    cams = np.asarray(cams, np.float64)
    trans = np.asarray(trans, np.float64)
    # Camera scale and offsets, and the translation's axes, differ in units and noise: filter each
    # component with its own cutoff.
    cams_out = _filter_sequence(times, cams[..., None], cam_filter)[..., 0]
    trans_out = _filter_sequence(times, trans[..., None], trans_filter)[..., 0]
    return cams_out, smooth_poses(times, poses, pose_filter), robust_betas(betas), trans_out


class OnlineTrackSmoother(object):
    """One track smoothed as it comes, frame by frame (live capture): the same One-Euro filters as
    `smooth_track`, so its camera, pose and translation at each frame equal smooth_track's over the
    frames so far; the shape is the median of the frames so far (the one offline step of
    smooth_track, made causal)."""

    def __init__(self, cam_filter=CAM_FILTER, trans_filter=TRANS_FILTER, pose_filter=POSE_FILTER):
        self._cams = OneEuroFilter(*cam_filter)
        self._trans = OneEuroFilter(*trans_filter)
        self._poses = PoseFilter(pose_filter)
        self._betas = []

    def __call__(self, t, cam, pose, betas, trans):
        """One frame at time t (seconds, increasing) -> (cam', pose', betas', trans')."""
        self._betas.append(np.asarray(betas, np.float64))
        cam = self._cams(t, np.asarray(cam, np.float64)[..., None])[..., 0]
        trans = self._trans(t, np.asarray(trans, np.float64)[..., None])[..., 0]
        return cam, self._poses(t, pose), robust_betas(self._betas), trans
