"""Helpers shared by the benchmark scripts: the synthetic models and timing."""
import argparse
import json
import os
import sys
import time

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_MODELS = os.path.join(PROJECT_DIR, 'build', 'bench_models')
# The released sample photos, when the reference folder is here: src.samples.photo_set takes the folder.
REFERENCE_IMAGES = os.path.join(os.environ.get('HMR_REFERENCE_DIR', os.path.join(
    os.path.dirname(PROJECT_DIR), 'shared', 'hmr_reference')), 'images')
sys.path.insert(0, PROJECT_DIR)


def synthetic_models():
    """(smpl path, checkpoint prefix) of the synthetic model, written on first use."""
    from src.samples import synthetic_model
    smpl = os.path.join(BENCH_MODELS, 'neutral_smpl_with_cocoplus_reg.pkl')
    ckpt = os.path.join(BENCH_MODELS, 'model.ckpt-0')
    if not os.path.exists(ckpt + '.index'):
        return synthetic_model.write_synthetic_models(BENCH_MODELS)
    return smpl, ckpt


def seconds(fn, repeat=1):
    """Best wall-clock seconds of `repeat` calls."""
    best = float('inf')
    for _ in range(repeat):
        start = time.time()
        fn()
        best = min(best, time.time() - start)
    return best


def report(figures):
    """The last line a bench script prints: one JSON object, read by bench.run."""
    print(json.dumps(figures, sort_keys=True))


def command_line(doc, configure=None, argv=None):
    """The script's arguments (argparse: `-h` prints `doc` and the options, then exits 0). `configure`
    adds options to the parser; without it the script takes none."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if configure:
        configure(parser)
    return parser.parse_args(argv)
