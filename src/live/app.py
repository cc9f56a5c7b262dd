"""`python -m demo --live SOURCE`: the live capture from parsed flags. Every flag is checked before the
model loads, so a bad one costs no wait; then the backend is chosen (src/backends live_choice)."""
import os
import sys

from ..backends import live_choice, require_model_files
from ..errors import HMRError


def run_live(config):
    from ..demo import app as demo_app
    from ..demo import writers
    from .follow import make_live_finder
    from .recorder import Recorder
    from .run import LiveRun, capture_name
    from .source import describe
    from .vmc import VMCSender, parse_address

    describe(config.live)
    if config.vmc:
        parse_address(config.vmc)
    if config.timeout <= 0 or (config.duration is not None and config.duration <= 0):
        raise HMRError('--timeout and --duration must be positive')
    if config.preview_port is not None and not 0 <= config.preview_port < 65536:
        raise HMRError('--preview_port must be a port number (0-65535), got %d' % config.preview_port)
    # --outputs asks for the recording; none by default (a live run may last for hours).
    outputs = writers.parse_outputs(config.outputs, writers.VIDEO) if config.outputs else ()
    if config.json_path or config.bbox:
        raise HMRError('--json_path and --bbox describe one image; a live source is searched by --detector')
    config.backend, line = live_choice(config)
    if line:
        print(line, file=sys.stderr)
    require_model_files(config)
    people = make_live_finder(demo_app.make_finder(config), config.live_follow)
    # The NumPy body poses what is sent, previewed or recorded.
    posed = config.vmc or config.preview_port is not None or outputs
    model, faces, body = demo_app.model_and_body(config, 1, ('video',) if posed else ())
    record = None
    if outputs:
        if not os.path.isdir(config.out_dir):
            os.makedirs(config.out_dir)
        stem = os.path.join(config.out_dir, capture_name(config.live))
        source = os.path.abspath(config.live) if os.path.isfile(config.live) else config.live

        def record(size, camera):
            return Recorder(stem, source, size, outputs, model, faces, body,
                            demo_app.picture_workers(config, 2), config.smooth)
    run = LiveRun(model, people, body, smooth=config.smooth, vmc=VMCSender(config.vmc) if config.vmc else None,
                  vmc_track=config.vmc_track, record=record,
                  preview_address=(config.preview_host, config.preview_port) if config.preview_port is not None else None)
    run.run(config.live, config.timeout, config.duration)
    if outputs:
        print('wrote the capture (%s) to %s' % (','.join(outputs), config.out_dir))
    return 0
