"""The BlazePose models run as a TensorFlow graph (src/detectors/tflite_graph.py) against TF Lite's own
interpreter on real photos (modern runtime), its pieces against known answers (both runtimes), the
mediapipe detector on the legacy runtime against the modern one's on the released sample photos, and the
checked fetch of the model files."""
import glob
import hashlib
import os
import zipfile

import cv2
import numpy as np
import pytest
import skimage.data

from src.detectors import blazepose_files, mediapipe_pose, tflite_graph
from src.errors import HMRError
from tests.conftest import missing
from tests.runtimes import current_runtime, outputs_of_both_runtimes
from tests.detections_to_npz import SAMPLES

# Graph vs tf.lite.Interpreter, per output, as a fraction of that output's largest magnitude. Both run the
# same float32 arithmetic in a different order; a reordered K-term sum differs by about sqrt(K) float32
# roundings (u = 6e-8), and the landmark model chains L = 96 convolutions with sums of up to K = 1152
# terms: L * sqrt(K) * u = 2e-4 of the activations' scale. Measured worst: 2.6e-4 on the mask logits
# (whose scale is ~1800), TF Lite's reference kernels differ from its XNNPACK ones by as much (2.7e-4);
# hence 1e-3 for every output. Coordinates (the detector's boxes, the landmarks, in input pixels) are far
# better: measured 1.4e-6 and 1.2e-5, checked at 1e-4.
RELATIVE_TOLERANCE = 1e-3
COORDINATE_TOLERANCE = 1e-4
COORDINATE_OUTPUTS = {
    (mediapipe_pose.DETECTOR_MODEL, (2254, 12)),
    (mediapipe_pose.LANDMARK_MODEL, (mediapipe_pose.LANDMARK_OUTPUTS * mediapipe_pose.LANDMARK_VALUES,))}
# Detector boxes, legacy (graph) vs modern (TF Lite): a box is the extent of the landmark model's mask
# (256 x 256 cells over a square 1.25 times the body circle), so a mask cell flipping at the threshold
# moves a side by side / 256 image pixels, about 2 * max(w, h) / 256 at most: 2 such cells allowed.
MASK_CELLS = 2
# Scores are sigmoids of logits that agree to ~5e-4 (above): they move by a quarter of that at most.
SCORE_TOLERANCE = 1e-3


def model_path(model):
    folder = mediapipe_pose.model_dir()
    if folder is None:
        missing('the BlazePose models are not here (python -m src.detectors.blazepose_files)')
    return os.path.join(folder, model)


def photos(reference_dir):
    paths = sorted(glob.glob(os.path.join(reference_dir, 'images', '*.[jp][pn]g')))
    assert len(paths) == len(SAMPLES)
    return [cv2.imread(p)[:, :, ::-1] for p in paths] + [skimage.data.astronaut()]


def model_input(image, model):
    """The whole photo as the model's input, scaled as the detector scales it."""
    if model == mediapipe_pose.DETECTOR_MODEL:
        square = cv2.resize(image, (mediapipe_pose.DETECTOR_SIZE,) * 2, interpolation=cv2.INTER_AREA)
        return square[None].astype(np.float32) / 127.5 - 1.
    square = cv2.resize(image, (mediapipe_pose.LANDMARK_SIZE,) * 2, interpolation=cv2.INTER_AREA)
    return square[None].astype(np.float32) / 255.


def run(runner, x):
    runner.set_tensor(runner.get_input_details()[0]['index'], x)
    runner.invoke()
    return {tuple(d['shape'][1:]): runner.get_tensor(d['index']) for d in runner.get_output_details()}


def modern_only():
    if current_runtime() != 'modern':
        pytest.skip('tf.lite.Interpreter runs these models on the modern runtime only')


@pytest.mark.parametrize('model', [mediapipe_pose.DETECTOR_MODEL, mediapipe_pose.LANDMARK_MODEL])
def test_graph_gives_what_tf_lite_gives_on_photos(model, reference_dir):
    modern_only()
    from src.compat import tf
    path = model_path(model)
    graph = tflite_graph.TFLiteGraph(path)
    with mediapipe_pose.without_native_info_lines():
        interpreter = tf.lite.Interpreter(model_path=path)
        interpreter.allocate_tensors()
    assert [(d['name'], list(d['shape'])) for d in graph.get_output_details()] == \
        [(d['name'], list(d['shape'])) for d in interpreter.get_output_details()]
    for image in photos(reference_dir):
        x = model_input(image, model)
        ours, theirs = run(graph, x), run(interpreter, x)
        assert sorted(ours) == sorted(theirs)
        for shape, expected in theirs.items():
            scale = np.abs(expected).max()
            tolerance = COORDINATE_TOLERANCE if (model, shape) in COORDINATE_OUTPUTS else RELATIVE_TOLERANCE
            assert ours[shape].shape == expected.shape and ours[shape].dtype == np.float32
            assert np.abs(ours[shape] - expected).max() <= tolerance * scale, (model, shape)


def test_densify_gives_tf_lites_dense_weights():
    """Each DENSIFY of the detector model, expanded in NumPy, equals the tensor TF Lite's kernel makes
    (pure data movement: bit for bit)."""
    modern_only()
    from src.compat import tf
    import tflite
    path = model_path(mediapipe_pose.DETECTOR_MODEL)
    with mediapipe_pose.without_native_info_lines():
        interpreter = tf.lite.Interpreter(model_path=path, experimental_preserve_all_tensors=True)
        interpreter.allocate_tensors()
    run(interpreter, model_input(skimage.data.astronaut(), mediapipe_pose.DETECTOR_MODEL))
    model = tflite.Model.GetRootAsModel(open(path, 'rb').read(), 0)
    subgraph = model.Subgraphs(0)
    checked = 0
    for number in range(subgraph.OperatorsLength()):
        op = subgraph.Operators(number)
        code = model.OperatorCodes(op.OpcodeIndex())
        if max(code.BuiltinCode(), code.DeprecatedBuiltinCode()) != tflite.BuiltinOperator.DENSIFY:
            continue
        sparse = subgraph.Tensors(op.Inputs(0))
        values = np.frombuffer(model.Buffers(sparse.Buffer()).DataAsNumpy().tobytes(), np.float16)
        dense = tflite_graph.densify(values, list(sparse.ShapeAsNumpy()), sparse.Sparsity())
        expected = interpreter.get_tensor(op.Outputs(0))
        assert dense.dtype == expected.dtype and np.array_equal(dense, expected)
        checked += 1
    assert checked == 38


def test_half_pixel_bilinear_resize_known_answers():
    """TF Lite's half-pixel bilinear resize: source = (out + 0.5) * in / out - 0.5, neighbours clamped."""
    from src.compat import tf
    x = np.array([0., 1., 4.], np.float32)
    image = (x[:, None] * 10. + x[None, :])[None, :, :, None]
    with tf.Graph().as_default(), tf.Session() as session:
        up = session.run(tflite_graph._resize_bilinear(tf.constant(image), 6, 6, False, True))
        down = session.run(tflite_graph._resize_bilinear(tf.constant(image), 2, 2, False, True))
        corners = session.run(tflite_graph._resize_bilinear(tf.constant(image), 5, 5, True, False))
    # 3 -> 6: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25, 1.75, 2.25 (clamped to 2).
    along = np.array([0., .25, .75, 1.75, 3.25, 4.], np.float32)
    np.testing.assert_allclose(up[0, :, :, 0], along[:, None] * 10. + along[None, :], rtol=1e-6)
    # 3 -> 2: sources 0.25 and 1.75.
    along = np.array([.25, 3.25], np.float32)
    np.testing.assert_allclose(down[0, :, :, 0], along[:, None] * 10. + along[None, :], rtol=1e-6)
    # Aligned corners, 3 -> 5: sources 0, 0.5, 1, 1.5, 2.
    along = np.array([0., .5, 1., 2.5, 4.], np.float32)
    np.testing.assert_allclose(corners[0, :, :, 0], along[:, None] * 10. + along[None, :], rtol=1e-6)


def test_the_legacy_runtime_runs_the_models_as_a_graph():
    if current_runtime() != 'legacy':
        pytest.skip('the modern runtime runs them with tf.lite.Interpreter')
    assert mediapipe_pose._interpreter_class() is tflite_graph.TFLiteGraph
    assert mediapipe_pose.model_dir() == blazepose_files.default_folder()


def test_an_unsupported_op_is_a_one_line_error(tmp_path):
    """A model using an op the builder lacks (a copy of the landmark model whose LOGISTIC is renamed
    TANH in its operator table) is refused with the op's name."""
    import tflite
    path = model_path(mediapipe_pose.LANDMARK_MODEL)
    data = bytearray(open(path, 'rb').read())
    model = tflite.Model.GetRootAsModel(data, 0)
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        if code.BuiltinCode() == tflite.BuiltinOperator.LOGISTIC:
            # The int8 deprecated_builtin_code (vtable slot 4) and the int32 builtin_code (slot 10), where stored.
            for slot, dtype in ((4, np.int8), (10, np.int32)):
                field = code._tab.Offset(slot)
                if field:
                    start = code._tab.Pos + field
                    data[start:start + np.dtype(dtype).itemsize] = dtype(tflite.BuiltinOperator.TANH).tobytes()
    changed = tmp_path / 'changed.tflite'
    changed.write_bytes(bytes(data))
    with pytest.raises(HMRError, match='the TF Lite op TANH is not supported') as error:
        tflite_graph.TFLiteGraph(str(changed))
    assert '\n' not in str(error.value)


def test_legacy_detector_finds_whom_the_modern_one_finds(tmp_path, reference_dir):
    """The mediapipe detector on the released sample photos: the legacy runtime (the graph) against the
    modern one (TF Lite): the same people, boxes within MASK_CELLS mask cells, the same scores."""
    images = os.path.join(reference_dir, 'images')
    outputs = outputs_of_both_runtimes('tests.detections_to_npz', [images], tmp_path)
    legacy, modern = outputs['legacy'], outputs['modern']
    assert str(legacy['interpreter']) == 'TFLiteGraph' and str(modern['interpreter']) == 'Interpreter'
    found = 0
    for name in SAMPLES:
        boxes = modern[name + '/boxes']
        assert legacy[name + '/boxes'].shape == boxes.shape, name
        found += len(boxes)
        tolerance = MASK_CELLS * 2. * boxes[:, 2:].max(1)[:, None] / mediapipe_pose.LANDMARK_SIZE
        assert np.all(np.abs(legacy[name + '/boxes'] - boxes) <= tolerance), name
        np.testing.assert_allclose(legacy[name + '/scores'], modern[name + '/scores'], atol=SCORE_TOLERANCE)
        assert np.all(np.abs(legacy[name + '/keypoints'][..., :2] - modern[name + '/keypoints'][..., :2])
                      <= tolerance[:, None]), name
    # Measured: nobody in coco1.png (the masked catcher), one person in the three others, two in random.jpg.
    assert found >= 5


def fake_wheel(directory, contents):
    """A stand-in for pip's download: a zip holding `contents` {path in the wheel: bytes}."""
    path = os.path.join(str(directory), 'mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl')
    with zipfile.ZipFile(path, 'w') as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return path


def test_fetch_writes_the_two_files_only_when_their_checksums_match(tmp_path, monkeypatch):
    real = {path: open(model_path(os.path.relpath(path, 'mediapipe')), 'rb').read() for path in blazepose_files.FILES}
    assert all(hashlib.sha256(real[p]).hexdigest() == digest for p, digest in blazepose_files.FILES.items())
    folder = str(tmp_path / 'models')
    altered = dict(real)
    first = sorted(real)[0]
    altered[first] = real[first][:-1] + bytes([real[first][-1] ^ 1])
    monkeypatch.setattr(blazepose_files, '_download_wheel', lambda d: fake_wheel(d, altered))
    with pytest.raises(HMRError, match='SHA-256') as error:
        blazepose_files.fetch(folder)
    assert '\n' not in str(error.value) and not os.path.exists(folder)
    monkeypatch.setattr(blazepose_files, '_download_wheel', lambda d: fake_wheel(d, real))
    assert not blazepose_files.installed(folder)
    blazepose_files.fetch(folder)
    assert blazepose_files.installed(folder)
    for path, data in real.items():
        with open(os.path.join(folder, os.path.relpath(path, 'mediapipe')), 'rb') as f:
            assert f.read() == data
