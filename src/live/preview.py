"""An MJPEG preview of the overlay over HTTP: GET / streams multipart/x-mixed-replace JPEG frames (what
browsers and VLC show as a video), GET /frame.jpg the newest frame alone.

The meshes are drawn in a worker process with its own renderer, always from the newest processed
frame: when drawing is slower than the model, frames are skipped rather than queued, so the preview
never holds the model back.
"""
import http.server
import socketserver
import threading

import numpy as np

from ..errors import HMRError

BOUNDARY = b'hmrframe'
JPEG_QUALITY = 80


def encode_jpeg(image):
    import cv2
    ok, data = cv2.imencode('.jpg', np.ascontiguousarray(image[:, :, ::-1]), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    return data.tobytes()


def _renderer_ready(renderer):
    """A job for the drawing worker that returns once its renderer is made."""


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class Preview(object):
    """show(frame, meshes) from the main loop; the overlay is drawn and served on other threads."""

    def __init__(self, host, port, faces):
        from ..demo.workers import Pictures
        self.faces = faces
        self.camera = None  # [f, cx, cy] of the frames, set once the source's size is known
        self._condition = threading.Condition()
        self._pending = None  # (image, meshes) waiting to be drawn
        self._jpeg, self._jpeg_number = None, 0
        self._closed = False
        self.error = None
        preview = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass  # no request lines over the status line

            def do_GET(self):
                if self.path == '/frame.jpg':
                    jpeg, _ = preview.wait_jpeg(0, 5.)
                    if jpeg is None:
                        self.send_error(503, 'no frame yet')
                        return
                    self.send_response(200)
                    self.send_header('Content-Type', 'image/jpeg')
                    self.send_header('Content-Length', str(len(jpeg)))
                    self.end_headers()
                    self.wfile.write(jpeg)
                elif self.path == '/':
                    self.send_response(200)
                    self.send_header('Content-Type', 'multipart/x-mixed-replace; boundary=' + BOUNDARY.decode())
                    self.send_header('Cache-Control', 'no-cache')
                    self.end_headers()
                    number = 0
                    try:
                        while True:
                            jpeg, number = preview.wait_jpeg(number, 1.)
                            if jpeg is None:
                                if preview.closed:
                                    return
                                continue
                            self.wfile.write(b'--' + BOUNDARY + b'\r\nContent-Type: image/jpeg\r\nContent-Length: '
                                             + str(len(jpeg)).encode() + b'\r\n\r\n' + jpeg + b'\r\n')
                    except (BrokenPipeError, ConnectionResetError):
                        return
                else:
                    self.send_error(404)

        try:
            self._server = _Server((host, port), Handler)
        except (OSError, OverflowError) as e:
            raise HMRError('--preview_port %s on %s: cannot listen there (%s)' % (port, host, getattr(e, 'strerror', e)))
        self.url = 'http://%s:%d/' % (host, self._server.server_address[1])
        # The drawing worker is started, and its renderer made, before the first frame comes.
        self._pictures = Pictures(1, faces)
        try:
            self._pictures.submit(_renderer_ready).result()
        except Exception as e:  # no GL here: the preview shows the frames without the meshes
            self.error = 'the preview showed frames without meshes: no renderer (%s)' % str(e).splitlines()[0]
        self._threads = [threading.Thread(target=self._server.serve_forever, name='preview-http'),
                         threading.Thread(target=self._draw, name='preview-draw')]
        for thread in self._threads:
            thread.daemon = True
            thread.start()

    @property
    def closed(self):
        return self._closed

    def show(self, image, meshes):
        """The newest processed frame and its people's meshes (in `camera`); replaces one not yet drawn."""
        with self._condition:
            self._pending = (image, meshes)
            self._condition.notify_all()

    def wait_jpeg(self, after, timeout):
        """(JPEG bytes, its number) of a frame newer than number `after`, or (None, after) on timeout."""
        with self._condition:
            self._condition.wait_for(lambda: self._jpeg_number > after or self._closed, timeout)
            if self._jpeg_number > after:
                return self._jpeg, self._jpeg_number
            return None, after

    def _draw(self):
        """Draw the newest frame in a picture worker process (src.demo.workers), one at a time: drawing
        in a thread here would hold the interpreter's lock (opendr, the legacy renderer, is Python) and
        slow the model's loop."""
        from ..demo.video_files import overlay_frame
        pictures = self._pictures
        try:
            while True:
                with self._condition:
                    self._condition.wait_for(lambda: self._pending is not None or self._closed)
                    if self._closed:
                        return
                    (image, meshes), self._pending = self._pending, None
                if self.error is None:
                    try:
                        image = pictures.submit(overlay_frame, image, meshes, self.faces, self.camera).result()
                    except Exception as e:  # no GL here: the preview shows the frames without the meshes
                        self.error = 'the preview showed frames without meshes: no renderer (%s)' % str(e).splitlines()[0]
                jpeg = encode_jpeg(image)
                with self._condition:
                    self._jpeg = jpeg
                    self._jpeg_number += 1
                    self._condition.notify_all()
        finally:
            pictures.close()

    def close(self):
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._threads[1].join(60)  # the frame being drawn, then the worker stops
