"""The dataset table (src/datasets/registry.py) and everything that reads it: the released facts it
holds, one-line errors for names it does not know, its converters writing where the training reader
looks, datasets.cfg.example and do_train.sh agreeing with it, and its recipe for a new dataset."""
import contextlib
import importlib
import io
import json
import os
import os.path as osp
import re
import types

import numpy as np
import pytest

from src.cli import run_command, run_with_flags
from src.compat import tf
from src.config import get_config
from src.data_loader import DataLoader
from src.datasets import prepare, registry
from src.errors import HMRError
from src.run_dir import flag_values, run_name
from src.samples.synthetic_datasets import write_tiny_datasets
from tests import raw_dataset_replicas as replicas
from tests.conftest import PROJECT_DIR
from tests.raw_3dhp_test_replica import write_3dhp_test_set

RELEASED_SIZES = {'lsp': 1000, 'lsp_ext': 10000, 'mpii': 20000, 'h36m': 312188, 'coco': 79344,
                  'mpi_inf_3dhp': 147221, 'H3.6': 1559985, 'CMU': 3934267, 'jointLim': 181968}


def test_the_table_holds_the_released_facts():
    trained = dict((d.name, d) for d in registry.DATASETS if d.kind != registry.TEST)
    assert dict((name, d.num_train) for name, d in trained.items()) == RELEASED_SIZES
    assert sorted(name for name, d in trained.items() if d.has_3d) == ['h36m', 'mpi_inf_3dhp']
    assert registry.num_examples(['lsp', 'coco']) == 80344 and registry.num_examples('CMU') == 3934267
    assert trained['h36m'].record_pattern('D') == 'D/tf_records_human36m_wjoints/train/*.tfrecord'
    assert trained['lsp'].record_pattern('D') == 'D/lsp/train_*.tfrecord'
    assert trained['H3.6'].record_pattern('D') == 'D/mocap_neutrMosh/neutrSMPL_H3.6_*.tfrecord'
    # The released flag defaults and the paper's recipe.
    assert registry.names(registry.IMAGES, flag_default=True) == ['lsp', 'lsp_ext', 'mpii', 'coco']
    assert registry.names(registry.MOCAP, flag_default=True) == ['CMU', 'H3.6', 'jointLim']
    assert sorted(registry.names(registry.IMAGES, in_recipe=True)) == sorted(
        ['lsp', 'lsp_ext', 'mpii', 'h36m', 'coco', 'mpi_inf_3dhp'])


def _one_line_error(call):
    with pytest.raises(HMRError) as caught:
        call()
    assert '\n' not in str(caught.value)
    return str(caught.value)


def test_unknown_dataset_names_are_one_line_errors(tmp_path):
    data_dir = write_tiny_datasets(str(tmp_path / 'data'), n=2)
    message = _one_line_error(lambda: registry.num_examples(['lsp', 'lssp']))
    assert "'lssp'" in message and 'lsp_ext' in message
    values = flag_values(get_config(['test', '--data_dir=%s' % data_dir]))
    for flag, value, expected in [('datasets', ['lsp', 'lssp'], "unknown dataset 'lssp' in --datasets"),
                                  ('mocap_datasets', ['CMU', 'cmu'], "unknown dataset 'cmu' in --mocap_datasets"),
                                  ('datasets', ['CMU'], 'CMU is one of the MoSh sets'),
                                  ('datasets', ['mpi_inf_3dhp_test'], 'mpi_inf_3dhp_test is one of the evaluation'),
                                  ('mocap_datasets', ['lsp'], 'lsp is one of the image sets')]:
        # A config built in code reaches the data loader, which refuses it before reading anything ...
        loader_config = types.SimpleNamespace(**dict(values, **{flag: value}))
        assert expected in _one_line_error(lambda: DataLoader(loader_config))
        # ... and on the command line the flag's value is refused while parsing: one line, status 2.
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = run_with_flags(lambda c: 0, ['test', '--%s=%s' % (flag, ','.join(value))])
        assert status == 2 and len(err.getvalue().strip().splitlines()) == 1 and expected in err.getvalue()


def _write_all_raw_datasets(root):
    """Replicas of every official raw layout, as {datasets.cfg key: folder}."""
    folders = {'LSP_DIR': 'lsp_dataset', 'LSP_EXT_DIR': 'lsp_extended', 'MPII_DIR': 'mpii', 'COCO_DIR': 'coco',
               'MPI_INF_3DHP_DIR': 'mpi_inf_3dhp', 'MPI_INF_3DHP_TEST_DIR': 'mpi_inf_3dhp_test_set',
               'H36M_DIR': 'h36m', 'MOSH_DIR': 'neutrMosh'}
    paths = dict((key, osp.join(root, name)) for key, name in folders.items())
    replicas.write_lsp(paths['LSP_DIR'])
    replicas.write_lsp(paths['LSP_EXT_DIR'], extended=True)
    replicas.write_mpii(paths['MPII_DIR'])
    replicas.write_coco(paths['COCO_DIR'])
    replicas.write_mpi_inf_3dhp(paths['MPI_INF_3DHP_DIR'])
    write_3dhp_test_set(paths['MPI_INF_3DHP_TEST_DIR'])
    replicas.write_h36m(paths['H36M_DIR'])
    for dataset in registry.DATASETS:
        if dataset.kind == registry.MOCAP:
            replicas.write_mosh(paths['MOSH_DIR'], dataset.mosh_name)
    return paths


def test_every_converter_writes_the_records_its_descriptor_names(tmp_path):
    values = dict((key, '') for key in prepare.config_keys())
    values.update(_write_all_raw_datasets(str(tmp_path / 'raw')), DATA_DIR=str(tmp_path / 'records'))
    steps = prepare.plan(values)
    assert [d.name for d, _ in steps] == [d.name for d in registry.DATASETS]
    for dataset, args in steps:
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = run_command(importlib.import_module(dataset.converter).main, args)
        assert status == 0, (dataset.name, err.getvalue()[-500:])
    for dataset in registry.DATASETS:
        assert dataset.record_files(values['DATA_DIR']), dataset.name
    # The training reader takes every training set of the table from there.
    config = get_config(['test', '--data_dir=%s' % values['DATA_DIR'], '--batch_size=4',
                         '--datasets=%s' % ','.join(registry.names(registry.IMAGES))])
    with tf.Graph().as_default(), tf.Session() as sess:
        loader = DataLoader(config, seed=0)
        batch, mocap = loader.load(), loader.get_smpl_loader()
        batches = [sess.run(batch) for _ in range(3)]
        pose, _ = sess.run(mocap)
    has3d = np.concatenate([b['has3d'][:, 0] for b in batches])
    assert has3d.any() and (~has3d).any() and pose.shape == (4 * 3, 72)


def test_mosh_sets_are_chosen_by_mosh_datasets_and_options_have_defaults():
    values = dict((key, '') for key in prepare.config_keys())
    values.update(DATA_DIR='out', MOSH_DIR='mosh', H36M_DIR='h36m', MOSH_DATASETS='neutrSMPL_H3.6')
    steps = dict((d.name, args) for d, args in prepare.plan(values))
    assert sorted(steps) == ['H3.6', 'h36m']
    assert steps['H3.6'] == ['--data_directory', 'mosh', '--output_directory', osp.join('out', 'mocap_neutrMosh'),
                             '--dataset_name', 'neutrSMPL_H3.6']
    assert steps['h36m'][-2:] == ['--split', 'both']
    values.update(MOSH_DATASETS='', H36M_SPLIT='train')
    steps = dict((d.name, args) for d, args in prepare.plan(values))
    assert sorted(steps) == ['CMU', 'H3.6', 'h36m', 'jointLim'] and steps['h36m'][-1] == 'train'


def test_config_example_and_do_train_agree_with_the_table():
    with open(osp.join(PROJECT_DIR, 'datasets.cfg.example')) as f:
        assert f.read() == prepare.example_config(), \
            'run: python -m src.datasets.prepare --example > datasets.cfg.example'
    example = prepare.example_config()
    for key in prepare.config_keys():
        assert re.search(r'^%s=' % key, example, re.M), key
    with open(osp.join(PROJECT_DIR, 'do_train.sh')) as f:
        recipe = re.search(r'--datasets (\S+)', f.read()).group(1).split(',')
    assert sorted(recipe) == sorted(registry.names(registry.IMAGES, in_recipe=True))


def test_a_config_value_from_the_environment_does_not_stand_in_for_the_file(tmp_path, monkeypatch):
    cfg = tmp_path / 'datasets.cfg'
    cfg.write_text('DATA_DIR=records\nLSP_DIR="my lsp"  # a comment\n')
    monkeypatch.setenv('MPII_DIR', '/stale/mpii')
    values = prepare.read_config(str(cfg))
    assert (values['DATA_DIR'], values['LSP_DIR'], values['MPII_DIR']) == ('records', 'my lsp', '')
    assert _one_line_error(lambda: prepare.read_config(str(tmp_path / 'none.cfg'))).startswith('dataset config')


def _write_toy_raw(root, n):
    os.makedirs(root)
    rng = np.random.RandomState(0)
    people = []
    for i in range(n):
        name = 'toy%d.jpg' % i
        replicas.write_jpeg(osp.join(root, name), replicas.gradient_image(180, 160, seed=i))
        keypoints = np.stack([rng.uniform(30, 130, 14), rng.uniform(30, 150, 14), np.ones(14)], 1)
        people.append({'image': name, 'keypoints': keypoints.tolist()})
    with open(osp.join(root, 'people.json'), 'w') as f:
        json.dump(people, f)


def test_a_new_dataset_is_one_converter_and_one_descriptor(tmp_path, monkeypatch):
    """The registry docstring's recipe, followed for tests/toy_dataset_converter.py."""
    _write_toy_raw(str(tmp_path / 'raw'), n=3)
    toy = registry.Dataset('toy', registry.IMAGES, folder='toy', pattern='train_*.tfrecord',
                           converter='tests.toy_dataset_converter',
                           args=('--img_directory', '{raw}', '--output_directory', '{out}'),
                           cfg_key='TOY_DIR', cfg_help='Toy: people.json and its images', num_train=3)
    monkeypatch.setattr(registry, 'DATASETS', registry.DATASETS + (toy,))
    # `make datasets` converts it when datasets.cfg names its folder; the example config lists the key.
    assert '\n# Toy: people.json and its images\nTOY_DIR=\n' in prepare.example_config()
    data_dir = str(tmp_path / 'records')
    cfg = tmp_path / 'datasets.cfg'
    cfg.write_text('DATA_DIR=%s\nTOY_DIR=%s\n' % (data_dir, tmp_path / 'raw'))
    prepare.convert(str(cfg))
    assert [osp.basename(f) for f in toy.record_files(data_dir)] == ['train_000.tfrecord', 'train_001.tfrecord']
    # Training takes it by name, counts its examples and names the run after it.
    config = get_config(['test', '--data_dir=%s' % data_dir, '--datasets=toy', '--use_3d_label=False',
                         '--batch_size=3', '--trans_max=0', '--scale_min=1', '--scale_max=1'])
    assert registry.num_examples(config.datasets) == 3 and '_toy_' in run_name(config)
    with tf.Graph().as_default(), tf.Session() as sess:
        labels = sess.run(DataLoader(config, seed=0).load())['label']
    assert labels.shape == (3, 19, 3) and (labels[:, :14, 2] == 1).all() and (labels[:, 14:] == 0).all()
    assert np.abs(labels[:, :14, :2]).max() < 1
    recipe_and_toy = registry.names(registry.IMAGES, in_recipe=True) + ['toy']
    config = get_config(['test', '--datasets=%s' % ','.join(recipe_and_toy)])
    assert '_default+toy_' in run_name(config)
