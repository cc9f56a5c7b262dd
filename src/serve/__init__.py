"""A local web app around the demo: upload a photo or a video, watch the job, open the run's page and
download its files. `python -m src.serve` (make serve); docs/viewer.md says more."""


def main(argv=None):
    from .main import main as run
    return run(argv)
