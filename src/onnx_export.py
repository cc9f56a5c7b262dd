"""The inference graph RunModel runs (encoder, the regressor's iterations, SMPL, projection), with a
checkpoint's weights, as one ONNX file that ONNX Runtime runs without TensorFlow (src/backends/onnx_model.py).

  python -m src.onnx_export --load_path models/model.ckpt-667589 --out_path models/hmr.onnx

The graph takes N x img_size x img_size x 3 crops in [-1, 1] for any N and gives predict_dict's
outputs (joints in [-1, 1] crop coordinates; the backend turns them into pixels as RunModel does).
tf2onnx needs protobuf 3.20, not the modern runtime's 4.25: `make onnx` runs this in .venv/onnx-export.
"""
import importlib.util
import os
import sys

from absl import flags

from .backends.common import (CHECKPOINT_KEY, IMG_SIZE_KEY, INPUT_NAME, MODEL_KIND, MODEL_KIND_KEY, OUTPUT_NAMES,
                              checkpoint_digest)
from .errors import HMRError

# Opset 17 (ONNX 1.12+): ONNX Runtime >= 1.13 runs it.
OPSET = 17

flags.DEFINE_string('out_path', 'models/hmr.onnx', 'Where to write the ONNX model')


def frozen_graph(config):
    """(GraphDef with the checkpoint's weights as constants, input tensor name, {output: tensor name})."""
    from .compat import tf
    from .RunModel import RunModel
    config.batch_size = None  # any number of images
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        model = RunModel(config, sess=sess)
        outputs = {name: tf.identity(tensor, name='onnx_' + name) for name, tensor in model.output_tensors().items()}
        level = tf.logging.get_verbosity()
        tf.logging.set_verbosity(tf.logging.ERROR)  # its deprecation notice is about TF's API, not the user's run
        graph_def = tf.graph_util.convert_variables_to_constants(
            sess, graph.as_graph_def(), [t.op.name for t in outputs.values()])
        tf.logging.set_verbosity(level)
        return graph_def, model.images_pl.name, {name: t.name for name, t in outputs.items()}


def _rename(graph, renames):
    """Give the graph's inputs, outputs and the nodes' references to them the names in `renames`."""
    for value in list(graph.input) + list(graph.output):
        value.name = renames.get(value.name, value.name)
    for node in graph.node:
        node.input[:] = [renames.get(n, n) for n in node.input]
        node.output[:] = [renames.get(n, n) for n in node.output]


def convert(config):
    """The ONNX ModelProto of the checkpoint `config.load_path`."""
    import onnx
    import tf2onnx
    graph_def, input_name, output_names = frozen_graph(config)
    model, _ = tf2onnx.convert.from_graph_def(
        graph_def, input_names=[input_name], output_names=[output_names[n] for n in OUTPUT_NAMES], opset=OPSET)
    renames = {input_name: INPUT_NAME}
    renames.update({tensor: name for name, tensor in output_names.items()})
    _rename(model.graph, renames)
    model.doc_string = 'HMR (Kanazawa et al. 2018) from %s' % os.path.basename(config.load_path)
    onnx.helper.set_model_props(model, {MODEL_KIND_KEY: MODEL_KIND, IMG_SIZE_KEY: str(config.img_size),
                                        CHECKPOINT_KEY: checkpoint_digest(config.load_path)})
    onnx.checker.check_model(model)
    return model


def export(config, out_path):
    from tqdm import tqdm
    from .config import require_model_files
    from .util.files import write_bytes
    require_model_files(config.load_path or '', config.smpl_model_path)
    with tqdm(total=2, desc='ONNX export', unit='step') as bar:
        model = convert(config)
        bar.update(1)
        write_bytes(out_path, model.SerializeToString())
        bar.update(1)
    print('wrote %s (%.1f MB, opset %d)' % (out_path, os.path.getsize(out_path) / 1e6, OPSET))


def main(argv):
    from .cli import run_with_flags

    def run(config):
        if importlib.util.find_spec('tf2onnx') is None:
            raise HMRError('the ONNX export needs tf2onnx (with protobuf 3.20): run it in .venv/onnx-export '
                           '(`make onnx` builds it)')
        export(config, config.out_path)
    return run_with_flags(run, argv)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
