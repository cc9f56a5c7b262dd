"""`make bench`: run every bench/bench_*.py (or the ones given with --only) in each runtime given, keep
their figures in docs/figures.json (the one place measured figures live) and regenerate their tables,
docs/figures.md, from it; the tables are printed too, with the ratio of the second runtime's figure to
the first's. usage: python -m bench.run [--only bench_x.py ...] PYTHON [PYTHON ...]"""
import glob
import json
import os
import subprocess
import sys

from bench.common import PROJECT_DIR, command_line
from src.util.files import write_json, write_text

FIGURES_JSON = os.path.join('docs', 'figures.json')
FIGURES_PAGE = os.path.join('docs', 'figures.md')
LOAD_KEY = 'load_average_1min_at_start'
PAGE_HEADER = """# Measured figures

Written by `make bench` (`bench/run.py`) from [figures.json](figures.json): do not edit by hand.
What each script measures, and how: [benchmarks.md](benchmarks.md). The last column is the second
runtime's figure over the first's.
"""


def run_script(python, script):
    """The figures the script reports, with the machine's load when it started: figures taken beside
    other work are slower, and say so."""
    module = 'bench.' + os.path.splitext(os.path.basename(script))[0]
    load = round(os.getloadavg()[0], 1)
    proc = subprocess.run([python, '-m', module], cwd=PROJECT_DIR, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ['no output'])[-1]
        return {'error': tail, LOAD_KEY: load}
    figures = json.loads(lines[-1])
    figures.setdefault(LOAD_KEY, load)
    return figures


def ratio(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
        return '%.2f' % (a / float(b))
    return ''


def cell(value):
    return str(value).replace('|', '\\|')


def table(per_runtime):
    """One script's figures as Markdown table lines: a row per figure, a column per runtime."""
    runtimes = [r.get('runtime', '?') for r in per_runtime]
    header = ['figure'] + runtimes + (['ratio %s/%s' % (runtimes[1], runtimes[0])] if len(runtimes) == 2 else [])
    lines = ['| ' + ' | '.join(map(cell, header)) + ' |', '|' + ' --- |' * len(header)]
    for key in sorted(set(k for r in per_runtime for k in r if k != 'runtime')):
        values = [r.get(key, '') for r in per_runtime]
        row = [key] + values + ([ratio(values[1], values[0])] if len(values) == 2 else [])
        lines.append('| ' + ' | '.join(map(cell, row)) + ' |')
    return lines


def figures_page(results):
    """docs/figures.md from the figures of docs/figures.json ({script: [figures per runtime]})."""
    lines = [PAGE_HEADER]
    for name in sorted(results):
        lines += ['## %s' % name, ''] + table(results[name]) + ['']
    return '\n'.join(lines)


def read_figures(project_dir):
    path = os.path.join(project_dir, FIGURES_JSON)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def main(pythons, only=None):
    scripts = sorted(glob.glob(os.path.join(PROJECT_DIR, 'bench', 'bench_*.py')))
    if only:
        unknown = set(only) - set(os.path.basename(s) for s in scripts)
        if unknown:
            sys.exit('no such bench script: %s' % ', '.join(sorted(unknown)))
        scripts = [s for s in scripts if os.path.basename(s) in only]
    # The scripts not run this time keep their last figures.
    results = read_figures(PROJECT_DIR)
    for script in scripts:
        name = os.path.basename(script)
        print('running %s ...' % name, file=sys.stderr)
        results[name] = [run_script(python, script) for python in pythons]
    page = figures_page(results)
    print(page)
    # Both written whole or not at all.
    write_json(os.path.join(PROJECT_DIR, FIGURES_JSON), results)
    write_text(os.path.join(PROJECT_DIR, FIGURES_PAGE), page)


def arguments(parser):
    parser.add_argument('--only', action='append', metavar='bench_x.py', help='run this script only (repeatable); '
                        'the others keep their figures from the last run')
    parser.add_argument('pythons', nargs='+', metavar='PYTHON',
                        help="a runtime's interpreter, e.g. .venv/tf2/bin/python")


if __name__ == '__main__':
    args = command_line(__doc__, arguments)
    main(args.pythons, args.only)
