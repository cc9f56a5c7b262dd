"""The console commands `pip install` gives (pyproject.toml's [project.scripts]), each the module a
checkout runs with `python -m`, with sys.argv. Those that run TensorFlow say so in one line where it is
not installed (a lean `pip install ".[onnx]"`)."""
import importlib
import importlib.util
import sys

EVALUATIONS = {'h36m': 'src.benchmark.evaluate_h36m', '3dhp': 'src.benchmark.evaluate_3dhp',
               'lsp': 'src.benchmark.evaluate_lsp'}


def _tensorflow_missing(what):
    if importlib.util.find_spec('tensorflow') is not None:
        return False
    print('error: %s runs TensorFlow, which this environment has not got: pip install "hmr[tf]" '
          '(the demo runs without it: hmr-demo --backend onnx)' % what, file=sys.stderr)
    return True


def demo():
    """hmr-demo: python -m demo."""
    from demo import main
    return main(sys.argv)


def train():
    """hmr-train: python -m src.main."""
    if _tensorflow_missing('training'):
        return 1
    from .main import run
    return run(sys.argv)


def evaluate():
    """hmr-eval h36m|3dhp|lsp [flags]: python -m src.benchmark.evaluate_<dataset> [flags]."""
    if len(sys.argv) < 2 or sys.argv[1] not in EVALUATIONS:
        print('usage: hmr-eval %s [flags of python -m src.benchmark.evaluate_<dataset>]'
              % '|'.join(sorted(EVALUATIONS)), file=sys.stderr)
        return 2
    if _tensorflow_missing('the evaluation'):
        return 1
    from .cli import run_with_flags
    module = importlib.import_module(EVALUATIONS[sys.argv[1]])
    return run_with_flags(module.main, [sys.argv[0]] + sys.argv[2:])
