"""Inference benchmark in the current runtime: graph build, restore, images/s at batch 1 and 8, and the
model's arithmetic rate as a fraction of this machine's float32 matmul rate (measured here, now)."""
import time

import numpy as np

from bench.common import command_line, report, seconds, synthetic_models


def matmul_gflops(tf, n=2048, repeat=5):
    with tf.Graph().as_default(), tf.Session() as sess:
        a = tf.Variable(tf.random_normal((n, n)))
        b = tf.Variable(tf.random_normal((n, n)))
        product = tf.reduce_sum(tf.matmul(a, b))
        sess.run(tf.global_variables_initializer())
        sess.run(product)
        return 2. * n ** 3 / seconds(lambda: sess.run(product), repeat) / 1e9


def graph_gflops_per_image(tf, graph, batch_size):
    """Floating-point operations TF's profiler counts in the graph, per image."""
    options = tf.profiler.ProfileOptionBuilder.float_operation()
    options['output'] = 'none'
    flops = tf.profiler.profile(graph, options=options).total_float_ops
    return flops / float(batch_size) / 1e9


def measure(batch_size, smpl, ckpt, figures):
    from src.compat import tf
    from src.config import get_config
    from src.RunModel import RunModel
    config = get_config(['bench', '--smpl_model_path=%s' % smpl, '--batch_size=%d' % batch_size])
    config.load_path = ckpt
    images = np.clip(np.random.RandomState(0).randn(batch_size, 224, 224, 3) * .5, -1, 1).astype(np.float32)
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        start = time.time()
        model = RunModel(config, sess=sess)
        figures['build_and_restore_s_batch%d' % batch_size] = round(time.time() - start, 3)
        model.predict(images)  # warm-up: first run allocates and optimises
        runs = max(2, 16 // batch_size)
        per_batch = seconds(lambda: [model.predict(images) for _ in range(runs)]) / runs
        figures['images_per_s_batch%d' % batch_size] = round(batch_size / per_batch, 3)
        return graph_gflops_per_image(tf, graph, batch_size)


def main():
    from src.compat import RUNTIME, TF_VERSION, tf
    smpl, ckpt = synthetic_models()
    figures = {'runtime': RUNTIME, 'tensorflow': TF_VERSION}
    gflops_per_image = None
    for batch_size in (1, 8):
        gflops_per_image = measure(batch_size, smpl, ckpt, figures)
    figures['model_gflops_per_image'] = round(gflops_per_image, 2)
    figures['matmul_gflops'] = round(matmul_gflops(tf), 1)
    figures['fraction_of_matmul_rate_batch8'] = round(
        figures['images_per_s_batch8'] * gflops_per_image / figures['matmul_gflops'], 3)
    report(figures)


if __name__ == '__main__':
    command_line(__doc__)
    main()
