"""Atomic writes across processes (issue 22, item 5): a unique temporary file per write, so two runs
writing one path never publish half a file; a symlink planted where the temporary file used to be is
not followed; outputs have the usual mode; text is UTF-8 whatever the locale."""
import os
import stat
import subprocess
import sys

import pytest

from src.util import files
from tests.conftest import PROJECT_DIR

pytestmark = pytest.mark.timeout(300)
SIZE = 1 << 20
# Writes `count` times SIZE bytes of one letter to a path (a separate process each).
WRITER = ('import sys; sys.path.insert(0, %r); from src.util.files import write_bytes\n'
          'for _ in range(int(sys.argv[3])): write_bytes(sys.argv[1], sys.argv[2].encode() * %d)' % (PROJECT_DIR, SIZE))


def test_two_processes_writing_one_path_never_leave_a_partial_file(tmp_path):
    path = str(tmp_path / 'result.json')
    writers = [subprocess.Popen([sys.executable, '-c', WRITER, path, letter, '60'], stderr=subprocess.PIPE)
               for letter in 'ab']
    seen = set()
    while any(w.poll() is None for w in writers):
        try:
            with open(path, 'rb') as f:
                data = f.read()
        except (IOError, OSError):
            continue  # not written yet
        assert len(data) == SIZE and data in (b'a' * SIZE, b'b' * SIZE), 'a partial file was published'
        seen.add(data[:1])
    errors = [w.stderr.read().decode() for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    assert seen and os.listdir(str(tmp_path)) == ['result.json']


def test_a_planted_symlink_is_not_followed(tmp_path):
    outside = tmp_path / 'outside.txt'
    outside.write_text('untouched')
    out = tmp_path / 'out'
    out.mkdir()
    os.symlink(str(outside), str(out / 'result.json.tmp'))
    files.write_json(str(out / 'result.json'), {'a': 1})
    assert outside.read_text() == 'untouched'
    assert (out / 'result.json').read_text() == '{\n "a": 1\n}'


def test_outputs_have_the_usual_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        files.write_text(str(tmp_path / 'a.txt'), 'x')
        files.write_bytes(str(tmp_path / 'b.bin'), b'x')
    finally:
        os.umask(umask)
    assert [stat.S_IMODE(os.stat(str(tmp_path / n)).st_mode) for n in ('a.txt', 'b.bin')] == [0o644, 0o644]


def test_text_is_utf8_under_the_c_locale(tmp_path):
    path = str(tmp_path / 'mesh.obj')
    code = ('import sys; sys.path.insert(0, %r); from src.util.files import write_obj\n'
            'write_obj(%r, [[0., 0., 0.]], [[1, 1, 1]], ["HMR mesh of caf\\u00e9.png"])' % (PROJECT_DIR, path))
    env = dict(os.environ, LANG='C', LC_ALL='C')
    env.pop('PYTHONIOENCODING', None)
    proc = subprocess.run([sys.executable, '-c', code], env=env, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 0, proc.stderr
    with open(path, encoding='utf-8') as f:
        assert f.readline() == '# HMR mesh of café.png\n'
