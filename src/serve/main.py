"""python -m src.serve: load the model once, then serve the app until Ctrl-C."""
import os
import sys

from ..errors import HMRError


def serve(config):
    import uvicorn
    from ..demo import app as demo_app
    from ..config import PRETRAINED_MODEL, require_model_files
    from .jobs import JobRunner
    from .web import make_app
    if config.host not in ('127.0.0.1', 'localhost', '::1'):
        print('warning: listening on %s: anyone who can reach this address can upload files and run jobs here'
              % config.host, file=sys.stderr)
    if config.max_upload_mb <= 0 or config.max_queued < 1 or config.keep_hours <= 0:
        raise HMRError('--max_upload_mb and --keep_hours must be positive, --max_queued at least 1')
    if config.load_path is None:
        config.load_path = PRETRAINED_MODEL
    require_model_files(config.load_path, config.smpl_model_path)
    model = demo_app.build_model(config, config.batch_size)
    runner = JobRunner(config, model, config.jobs_dir, config.max_queued, config.keep_hours, demo_app.run)
    print('HMR app on http://%s:%d/ (jobs in %s)' % (config.host, config.port, runner.jobs_dir), file=sys.stderr)
    uvicorn.run(make_app(runner, config.max_upload_mb), host=config.host, port=config.port, log_level='warning')


def main(argv=None):
    os.environ.setdefault('MPLBACKEND', 'Agg')
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    import demo  # noqa: F401  the demo's flags (detector, outputs, page, ...)
    from . import flags  # noqa: F401
    from ..cli import run_with_flags
    return run_with_flags(serve, sys.argv if argv is None else argv, on_interrupt='stopped')
