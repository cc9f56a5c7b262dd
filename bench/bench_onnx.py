"""TensorFlow (modern runtime) against ONNX Runtime on the same graph (src/onnx_export.py), synthetic
model, batch 8, model only: images/s, and the cold start (a fresh process: imports, model load, first
batch). bf16 where the CPU has bfloat16 arithmetic; the CPU features seen are part of the report."""
import os
import subprocess
import sys
import time

import numpy as np

from bench.common import BENCH_MODELS, PROJECT_DIR, command_line, report, seconds, synthetic_models

BATCH = 8
ONNX_PATH = os.path.join(BENCH_MODELS, 'hmr.onnx')
EXPORT_PYTHON = os.path.join(PROJECT_DIR, '.venv', 'onnx-export', 'bin', 'python')
# The CPU features that decide float32 and bfloat16 speed (Linux /proc/cpuinfo names).
FEATURES = ('avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'amx_tile', 'amx_bf16')
# A fresh process that loads the model and predicts one batch: the cold start.
COLD_START = """
import sys, time
start = time.time()
sys.path.insert(0, {project!r})
import numpy as np
import src.backends.flags
from src.config import get_config
from src.backends import build_model
config = get_config(['bench', '--smpl_model_path={smpl}'])
config.load_path, config.backend, config.onnx_path, config.precision = {ckpt!r}, {backend!r}, {onnx!r}, 'fp32'
build_model(config, {batch}).predict_dict(np.zeros(({batch}, 224, 224, 3), np.float32))
print(time.time() - start)
"""


def onnx_file(smpl, ckpt):
    if not os.path.exists(ONNX_PATH):
        subprocess.run([EXPORT_PYTHON, '-m', 'src.onnx_export', '--load_path', ckpt, '--smpl_model_path', smpl,
                        '--out_path', ONNX_PATH], cwd=PROJECT_DIR, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return ONNX_PATH


def rates(models, images, rounds=3):
    """images/s of each model, best of `rounds`; the models take turns, so that a busy machine's load
    weighs on all of them alike."""
    best = {name: float('inf') for name in models}
    for model in models.values():
        model.predict_dict(images)  # warm-up: first run allocates and optimises
    for _ in range(rounds):
        for name, model in models.items():
            best[name] = min(best[name], seconds(lambda: model.predict_dict(images)))
    return {name: round(len(images) / t, 2) for name, t in best.items()}


def cold_start(backend, smpl, ckpt):
    code = COLD_START.format(project=PROJECT_DIR, smpl=smpl, ckpt=ckpt, backend=backend, onnx=ONNX_PATH, batch=BATCH)
    start = time.time()
    done = subprocess.run([sys.executable, '-c', code], cwd=PROJECT_DIR, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, universal_newlines=True, check=True)
    return round(time.time() - start, 2), round(float(done.stdout.split()[-1]), 2)


def main():
    from src import backends
    import src.backends.flags  # noqa: F401 (--backend, --onnx_path, --precision)
    from src.config import get_config
    flags = backends.cpu_flags()
    figures = {'cpu_features': ' '.join(f for f in FEATURES if f in flags) or 'none seen'}
    try:
        import onnxruntime
    except ImportError:
        figures.update(runtime='legacy', onnx='not run: onnxruntime is not installed in this runtime')
        return report(figures)
    from src.compat import RUNTIME, tf
    figures.update(runtime=RUNTIME, onnxruntime=onnxruntime.__version__)
    smpl, ckpt = synthetic_models()
    if not os.path.exists(EXPORT_PYTHON) and not os.path.exists(ONNX_PATH):
        figures['onnx'] = 'not run: the exporter environment %s is not built (make setup-onnx-export)' % EXPORT_PYTHON
        return report(figures)
    onnx_file(smpl, ckpt)
    config = get_config(['bench', '--smpl_model_path=%s' % smpl])
    config.load_path, config.onnx_path = ckpt, ONNX_PATH
    images = np.clip(np.random.RandomState(0).randn(BATCH, 224, 224, 3) * .5, -1, 1).astype(np.float32)
    precisions = ['fp32'] + (['bf16'] if flags & set(backends.BF16_CPU_FLAGS) else [])
    models = {}
    for backend in backends.NAMES:
        for precision in precisions if backend == 'tf' else ['fp32']:
            config.backend, config.precision = backend, precision
            with tf.Graph().as_default():  # one graph per TensorFlow model
                models['%s_%s_images_per_s_batch%d' % (backend, precision, BATCH)] = backends.build_model(
                    config, BATCH)
    figures.update(rates(models, images))
    if 'bf16' not in precisions:
        figures['bf16'] = 'not run: the CPU has neither avx512_bf16 nor amx_bf16 (TensorFlow stays in float32)'
    key = '%%s_fp32_images_per_s_batch%d' % BATCH
    figures['onnx_over_tf_fp32'] = round(figures[key % 'onnx'] / figures[key % 'tf'], 2)
    for backend in backends.NAMES:
        figures['%s_cold_start_s' % backend], figures['%s_cold_start_in_python_s' % backend] = cold_start(
            backend, smpl, ckpt)
    report(figures)


if __name__ == '__main__':
    command_line(__doc__)
    main()
