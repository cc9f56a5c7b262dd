"""Data-parallel training figures: examples/s with 1 and 2 Horovod workers (horovodrun --gloo on
localhost) at the same per-worker batch, and the scaling efficiency (2-worker rate / twice the
1-worker rate). In a runtime without Horovod it reports why it did not run.

usage: python -m bench.bench_distributed        (the launcher; runs itself under horovodrun as --worker)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from bench.common import PROJECT_DIR, command_line, report, synthetic_models

BATCH = 4
WARMUP_STEPS = 2
TIMED_STEPS = 6


def worker(data_dir, smpl, log_dir):
    """One worker: train WARMUP + TIMED steps; rank 0 prints the timed steps' seconds as JSON."""
    from src.compat import tf
    from src.config import get_config
    from src.data_loader import DataLoader
    from src.distributed import Workers
    from src.trainer import HMRTrainer

    workers = Workers(distributed=True)
    config = get_config(['bench', '--data_dir=%s' % data_dir, '--smpl_model_path=%s' % smpl, '--log_dir=%s' % log_dir,
                         '--datasets=lsp,h36m', '--mocap_datasets=CMU', '--batch_size=%d' % BATCH,
                         '--log_img_step=100000', '--distributed'])
    config.model_dir = log_dir
    with tf.Graph().as_default():
        loader = DataLoader(config, workers=workers)
        trainer = HMRTrainer(config, loader.load(), loader.get_smpl_loader(), workers=workers)
        trainer.train(max_steps=WARMUP_STEPS + TIMED_STEPS, progress=False)
    if workers.is_chief:
        print(json.dumps({'seconds': sum(trainer.step_seconds[WARMUP_STEPS:]), 'workers': workers.size}))


def examples_per_second(num_workers, data_dir, smpl, work):
    horovodrun = os.path.join(os.path.dirname(sys.executable), 'horovodrun')
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', PYTHONPATH=PROJECT_DIR,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH'])
    log_dir = os.path.join(work, 'logs%d' % num_workers)
    proc = subprocess.run([horovodrun, '--gloo', '-np', str(num_workers), '-H', 'localhost:%d' % num_workers,
                           sys.executable, '-m', 'bench.bench_distributed', '--worker', data_dir, smpl, log_dir],
                          cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    lines = [line.split(':', 1)[-1] for line in proc.stdout.splitlines() if '"seconds"' in line]
    if proc.returncode != 0 or not lines:
        raise RuntimeError((proc.stderr.strip().splitlines() or ['no output'])[-1])
    timing = json.loads(lines[-1])
    return TIMED_STEPS * BATCH * num_workers / timing['seconds']


def main():
    from src.compat import RUNTIME
    try:
        import horovod.tensorflow  # noqa: F401
    except ImportError:
        report({'runtime': RUNTIME, 'skipped': 'no Horovod in this runtime (make setup-horovod: modern only)'})
        return
    from src.samples.synthetic_datasets import write_tiny_datasets
    smpl, _ = synthetic_models()
    work = tempfile.mkdtemp(prefix='hmr-bench-dist-')
    try:
        data_dir = write_tiny_datasets(os.path.join(work, 'data'), n=16)
        one = examples_per_second(1, data_dir, smpl, work)
        two = examples_per_second(2, data_dir, smpl, work)
        report({'runtime': RUNTIME, 'per_worker_batch': BATCH, 'train_examples_per_s_1_worker': round(one, 2),
                'train_examples_per_s_2_workers': round(two, 2), 'scaling_efficiency_2_workers': round(two / (2 * one), 3),
                'cpu_cores': os.cpu_count()})
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    args = command_line(__doc__, lambda parser: parser.add_argument('--worker', nargs=3, help=argparse.SUPPRESS))
    if args.worker:
        worker(*args.worker)
    else:
        main()
