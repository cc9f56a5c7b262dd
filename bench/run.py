"""`make bench`: run every bench/bench_*.py in each runtime given, then print the figures side by side
with the modern/legacy ratio. usage: python -m bench.run PYTHON [PYTHON ...]"""
import glob
import json
import os
import subprocess
import sys

from bench.common import PROJECT_DIR, command_line
from src.util.files import write_json


def run_script(python, script):
    module = 'bench.' + os.path.splitext(os.path.basename(script))[0]
    proc = subprocess.run([python, '-m', module], cwd=PROJECT_DIR, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ['no output'])[-1]
        return {'error': tail}
    return json.loads(lines[-1])


def ratio(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
        return '%.2f' % (a / float(b))
    return ''


def main(pythons):
    scripts = sorted(glob.glob(os.path.join(PROJECT_DIR, 'bench', 'bench_*.py')))
    results = {}
    for script in scripts:
        name = os.path.basename(script)
        print('running %s ...' % name, file=sys.stderr)
        results[name] = [run_script(python, script) for python in pythons]
    for name, per_runtime in results.items():
        runtimes = [r.get('runtime', '?') for r in per_runtime]
        print('\n## %s' % name)
        header = ['figure'] + runtimes + (['ratio %s/%s' % (runtimes[1], runtimes[0])] if len(runtimes) == 2 else [])
        print(' | '.join(header))
        keys = sorted(set(k for r in per_runtime for k in r if k != 'runtime'))
        for key in keys:
            values = [r.get(key, '') for r in per_runtime]
            row = [key] + [str(v) for v in values]
            if len(values) == 2:
                row.append(ratio(values[1], values[0]))
            print(' | '.join(row))
    # Creates build/ on a fresh clone; written whole or not at all.
    write_json(os.path.join(PROJECT_DIR, 'build', 'bench.json'), results)


if __name__ == '__main__':
    main(command_line(__doc__, lambda parser: parser.add_argument(
        'pythons', nargs='+', metavar='PYTHON', help="a runtime's interpreter, e.g. .venv/tf2/bin/python")).pythons)
