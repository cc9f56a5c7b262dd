"""Videos the bundled FFmpeg misreads or crashes on (issue 22, item 9): MPEG-TS, which the static
FFmpeg builds crash on when reading on some machines (read through OpenCV's FFmpeg then, or one line
saying FFmpeg crashed), frame rates stated as "1k fps" or only as "N tbr" (variable-rate files), and a
frame rate FFmpeg cannot encode (one line saying so)."""
import os
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest

from src.errors import HMRError
from src.video import io
from src.video.io import VideoReader, VideoWriter, stream_rate
from src.samples.sample_clip import write_sample_clip
from tests.test_demo_video import run_demo

pytestmark = pytest.mark.timeout(300)


def ffmpeg(*args):
    subprocess.check_call([imageio_ffmpeg.get_ffmpeg_exe(), '-v', 'error', '-y'] + list(args))


@pytest.fixture(scope='module')
def walk(tmp_path_factory):
    """The sample clip (a person walking, 10 fps, 2 s) as MP4 and the same H.264 stream in MPEG-TS."""
    folder = tmp_path_factory.mktemp('ts')
    mp4, ts = str(folder / 'walk.mp4'), str(folder / 'walk.ts')
    write_sample_clip(mp4, fps=10., seconds=2.)
    ffmpeg('-i', mp4, '-c', 'copy', '-f', 'mpegts', ts)  # writing MPEG-TS works; reading may crash
    return mp4, ts


def test_mpeg_ts_is_read_frame_for_frame(walk):
    mp4, ts = walk
    reference, reader = VideoReader(mp4), VideoReader(ts)
    expected, got = list(reference), list(reader)
    assert (reader.fps, reader.size, reader.frame_count) == (10., reference.size, 20)
    assert [i for i, _ in got] == [i for i, _ in expected] == list(range(20))
    # One H.264 stream, two decoders' YUV -> RGB conversions (FFmpeg's swscale, OpenCV's own): they
    # differ by rounding, a few levels of 255 at most on average.
    for (_, a), (_, b) in zip(expected, got):
        assert a.shape == b.shape and np.abs(a.astype(int) - b.astype(int)).mean() < 3
    # Frame ranges work the same way on either decoder.
    assert [i for i, _ in VideoReader(ts, start=3, end=11, every=4)] == [3, 7]


def test_the_video_demo_runs_on_mpeg_ts(walk, synthetic_models, tmp_path):
    out = str(tmp_path / 'out')
    code, _, errors = run_demo(synthetic_models, '--img_path', walk[1], '--out_dir', out, '--detector', 'none',
                               '--outputs', 'json,video', '--workers', '0', '--nopage')
    assert (code, errors) == (0, [])
    assert sorted(os.listdir(out)) == ['walk.json', 'walk.mp4']
    written = VideoReader(os.path.join(out, 'walk.mp4'))
    assert (written.fps, written.size, len(list(written))) == (10., VideoReader(walk[0]).size, 20)


@pytest.fixture
def crashing_ffmpeg(tmp_path, monkeypatch):
    """An FFmpeg that crashes (SIGSEGV) on every file, as the static builds do on MPEG-TS here."""
    script = tmp_path / 'ffmpeg'
    script.write_text('#!/bin/sh\nkill -SEGV $$\n')
    script.chmod(0o755)
    monkeypatch.setattr(io.imageio_ffmpeg, 'get_ffmpeg_exe', lambda: str(script))


def test_a_crash_is_reported_as_one(tmp_path, crashing_ffmpeg):
    path = str(tmp_path / 'broken.ts')
    with open(path, 'wb') as f:
        f.write(b'\x47' + os.urandom(2000))
    with pytest.raises(HMRError) as error:
        VideoReader(path)
    assert str(error.value) == '%s: FFmpeg crashed (signal 11) reading it, and OpenCV cannot read it either' % path


def test_a_crash_falls_back_to_opencv(walk, crashing_ffmpeg):
    reader = VideoReader(walk[0])
    assert (reader.fps, reader.frame_count, len(list(reader))) == (10., 20, 20)


@pytest.mark.parametrize('line, expected', [
    ('Stream #0:0: Video: h264 (High), yuv420p(progressive), 64x48, 25 fps, 25 tbr, 12800 tbn', (25., 'fps')),
    ('Stream #0:0: Video: h264, yuv420p, 64x48 [SAR 1:1 DAR 4:3], 29.97 fps, 29.97 tbr, 30k tbn', (29.97, 'fps')),
    ('Stream #0:0: Video: h264 (High), yuv420p, 64x48 [SAR 1:1 DAR 4:3], 1k fps, 1k tbr, 1k tbn', (1000., 'fps')),
    ('Stream #0:0: Video: h264, yuv420p, 640x480, 1.2k fps, 1.2k tbr, 90k tbn', (1200., 'fps')),
    ('Stream #0:0: Video: vp8, yuv420p(progressive), 64x48, SAR 1:1 DAR 4:3, 60 tbr, 1k tbn (default)', (60., 'tbr')),
    ('Stream #0:0(eng): Video: mpeg4, yuv420p, 64x48, 1k tbr, 1k tbn, 1k tbc', (1000., 'tbr')),
    ('Stream #0:0: Video: h264, yuv420p, 64x48, 90k tbn', (0., None)),
    ('Stream #0:0: Audio: aac, 44100 Hz, stereo, 25 fps', (0., None)),
])
def test_stream_rate_from_ffmpeg_lines(line, expected):
    banner = 'Input #0, matroska,webm, from \'x.mkv\':\n  Duration: 00:00:02.00\n  ' + line + '\n'
    assert stream_rate(banner) == expected


def assert_read(path, fps, frames):
    """The reader takes the rate FFmpeg states for `path`, "N fps" or else "N tbr"; with only the
    latter (a guess), it does not estimate the frame count. Each runtime's FFmpeg writes these clips
    its own way: FFmpeg 4.2 (legacy runtime) states the 1000 fps clip as "1k tbr" alone, FFmpeg 7
    states it as "1k fps" and the variable-rate one as "10 tbr" alone."""
    rate, stated = stream_rate(io._probe(path)[1])
    assert rate == fps and stated in ('fps', 'tbr')
    reader = VideoReader(path)
    assert (reader.fps, reader.frame_count, len(list(reader))) == (fps, frames if stated == 'fps' else None, frames)


def test_a_1000_fps_video_is_read(tmp_path):
    path = str(tmp_path / 'fast.mkv')
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=1000', '-t', '0.05', '-c:v', 'libx264', '-pix_fmt',
           'yuv420p', path)
    assert_read(path, 1000., 50)


def test_a_variable_rate_mkv_is_read(tmp_path):
    # Frames 0.1 s apart, every third 50 ms late, as a screen recorder writes them: MPEG-4 in Matroska.
    path = str(tmp_path / 'screen.mkv')
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '2', '-vf',
           "setpts='(N*0.1+if(mod(N,3),0,0.05))/TB'", io._passthrough_params()[0], 'vfr', '-c:v', 'mpeg4', path)
    assert_read(path, 10., 20)


@pytest.mark.parametrize('fps', [0.0001, 1e-6, 2e6])
def test_a_frame_rate_ffmpeg_cannot_encode_is_one_line(tmp_path, fps):
    path = str(tmp_path / 'clip.mp4')
    with pytest.raises(HMRError) as error:
        VideoWriter(path, fps, (64, 48))
    assert str(error.value) == ('%s: FFmpeg cannot encode a video at %s frames per second (it takes 0.001 to '
                                '1e+06)' % (path, '%.6g' % fps))
    assert os.listdir(str(tmp_path)) == []


def test_the_video_demo_refuses_such_a_rate_before_its_first_pass(walk, synthetic_models, tmp_path):
    out = str(tmp_path / 'out')
    code, _, errors = run_demo(synthetic_models, '--img_path', walk[0], '--out_dir', out, '--detector', 'none',
                               '--every', '100000', '--nopage')
    assert code == 1 and errors == ['error: %s: FFmpeg cannot encode a video at 0.0001 frames per second (it '
                                    'takes 0.001 to 1e+06)' % os.path.join(out, 'walk.mp4')]
    assert os.listdir(out) == []
