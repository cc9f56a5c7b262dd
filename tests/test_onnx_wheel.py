"""The lean install (`make test-onnx`): the wheel installed with [onnx] into a fresh environment without
TensorFlow runs `hmr-demo --backend onnx` on a released sample photo, and its people, boxes and outputs
equal those of the TensorFlow demo in the modern runtime."""
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import PROJECT_DIR, missing
from tests.onnx_fixtures import synthetic_onnx  # noqa: F401 (a fixture)
from tests.test_onnx import JOINTS2D_ATOL, THETA_ATOL, VERTS_ATOL

pytestmark = pytest.mark.onnx_wheel

WHEEL_VENV = os.environ.get('HMR_ONNX_WHEEL_VENV', os.path.join(PROJECT_DIR, '.venv', 'onnx-wheel'))
PHOTO = 'im1954.jpg'
# BlazePose's boxes and keypoints by TF Lite (modern runtime) and by LiteRT (the lean install): the same
# XNNPACK kernels on the same float32 inputs; they were identical here, 1e-3 px leaves room for two builds.
BOX_ATOL = 1e-3
# Prints the interpreter the mediapipe detector uses and its detections (box, keypoints) per photo.
DETECT = """
import json, sys
import cv2
from src.detectors import make_detector
from src.detectors.mediapipe_pose import _interpreter_class
detector = make_detector('auto')
people = [[d.bbox.tolist() + d.keypoints.ravel().tolist() for d in detector.detect(cv2.imread(path)[:, :, ::-1].copy())]
          for path in sys.argv[1:]]
print(json.dumps([detector.name, _interpreter_class().__module__, people]))
"""


@pytest.fixture(scope='module')
def wheel_bin():
    folder = os.path.join(WHEEL_VENV, 'bin')
    if not os.path.exists(os.path.join(folder, 'hmr-demo')):
        missing('the wheel environment %s is not built (make test-onnx builds it)' % WHEEL_VENV)
    return folder


def run(command, cwd, **kwargs):
    return subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          **kwargs)


def test_the_wheel_environment_has_no_tensorflow(wheel_bin, tmp_path):
    done = run([os.path.join(wheel_bin, 'python'), '-c', 'import tensorflow'], str(tmp_path))
    assert done.returncode == 1 and "No module named 'tensorflow'" in done.stderr


def test_training_without_tensorflow_is_one_line(wheel_bin, tmp_path):
    for command, what in (['hmr-train'], 'training'), (['hmr-eval', 'lsp'], 'the evaluation'):
        done = run([os.path.join(wheel_bin, command[0])] + command[1:], str(tmp_path))
        assert done.returncode == 1
        assert done.stderr.strip().startswith('error: %s runs TensorFlow, which this environment has not got' % what)
        assert done.stderr.strip().count('\n') == 0, done.stderr


def test_default_detector_runs_blazepose_with_litert_as_tensorflow_does(wheel_bin, reference_dir, tmp_path):
    import json
    photos = [os.path.join(reference_dir, 'images', name) for name in ('im1954.jpg', 'coco2.png', 'im1963.jpg')]
    done = run([os.path.join(wheel_bin, 'python'), '-c', DETECT] + photos, str(tmp_path))
    assert done.returncode == 0, done.stderr
    name, interpreter, people = json.loads(done.stdout)
    assert (name, interpreter) == ('mediapipe', 'ai_edge_litert.interpreter')
    done = run([sys.executable, '-c', DETECT] + photos, PROJECT_DIR)
    assert done.returncode == 0, done.stderr
    reference_name, reference_interpreter, reference = json.loads(done.stdout)
    assert (reference_name, reference_interpreter) == ('mediapipe', 'tensorflow.lite.python.interpreter')
    assert [len(p) for p in people] == [len(p) for p in reference] and sum(map(len, people)) >= 2
    for ours, theirs in zip(people, reference):
        np.testing.assert_allclose(np.array(ours).reshape(-1), np.array(theirs).reshape(-1), atol=BOX_ATOL, rtol=0)


def both_demos(wheel_bin, ckpt, synthetic_onnx, common, tmp_path):
    """The demo with `common` flags on TensorFlow (this checkout) and on ONNX (the installed wheel, run
    outside the checkout so that the package, not the checkout, runs): (tf out_dir, onnx out_dir)."""
    tf_dir, onnx_dir = str(tmp_path / 'tf'), str(tmp_path / 'onnx')
    done = run([sys.executable, '-m', 'demo', '--backend', 'tf', '--load_path', ckpt, '--out_dir', tf_dir] + common,
               PROJECT_DIR)
    assert done.returncode == 0, done.stderr
    done = run([os.path.join(wheel_bin, 'hmr-demo'), '--backend', 'onnx', '--onnx_path', synthetic_onnx,
                '--out_dir', onnx_dir] + common, str(tmp_path))
    assert done.returncode == 0, done.stderr
    return tf_dir, onnx_dir


def test_lean_demo_equals_the_tensorflow_demo(wheel_bin, synthetic_models, synthetic_onnx, reference_dir, tmp_path):
    smpl_path, ckpt = synthetic_models
    photo = os.path.join(reference_dir, 'images', PHOTO)
    common = ['--img_path', photo, '--smpl_model_path', smpl_path, '--outputs', 'figure,json,npz']
    tf_dir, onnx_dir = both_demos(wheel_bin, ckpt, synthetic_onnx, common, tmp_path)
    stem = os.path.splitext(PHOTO)[0]
    reference, ours = [np.load(os.path.join(d, stem + '.npz')) for d in (tf_dir, onnx_dir)]
    # The default detector ran in both (TF Lite there, LiteRT here) and found the same people.
    assert list(ours['people_source']) == list(reference['people_source']) == ['detector']
    np.testing.assert_allclose(ours['people_bbox'], reference['people_bbox'], atol=BOX_ATOL, rtol=0)
    np.testing.assert_allclose(ours['people_theta'], reference['people_theta'], atol=THETA_ATOL, rtol=0)
    np.testing.assert_allclose(ours['people_verts'], reference['people_verts'], atol=VERTS_ATOL, rtol=0)
    np.testing.assert_allclose(ours['people_joints3d'], reference['people_joints3d'], atol=VERTS_ATOL, rtol=0)
    np.testing.assert_allclose(ours['people_joints2d_crop'], reference['people_joints2d_crop'], atol=JOINTS2D_ATOL,
                               rtol=0)
    # In the photo's pixels: the crop's tolerance times its scale-up (a crop spans at most twice the photo's
    # longer side).
    scale = 2. * max(reference['image_size']) / 224
    np.testing.assert_allclose(ours['people_joints2d_original'], reference['people_joints2d_original'],
                               atol=JOINTS2D_ATOL * scale, rtol=0)
    np.testing.assert_array_equal(ours['faces'], reference['faces'])
    # The figure was rendered there too, at the same size.
    import cv2
    figures = [cv2.imread(os.path.join(d, stem + '.png')) for d in (tf_dir, onnx_dir)]
    assert figures[1] is not None and figures[1].shape == figures[0].shape


def test_lean_video_demo_equals_the_tensorflow_one(wheel_bin, synthetic_models, synthetic_onnx, tmp_path):
    smpl_path, ckpt = synthetic_models
    clip = str(tmp_path / 'clip.mp4')
    done = run([sys.executable, '-m', 'src.samples.sample_clip', clip], PROJECT_DIR)
    assert done.returncode == 0, done.stderr
    # Unsmoothed, so that the tracks hold each frame's prediction; the overlay video is drawn too.
    common = ['--img_path', clip, '--smpl_model_path', smpl_path, '--end', '4', '--nosmooth',
              '--outputs', 'video,npz,bvh,glb']
    tf_dir, onnx_dir = both_demos(wheel_bin, ckpt, synthetic_onnx, common, tmp_path)
    reference, ours = [np.load(os.path.join(d, 'clip.npz')) for d in (tf_dir, onnx_dir)]
    assert sorted(ours.files) == sorted(reference.files) and len(reference['track_ids']) >= 1
    np.testing.assert_array_equal(ours['track_ids'], reference['track_ids'])
    for track in reference['track_ids']:
        key = 'track%d_' % track
        np.testing.assert_array_equal(ours[key + 'frames'], reference[key + 'frames'])
        np.testing.assert_allclose(ours[key + 'bbox'], reference[key + 'bbox'], atol=BOX_ATOL, rtol=0)
        for name in ('poses', 'betas', 'cams'):
            np.testing.assert_allclose(ours[key + name], reference[key + name], atol=THETA_ATOL, rtol=0)
        np.testing.assert_allclose(ours[key + 'joints3d'], reference[key + 'joints3d'], atol=VERTS_ATOL, rtol=0)
    for name in ['clip.mp4'] + ['clip_track%d.%s' % (t, ext) for t in reference['track_ids'] for ext in ('bvh', 'glb')]:
        assert os.path.getsize(os.path.join(onnx_dir, name)) > 0, name
