"""The demo's flags that choose the backend (src/backends/__init__.py): imported by demo.py."""
from absl import flags

from . import NAMES, PRECISIONS

flags.DEFINE_enum('backend', None, list(NAMES), 'What runs the network: tf (TensorFlow, the reference) or onnx '
                  '(ONNX Runtime on --onnx_path); default tf where TensorFlow is installed, else onnx')
flags.DEFINE_string('onnx_path', 'models/hmr.onnx', 'The ONNX model of --backend onnx (make onnx writes it)')
flags.DEFINE_enum('precision', 'fp32', list(PRECISIONS), 'fp32 (as trained) or bf16 (TensorFlow on a CPU with '
                  'AVX512-BF16 or AMX: oneDNN computes in bfloat16)')
