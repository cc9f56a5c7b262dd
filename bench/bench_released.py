"""The released HMR code's inference speed on this machine, for an ours-vs-released ratio in one run.

Runs only when HMR_RELEASED_TREE names a checkout of the released repository (akanazawa/hmr, with an
empty models/ folder, which its config insists on); the released code needs chumpy, so run it in the
legacy runtime. The same synthetic checkpoint and batch as bench_inference are used.
"""
import os
import sys

import numpy as np

from bench.common import PROJECT_DIR, command_line, report, seconds, synthetic_models


def main():
    tree = os.environ.get('HMR_RELEASED_TREE')
    if not tree:
        report({'skipped': 'set HMR_RELEASED_TREE to a released checkout to measure it'})
        return
    if sys.version_info >= (3, 7):
        report({'skipped': 'the released code runs in the legacy runtime only'})
        return
    smpl, ckpt = synthetic_models()
    sys.path.remove(PROJECT_DIR)
    for name in [m for m in sys.modules if m == 'src' or m.startswith('src.')]:
        del sys.modules[name]
    sys.path.insert(0, tree)
    os.chdir(tree)
    import tensorflow as tf
    from absl import flags
    import src.config  # noqa: F401  (the released flags)
    from src.RunModel import RunModel
    config = flags.FLAGS
    config(['bench', '--smpl_model_path=%s' % smpl, '--batch_size=8'])
    config.load_path = ckpt
    images = np.clip(np.random.RandomState(0).randn(8, 224, 224, 3) * .5, -1, 1).astype(np.float32)
    model = RunModel(config, sess=tf.Session())
    model.predict(images)
    per_batch = seconds(lambda: [model.predict(images) for _ in range(2)]) / 2
    report({'runtime': 'released code, TF %s' % tf.__version__, 'images_per_s_batch8': round(8 / per_batch, 3)})


if __name__ == '__main__':
    command_line(__doc__)
    main()
