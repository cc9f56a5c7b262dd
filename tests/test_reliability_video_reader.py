"""A video coded picture by picture (PNG, lossless) is a video, not a still picture (issue 22, item 9);
a PNG file is still refused as one."""
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from src.errors import HMRError
from src.video.io import VideoReader


def test_a_png_coded_video_is_read(tmp_path):
    path = str(tmp_path / 'lossless.mkv')
    subprocess.check_call([imageio_ffmpeg.get_ffmpeg_exe(), '-v', 'error', '-y', '-f', 'lavfi', '-i',
                           'testsrc=size=64x48:rate=10', '-t', '1', '-c:v', 'png', path])
    reader = VideoReader(path)
    frames = list(reader)
    assert (reader.codec, reader.fps, reader.size, len(frames)) == ('png', 10., (64, 48), 10)


def test_a_png_picture_is_still_refused(tmp_path):
    path = str(tmp_path / 'photo.mkv')
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path, format='PNG')
    with pytest.raises(HMRError, match='not a video .FFmpeg reads it as a single png picture'):
        VideoReader(path)
