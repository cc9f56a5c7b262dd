"""OUT/index.html and its scripts: hmr-three.js (the bundle), hmr-page.js (the viewer) and
hmr-data.js (this run's data, loaded by a <script> tag because browsers refuse fetch() on file://)."""
import datetime
import html
import json
import os
import string
import sys

from ..util import files
from . import assets
from .collect import collect

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_NAME = 'index.html'
DATA_NAME = 'hmr-data.js'
VIEWER_NAME = 'hmr-page.js'


def read_here(name):
    with open(os.path.join(HERE, name)) as f:
        return f.read()


def write_run_page(out_dir, paths, video, start=0, every=1, title=None):
    """Write the page of the run that wrote `paths`' results (a video: one path) into `out_dir`;
    returns the page's path, or None when no input has a file to show (every one failed: nothing is
    written for a failed input, the page included)."""
    inputs = collect(out_dir, paths, video, start, every)
    if not any(entry['files'] for entry in inputs):
        return None
    problems = []
    bundle = assets.read_bundle()
    if bundle is not None:
        files.write_bytes(os.path.join(out_dir, assets.BUNDLE_NAME), bundle)
    elif not os.path.isfile(os.path.join(out_dir, assets.BUNDLE_NAME)):
        problems.append('the 3D views need three.js, not installed (%s): %s'
                        % (assets.bundle_path(), assets.INSTALL_HINT))
        print('warning: %s has no 3D views: %s' % (os.path.join(out_dir, PAGE_NAME), assets.INSTALL_HINT),
              file=sys.stderr)
    title = title or 'HMR: %s' % (os.path.basename(paths[0]) if len(paths) == 1 else '%d images' % len(paths))
    data = {'title': title, 'problems': problems, 'inputs': inputs,
            'written': datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')}
    files.write_text(os.path.join(out_dir, DATA_NAME), 'window.HMR_RUN = %s;\n' % json.dumps(data))
    files.write_text(os.path.join(out_dir, VIEWER_NAME), read_here('viewer.js'))
    page = string.Template(read_here('index.html')).substitute(
        title=html.escape(title), bundle=assets.BUNDLE_NAME, data=DATA_NAME, viewer=VIEWER_NAME)
    path = os.path.join(out_dir, PAGE_NAME)
    files.write_text(path, page)
    return path
