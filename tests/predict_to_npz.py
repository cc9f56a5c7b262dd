"""Run RunModel on seeded random inputs and save every output: `python -m tests.predict_to_npz SMPL CKPT OUT`.

Used to compare the two runtimes on one checkpoint."""
import sys

import numpy as np


def main(smpl_path, ckpt, out):
    from src.compat import RUNTIME, tf
    from src.config import get_config
    from src.RunModel import RunModel
    config = get_config(['predict', '--smpl_model_path=%s' % smpl_path, '--batch_size=2'])
    config.load_path = ckpt
    inputs = np.clip(np.random.RandomState(5).randn(2, 224, 224, 3) * .5, -1, 1).astype(np.float32)
    with tf.Session() as sess:
        results = RunModel(config, sess=sess).predict_dict(inputs)
    np.savez(out, runtime=RUNTIME, **results)


if __name__ == '__main__':
    main(*sys.argv[1:4])
