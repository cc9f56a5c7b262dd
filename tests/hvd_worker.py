"""One Horovod worker for tests/test_distributed.py, started by `horovodrun --gloo -np 2 python -m
tests.hvd_worker MODE OUT SMPL DATA` (or alone, as the single-process reference).

Modes:
  sync         the real input pipeline, each rank initialised from its own seed, N steps; each rank
               dumps its variables to OUT/rank<r>.npz.
  equivalence  one step on fixed examples with batch norm in inference mode and dropout off: rank r of
               N takes examples [r B, (r + 1) B) of the 2 B; alone, the process takes all 2 B. Dumps
               every variable (Adam's moments included) to OUT/<rank<r> | single>.npz.
"""
import functools
import os
import sys

import numpy as np

from src import trainer as trainer_module
from src.compat import tf
from src.config import get_config
from src.data_loader import DataLoader
from src.distributed import Workers
from src.models import get_encoder_fn_separate
from src.training.loop import run_step

PER_WORKER_BATCH = 2
SYNC_STEPS = 3
NUM_STAGE = 3  # the default num_stage: the prior takes 3 MoSh examples per image


def config_for(smpl, data, out, batch_size, *extra):
    return get_config(['worker', '--smpl_model_path=%s' % smpl, '--data_dir=%s' % data, '--log_dir=%s' % out,
                       '--datasets=lsp,h36m', '--mocap_datasets=CMU', '--batch_size=%d' % batch_size,
                       '--log_img_step=1000', '--lr_scaling=none'] + list(extra))


def dump(sess, path):
    values = sess.run({v.op.name: v for v in tf.global_variables()})
    np.savez(path, **{name.replace('/', '|'): value for name, value in values.items()})


def sync(workers, smpl, data, out):
    config = config_for(smpl, data, out, PER_WORKER_BATCH)
    config.model_dir = out
    tf.set_random_seed(workers.rank)  # different initial values, so the broadcast is what makes them equal
    loader = DataLoader(config, seed=0, workers=workers)
    trainer = trainer_module.HMRTrainer(config, loader.load(), loader.get_smpl_loader(), num_itr_per_epoch=4,
                                        workers=workers)
    with tf.Session() as sess:
        trainer.checkpoints.restore_or_initialize(sess)
        for _ in range(SYNC_STEPS):
            run_step(sess, {'e': trainer.e_opt, 'd': trainer.d_opt}, workers, out)
        dump(sess, os.path.join(out, 'rank%d.npz' % workers.rank))


def fixed_examples(total):
    """`total` examples (all keypoints visible, so every worker's loss averages the same count) and
    3 * total MoSh poses and shapes."""
    rng = np.random.RandomState(7)
    images = rng.uniform(-1, 1, (total, 224, 224, 3)).astype(np.float32)
    keypoints = np.concatenate([rng.uniform(-.8, .8, (total, 19, 2)), np.ones((total, 19, 1))], 2)
    poses = rng.randn(NUM_STAGE * total, 72) * .2
    shapes = rng.randn(NUM_STAGE * total, 10) * .5
    return images, keypoints.astype(np.float32), poses.astype(np.float32), shapes.astype(np.float32)


def inference_mode_encoders(model_type):
    """The model's encoder and regressor with is_training=False: batch norm uses its moving
    statistics and dropout is off, so a batch's gradient is the mean of its examples' gradients."""
    image_fn, regressor_fn = get_encoder_fn_separate(model_type)
    return functools.partial(image_fn, is_training=False), functools.partial(regressor_fn, is_training=False)


def equivalence(workers, smpl, data, out):
    total = 2 * PER_WORKER_BATCH
    batch = total // workers.size
    config = config_for(smpl, data, out, batch, '--use_3d_label=False')
    config.model_dir = out
    images, keypoints, poses, shapes = fixed_examples(total)
    mine = slice(workers.rank * batch, (workers.rank + 1) * batch)
    mine_mocap = slice(workers.rank * NUM_STAGE * batch, (workers.rank + 1) * NUM_STAGE * batch)
    tf.set_random_seed(0)
    trainer_module.get_encoder_fn_separate = inference_mode_encoders
    trainer = trainer_module.HMRTrainer(
        config, {'image': tf.constant(images[mine]), 'label': tf.constant(keypoints[mine])},
        (tf.constant(poses[mine_mocap]), tf.constant(shapes[mine_mocap])), num_itr_per_epoch=1, workers=workers)
    with tf.Session() as sess:
        trainer.checkpoints.restore_or_initialize(sess)
        run_step(sess, {'e': trainer.e_opt, 'd': trainer.d_opt}, workers, out)
        name = 'rank%d.npz' % workers.rank if workers.distributed else 'single.npz'
        dump(sess, os.path.join(out, name))


def main(mode, out, smpl, data):
    distributed = 'HOROVOD_RANK' in os.environ
    workers = Workers(distributed=distributed, lr_scaling='none')
    {'sync': sync, 'equivalence': equivalence}[mode](workers, smpl, data, out)


if __name__ == '__main__':
    main(*sys.argv[1:5])
