"""The demo with one fault injected, for tests/test_reliability_*.py:

    RELIABILITY_FAULT=<fault> python tests/reliability_demo.py <demo flags>

The patch is made at import, so the picture workers (spawned: they import this file as their main
module) have it too. Faults:
  kill_figure:<stem>[:<marker>]  the worker drawing <stem>'s figure kills itself with SIGKILL (once
                                 if <marker>, a file made on the first death; else every time)
  kill_overlay:<marker>          the worker drawing the first video overlay frame dies, once
  fail_write:<n>                 the video writer raises HMRError on its n-th frame
  sigint_write:<n>               Ctrl-C (SIGINT to this process) on the video writer's n-th frame
  sigterm_write:<n>              SIGTERM to this process's group (workers too, as `timeout` or a
                                 service manager sends it) on the video writer's n-th frame
"""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from src.demo import outputs, video_files, writers  # noqa: E402
from src.errors import HMRError  # noqa: E402
from src.video import io  # noqa: E402


def _first_time(marker):
    """True once per marker file (made atomically), always without one."""
    if not marker:
        return True
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
        return True
    except OSError:
        return False


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


KIND, _, ARG = os.environ.get('RELIABILITY_FAULT', '').partition(':')
# Jobs given to the picture workers are pickled by name: the stand-ins live at this module's top.
_DRAW_FIGURE, _DRAW_OVERLAY, _WRITE = outputs.write_figure, video_files.overlay_frame, io.VideoWriter.write
_CALLS = [0]


def dying_figure(renderer, path, result, faces):
    stem, _, marker = ARG.partition(':')
    if os.path.basename(path) == stem and _first_time(marker):
        _die()
    return _DRAW_FIGURE(renderer, path, result, faces)


def dying_overlay(renderer, *args):
    if _first_time(ARG):
        _die()
    return _DRAW_OVERLAY(renderer, *args)


def failing_write(self, frame):
    _CALLS[0] += 1
    if _CALLS[0] == int(ARG):
        if KIND == 'fail_write':
            raise HMRError('%s: injected write failure' % self.path)
        if KIND == 'sigterm_write':
            os.killpg(os.getpgid(0), signal.SIGTERM)
        else:
            os.kill(os.getpid(), signal.SIGINT)
    return _WRITE(self, frame)


if KIND == 'kill_figure':
    writers.WRITERS = tuple(w._replace(image=dying_figure) if w.name == 'figure' else w for w in writers.WRITERS)
elif KIND == 'kill_overlay':
    video_files.overlay_frame = dying_overlay
elif KIND in ('fail_write', 'sigint_write', 'sigterm_write'):
    io.VideoWriter.write = failing_write

if __name__ == '__main__':
    import demo
    sys.exit(demo.main(['demo'] + sys.argv[1:]))
