"""Track smoothing (src/video/smoothing.py) on a jittered clip: how much it lowers frame-to-frame
jitter and how many frames it lags a step. usage: python -m bench.bench_smoothing [--tune]

The clip is a known smooth motion (a body turned 180 degrees about x as HMR's poses are, swaying and
swinging its limbs, walking across at 0.5 m/s, the camera scale and offset drifting) at 30 fps plus
independent per-frame noise, sized to give about 33 mm of root-relative joint acceleration per frame
on the body of src/samples/synthetic_model.py: the order of the tens of millimetres that per-frame regressors are
reported to show on video. Jitter is the mean norm of the second difference over frames (acceleration
per frame), on the 24 SMPL joints relative to the root (mm), on the joint rotations (degrees) and on
the translation (mm). `--tune` searches the One-Euro parameters (src/video/smoothing.py says how).
"""
import itertools
import sys

import numpy as np
from scipy.spatial.transform import Rotation

from bench.common import command_line, report

FPS = 30.0
NUM_FRAMES = 300
POSE_NOISE = 0.012       # radians, each axis-angle component of each joint
TRANS_NOISE = (0.005, 0.005, 0.03)  # metres: depth is what a single view sees worst
CAM_NOISE = (0.01, 0.005, 0.005)    # HMR's [s, tx, ty]
BETAS_NOISE = 0.1
STEP_FRAME = 60
TUNE_CUTOFFS = (0.1, 0.3, 0.5, 1.0, 2.0)
TUNE_BETAS = {'poses': (0.3, 1.0, 2.0, 3.0, 5.0, 10.0), 'trans': (0.3, 1.0, 3.0, 10.0, 30.0),
              'cams': (0.3, 1.0, 3.0, 10.0, 30.0)}
TUNE_DERIVATIVE_CUTOFFS = (0.3, 1.0, 3.0)
MAX_LAG = 2
MAX_ERROR_RATIO = 1.5


def true_track(num_frames=NUM_FRAMES, seed=0):
    """A smooth motion: dict of frames (T,), cams (T, 3), poses (T, 72), betas (10,), trans (T, 3)."""
    rng = np.random.RandomState(seed)
    t = np.arange(num_frames) / FPS
    amplitude = rng.uniform(0.05, 0.4, (23, 1))
    frequency = rng.uniform(0.2, 1.0, (23, 1))
    phase = rng.uniform(0, 2 * np.pi, (23, 1))
    axes = rng.randn(23, 3)
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    angles = amplitude * np.sin(2 * np.pi * frequency * t + phase)  # (23, T)
    body = angles.T[:, :, None] * axes[None]
    # HMR's root: upside down about x (the angle near pi), swaying about the vertical.
    sway = Rotation.from_rotvec(np.outer(0.5 * np.sin(2 * np.pi * 0.2 * t), [0, 1, 0]))
    root = (Rotation.from_rotvec([np.pi, 0, 0]) * sway).as_rotvec()
    poses = np.concatenate([root[:, None], body], axis=1).reshape(num_frames, 72)
    trans = np.stack([-1 + 0.5 * t, 0.05 * np.sin(2 * np.pi * 2 * t), 5 + 0.5 * np.sin(2 * np.pi * 0.1 * t)], 1)
    cams = np.stack([0.9 + 0.1 * np.sin(2 * np.pi * 0.2 * t), 0.1 * np.sin(2 * np.pi * 0.3 * t),
                     0.05 * np.sin(2 * np.pi * 0.25 * t)], 1)
    return {'frames': np.arange(num_frames), 'cams': cams, 'poses': poses, 'betas': rng.randn(10) * 0.5,
            'trans': trans}


def jittered(track, seed=1):
    """The track with per-frame noise; poses by small random rotations, betas per frame."""
    rng = np.random.RandomState(seed)
    num_frames = len(track['frames'])
    noise = Rotation.from_rotvec(rng.randn(num_frames * 24, 3) * POSE_NOISE)
    poses = (noise * Rotation.from_rotvec(track['poses'].reshape(-1, 3))).as_rotvec().reshape(num_frames, 72)
    return {'frames': track['frames'], 'poses': poses,
            'cams': track['cams'] + rng.randn(num_frames, 3) * CAM_NOISE,
            'trans': track['trans'] + rng.randn(num_frames, 3) * TRANS_NOISE,
            'betas': track['betas'] + rng.randn(num_frames, 10) * BETAS_NOISE}


def acceleration(x):
    """Mean norm of the second difference over frames of (T, ..., 3) positions."""
    return float(np.linalg.norm(x[2:] - 2 * x[1:-1] + x[:-2], axis=-1).mean())


def mean_distance(a, b):
    return float(np.linalg.norm(a - b, axis=-1).mean())


def rotation_acceleration(poses):
    """Mean angle (degrees) between successive frame-to-frame rotation changes of each joint."""
    rotations = [Rotation.from_rotvec(p.reshape(-1, 3)) for p in poses]
    steps = [b * a.inv() for a, b in zip(rotations[:-1], rotations[1:])]
    angles = [np.linalg.norm((b * a.inv()).as_rotvec(), axis=1) for a, b in zip(steps[:-1], steps[1:])]
    return float(np.degrees(np.mean(angles)))


def rotation_error(poses, truth):
    """Mean geodesic angle (degrees) between two pose sequences."""
    a = Rotation.from_rotvec(poses.reshape(-1, 3))
    b = Rotation.from_rotvec(truth.reshape(-1, 3))
    return float(np.degrees(np.linalg.norm((a * b.inv()).as_rotvec(), axis=1).mean()))


def smoothed(track, **filters):
    from src.video.smoothing import smooth_track
    cams, poses, betas, trans = smooth_track(track['frames'], track['cams'], track['poses'], track['betas'],
                                             track['trans'], FPS, **filters)
    return {'frames': track['frames'], 'cams': cams, 'poses': poses, 'betas': betas, 'trans': trans}


def body_joints(track):
    """(T, 24, 3) SMPL joints of the track relative to the root (the translation is measured on its own), on
    the synthetic body of src/samples/synthetic_model.py (the licensed model is not needed)."""
    from src.body_model import BodyModel
    from src.samples.synthetic_model import synthetic_smpl
    betas = track['betas'] if track['betas'].ndim == 1 else np.median(track['betas'], axis=0)
    return BodyModel(synthetic_smpl()).forward(track['poses'], betas).joints


def step_lag(values, step_frame, start, end, fraction=0.9):
    """Frames after `step_frame` until `values` (T, D) has covered `fraction` of the way from `start` to
    `end`, measured along the step."""
    direction = (np.asarray(end) - start) / np.linalg.norm(np.asarray(end) - start)
    covered = (values[step_frame:] - start).dot(direction) / np.linalg.norm(np.asarray(end) - start)
    reached = np.flatnonzero(covered >= fraction)
    return int(reached[0]) if len(reached) else len(covered)


def step_lags(**filters):
    """Lag in frames of each smoothed signal behind a sudden step: the translation by 0.3 m, the camera
    scale by 0.2, one joint (the left elbow) and the root by 45 degrees."""
    from src.video.smoothing import smooth_track
    num_frames = STEP_FRAME + 30
    after = np.arange(num_frames) >= STEP_FRAME
    trans = np.tile([0., 0., 5.], (num_frames, 1))
    trans[after, 0] += 0.3
    cams = np.tile([0.9, 0., 0.], (num_frames, 1))
    cams[after, 0] += 0.2
    poses = np.zeros((num_frames, 24, 3))
    poses[:, 0] = [np.pi, 0, 0]
    turned = (Rotation.from_rotvec([0, np.pi / 4, 0]) * Rotation.from_rotvec([np.pi, 0, 0])).as_rotvec()
    poses[after, 0] = turned
    poses[after, 18] = [0, 0, np.pi / 4]
    out_cams, out_poses, _, out_trans = smooth_track(np.arange(num_frames), cams, poses.reshape(num_frames, 72),
                                                     np.zeros((num_frames, 10)), trans, FPS, **filters)
    out_poses = out_poses.reshape(num_frames, 24, 3)

    def angle_lag(joint, target):
        start = Rotation.from_rotvec(poses[0, joint])
        total = np.linalg.norm((Rotation.from_rotvec(target) * start.inv()).as_rotvec())
        moved = np.linalg.norm((Rotation.from_rotvec(out_poses[:, joint]) * start.inv()).as_rotvec(), axis=1)
        return step_lag(moved[:, None], STEP_FRAME, [0.], [total])

    return {'trans': step_lag(out_trans, STEP_FRAME, trans[0], trans[-1]),
            'cam_scale': step_lag(out_cams[:, :1], STEP_FRAME, cams[:1, 0], cams[-1:, 0]),
            'elbow': angle_lag(18, poses[-1, 18]), 'root': angle_lag(0, turned)}


def figures(truth, noisy, smooth):
    tracks = {'truth': truth, 'noisy': noisy, 'smooth': smooth}
    joints = {name: body_joints(track) for name, track in tracks.items()}
    out = {}
    for name, track in tracks.items():
        out['joint_jitter_mm_%s' % name] = round(1000 * acceleration(joints[name]), 2)
        out['rotation_jitter_deg_%s' % name] = round(rotation_acceleration(track['poses']), 3)
        out['trans_jitter_mm_%s' % name] = round(1000 * acceleration(track['trans']), 2)
    for name in ('noisy', 'smooth'):
        track = tracks[name]
        out['joint_error_mm_%s' % name] = round(1000 * mean_distance(joints[name], joints['truth']), 2)
        out['rotation_error_deg_%s' % name] = round(rotation_error(track['poses'], truth['poses']), 3)
        out['trans_error_mm_%s' % name] = round(1000 * mean_distance(track['trans'], truth['trans']), 2)
        out['cam_error_%s' % name] = round(float(np.abs(track['cams'] - truth['cams']).mean()), 5)
        out['betas_error_%s' % name] = round(float(np.abs(track['betas'] - truth['betas']).mean()), 4)
    for kind, unit in (('joint', 'mm'), ('rotation', 'deg'), ('trans', 'mm')):
        out['%s_jitter_reduction' % kind] = round(out['%s_jitter_%s_noisy' % (kind, unit)]
                                                   / out['%s_jitter_%s_smooth' % (kind, unit)], 2)
    return out


def signal_scores(signal, truth, noisy, smooth):
    """(error to the truth, jitter) of one signal: poses on the body's joints, the others on their values."""
    if signal == 'poses':
        joints = body_joints(smooth)
        return mean_distance(joints, body_joints(truth)), acceleration(joints)
    return float(np.abs(smooth[signal] - truth[signal]).mean()), acceleration(smooth[signal][..., None])


def tune():
    """Grid over (min_cutoff, beta, d_cutoff) per signal; picks the least jitter among the settings
    whose step lag is at most MAX_LAG frames and whose error to the true motion is at most
    MAX_ERROR_RATIO times the unsmoothed one's."""
    truth = true_track()
    noisy = jittered(truth)
    for signal, option, lag_key in (('poses', 'pose_filter', 'elbow'), ('trans', 'trans_filter', 'trans'),
                                    ('cams', 'cam_filter', 'cam_scale')):
        raw_error, raw_jitter = signal_scores(signal, truth, noisy, noisy)
        print('## %s: unsmoothed error %.5f jitter %.5f' % (signal, raw_error, raw_jitter))
        best = None
        for params in itertools.product(TUNE_CUTOFFS, TUNE_BETAS[signal], TUNE_DERIVATIVE_CUTOFFS):
            error, jitter = signal_scores(signal, truth, noisy, smoothed(noisy, **{option: params}))
            lags = step_lags(**{option: params})
            lag = max(lags['elbow'], lags['root']) if signal == 'poses' else lags[lag_key]
            fits = lag <= MAX_LAG and error <= MAX_ERROR_RATIO * raw_error
            print('%-16s error %.5f jitter %.5f (x%.2f lower) lag %d%s' % (
                params, error, jitter, raw_jitter / jitter, lag, '' if fits else ' -'))
            if fits and (best is None or jitter < best[0]):
                best = (jitter, params)
        print('chosen for %s: %s' % (option, best[1] if best else None))


def main():
    truth = true_track()
    noisy = jittered(truth)
    out = {'runtime': 'legacy' if sys.version_info[:2] < (3, 7) else 'modern', 'fps': FPS, 'frames': NUM_FRAMES}
    out.update(figures(truth, noisy, smoothed(noisy)))
    lags = step_lags()
    out.update(('step_lag_frames_%s' % k, v) for k, v in lags.items())
    out['step_lag_frames_max'] = max(lags.values())
    report(out)


if __name__ == '__main__':
    if command_line(__doc__, lambda parser: parser.add_argument(
            '--tune', action='store_true', help='search the One-Euro parameters instead')).tune:
        tune()
    else:
        main()
