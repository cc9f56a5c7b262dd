"""Training figures in the current runtime: input-pipeline examples/s alone and training steps/s at a
small batch, on tiny synthetic records in the released layout."""
import os
import shutil
import tempfile
import time

from bench.common import command_line, report, synthetic_models

BATCH = 4
PIPELINE_BATCHES = 20
TRAIN_STEPS = 6


def main():
    from src.compat import RUNTIME, tf
    from src.config import get_config
    from src.data_loader import DataLoader
    from src.run_dir import prepare_dirs
    from src.samples.synthetic_datasets import write_tiny_datasets
    from src.trainer import HMRTrainer

    smpl, _ = synthetic_models()
    work = tempfile.mkdtemp(prefix='hmr-bench-train-')
    try:
        data_dir = write_tiny_datasets(os.path.join(work, 'data'), n=16)
        config = get_config(['bench', '--data_dir=%s' % data_dir, '--smpl_model_path=%s' % smpl,
                             '--log_dir=%s' % os.path.join(work, 'logs'), '--datasets=lsp,h36m',
                             '--mocap_datasets=CMU', '--batch_size=%d' % BATCH, '--log_img_step=100000'])
        with tf.Graph().as_default(), tf.Session() as sess:
            batch = DataLoader(config).load()
            sess.run(batch)
            start = time.time()
            for _ in range(PIPELINE_BATCHES):
                sess.run(batch)
            pipeline = PIPELINE_BATCHES * BATCH / (time.time() - start)
        prepare_dirs(config)
        with tf.Graph().as_default():
            loader = DataLoader(config)
            trainer = HMRTrainer(config, loader.load(), loader.get_smpl_loader())
            trainer.train(max_steps=1 + TRAIN_STEPS, progress=False)
            # The first step also optimises the graph and allocates: leave it out.
            steps = TRAIN_STEPS / sum(trainer.step_seconds[1:])
        report({'runtime': RUNTIME, 'input_pipeline_examples_per_s': round(pipeline, 1),
                'train_steps_per_s_batch%d' % BATCH: round(steps, 3),
                'train_examples_per_s_batch%d' % BATCH: round(steps * BATCH, 2)})
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    command_line(__doc__)
    main()
