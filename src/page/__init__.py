"""The run page: OUT/index.html, written at the end of a demo run, that shows each input's figure or
overlay, a 3D view of its people (three.js) and links to the run's files, from disk (file://).

`write_run_page(out_dir, paths, video, start, every)` is the one entry point (src/demo/app.py)."""
from .writer import write_run_page  # noqa: F401
