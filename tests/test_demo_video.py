"""The demo on a video, end to end on the synthetic model: the overlay video, the tracks (JSON/NPZ)
against the true boxes of a real clip with two people, the BVH/glTF per track, the frame range flags,
and one-line errors for what is not a usable video."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from src.detectors import available
from src.detectors.boxes import iou
from src.samples.sample_clip import write_sample_clip
from src.video.io import VideoReader, VideoWriter
from tests.conftest import PROJECT_DIR

FPS = 10.
SECONDS = 3.


def run_demo(synthetic_models, *args):
    smpl, ckpt = synthetic_models
    proc = subprocess.run([sys.executable, '-m', 'demo', '--load_path', ckpt, '--smpl_model_path', smpl] + list(args),
                          cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    return proc.returncode, proc.stdout, [line for line in proc.stderr.splitlines() if line.startswith('error')]


@pytest.fixture(scope='module')
def clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp('clip')
    path = str(folder / 'walk.mp4')
    boxes = write_sample_clip(path, fps=FPS, seconds=SECONDS)
    return path, boxes


@pytest.fixture(scope='module')
def video_run(clip, synthetic_models, tmp_path_factory):
    out = str(tmp_path_factory.mktemp('video_out'))
    code, stdout, errors = run_demo(synthetic_models, '--img_path', clip[0], '--out_dir', out)
    assert code == 0, errors
    return out


def test_writes_overlay_tracks_and_animations(video_run, clip):
    names = sorted(os.listdir(video_run))
    assert {'walk.mp4', 'walk.json', 'walk.npz'} <= set(names)
    with np.load(os.path.join(video_run, 'walk.npz'), allow_pickle=False) as tracks:
        ids = list(tracks['track_ids'])
        for track in ids:
            frames = tracks['track%d_frames' % track]
            assert tracks['track%d_poses' % track].shape == (len(frames), 72)
            assert tracks['track%d_betas' % track].shape == (10,)
            assert tracks['track%d_trans' % track].shape == (len(frames), 3)
            assert tracks['track%d_joints3d' % track].shape == (len(frames), 19, 3)
            assert tracks['track%d_bbox' % track].shape == (len(frames), 4)
            assert 'walk_track%d.bvh' % track in names and 'walk_track%d.glb' % track in names
            with open(os.path.join(video_run, 'walk_track%d.bvh' % track)) as f:
                bvh = f.read()
            # One BVH frame per video frame from the track's first to its last.
            assert 'Frames: %d' % (frames[-1] - frames[0] + 1) in bvh and 'Frame Time: %.6f' % (1 / FPS) in bvh
    overlay = VideoReader(os.path.join(video_run, 'walk.mp4'))
    assert overlay.codec == 'h264' and abs(overlay.fps - FPS) < 1e-3
    assert sum(1 for _ in overlay) == int(SECONDS * FPS)


def test_each_person_keeps_one_track(video_run, clip):
    """The tracks follow the clip's two people: every tracked box overlaps one true person, and each
    true person is covered mostly by one track."""
    if 'mediapipe' not in available():
        pytest.skip('the legacy runtime detects with HOG, which finds too few of the clip\'s people to track '
                    '(no MediaPipe for Python 3.6); the tracker itself is tested in test_tracking.py')
    _, truth = clip
    with open(os.path.join(video_run, 'walk.json')) as f:
        tracks = json.load(f)['tracks']
    owner = {}
    for track in tracks:
        votes = []
        for frame, box in zip(track['frames'], track['bbox']):
            scores = {pid: iou([box], [true])[0, 0] for pid, true in truth[frame].items()}
            if scores and max(scores.values()) > .3:
                votes.append(max(scores, key=scores.get))
        if votes:
            owner[track['id']] = max(set(votes), key=votes.count)
    for pid in (0, 1):
        seen = [frame for frame, boxes in enumerate(truth) if pid in boxes]
        covered = max(sum(1 for f in t['frames'] if f in seen) for t in tracks if owner.get(t['id']) == pid)
        print('person %d: %d of %d frames in one track' % (pid, covered, len(seen)))
        assert covered >= .6 * len(seen), (pid, covered, len(seen))
    # The front person walks out of the picture and back: one track spans both sides of the gap.
    front = [t for t in tracks if owner.get(t['id']) == 0]
    gone = [frame for frame, boxes in enumerate(truth) if 0 not in boxes]
    assert any(t['frames'][0] < gone[0] and t['frames'][-1] > gone[-1] for t in front), \
        [(t['id'], t['frames']) for t in front]


def test_the_overlay_draws_on_the_frames_where_people_are(video_run, clip):
    source = dict(VideoReader(clip[0]))
    changed = []
    for index, frame in VideoReader(os.path.join(video_run, 'walk.mp4')):
        changed.append(np.mean(np.abs(frame.astype(int) - source[index]) > 40))
    # H.264 noise stays far below 40 levels; a mesh changes whole regions.
    assert np.median(changed) > .005


def test_frame_range_flags(clip, synthetic_models, tmp_path):
    out = str(tmp_path)
    code, _, errors = run_demo(synthetic_models, '--img_path', clip[0], '--out_dir', out, '--start', '4', '--end', '16',
                               '--every', '3', '--outputs', 'npz,video', '--nosmooth', '--nopage')
    assert code == 0, errors
    assert sorted(os.listdir(out)) == ['walk.mp4', 'walk.npz']
    assert sum(1 for _ in VideoReader(os.path.join(out, 'walk.mp4'))) == 4
    with np.load(os.path.join(out, 'walk.npz'), allow_pickle=False) as tracks:
        frames = np.concatenate([tracks['track%d_frames' % t] for t in tracks['track_ids']])
        assert set(frames) <= {4, 7, 10, 13} and abs(float(tracks['fps']) - FPS / 3) < 1e-6


def test_bad_videos_are_one_line_errors(tmp_path, synthetic_models):
    text = tmp_path / 'notes.mp4'
    text.write_text(u'not a video')
    clip = str(tmp_path / 'short.mp4')
    write_sample_clip(clip, fps=FPS, seconds=1.)
    truncated = tmp_path / 'cut.mp4'
    data = open(clip, 'rb').read()
    truncated.write_bytes(data[:len(data) // 2])
    empty = str(tmp_path / 'empty.mp4')
    with VideoWriter(empty, FPS, (64, 48)) as writer:
        for _ in range(5):
            writer.write(np.full((48, 64, 3), 90, np.uint8))
    cases = [(str(text), 'notes.mp4'), (str(truncated), 'cut.mp4'), (empty, 'no person found in any of its 5 frames')]
    for path, message in cases:
        code, _, errors = run_demo(synthetic_models, '--img_path', path, '--out_dir', str(tmp_path / 'out'))
        assert code == 1 and len(errors) == 1 and message in errors[0], (path, errors)
    code, _, errors = run_demo(synthetic_models, '--img_path', clip, '--start', '50', '--out_dir', str(tmp_path / 'o'))
    assert code == 1 and len(errors) == 1 and 'short.mp4' in errors[0], errors
    code, _, errors = run_demo(synthetic_models, '--img_path', clip, '--out_dir', str(tmp_path))
    assert code == 1 and 'would overwrite the input' in errors[0]
