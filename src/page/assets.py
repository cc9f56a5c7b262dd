"""Where the page's three.js bundle comes from: `make page-assets` builds it from npm into
build/page/hmr-three.js; HMR_THREE_JS names another copy. Each run copies it beside its index.html,
so the output folder stands alone."""
import os

BUNDLE_NAME = 'hmr-three.js'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INSTALL_HINT = 'run `make page-assets` (three.js from npm, into build/page) and run the demo again'


def bundle_path():
    return os.environ.get('HMR_THREE_JS') or os.path.join(REPO, 'build', 'page', BUNDLE_NAME)


def read_bundle():
    """The bundle's bytes, or None when it is not installed."""
    path = bundle_path()
    if not os.path.isfile(path):
        return None
    with open(path, 'rb') as f:
        return f.read()
