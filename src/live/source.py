"""A live source: a camera, a stream FFmpeg reads, or a file played at its own rate, read on a thread of
its own that keeps only the newest frame.

OpenCV reads them (`cv2.VideoCapture`, its FFmpeg backend for URLs and files): the static FFmpeg of
imageio-ffmpeg crashes reading udp://. When the consumer is slower than the source, a frame not yet
taken is replaced by the next one and counted as dropped, so nothing queues and latency stays bounded.
Each frame carries the time it was read (time.monotonic()), from which latency is measured.
"""
import collections
import os
import threading
import time

from ..errors import HMRError

URL_SCHEMES = ('udp', 'rtp', 'rtsp', 'http', 'https', 'tcp')

Frame = collections.namedtuple('Frame', ['index', 'time', 'image'])
Frame.__doc__ = """index: the frame's number in the source (dropped frames count); time: when it was read
(time.monotonic()); image: H x W x 3 uint8 RGB."""


def describe(source):
    """SOURCE -> (kind, what OpenCV opens): ('camera', index or device path), ('url', url) or
    ('file', path); a SOURCE that is none of these is a one-line HMRError."""
    if source.isdigit():
        return 'camera', int(source)
    if source.startswith('/dev/'):
        if not os.path.exists(source):
            raise HMRError('camera %s: no such device' % source)
        return 'camera', source
    if '://' in source:
        scheme = source.split('://', 1)[0].lower()
        if scheme not in URL_SCHEMES:
            raise HMRError('--live %s: a URL must be one of %s' % (source, ', '.join(s + '://' for s in URL_SCHEMES)))
        return 'url', source
    if os.path.isfile(source):
        return 'file', source
    raise HMRError('--live %s: not a camera index, a /dev/ device, a URL (%s) or a file'
                   % (source, ', '.join(s + '://' for s in URL_SCHEMES)))


class LiveSource(object):
    """Frames of SOURCE, newest first: start(), then next_frame(timeout) until it returns None.

    Attributes once started: `size` (width, height), `fps` (the source's stated rate, or None),
    `frames_read`, `dropped` (read but replaced by a newer frame before being taken)."""

    def __init__(self, source):
        self.source = source
        self.kind, self._target = describe(source)
        self.size = self.fps = None
        self.frames_read = self.dropped = 0
        self._condition = threading.Condition()
        self._newest = None
        self._ended = False
        self._error = None
        self._stop = threading.Event()
        self._thread = None

    def start(self, first_frame_timeout):
        """Open the source and wait for its first frame (it stays to be taken). A source that cannot
        be opened or sends nothing within `first_frame_timeout` seconds is a one-line HMRError."""
        self._thread = threading.Thread(target=self._read, name='live-source')
        # Daemon: a stream that stops sending can hold FFmpeg's read for a while; that must not keep
        # the process alive once the run has ended.
        self._thread.daemon = True
        self._thread.start()
        deadline = time.monotonic() + first_frame_timeout
        with self._condition:
            while self._newest is None and not self._ended:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._condition.wait(left)
            if self._error:
                raise HMRError(self._error)
            if self._newest is None:
                self._stop.set()
                raise HMRError('%s: %s within %g s' % (self.source, 'the source ended before its first frame'
                                                       if self._ended else 'no frame arrived', first_frame_timeout))

    def next_frame(self, timeout):
        """The newest frame not yet taken, waiting up to `timeout` seconds; None when the source has
        ended (end of file, stream closed) or sent nothing for that long."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._newest is None and not self._ended:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._condition.wait(left)
            frame, self._newest = self._newest, None
            return frame

    # How long stop() waits for the reader to release the source: a file or a live stream answers within
    # a frame; a stream that went silent may hold FFmpeg's read longer (the thread is a daemon then).
    STOP_WAIT_S = 2.

    def stop(self):
        """Stop reading and let the reader release the source before the process ends: a reader thread
        still inside OpenCV's read when the interpreter exits can abort the process (status -6, seen
        once with --duration)."""
        self._stop.set()
        thread = getattr(self, '_thread', None)
        if thread is not None and thread is not threading.current_thread():
            thread.join(self.STOP_WAIT_S)

    def _open(self):
        import cv2
        if self.kind == 'camera':
            capture = cv2.VideoCapture(self._target)
        else:
            capture = cv2.VideoCapture(self._target, cv2.CAP_FFMPEG)
        if not capture.isOpened():
            what = {'camera': 'no camera can be opened there', 'url': 'the stream cannot be opened (unreachable, '
                    'refused, or not a video stream)', 'file': 'not a video OpenCV can read'}[self.kind]
            raise HMRError('%s: %s' % (self.source, what))
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 0 < fps < 1000 else None
        return capture

    def _read(self):
        import cv2
        try:
            capture = self._open()
        except HMRError as e:
            with self._condition:
                self._error, self._ended = str(e), True
                self._condition.notify_all()
            return
        started = None
        try:
            while not self._stop.is_set():
                ok, image = capture.read()
                if not ok:
                    break
                now = time.monotonic()
                if self.kind == 'file' and self.fps:
                    # A file plays at its own rate, as a camera would deliver it.
                    started = now if started is None else started
                    wait = started + self.frames_read / self.fps - now
                    if wait > 0:
                        time.sleep(wait)
                        now = time.monotonic()
                frame = Frame(self.frames_read, now, cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
                with self._condition:
                    if self.size is None:
                        self.size = (image.shape[1], image.shape[0])
                    if self._newest is not None:
                        self.dropped += 1
                    self._newest = frame
                    self.frames_read += 1
                    self._condition.notify_all()
        finally:
            capture.release()
            with self._condition:
                self._ended = True
                self._condition.notify_all()
