"""A TensorFlow Lite model as a TensorFlow graph, for runtimes whose Lite interpreter cannot run it.

TF 1.12's interpreter lacks the op versions of MediaPipe's BlazePose models (RESIZE_BILINEAR v3 with
half-pixel centres, DEQUANTIZE v3 of float16 weights, DENSIFY of sparse ones). Their ops are plain
convolutions, so this module reads the .tflite flatbuffer (the `tflite` package's generated schema) and
builds the same computation from TF 1.x graph ops, in its own graph and session. Constant weights are
made dense float32 in NumPy once, at load. Only the ops and options those models use are supported; any
other is a clear error. The object answers the part of tf.lite.Interpreter's interface that a caller of
invoke() uses, so the detector's code is the same with either.
"""
import numpy as np
import tflite

from ..compat import tf
from ..errors import HMRError

_OPS = {value: name for name, value in vars(tflite.BuiltinOperator).items() if not name.startswith('_')}
_DTYPES = {tflite.TensorType.FLOAT32: np.float32, tflite.TensorType.FLOAT16: np.float16,
           tflite.TensorType.INT32: np.int32, tflite.TensorType.INT64: np.int64,
           tflite.TensorType.UINT8: np.uint8, tflite.TensorType.INT8: np.int8}
_PADDING = {tflite.Padding.SAME: 'SAME', tflite.Padding.VALID: 'VALID'}
_INDEX_VECTORS = {tflite.SparseIndexVector.Int32Vector: tflite.Int32Vector,
                  tflite.SparseIndexVector.Uint16Vector: tflite.Uint16Vector,
                  tflite.SparseIndexVector.Uint8Vector: tflite.Uint8Vector}


def _activation(x, code):
    if code == tflite.ActivationFunctionType.NONE:
        return x
    if code == tflite.ActivationFunctionType.RELU:
        return tf.nn.relu(x)
    if code == tflite.ActivationFunctionType.RELU6:
        return tf.nn.relu6(x)
    if code == tflite.ActivationFunctionType.RELU_N1_TO_1:
        return tf.clip_by_value(x, -1., 1.)
    if code == tflite.ActivationFunctionType.TANH:
        return tf.tanh(x)
    raise HMRError('TF Lite fused activation %d is not supported by the graph builder' % code)


def _options(op, kind):
    options = kind()
    table = op.BuiltinOptions()
    options.Init(table.Bytes, table.Pos)
    return options


def _index_vector(kind, vector):
    if kind == tflite.SparseIndexVector.NONE:
        return None
    holder = _INDEX_VECTORS[kind]()
    holder.Init(vector.Bytes, vector.Pos)
    return holder.ValuesAsNumpy().astype(np.int64)


def densify(values, shape, sparsity):
    """The dense array of a sparse TF Lite tensor (its non-zero `values` in traversal order); dimensions
    dense or CSR (segments and indices per dimension), in any traversal order, without blocks."""
    if sparsity.BlockMapLength():
        raise HMRError('block-sparse TF Lite tensors are not supported by the graph builder')
    order = sparsity.TraversalOrderAsNumpy()
    positions = np.zeros(1, np.int64)
    coordinates = np.zeros((1, 0), np.int64)
    for level in range(sparsity.DimMetadataLength()):
        dim = sparsity.DimMetadata(level)
        if dim.Format() == tflite.DimensionType.DENSE:
            size = dim.DenseSize()
            indices = np.tile(np.arange(size), len(positions))
            positions = (positions[:, None] * size + np.arange(size)).ravel()
            coordinates = np.repeat(coordinates, size, axis=0)
        else:
            segments = _index_vector(dim.ArraySegmentsType(), dim.ArraySegments())
            all_indices = _index_vector(dim.ArrayIndicesType(), dim.ArrayIndices())
            counts = segments[positions + 1] - segments[positions]
            starts = np.repeat(segments[positions], counts)
            positions = starts + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            indices = all_indices[positions]
            coordinates = np.repeat(coordinates, counts, axis=0)
        coordinates = np.concatenate([coordinates, indices[:, None]], axis=1)
    dense = np.zeros(shape, values.dtype)
    dense[tuple(coordinates[:, np.argsort(order)].T)] = values[positions]
    return dense


def _half_pixel_axis(in_size, out_size, align_corners, half_pixel_centers):
    """Rows to read and the weight of the second, per output row, of TF Lite's bilinear resize along one
    axis: source = (out + 0.5) * scale - 0.5 (half-pixel centres) or out * scale, neighbours clamped."""
    if align_corners and out_size > 1:
        scale = (in_size - 1.) / (out_size - 1.)
    else:
        scale = float(in_size) / out_size
    out = np.arange(out_size, dtype=np.float32)
    source = (out + .5) * np.float32(scale) - .5 if half_pixel_centers else out * np.float32(scale)
    low = np.maximum(np.floor(source), 0).astype(np.int32)
    high = np.minimum(np.ceil(source), in_size - 1).astype(np.int32)
    return low, high, (source - low).astype(np.float32)


def _resize_bilinear(x, out_height, out_width, align_corners, half_pixel_centers):
    """TF Lite's RESIZE_BILINEAR (all versions), as gathers and linear interpolation along each axis:
    TF 1.12's resize_bilinear has no half-pixel centres."""
    _, height, width, _ = x.shape.as_list()
    for axis, in_size, out_size in ((1, height, out_height), (2, width, out_width)):
        low, high, weight = _half_pixel_axis(in_size, out_size, align_corners, half_pixel_centers)
        shape = [1, 1, 1, 1]
        shape[axis] = out_size
        first, second = tf.gather(x, low, axis=axis), tf.gather(x, high, axis=axis)
        x = first + (second - first) * weight.reshape(shape)
    return x


class TFLiteGraph(object):
    """A .tflite model run as a TensorFlow graph, with the calls of tf.lite.Interpreter that feed inputs,
    invoke and read outputs."""

    def __init__(self, model_path):
        with open(model_path, 'rb') as f:
            buffer = f.read()
        model = tflite.Model.GetRootAsModel(buffer, 0)
        if model.SubgraphsLength() != 1:
            raise HMRError('%s: only single-graph TF Lite models can run as a TensorFlow graph' % model_path)
        self._model, self._subgraph = model, model.Subgraphs(0)
        self._opcodes = [max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
                         for code in (model.OperatorCodes(i) for i in range(model.OperatorCodesLength()))]
        self._graph = tf.Graph()
        with self._graph.as_default():
            values = {}
            self._inputs = []
            for index in self._subgraph.InputsAsNumpy():
                values[index] = tf.placeholder(self._dtype(index), self._shape(index))
                self._inputs.append(values[index])
            for number in range(self._subgraph.OperatorsLength()):
                self._add_op(self._subgraph.Operators(number), values, model_path)
            self._output_indices = list(self._subgraph.OutputsAsNumpy())
            self._outputs = [tf.convert_to_tensor(values[i]) for i in self._output_indices]
        self._session = tf.Session(graph=self._graph, config=tf.ConfigProto(device_count={'GPU': 0}))
        self._fed = {}
        self._results = {}

    def _tensor(self, index):
        return self._subgraph.Tensors(index)

    def _shape(self, index):
        return [int(s) for s in self._tensor(index).ShapeAsNumpy()]

    def _dtype(self, index):
        return _DTYPES[self._tensor(index).Type()]

    def _constant(self, index):
        """The value stored in the model for tensor `index` (dense), or None when it is computed."""
        tensor = self._tensor(index)
        data = self._model.Buffers(tensor.Buffer()).DataAsNumpy()
        if isinstance(data, int) or not len(data):
            return None
        values = np.frombuffer(data.tobytes(), self._dtype(index))
        if tensor.Sparsity() is not None:
            return values
        return values.reshape(self._shape(index))

    def _add_op(self, op, values, model_path):
        name = _OPS.get(self._opcodes[op.OpcodeIndex()], str(self._opcodes[op.OpcodeIndex()]))
        inputs = op.InputsAsNumpy()
        output = op.OutputsAsNumpy()[0]

        def value(position):
            index = inputs[position]
            if index not in values:
                values[index] = self._constant(index)
                if values[index] is None:
                    raise HMRError('%s: tensor %d is read before it is written' % (model_path, index))
            return values[index]

        if name == 'DENSIFY':
            values[output] = densify(value(0), self._shape(inputs[0]), self._tensor(inputs[0]).Sparsity())
        elif name == 'DEQUANTIZE':
            source = value(0)
            if not isinstance(source, np.ndarray) or source.dtype != np.float16:
                raise HMRError('%s: only DEQUANTIZE of constant float16 weights is supported' % model_path)
            values[output] = source.astype(np.float32)
        elif name == 'CONV_2D':
            options = _options(op, tflite.Conv2DOptions)
            weights = np.transpose(value(1), (1, 2, 3, 0))  # TF Lite OHWI -> TF HWIO
            x = tf.nn.conv2d(value(0), weights, [1, options.StrideH(), options.StrideW(), 1],
                             _PADDING[options.Padding()],
                             dilations=[1, options.DilationHFactor(), options.DilationWFactor(), 1])
            values[output] = _activation(self._bias(x, inputs, value), options.FusedActivationFunction())
        elif name == 'DEPTHWISE_CONV_2D':
            options = _options(op, tflite.DepthwiseConv2DOptions)
            weights = value(1)  # 1 x H x W x (C * multiplier) -> H x W x C x multiplier
            channels = value(0).shape.as_list()[3]
            weights = weights.reshape(weights.shape[1], weights.shape[2], channels, weights.shape[3] // channels)
            x = tf.nn.depthwise_conv2d(value(0), weights, [1, options.StrideH(), options.StrideW(), 1],
                                       _PADDING[options.Padding()],
                                       rate=[options.DilationHFactor(), options.DilationWFactor()])
            values[output] = _activation(self._bias(x, inputs, value), options.FusedActivationFunction())
        elif name == 'ADD':
            options = _options(op, tflite.AddOptions)
            values[output] = _activation(value(0) + value(1), options.FusedActivationFunction())
        elif name == 'PAD':
            values[output] = tf.pad(value(0), value(1))
        elif name == 'MAX_POOL_2D':
            options = _options(op, tflite.Pool2DOptions)
            x = tf.nn.max_pool(value(0), [1, options.FilterHeight(), options.FilterWidth(), 1],
                               [1, options.StrideH(), options.StrideW(), 1], _PADDING[options.Padding()])
            values[output] = _activation(x, options.FusedActivationFunction())
        elif name == 'RESIZE_BILINEAR':
            options = _options(op, tflite.ResizeBilinearOptions)
            height, width = value(1)
            values[output] = _resize_bilinear(value(0), int(height), int(width), options.AlignCorners(),
                                              options.HalfPixelCenters())
        elif name == 'DEPTH_TO_SPACE':
            values[output] = tf.depth_to_space(value(0), _options(op, tflite.DepthToSpaceOptions).BlockSize())
        elif name == 'RESHAPE':
            values[output] = tf.reshape(value(0), self._shape(output))
        elif name == 'CONCATENATION':
            options = _options(op, tflite.ConcatenationOptions)
            x = tf.concat([value(i) for i in range(len(inputs))], options.Axis())
            values[output] = _activation(x, options.FusedActivationFunction())
        elif name == 'LOGISTIC':
            values[output] = tf.sigmoid(value(0))
        else:
            raise HMRError('%s: the TF Lite op %s is not supported by the graph builder' % (model_path, name))

    @staticmethod
    def _bias(x, inputs, value):
        return x if len(inputs) < 3 or inputs[2] < 0 else tf.nn.bias_add(x, value(2))

    def _details(self, indices):
        return [{'index': int(i), 'name': self._tensor(i).Name().decode('utf-8'),
                 'shape': np.array(self._shape(i), np.int32), 'dtype': self._dtype(i)} for i in indices]

    def allocate_tensors(self):
        """Nothing to do: the graph is built at construction (here for tf.lite.Interpreter's interface)."""

    def get_input_details(self):
        return self._details(self._subgraph.InputsAsNumpy())

    def get_output_details(self):
        return self._details(self._output_indices)

    def set_tensor(self, index, value):
        self._fed[index] = value

    def invoke(self):
        feed = {placeholder: self._fed[int(index)]
                for placeholder, index in zip(self._inputs, self._subgraph.InputsAsNumpy())}
        self._results = dict(zip(self._output_indices, self._session.run(self._outputs, feed)))

    def get_tensor(self, index):
        return self._results[index]
