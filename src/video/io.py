"""Video files in and out through the FFmpeg that the imageio-ffmpeg wheel bundles (no system FFmpeg).

Frames are streamed from and to an FFmpeg process through a pipe: the reader holds one frame at a
time, so memory does not grow with a video's length. Problems a user can fix raise HMRError with one
line that names the file.
"""
import functools
import os
import re
import subprocess
import tempfile

import imageio_ffmpeg
import numpy as np

from ..errors import HMRError

VIDEO_EXTENSIONS = ('.mp4', '.m4v', '.mov', '.avi', '.mkv', '.webm', '.mpg', '.mpeg', '.wmv', '.flv',
                    '.3gp', '.ts', '.mts', '.m2ts', '.ogv')
# Codecs FFmpeg uses to decode a single picture or text as a "video" of one frame.
_STILL_CODECS = ('ansi', 'png', 'bmp', 'tiff', 'webp', 'jpegls', 'jpeg2000', 'pam', 'pbm', 'pgm',
                 'ppm', 'sgi', 'targa', 'xbm', 'xwd')
# A decode that ends this far short of the container's duration x frame rate is a truncated file; the
# slack covers rounding and variable-frame-rate clips whose nominal rate overstates their frames.
_TRUNCATED_FRACTION = 0.9
_TRUNCATED_SLACK = 2


# Frame rates FFmpeg's MP4 muxer takes: below, it fails or drops frames; above, it silently writes
# 1001000 (its largest rational).
MIN_ENCODED_FPS, MAX_ENCODED_FPS = 0.001, 1e6


def check_encodable_rate(path, fps):
    """Refuse, in one line, a frame rate the video `path` could not be written at."""
    if not MIN_ENCODED_FPS <= fps <= MAX_ENCODED_FPS:
        raise HMRError('%s: FFmpeg cannot encode a video at %.6g frames per second (it takes %g to %g)'
                       % (path, fps, MIN_ENCODED_FPS, MAX_ENCODED_FPS))


def is_video(path):
    """Whether `path` names a video, by its extension (images go through the image path)."""
    return os.path.splitext(path)[1].lower() in VIDEO_EXTENSIONS


def _ffmpeg_reason(error):
    """The last line of FFmpeg's message in an imageio-ffmpeg error: the one that says what failed."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def _probe(path):
    """FFmpeg's description of `path` (`ffmpeg -i path`, which reads the header and stops): its exit
    status (negative: killed by that signal) and its message text."""
    result = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), '-hide_banner', '-nostdin', '-i', path],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return result.returncode, result.stderr.decode('utf-8', 'replace')


# "25 fps", "29.97 fps", "1k fps", "30 tbr", "1.2k tbr": FFmpeg prints rates from 1000 up with k.
_RATE = re.compile(r'(?:^|[ ,])([0-9]+(?:\.[0-9]+)?)(k?) (fps|tbr)\b')


def stream_rate(banner):
    """The first video stream's frame rate in FFmpeg's description, and which figure it is: (rate,
    'fps') when the file states its average rate, (rate, 'tbr') when it states only FFmpeg's guess of
    the base rate (variable-rate files, as screen recorders write), (0, None) when neither."""
    lines = [line for line in banner.splitlines() if line.lstrip().startswith('Stream ') and ' Video: ' in line]
    if not lines:
        return 0., None
    rates = {kind: float(value) * (1000 if k else 1) for value, k, kind in _RATE.findall(lines[0])}
    for kind in ('fps', 'tbr'):
        if rates.get(kind, 0) > 0:
            return rates[kind], kind
    return 0., None


@functools.lru_cache(maxsize=None)
def _passthrough_params():
    """FFmpeg output options that hand over each decoded frame once (no frames dropped or repeated
    to fit a constant rate), so frame indices are the source's."""
    major = int(imageio_ffmpeg.get_ffmpeg_version().split('.')[0].split('-')[0])
    return ('-fps_mode', 'passthrough') if major >= 5 else ('-vsync', 'passthrough')


class VideoReader(object):
    """The frames of one video, from index `start` up to (not including) `end`, every `every`-th.

    Attributes: `fps`, `size` (width, height), `frame_count` (the container's duration x frame rate,
    an estimate, or None when the container does not say), `codec` and `pixel_format` (FFmpeg's
    names). Iterating yields (frame index in the source, H x W x 3 uint8 RGB array); each iteration
    decodes from the start, and a file that ends well short of its stated length raises at the end.
    """

    def __init__(self, path, start=0, end=None, every=1):
        if not os.path.isfile(path):
            raise HMRError('%s: no such video file' % path)
        if start < 0 or every < 1 or (end is not None and end <= start):
            raise HMRError('%s: empty or invalid frame range (start %d, end %s, every %d)'
                           % (path, start, end, every))
        self.path, self.start, self.end, self.every = path, int(start), end, int(every)
        self._capture = None  # OpenCV reads the file instead when FFmpeg crashes on it
        frames = imageio_ffmpeg.read_frames(path)
        try:
            meta = next(frames)
        except (IOError, OSError, RuntimeError) as e:
            if 'Input #0' in str(e) and 'Video:' not in str(e):
                raise HMRError('%s: the file has no video frames (FFmpeg finds no video stream in it)' % path)
            status, _ = _probe(path)
            if status >= 0:
                raise HMRError('%s: not a video FFmpeg can read (%s)' % (path, _ffmpeg_reason(e)))
            self._open_with_opencv(-status)
            return
        finally:
            frames.close()
        self.codec = meta.get('codec', '').split(',')[0].strip()
        self.pixel_format = meta.get('pix_fmt', '').split('(')[0]
        # A picture has no duration; a video coded picture by picture (PNG, MJPEG) has one.
        if (self.codec in _STILL_CODECS or self.codec == 'mjpeg') and not meta.get('duration'):
            raise HMRError('%s: not a video (FFmpeg reads it as a single %s picture)' % (path, self.codec))
        self.fps, stated = float(meta.get('fps') or 0), 'fps'
        if self.fps <= 0:  # imageio-ffmpeg reads only "N fps": "1k fps" and "N tbr" alone are ours
            self.fps, stated = stream_rate(_probe(path)[1])
        if self.fps <= 0:
            raise HMRError('%s: the video does not state its frame rate' % path)
        self.size = tuple(int(v) for v in meta['size'])
        duration = meta.get('duration') or 0
        # A rate that is only FFmpeg's guess (tbr) can be far from the frames' count per second.
        self.frame_count = int(round(duration * self.fps)) if duration > 0 and stated == 'fps' else None

    def _open_with_opencv(self, signal_number):
        """FFmpeg crashed reading the file (the bundled static builds do on MPEG-TS on some machines):
        read it through OpenCV's own FFmpeg, or say that FFmpeg crashed."""
        import cv2
        crashed = '%s: FFmpeg crashed (signal %d) reading it' % (self.path, signal_number)
        capture = cv2.VideoCapture(self.path, cv2.CAP_FFMPEG)
        try:
            readable = capture.isOpened() and capture.read()[0]
            fps = capture.get(cv2.CAP_PROP_FPS)
            size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
            count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
            fourcc = int(capture.get(cv2.CAP_PROP_FOURCC))
        finally:
            capture.release()
        if not readable:
            raise HMRError(crashed + ', and OpenCV cannot read it either')
        if not fps > 0:
            raise HMRError(crashed + ', and OpenCV does not find its frame rate')
        self._capture = cv2
        self.fps, self.size, self.frame_count = float(fps), size, (count if count > 0 else None)
        self.codec = ''.join(chr((fourcc >> shift) & 0xff) for shift in (0, 8, 16, 24)).strip('\0 ').lower()
        self.pixel_format = ''  # OpenCV does not say

    @property
    def selected_count(self):
        """How many frames the iteration yields, estimated from frame_count (None when unknown)."""
        last = self.frame_count if self.end is None else min(self.end, self.frame_count or self.end)
        return len(range(self.start, last, self.every)) if last is not None else None

    def __iter__(self):
        frames = self._opencv_frames() if self._capture is not None else self._ffmpeg_frames()
        decoded = 0
        try:
            for frame in frames:
                index = decoded
                decoded += 1
                if self.end is not None and index >= self.end:
                    break
                if index >= self.start and (index - self.start) % self.every == 0:
                    # A writable copy: callers draw on frames, and the pipe's buffer is read-only.
                    yield index, frame.copy()
        except (IOError, OSError, RuntimeError) as e:
            raise HMRError('%s: truncated or corrupt, decoding stopped at frame %d (%s)'
                           % (self.path, decoded, _ffmpeg_reason(e)))
        finally:
            frames.close()
        self._check_complete(decoded)

    def _ffmpeg_frames(self):
        width, height = self.size
        frames = imageio_ffmpeg.read_frames(self.path, output_params=list(_passthrough_params()))
        try:
            next(frames)
            for buffer in frames:
                yield np.frombuffer(buffer, np.uint8).reshape(height, width, 3)
        finally:
            frames.close()

    def _opencv_frames(self):
        cv2 = self._capture
        capture = cv2.VideoCapture(self.path, cv2.CAP_FFMPEG)
        try:
            while True:
                ok, frame = capture.read()
                if not ok:
                    return
                if frame.shape[:2] != self.size[::-1]:
                    raise HMRError('%s: frame of %dx%d in a %dx%d video (OpenCV)'
                                   % ((self.path,) + frame.shape[1::-1] + self.size))
                yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        finally:
            capture.release()

    def _check_complete(self, decoded):
        if decoded == 0:
            raise HMRError('%s: the video has no frames' % self.path)
        if self.end is not None and decoded >= self.end:
            return
        expected = self.frame_count
        if expected and decoded < _TRUNCATED_FRACTION * expected - _TRUNCATED_SLACK:
            raise HMRError('%s: truncated or corrupt, decoding stopped after %d of about %d frames'
                           % (self.path, decoded, expected))
        if self.start >= decoded:
            raise HMRError('%s: no frames from --start %d on (the video has %d frames)'
                           % (self.path, self.start, decoded))


class VideoWriter(object):
    """An H.264 (yuv420p) MP4 written frame by frame; a context manager.

    The file is written under a temporary name in the same folder and renamed to `path` only when
    the block ends cleanly, FFmpeg exits with status 0 and the finished file holds every frame
    written; otherwise (an exception, KeyboardInterrupt included, a full disk, FFmpeg failing) the
    temporary file is deleted, so the video is either complete or absent. H.264 in yuv420p needs even
    sizes: an odd width or height is padded by repeating the last column or row, and `size` is the
    size written. The file gets the usual mode (0666 less the umask).
    """

    def __init__(self, path, fps, size, crf=18, preset='veryfast'):
        """`size` (width, height) of the frames given to `write`; `crf` the x264 quality (lower is
        better, 18 about visually lossless); `preset` the x264 speed/size trade-off."""
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise HMRError('%s: the folder does not exist' % path)
        check_encodable_rate(path, fps)
        self.path, self.fps = path, float(fps)
        self.frame_size = (int(size[0]), int(size[1]))
        self.size = tuple(v + v % 2 for v in self.frame_size)
        self.frames_written = 0
        self._params = ['-crf', str(crf), '-preset', preset, '-movflags', '+faststart']
        name, ext = os.path.splitext(os.path.basename(path))
        try:
            handle, self._temp_path = tempfile.mkstemp(prefix='.%s.' % name, suffix='.part' + (ext or '.mp4'),
                                                       dir=folder)
        except (IOError, OSError) as e:
            raise HMRError('cannot write %s: %s' % (path, e.strerror or e))
        os.close(handle)
        self._encoder = None
        self._log = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    def _start(self):
        """FFmpeg reading raw RGB frames on its stdin; its messages kept in a file (a pipe nobody
        reads could fill and stall it), its own session so that Ctrl-C reaches only us."""
        self._log = tempfile.TemporaryFile()
        command = [imageio_ffmpeg.get_ffmpeg_exe(), '-y', '-v', 'error', '-f', 'rawvideo', '-vcodec', 'rawvideo',
                   '-s', '%dx%d' % self.size, '-pix_fmt', 'rgb24', '-r', '%.6f' % self.fps, '-i', '-', '-an',
                   '-vcodec', 'libx264', '-pix_fmt', 'yuv420p'] + self._params + ['-f', 'mp4', self._temp_path]
        self._encoder = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=self._log, start_new_session=True)

    def _ffmpeg_said(self):
        """FFmpeg's last message line, or its exit status."""
        self._log.seek(0)
        lines = [line.strip() for line in self._log.read().decode('utf-8', 'replace').splitlines() if line.strip()]
        status = self._encoder.returncode
        if status is not None and status < 0:
            return 'FFmpeg was killed by signal %d' % -status
        return lines[-1] if lines else 'FFmpeg exit status %s' % status

    def write(self, frame):
        """Append one H x W x 3 uint8 RGB frame of the size given at construction."""
        frame = np.asarray(frame)
        width, height = self.frame_size
        if frame.dtype != np.uint8 or frame.shape != (height, width, 3):
            raise ValueError('expected a %dx%dx3 uint8 frame, got %s %s' % (height, width, frame.shape, frame.dtype))
        pad_rows, pad_cols = self.size[1] - height, self.size[0] - width
        if pad_rows or pad_cols:
            frame = np.pad(frame, ((0, pad_rows), (0, pad_cols), (0, 0)), mode='edge')
        if self._encoder is None:
            self._start()
        try:
            self._encoder.stdin.write(np.ascontiguousarray(frame).tobytes())
        except (IOError, OSError):
            self._encoder.wait()
            raise HMRError('%s: FFmpeg stopped while writing the video (%s)' % (self.path, self._ffmpeg_said()))
        self.frames_written += 1

    def close(self):
        """Finish the video, check it, and move it to its name."""
        try:
            if self.frames_written == 0:
                raise HMRError('%s: no frames were written, so no video was made' % self.path)
            try:
                self._encoder.stdin.close()
            except (IOError, OSError):
                pass  # FFmpeg already gone: its status says why
            if self._encoder.wait() != 0:
                raise HMRError('%s: FFmpeg failed finishing the video, so none was made (%s)'
                               % (self.path, self._ffmpeg_said()))
            self._check_complete()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self._temp_path, 0o666 & ~umask)
            os.replace(self._temp_path, self.path)
        except (IOError, OSError) as e:
            raise HMRError('cannot write %s: %s' % (self.path, e.strerror or e))
        finally:
            self._stop()

    def _check_complete(self):
        """The finished file must hold every frame written (an MP4 cut short has no index)."""
        try:
            frames, _ = imageio_ffmpeg.count_frames_and_secs(self._temp_path)
        except (IOError, OSError, RuntimeError) as e:
            raise HMRError('%s: FFmpeg left an unreadable video, so none was made (%s)' % (self.path, _ffmpeg_reason(e)))
        if frames != self.frames_written:
            raise HMRError('%s: FFmpeg stored %d of the %d frames, so no video was made'
                           % (self.path, frames, self.frames_written))

    def abort(self):
        """Stop FFmpeg and delete the unfinished file."""
        if self._encoder is not None and self._encoder.poll() is None:
            self._encoder.kill()
        self._stop()

    def _stop(self):
        if self._encoder is not None:
            try:
                self._encoder.stdin.close()
            except (IOError, OSError):
                pass
            self._encoder.wait()
            self._encoder = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if os.path.exists(self._temp_path):
            os.remove(self._temp_path)
