"""The one module that knows which TensorFlow runs underneath.

The legacy runtime is TensorFlow 1.12 with `tf.contrib.slim`; the modern runtime is TensorFlow 2.x in
graph mode through `tf.compat.v1` with the `tf_slim` package. Both expose the same `tf`, `slim` and
`resnet_v2` names here, and everything else in the project imports them from this module.
"""
import contextlib
import os
import warnings

# TensorFlow's C++ start-up log (CUDA probing, CPU features, and TF 2.15's spurious "Unable to register
# cuDNN factory" errors) would bury the tools' one-line messages; failures still raise in Python. Set
# TF_CPP_MIN_LOG_LEVEL=0 to see that log again.
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import tensorflow as _tensorflow  # noqa: E402

IS_TF2 = int(_tensorflow.__version__.split('.')[0]) >= 2


def _expose_tf_keras_legacy_layers():
    """TF >= 2.15 loads the graph-mode batch-norm layer (used by slim) from
    `tf_keras.legacy_tf_layers`, but tf_keras keeps that package under `tf_keras.src`: alias it."""
    import importlib
    import sys
    try:
        importlib.import_module('tf_keras.legacy_tf_layers.normalization')
    except ImportError:
        sys.modules['tf_keras.legacy_tf_layers'] = importlib.import_module('tf_keras.src.legacy_tf_layers')
        sys.modules['tf_keras.legacy_tf_layers.normalization'] = importlib.import_module(
            'tf_keras.src.legacy_tf_layers.normalization')


if IS_TF2:
    import tensorflow.compat.v1 as tf
    # HMR is a graph-mode model: placeholders, sessions and variable scopes.
    _level = tf.logging.get_verbosity()
    tf.logging.set_verbosity(tf.logging.ERROR)  # its deprecation notice is about TF, not about the user's run
    tf.disable_v2_behavior()
    tf.logging.set_verbosity(_level)
    # tf_slim calls Layer.apply, which TF 2.x marks deprecated on every layer: TF's affair, not the user's.
    warnings.filterwarnings('ignore', message='`layer.apply` is deprecated')
    _expose_tf_keras_legacy_layers()
    import tf_slim as slim
    from tf_slim.nets import resnet_v2
else:
    tf = _tensorflow
    import tensorflow.contrib.slim as slim
    from tensorflow.contrib.slim.python.slim.nets import resnet_v2

def plain_graph_building():
    """A context in which building the (plain graph-mode) HMR code skips autograph: in TF 2.x every
    Keras-based slim layer would otherwise have its Python source converted, about a third of the
    time it takes to build the model, for code without any Python control flow on tensors."""
    if not IS_TF2:
        return contextlib.ExitStack()  # TF 1.x has no autograph: nothing to switch off
    from tensorflow.python.autograph.core import ag_ctx
    return ag_ctx.ControlStatusCtx(status=ag_ctx.Status.DISABLED)


TF_VERSION = _tensorflow.__version__
RUNTIME = 'modern' if IS_TF2 else 'legacy'

__all__ = ['tf', 'slim', 'resnet_v2', 'IS_TF2', 'TF_VERSION', 'RUNTIME', 'plain_graph_building']
