"""Golden numbers of the RELEASED HMR trainer (akanazawa/hmr) for tests/test_training_faithful.py.

usage, in the legacy runtime (Python 3.6, TensorFlow 1.12):
    .venv/tf1/bin/python tests/golden/make_training_golden.py RELEASED_TREE [--records DIR] [--out DIR]

It imports the released `src` package from RELEASED_TREE (which it never changes) and:
- builds the released `HMRTrainer` on fixed input tensors (training_case.fixed_batch, batch 4, two
  examples with 3D labels) and the synthetic SMPL model of src/samples/synthetic_model.py, restores a seeded
  checkpoint in the released training layout (model, Adam slots and power accumulators,
  global_step), and takes one encoder and one discriminator step from it;
- saves every loss the trainer reports, the discriminator's outputs, the gradients of both losses,
  and every variable after the step (Adam's slots included): whole when small, else a fixed sample
  and the norm (training_step.npz);
- repeats the step on the images scaled by (1 + 1e-6): the yardstick of how far the released code
  moves from itself on an equivalent input;
- runs the step three times as the released train() does (both updates in one session run) and logs
  how far that lands from both updates starting from the same state (a race on D's weights: it varies
  run to run; stored in yardstick_json, not compared);
- reads every record of the reference tiny_tfrecords with the released DataLoader, augmentation
  off, and saves its image and keypoint tensors (input_pipeline.npz).

Stand-ins, never edits of the released tree: `tf.train.Supervisor` (it finalises the graph; nothing
here needs its session management), `src.util.renderer` (opendr; only drawing uses it), `ipdb` (so a
debugger call stops with an error instead of waiting for input); deepdish, which reads the mean
parameters, is the real one of the legacy environment. Dropout keeps its arithmetic but
draws a fixed mask (training_case.FixedDropout); with augmentation off every `tf.random_uniform`
returns its upper bound (no jitter, no flip).
"""
import argparse
import ast
import contextlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT_DIR = os.path.dirname(os.path.dirname(HERE))
REFERENCE_DIR = os.path.join(os.path.dirname(PROJECT_DIR), 'shared', 'hmr_reference')
import training_case as case  # noqa: E402  (this folder is sys.path[0]; the project's `src` must not be)

YARDSTICK_SCALE = 1 + 1e-6


def released_flag_defaults(tree):
    """The literal defaults of the released flags, read from its src/config.py without running it
    (importing it wants a models/ folder and opens a debugger when there is none)."""
    with open(os.path.join(tree, 'src', 'config.py')) as f:
        module = ast.parse(f.read())
    defaults = {}
    for node in ast.walk(module):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr.startswith('DEFINE_') and len(node.args) >= 2):
            try:
                defaults[ast.literal_eval(node.args[0])] = ast.literal_eval(node.args[1])
            except ValueError:  # a default computed from paths (SMPL_MODEL_PATH, ...)
                pass
    return defaults


def _no_debugger(*args, **kwargs):
    raise RuntimeError('the released code called its debugger (ipdb.set_trace): it met an input it rejects')


def import_released(tree):
    """The released trainer and data loader modules, with stand-ins for what a step does not need."""
    sys.path.insert(0, os.path.abspath(tree))
    sys.modules['ipdb'] = types.ModuleType('ipdb')
    sys.modules['ipdb'].set_trace = _no_debugger
    import src.util  # noqa: F401
    renderer = types.ModuleType('src.util.renderer')
    renderer.__doc__ = 'stand-in: the released renderer needs opendr and only draws summaries'
    sys.modules['src.util.renderer'] = renderer
    import src.trainer
    import src.data_loader
    for module in (src.trainer, src.data_loader):
        if not os.path.abspath(module.__file__).startswith(os.path.abspath(tree)):
            raise SystemExit('error: imported %s instead of the released tree' % module.__file__)
    return src.trainer, src.data_loader


@contextlib.contextmanager
def replaced(owner, name, value):
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


class NoSupervisor(object):
    """tf.train.Supervisor stand-in: the released constructor makes one, which finalises the graph."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs


def load_synthetic_model():
    """The project's src/samples/synthetic_model.py, loaded by path: the released `src` package holds the name."""
    spec = importlib.util.spec_from_file_location('hmr_synthetic_model',
                                                  os.path.join(PROJECT_DIR, 'src', 'samples', 'synthetic_model.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def trainer_config(defaults, work_dir, smpl_path):
    config = dict(defaults)
    config.update(batch_size=case.BATCH_SIZE, num_stage=case.NUM_STAGE, smpl_model_path=smpl_path,
                  model_dir=os.path.join(work_dir, 'run'), load_path=None, pretrained_model_path=None)
    os.makedirs(config['model_dir'])
    return types.SimpleNamespace(**config)


def build_released_trainer(tf, trainer_module, config, batch):
    """The released HMRTrainer on constant inputs; the image is fed-able (for the yardstick)."""
    import tensorflow.contrib.slim as slim
    image = tf.placeholder_with_default(tf.constant(batch['image']), batch['image'].shape, name='fixed_image')
    data = {'image': image, 'label': tf.constant(batch['label']), 'label3d': tf.constant(batch['label3d']),
            'has3d': tf.constant(batch['has3d'])}
    mocap = (tf.constant(batch['mocap_pose']), tf.constant(batch['mocap_shape']))
    dropout = case.FixedDropout(tf)
    with replaced(tf.train, 'Supervisor', NoSupervisor), replaced(slim, 'dropout', dropout):
        trainer = trainer_module.HMRTrainer(config, data, mocap)
    return trainer, image, dropout.calls


def joint_step(tf, sess, trainer, restore):
    """The released train()'s own step: one session run fetching both optimisers."""
    restore(sess)
    sess.run({'e_opt': trainer.e_opt, 'd_opt': trainer.d_opt, 'e_loss': trainer.e_loss, 'd_loss': trainer.d_loss})
    return case.variable_values(tf, sess)


def per_group_max(named):
    out = {}
    for name, value in named.items():
        group = case.group_of(name)
        out[group] = max(out.get(group, 0.), value)
    return out


def check_layout(layout, log):
    """The released graph's variables against the reference list of the released training checkpoint
    (made at batch 8; the layout does not depend on the batch), when that list is at hand."""
    path = os.path.join(REFERENCE_DIR, 'checkpoint_variables_training.json')
    if not os.path.isfile(path):
        log('%s not found: layout not cross-checked' % path)
        return
    with open(path) as f:
        if sorted(layout) != sorted(json.load(f)):
            raise SystemExit('error: the released graph does not have the layout of %s' % path)
    log('layout: the %d variables of %s' % (len(layout), path))


def training_golden(tf, trainer_module, defaults, work_dir, synthetic, log):
    smpl_path = os.path.join(work_dir, 'neutral_smpl_with_cocoplus_reg.pkl')
    model = synthetic.write_synthetic_smpl(smpl_path, case.SEED)
    synthetic.write_mean_params(os.path.join(work_dir, 'neutral_smpl_mean_params.h5'), case.SEED)
    config = trainer_config(defaults, work_dir, smpl_path)
    batch = case.fixed_batch()
    log('building the released trainer graph')
    with tf.Graph().as_default():
        trainer, image, dropout_calls = build_released_trainer(tf, trainer_module, config, batch)
        layout = [[v.op.name, v.shape.as_list()] for v in tf.global_variables()]
        check_layout(layout, log)
        log('writing the seeded checkpoint')
        prefix = case.write_checkpoint(tf, case.checkpoint_values(layout, case.smpl_checkpoint_arrays(model)),
                                       os.path.join(work_dir, 'seeded', 'model.ckpt-%d' % case.GLOBAL_STEP))

        def restore(sess):
            trainer.saver.restore(sess, prefix)
        tensors = case.step_tensors(tf, trainer)
        with tf.Session() as sess:
            log('one step, twice; one step on the scaled images; three steps as train() runs them')
            golden, before = case.one_step(tf, sess, trainer, tensors, restore, {})
            log('losses: %s' % golden['reported'])
            again, _ = case.one_step(tf, sess, trainer, tensors, restore, {})
            perturbed, _ = case.one_step(tf, sess, trainer, tensors, restore,
                                    {image: batch['image'] * np.float32(YARDSTICK_SCALE)})
            joints = [joint_step(tf, sess, trainer, restore) for _ in range(3)]

    columns = {'grad': case.summarize(golden['grads']), 'after': case.summarize(golden['after'])}
    reference = {q: case.unpack(c) for q, c in columns.items()}

    def errors(other):
        grad, grad_groups = case.sampled_errors(reference['grad'], other['grads'])
        after, after_groups = case.sampled_errors(reference['after'], other['after'], before)
        loss = max(case.relative_error(other['reported'][k], v) for k, v in golden['reported'].items())
        return {'grad': grad, 'after': after, 'groups': {'grad': grad_groups, 'after': after_groups}, 'loss': loss}
    rerun, yardstick = errors(again), errors(perturbed)
    race = [case.sampled_errors(reference['after'], joint, before)[1] for joint in joints]
    log('rerun, largest per group: grad %s, after %s' % (per_group_max(rerun['grad']), per_group_max(rerun['after'])))
    log('yardstick (input x %r): losses %.2e; per tensor, largest per group: grad %s, after %s; whole groups: %s' % (
        YARDSTICK_SCALE, yardstick['loss'], per_group_max(yardstick['grad']), per_group_max(yardstick['after']),
        yardstick['groups']))
    log('released train() step (one run fetching both updates) vs both updates from the same state: %s' % race)

    out = {'config_json': json.dumps({k: getattr(config, k) for k in sorted(vars(config))
                                      if k not in ('model_dir', 'smpl_model_path', 'data_dir')}),
           'layout_json': json.dumps(layout),
           'dropout_calls_json': json.dumps(dropout_calls),
           'reported_names': np.array(sorted(golden['reported'])),
           'reported_values': np.array([golden['reported'][k] for k in sorted(golden['reported'])]),
           'loss_names': np.array(sorted(golden['losses'])),
           'loss_values': np.array([golden['losses'][k] for k in sorted(golden['losses'])], np.float64),
           'd_out': golden['d_out'],
           'changed_by_d_json': json.dumps(golden['changed_by_d']),
           'yardstick_json': json.dumps({'scale': YARDSTICK_SCALE, 'loss': yardstick['loss'],
                                         'groups': yardstick['groups'], 'rerun_groups': rerun['groups'],
                                         'released_joint_step_groups': race})}
    for quantity, column in columns.items():
        for key, values in column.items():
            out['%s_%s' % (quantity, key)] = values
        out['%s_yardstick' % quantity] = np.array([yardstick[quantity][str(n)] for n in column['names']])
    return out


def pipeline_golden(tf, loader_module, defaults, records_dir, log):
    """The released DataLoader's tensors for every record, augmentation off, in file order."""
    config = dict(defaults)
    config.update(data_dir=records_dir, trans_max=0, scale_min=1., scale_max=1., batch_size=case.BATCH_SIZE)
    loader = loader_module.DataLoader(types.SimpleNamespace(**config))
    out = {}
    for dataset, has_3d in (('lsp', False), ('h36m', True)):
        files = loader_module.data_utils.get_all_files(records_dir, [dataset])
        count = sum(1 for f in files for _ in tf.python_io.tf_record_iterator(f))
        log('reading the %d %s records' % (count, dataset))
        with tf.Graph().as_default():
            queue = tf.train.string_input_producer(files, shuffle=False)
            with replaced(tf, 'random_uniform', case.draws_at_upper_bound(tf)):
                tensors = loader.read_data(queue, has_3d=has_3d)
            with tf.Session() as sess:
                coord = tf.train.Coordinator()
                threads = tf.train.start_queue_runners(sess, coord)
                examples = [sess.run(tensors) for _ in range(count)]
                coord.request_stop()
                coord.join(threads)
        images = np.stack([e[0] for e in examples])
        codes = case.image_codes(images)
        if not np.array_equal(case.image_from_codes(codes), images):
            raise SystemExit('error: the released crops are not decoded JPEG pixels: store them otherwise')
        out['%s_label' % dataset] = np.stack([e[1] for e in examples])
        out['%s_image_norm' % dataset] = np.linalg.norm(images.reshape(count, -1).astype(np.float64), axis=1)
        rows = case.sample_indices('pipeline_image', images[0].size, case.IMAGE_SAMPLE_SIZE)
        out['%s_image_sample' % dataset] = codes.reshape(count, -1)[:, rows]
        if has_3d:
            out['%s_label3d' % dataset] = np.stack([e[2] for e in examples])
            out['%s_has_smpl3d' % dataset] = np.stack([e[3] for e in examples])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('released_tree', help='a checkout of akanazawa/hmr')
    parser.add_argument('--records', default=os.path.join(REFERENCE_DIR, 'tiny_tfrecords'),
                        help="the released converters' tiny records (default: %(default)s)")
    parser.add_argument('--out', default=HERE, help='folder of the golden files (default: %(default)s)')
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.released_tree, 'src', 'trainer.py')):
        parser.error('%s is not a released HMR tree (no src/trainer.py)' % args.released_tree)
    import tensorflow as tf
    if not tf.__version__.startswith('1.'):
        parser.error('run this in the legacy runtime (TensorFlow 1.x), not %s' % tf.__version__)
    trainer_module, loader_module = import_released(args.released_tree)
    defaults = released_flag_defaults(args.released_tree)
    synthetic = load_synthetic_model()
    work_dir = tempfile.mkdtemp(prefix='hmr_golden_')

    def log(message):
        print('[golden] %s' % message, file=sys.stderr)
    try:
        files = {'training_step.npz': training_golden(tf, trainer_module, defaults, work_dir, synthetic, log),
                 'input_pipeline.npz': pipeline_golden(tf, loader_module, defaults, args.records, log)}
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    for name, arrays in files.items():
        path = os.path.join(args.out, name)
        np.savez_compressed(path + '.tmp.npz', tf_version=tf.__version__, **arrays)
        os.replace(path + '.tmp.npz', path)
        log('wrote %s (%d bytes)' % (path, os.path.getsize(path)))


if __name__ == '__main__':
    main()
