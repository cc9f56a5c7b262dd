"""A video is published whole or not at all: FFmpeg's exit status and the finished file are checked
before the MP4 gets its name, a full disk is one line, and the file has the usual mode (issue 22,
items 3 and 5)."""
import os
import stat
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest

from src.errors import HMRError
from src.video import io
from src.video.io import VideoReader, VideoWriter

pytestmark = pytest.mark.timeout(300)


def frames(count, size=(64, 48), seed=0):
    """Noise frames: they do not compress, so the file grows with every frame."""
    rng = np.random.RandomState(seed)
    return [rng.randint(0, 256, (size[1], size[0], 3)).astype(np.uint8) for _ in range(count)]


def write(path, images, fps=10.):
    with VideoWriter(path, fps, (images[0].shape[1], images[0].shape[0])) as writer:
        for image in images:
            writer.write(image)


@pytest.fixture
def failing_ffmpeg(tmp_path, monkeypatch):
    """An FFmpeg that does all its work, writes a complete file, then exits with status 1 and the
    message a full disk gives while the trailer is written."""
    script = tmp_path / 'ffmpeg'
    script.write_text('#!/bin/sh\n"%s" "$@"\necho "av_interleaved_write_frame(): No space left on device" >&2\n'
                      'exit 1\n' % imageio_ffmpeg.get_ffmpeg_exe())
    script.chmod(0o755)
    monkeypatch.setattr(io.imageio_ffmpeg, 'get_ffmpeg_exe', lambda: str(script))


def test_ffmpeg_failing_at_the_end_publishes_nothing(tmp_path, failing_ffmpeg):
    out = tmp_path / 'out'
    out.mkdir()
    path = str(out / 'clip.mp4')
    with pytest.raises(HMRError) as error:
        write(path, frames(5))
    assert str(error.value) == ('%s: FFmpeg failed finishing the video, so none was made '
                                '(av_interleaved_write_frame(): No space left on device)' % path)
    assert os.listdir(str(out)) == []


def test_a_file_missing_frames_is_not_published(tmp_path, monkeypatch):
    path = str(tmp_path / 'clip.mp4')
    monkeypatch.setattr(io.imageio_ffmpeg, 'count_frames_and_secs', lambda p: (4, 0.4))
    with pytest.raises(HMRError, match=r'FFmpeg stored 4 of the 5 frames, so no video was made'):
        write(path, frames(5))
    assert os.listdir(str(tmp_path)) == []


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    disk = tmp_path / 'disk'
    disk.mkdir()
    # A tmpfs of 64 KiB: room for the first frames of noise, not for the video.
    if subprocess.call(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', str(disk)],
                       stderr=subprocess.DEVNULL) != 0:
        pytest.skip('cannot mount a small tmpfs here (needs root): the full disk is simulated above')
    try:
        with pytest.raises(HMRError) as error:
            write(str(disk / 'clip.mp4'), frames(40, size=(128, 96)))
        message = str(error.value)
        assert message.startswith(str(disk / 'clip.mp4') + ': FFmpeg') and '\n' not in message
        assert 'No space left on device' in message
        assert os.listdir(str(disk)) == []
    finally:
        subprocess.call(['umount', str(disk)])


def test_published_video_is_complete_and_has_the_usual_mode(tmp_path):
    path = str(tmp_path / 'clip.mp4')
    umask = os.umask(0o022)
    try:
        write(path, frames(7))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    reader = VideoReader(path)
    assert len(list(reader)) == 7 and reader.fps == 10.
    assert os.listdir(str(tmp_path)) == ['clip.mp4']
