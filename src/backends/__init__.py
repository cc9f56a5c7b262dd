"""The one place that chooses what runs the network behind RunModel's API: TensorFlow (src/RunModel.py,
the reference) or ONNX Runtime on the graph src/onnx_export.py writes (onnx_model.py, no TensorFlow).

The demo's flags --backend, --onnx_path and --precision are in flags.py.
"""
import importlib.util
import os

from ..errors import HMRError

NAMES = ('tf', 'onnx')
PRECISIONS = ('fp32', 'bf16')
# CPU flags (Linux /proc/cpuinfo names) of native bfloat16 arithmetic: without them oneDNN has no
# bfloat16 kernels to run, and the rewrite leaves the graph in float32.
BF16_CPU_FLAGS = ('avx512_bf16', 'amx_bf16')


def tensorflow_installed():
    return importlib.util.find_spec('tensorflow') is not None


def default_name():
    """tf where TensorFlow is installed (the reference), else onnx."""
    return 'tf' if tensorflow_installed() else 'onnx'


def cpu_flags(path='/proc/cpuinfo'):
    """The CPU's feature flags as the kernel names them (empty where there is no /proc/cpuinfo)."""
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        for line in f:
            if line.startswith('flags'):
                return set(line.split(':', 1)[1].split())
    return set()


def chosen(config):
    """(backend, precision) from the flags, checked: a choice this installation cannot run is one line.
    A config without the flags of flags.py (a tool that does not import it) gets their defaults."""
    name = getattr(config, 'backend', None) or default_name()
    precision = getattr(config, 'precision', 'fp32')
    if name == 'tf' and not tensorflow_installed():
        raise HMRError('--backend tf needs TensorFlow, which this environment has not got: use --backend onnx '
                       'with --onnx_path, or install the project with the [tf] extra')
    if precision == 'bf16':
        if name == 'onnx':
            raise HMRError('--precision bf16 runs on --backend tf only: ONNX Runtime has no bfloat16 CPU kernels '
                           'for this graph')
        if not cpu_flags() & set(BF16_CPU_FLAGS):
            raise HMRError('--precision bf16 needs a CPU with %s (this one has neither): without them TensorFlow '
                           'computes in float32 anyway' % ' or '.join(BF16_CPU_FLAGS))
    return name, precision


def live_choice(config):
    """(backend, line or None) of a live run: --backend if given; else ONNX Runtime where it is installed
    and the model at --onnx_path holds the weights of --load_path (it runs the network faster than
    TensorFlow on the CPUs measured: bench_live in docs/figures.md), else the default. The line says
    which runs and why, when the faster one was there to choose."""
    if getattr(config, 'backend', None) or getattr(config, 'precision', 'fp32') != 'fp32':
        return chosen(config)[0], None
    if default_name() == 'onnx' or importlib.util.find_spec('onnxruntime') is None:
        return default_name(), None
    if not os.path.exists(config.onnx_path):
        return 'tf', ('live: TensorFlow runs the network (ONNX Runtime runs it faster from %s: write it with '
                      '`make onnx`)' % config.onnx_path)
    from .common import checkpoint_digest
    from .onnx_model import exported_checkpoint
    if exported_checkpoint(config.onnx_path) != checkpoint_digest(config.load_path):
        return 'tf', ('live: TensorFlow runs the network: %s was not exported from %s (`make onnx` exports it)'
                      % (config.onnx_path, config.load_path))
    return 'onnx', ('live: ONNX Runtime runs the network (%s, exported from %s), faster here; --backend tf '
                    'for TensorFlow' % (config.onnx_path, config.load_path))


def require_model_files(config):
    """One line unless the files the chosen backend reads exist (checkpoint or ONNX file, SMPL model)."""
    from ..config import require_model_files as require
    name, _ = chosen(config)
    if name == 'tf':
        return require(config.load_path, config.smpl_model_path)
    require(smpl_model_path=config.smpl_model_path)
    if not os.path.exists(config.onnx_path):
        raise HMRError('ONNX model %s is missing: write it with `make onnx` (python -m src.onnx_export) or pass '
                       '--onnx_path' % config.onnx_path)


def build_model(config, batch_size, smpl_model=None):
    """A model with RunModel's predict / predict_dict / smpl.faces / img_size / batch_size;
    `smpl_model`: the SMPL pickle's contents when already read."""
    name, precision = chosen(config)
    config.batch_size = batch_size
    if name == 'onnx':
        from .onnx_model import OnnxModel
        return OnnxModel(config, config.onnx_path, smpl_model)
    from ..compat import tf
    from ..RunModel import RunModel
    return RunModel(config, sess=tf.Session(config=tf_session_config(tf, precision)), smpl_model=smpl_model)


def tf_session_config(tf, precision):
    """float32 as trained, or oneDNN's automatic bfloat16 rewrite of the graph (bf16)."""
    session_config = tf.ConfigProto()
    if precision == 'bf16':
        from tensorflow.core.protobuf import rewriter_config_pb2
        session_config.graph_options.rewrite_options.auto_mixed_precision_onednn_bfloat16 = (
            rewriter_config_pb2.RewriterConfig.ON)
    return session_config
