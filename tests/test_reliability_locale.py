"""Text read as UTF-8 whatever the locale (issue 22, item 10: the legacy runtime's Python 3.6 under
LANG=C reads ASCII), and a params.json that is not an object is one line (the Low list)."""
import json
import os
import subprocess
import sys

import pytest
from absl import flags

from src.errors import HMRError
from src.run_dir import changed_params
from tests.conftest import PROJECT_DIR


def test_a_utf8_openpose_file_is_read_under_the_c_locale(tmp_path):
    path = str(tmp_path / 'keypoints.json')
    with open(path, 'w', encoding='utf-8') as f:
        json.dump({'version': 1.2, 'source': 'caf\u00e9', 'people': [{'pose_keypoints_2d': [30., 40., .9] * 18}]},
                  f, ensure_ascii=False)
    code = ('import sys; sys.path.insert(0, %r); from src.util.openpose import read_json\n'
            'print(len(read_json(%r)))' % (PROJECT_DIR, path))
    env = dict(os.environ, LANG='C', LC_ALL='C')
    proc = subprocess.run([sys.executable, '-c', code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    assert (proc.returncode, proc.stdout.strip()) == (0, '1'), proc.stderr


def test_params_that_is_not_an_object_is_one_line(tmp_path):
    (tmp_path / 'params.json').write_text('[1, 2]')
    config = flags.FlagValues()
    flags.DEFINE_string('e_lr', '1', '', flag_values=config)
    config(['test'])
    with pytest.raises(HMRError, match=r"params.json holds a list, not the run's flags"):
        changed_params(config, str(tmp_path))
