"""`make datasets`: convert the raw datasets named in one config of paths, datasets.cfg, with the
converters of src.datasets.registry; and the example of that config (datasets.cfg.example).

datasets.cfg is shell syntax (bash sources it; relative paths are relative to the repository): DATA_DIR,
where the records go; each dataset's cfg_key, the folder of its official raw files (empty or unset: the
dataset is skipped); the converters' cfg_options; and MOSH_DATASETS, which MoSh sets of MOSH_DIR to
convert. The converters run one after another in this Python; the run fails, naming them, if any did.

usage: python -m src.datasets.prepare CONFIG              (prepare_datasets.sh runs this)
       python -m src.datasets.prepare --example > datasets.cfg.example
"""
from __future__ import print_function

import argparse
import os.path as osp
import subprocess
import sys
import textwrap

from ..config import PROJECT_DIR
from ..errors import HMRError
from . import registry
from .registry import MOCAP

DATA_DIR_HELP = 'Where the TFRecords go (the training --data_dir): %s.'
MOSH_DATASETS_HELP = 'which MoSh sets of MOSH_DIR to convert'


def _unique(items):
    return [item for i, item in enumerate(items) if item not in items[:i]]


def config_keys():
    """Every variable of datasets.cfg."""
    keys = ['DATA_DIR']
    for dataset in registry.DATASETS:
        keys += [dataset.cfg_key] + [key for key, _, _ in dataset.cfg_options]
    return _unique(keys + ['MOSH_DATASETS'])


def default_mosh_datasets():
    return ' '.join(d.mosh_name for d in registry.DATASETS if d.kind == MOCAP)


def _comment(text):
    return ['# ' + line for line in textwrap.wrap(text, 98)]


def example_config():
    """The text of datasets.cfg.example."""
    folders = _unique([d.folder for d in registry.DATASETS])
    lines = ['# Paths of the raw datasets for prepare_datasets.sh / `make datasets` (copy to datasets.cfg).',
             '# Shell syntax; relative paths are relative to the repository. Leave a folder empty to skip that',
             '# dataset. Each folder must hold the official layout named beside it. Written by',
             '# `python -m src.datasets.prepare --example` from src/datasets/registry.py.',
             ''] + _comment(DATA_DIR_HELP % ', '.join(f + '/' for f in folders)) + ['DATA_DIR=', '']
    for key in _unique([d.cfg_key for d in registry.DATASETS]):
        dataset = next(d for d in registry.DATASETS if d.cfg_key == key)
        lines += _comment(dataset.cfg_help) + [key + '=']
        lines += ['%s=%s  # %s' % option for option in dataset.cfg_options]
    lines += ['MOSH_DATASETS="%s"  # %s' % (default_mosh_datasets(), MOSH_DATASETS_HELP)]
    return '\n'.join(lines) + '\n'


def read_config(path):
    """{key: value} of every datasets.cfg variable after bash sources the file at `path` ('' if unset)."""
    if not osp.isfile(path):
        raise HMRError('dataset config %s not found: copy datasets.cfg.example to datasets.cfg and set the paths'
                       % path)
    keys = config_keys()
    # The keys are unset first, so values in the environment cannot stand in for the file's.
    script = 'unset %s; source "$1" >&2; shift; for key; do printf "%%s\\0" "${!key}"; done' % ' '.join(keys)
    proc = subprocess.run(['bash', '-c', script, 'bash', osp.abspath(path)] + keys, cwd=PROJECT_DIR,
                          stdout=subprocess.PIPE, universal_newlines=True)
    values = proc.stdout.split('\0')[:-1]
    if proc.returncode != 0 or len(values) != len(keys):
        raise HMRError('could not read the dataset config %s (bash could not source it)' % path)
    return dict(zip(keys, values))


def plan(values):
    """[(descriptor, converter arguments)] of the datasets the config `values` asks for, in table order."""
    mosh = (values['MOSH_DATASETS'] or default_mosh_datasets()).split()
    steps = []
    for dataset in registry.DATASETS:
        raw = values[dataset.cfg_key]
        if not raw or (dataset.kind == MOCAP and dataset.mosh_name not in mosh):
            continue
        fill = dict((key, values[key] or default) for key, default, _ in dataset.cfg_options)
        fill.update(raw=raw, out=osp.join(values['DATA_DIR'], dataset.folder))
        steps.append((dataset, [arg.format(**fill) for arg in dataset.args]))
    return steps


def convert(config_path):
    values = read_config(config_path)
    if not values['DATA_DIR']:
        raise HMRError('DATA_DIR (where the TFRecords go) is not set in %s' % config_path)
    failed = []
    for dataset, args in plan(values):
        command = [sys.executable, '-m', dataset.converter] + args
        print('== %s: %s' % (dataset.name, ' '.join(command)))
        sys.stdout.flush()
        if subprocess.call(command, cwd=PROJECT_DIR) != 0:
            failed.append(dataset.name)
    if failed:
        raise HMRError('conversion failed for: %s' % ' '.join(failed))
    print('done: TFRecords in %s' % values['DATA_DIR'])


def main(argv=None):
    parser = argparse.ArgumentParser(description='Convert the raw datasets of datasets.cfg to HMR TFRecords')
    parser.add_argument('config', nargs='?', default='datasets.cfg', help='the config of paths (datasets.cfg)')
    parser.add_argument('--example', action='store_true', help='print datasets.cfg.example and exit')
    args = parser.parse_args(argv)
    if args.example:
        sys.stdout.write(example_config())
    else:
        convert(args.config)


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: finished shards are complete; run it again to redo the rest'))
