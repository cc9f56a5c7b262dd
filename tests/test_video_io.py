"""Video reading and writing (src/video/io.py): round trips on a clip made from a real photograph,
frame selection, streaming, bad files and the writer's finished-or-absent promise."""
import os
import subprocess
import tracemalloc

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image
from skimage import data

from src.errors import HMRError
from src.video.io import VideoReader, VideoWriter, is_video

FPS = 24.0


def pan_zoom(count, size=(160, 120)):
    """Frames of a camera panning across the astronaut photograph while zooming in."""
    photo = Image.fromarray(data.astronaut())
    frames = []
    for i in range(count):
        t = i / float(max(count - 1, 1))
        width = 400 - 200 * t
        left, top = 10 + 90 * t, 40 * t
        box = (left, top, left + width, top + width * size[1] / size[0])
        frames.append(np.asarray(photo.resize(size, Image.BILINEAR, box=box)))
    return frames


def write(path, frames, fps=FPS):
    height, width = frames[0].shape[:2]
    with VideoWriter(str(path), fps, (width, height)) as writer:
        for frame in frames:
            writer.write(frame)
    return str(path)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b) ** 2)
    return 10 * np.log10(255.0 ** 2 / mse)


def one_line_error(path, fn):
    with pytest.raises(HMRError) as info:
        fn()
    message = str(info.value)
    assert '\n' not in message and str(path) in message
    return message


@pytest.fixture(scope='module')
def astronaut_clip(tmp_path_factory):
    frames = pan_zoom(30)
    return write(tmp_path_factory.mktemp('clip') / 'astronaut.mp4', frames), frames


def test_round_trip_keeps_rate_count_codec_and_content(astronaut_clip):
    path, source = astronaut_clip
    reader = VideoReader(path)
    assert reader.fps == FPS and reader.size == (160, 120)
    assert reader.frame_count == 30
    assert (reader.codec, reader.pixel_format) == ('h264', 'yuv420p')
    decoded = list(reader)
    assert [i for i, _ in decoded] == list(range(30))
    for (_, frame), original in zip(decoded, source):
        assert frame.shape == (120, 160, 3) and frame.dtype == np.uint8
        assert psnr(frame, original) > 30
    # Different frames of the pan are told apart: each matches its own source frame best.
    assert psnr(decoded[5][1], source[5]) > psnr(decoded[5][1], source[8]) + 3


def test_start_end_every_select_source_frames(astronaut_clip):
    path, _ = astronaut_clip
    everything = dict(VideoReader(path))
    selected = list(VideoReader(path, start=5, end=20, every=4))
    assert [i for i, _ in selected] == [5, 9, 13, 17]
    for index, frame in selected:
        np.testing.assert_array_equal(frame, everything[index])
    assert [i for i, _ in VideoReader(path, start=27)] == [27, 28, 29]
    assert [i for i, _ in VideoReader(path, end=40, every=10)] == [0, 10, 20]
    # The progress bar's total: what the range selects, the video's end included.
    for start, end, every in [(5, 20, 4), (27, None, 1), (0, 40, 10), (0, None, 1)]:
        reader = VideoReader(path, start=start, end=end, every=every)
        assert reader.selected_count == len(list(reader))


def test_frames_are_writable_copies(astronaut_clip):
    _, frame = next(iter(VideoReader(astronaut_clip[0])))
    frame[0, 0] = 7  # callers draw on frames


def test_odd_sizes_are_padded_to_even(tmp_path):
    frames = [f[:49, :65] for f in pan_zoom(4)]
    writer_path = write(tmp_path / 'odd.mp4', [np.ascontiguousarray(f) for f in frames])
    reader = VideoReader(writer_path)
    assert reader.size == (66, 50)
    (_, first), = list(VideoReader(writer_path, end=1))
    assert psnr(first[:49, :65], frames[0]) > 28
    # The padding repeats the last column and row.
    assert np.abs(first[:49, 65].astype(int) - first[:49, 64]).mean() < 8


def test_reading_streams_one_frame_at_a_time(tmp_path):
    count, size = 400, (320, 240)
    frame_bytes = size[0] * size[1] * 3
    base = pan_zoom(16, size)
    path = str(tmp_path / 'long.mp4')
    with VideoWriter(path, 30, size) as writer:
        for i in range(count):
            writer.write(base[i % 16])
    tracemalloc.start()
    try:
        seen = 0
        for index, frame in VideoReader(path):
            assert index == seen
            seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    # Holding every frame would peak at 400 frames; streaming holds about three (the pipe's bytes, the
    # array and its writable copy).
    assert peak < 6 * frame_bytes, peak


def test_not_a_video_is_one_line(tmp_path):
    text = tmp_path / 'notes.mp4'
    text.write_text(u'these are not frames\n' * 20)
    assert 'not a video' in one_line_error(text, lambda: VideoReader(str(text)))
    picture = tmp_path / 'photo.mp4'
    Image.fromarray(data.astronaut()).save(str(picture), format='PNG')
    assert 'not a video' in one_line_error(picture, lambda: VideoReader(str(picture)))
    missing = tmp_path / 'missing.mp4'
    assert 'no such' in one_line_error(missing, lambda: VideoReader(str(missing)))


def test_truncated_video_is_one_line(tmp_path, astronaut_clip):
    whole = open(astronaut_clip[0], 'rb').read()
    cut = tmp_path / 'cut.mp4'
    cut.write_bytes(whole[:len(whole) // 2])
    message = one_line_error(cut, lambda: list(VideoReader(str(cut))))
    assert 'truncated' in message
    # Cut inside the header: FFmpeg cannot open it at all.
    stub = tmp_path / 'stub.mp4'
    stub.write_bytes(whole[:200])
    one_line_error(stub, lambda: list(VideoReader(str(stub))))


def test_zero_frames_and_empty_ranges_are_one_line(tmp_path, astronaut_clip):
    sound = str(tmp_path / 'sound.mp4')
    subprocess.check_call([imageio_ffmpeg.get_ffmpeg_exe(), '-v', 'error', '-f', 'lavfi', '-i', 'anullsrc',
                           '-t', '1', sound])
    assert 'no video frames' in one_line_error(sound, lambda: VideoReader(sound))
    path = astronaut_clip[0]
    assert 'no frames from --start 30' in one_line_error(path, lambda: list(VideoReader(path, start=30)))
    one_line_error(path, lambda: VideoReader(path, start=10, end=10))
    one_line_error(path, lambda: VideoReader(path, every=0))


def test_writer_leaves_nothing_on_an_exception(tmp_path):
    frames = pan_zoom(3)
    for error in (RuntimeError, KeyboardInterrupt):
        target = tmp_path / 'out.mp4'
        with pytest.raises(error):
            with VideoWriter(str(target), FPS, (160, 120)) as writer:
                writer.write(frames[0])
                writer.write(frames[1])
                raise error()
        assert os.listdir(str(tmp_path)) == []


def test_writer_finishes_under_its_name_only_on_close(tmp_path):
    frames = pan_zoom(3)
    target = tmp_path / 'out.mp4'
    with VideoWriter(str(target), FPS, (160, 120)) as writer:
        for frame in frames:
            writer.write(frame)
        assert not target.exists()
    assert os.listdir(str(tmp_path)) == ['out.mp4']
    assert len(list(VideoReader(str(target)))) == 3


def test_writer_without_frames_writes_nothing(tmp_path):
    target = tmp_path / 'empty.mp4'
    with pytest.raises(HMRError):
        with VideoWriter(str(target), FPS, (160, 120)):
            pass
    assert os.listdir(str(tmp_path)) == []


def test_writer_refuses_a_frame_of_another_size(tmp_path):
    with pytest.raises(ValueError):
        with VideoWriter(str(tmp_path / 'x.mp4'), FPS, (160, 120)) as writer:
            writer.write(np.zeros((100, 100, 3), np.uint8))
    assert os.listdir(str(tmp_path)) == []


def test_is_video_by_extension():
    assert is_video('clip.MP4') and is_video('/a/b/c.mov') and is_video('x.mkv')
    assert not is_video('photo.jpg') and not is_video('photo.png') and not is_video('noext')


WRITE_UNTIL_INTERRUPTED = """
import sys, numpy as np
from src.video.io import VideoWriter
with VideoWriter(sys.argv[1], 24, (160, 120)) as writer:
    frame = np.zeros((120, 160, 3), np.uint8)
    for i in range(100000):
        frame[:] = i % 255
        writer.write(frame)
        if i == 10:
            print('writing', flush=True)
"""


def test_ctrl_c_while_writing_leaves_no_file(tmp_path):
    import signal
    import sys
    from tests.conftest import PROJECT_DIR
    target = tmp_path / 'interrupted.mp4'
    proc = subprocess.Popen([sys.executable, '-c', WRITE_UNTIL_INTERRUPTED, str(target)], cwd=PROJECT_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b'writing'
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b'KeyboardInterrupt' in err
    assert os.listdir(str(tmp_path)) == []


def test_sample_clip_is_a_video_with_its_boxes(tmp_path):
    from src.samples.sample_clip import write_sample_clip
    path = str(tmp_path / 'sample.mp4')
    boxes = write_sample_clip(path, size=(320, 180), fps=25, seconds=1.0)
    reader = VideoReader(path)
    assert (reader.fps, reader.size, reader.frame_count, reader.codec) == (25.0, (320, 180), 25, 'h264')
    # The one behind (1) stays in the picture; the one in front (0) leaves it for a while and comes back.
    assert len(boxes) == 25 and all(1 in b for b in boxes)
    assert 0 in boxes[0] and 0 in boxes[-1] and not all(0 in b for b in boxes)
    # The people are where their boxes say: the astronaut's orange suit fills part of each box.
    index, frame = next(iter(reader))
    for x, y, w, h in boxes[index].values():
        patch = frame[y:y + h, x:x + w].astype(int)
        orange = (patch[..., 0] > 150) & (patch[..., 0] - patch[..., 2] > 80)
        assert orange.mean() > 0.1
