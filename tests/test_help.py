"""Every command the project has answers `-h` and `--help` with its options and exits 0 (the released
absl commands printed their flags; a newcomer's first try must not be an "Unknown command line flag")."""
import glob
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR

MAIN_GUARD = re.compile(r"^if __name__ == '__main__':", re.MULTILINE)
OPTION_LINE = re.compile(r'^\s+--?\w', re.MULTILINE)


# Run by the project inside Blender's own Python (.venv/blender), never by a user.
BLENDER_JOB = re.compile(r'^import bpy$', re.MULTILINE)


def entry_points():
    """Module names of every file under src/ and bench/ (and demo.py) that runs as a command, and of
    every package with a __main__.py."""
    files = sorted(glob.glob(os.path.join(PROJECT_DIR, 'src', '**', '*.py'), recursive=True)
                   + glob.glob(os.path.join(PROJECT_DIR, 'bench', '*.py'))) + [os.path.join(PROJECT_DIR, 'demo.py')]
    modules = []
    for path in files:
        with open(path, encoding='utf-8') as f:
            source = f.read()
        module = os.path.splitext(os.path.relpath(path, PROJECT_DIR))[0].replace(os.sep, '.')
        if module.endswith('.__main__'):
            modules.append(module[:-len('.__main__')])
        elif MAIN_GUARD.search(source) and not BLENDER_JOB.search(source):
            modules.append(module)
    return modules


ABSL_COMMANDS = {
    # module: flags its help must show, with a default where the flag has one
    'demo': ['--img_path', "(default: 'data/astronaut.png')", '--detector', '--load_path', '--smpl_model_path'],
    'src.main': ['--data_dir', '--epoch', "(default: '100')", '--pretrained_model_path', '--e_lr'],
    'src.benchmark.evaluate_h36m': ['--protocol', '--tfh36m_dir', '--load_path'],
    'src.benchmark.evaluate_3dhp': ['--load_path'],
    'src.benchmark.evaluate_lsp': ['--load_path'],
}


def run_help(module, flag):
    return subprocess.run([sys.executable, '-m', module, flag], cwd=PROJECT_DIR, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=240)


def test_the_entry_points_are_found():
    found = entry_points()
    assert set(ABSL_COMMANDS) <= set(found)
    assert {'src.util.download', 'bench.run', 'src.datasets.lsp_to_tfrecords', 'src.export'} <= set(found)


@pytest.mark.parametrize('module', entry_points())
def test_short_help_prints_the_options_and_exits_0(module):
    proc = run_help(module, '-h')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    # an option per line, as argparse ("  -h, --help ...") and absl ("  --flag: ...") list them
    assert OPTION_LINE.search(proc.stdout), proc.stdout[:300]


@pytest.mark.parametrize('module', sorted(ABSL_COMMANDS))
@pytest.mark.parametrize('flag', ['--help', '--helpfull'])
def test_released_commands_list_their_flags_with_defaults(module, flag):
    proc = run_help(module, flag)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for expected in ABSL_COMMANDS[module]:
        assert expected in proc.stdout, (expected, proc.stdout[:3000])
    # absl's own logging flags only in the full listing
    assert ('--verbosity' in proc.stdout) == (flag == '--helpfull')
