"""The legacy image runs Python 3.6 under a UTF-8 locale (issue 22, item 10): without one, Python 3.6
reads and writes text as ASCII, and the OBJ of café.png or a UTF-8 OpenPose file fails."""
import os
import re

from tests.conftest import PROJECT_DIR


def stage_text(name):
    with open(os.path.join(PROJECT_DIR, 'Dockerfile'), encoding='utf-8') as f:
        text = f.read()
    stages = re.split(r'^FROM ', text, flags=re.M)
    return [s for s in stages if re.match(r'\S+ AS %s\s*$' % name, s.splitlines()[0])][0]


def test_legacy_image_sets_a_utf8_locale():
    legacy = stage_text('legacy')
    env = ' '.join(re.findall(r'^ENV ((?:.*\\\n)*.*)$', legacy, flags=re.M))
    assert 'LANG=C.UTF-8' in env and 'LC_ALL=C.UTF-8' in env
