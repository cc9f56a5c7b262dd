"""A checkpoint whose mean parameters hold NaN (issue 22, item 6): no JSON with NaN tokens, OBJ with
nan vertices or NPZ of NaN is left behind; each image fails in one line naming it, a video in one
line, and JSON refuses NaN whoever writes it."""
import os

import numpy as np
import pytest

from src.compat import tf
from src.errors import HMRError
from src.samples.sample_clip import write_sample_clip
from src.util import files
from tests.test_demo import demo_main, sample_image
from tests.test_demo_video import run_demo

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope='module')
def nan_models(synthetic_models, tmp_path_factory):
    """The synthetic model with mean_param (the regressor's starting theta) all NaN."""
    smpl, ckpt = synthetic_models
    reader = tf.train.load_checkpoint(ckpt)
    prefix = str(tmp_path_factory.mktemp('nan_model') / 'model.ckpt')
    with tf.Graph().as_default(), tf.Session() as sess:
        variables = []
        for name in reader.get_variable_to_shape_map():
            value = reader.get_tensor(name)
            if name == 'mean_param':
                value = np.full_like(value, np.nan)
            variables.append(tf.Variable(value, name=name))
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver(variables).save(sess, prefix, global_step=0, write_meta_graph=False)
    return smpl, path


def test_images_fail_in_one_line_each_and_leave_no_file(nan_models, tmp_path, capsys):
    folder = tmp_path / 'in'
    folder.mkdir()
    for name in ('a.png', 'b.png'):
        sample_image(str(folder / name), size=(80, 100))
    out = str(tmp_path / 'out')
    code = demo_main(tmp_path, nan_models, '--img_path', str(folder), '--out_dir', out, '--detector', 'none',
                     '--workers', '0')
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith(('failed', 'error', 'Trace'))]
    assert code == 1
    assert err == ['failed: %s: the model gave non-finite values (NaN or infinity); is the checkpoint '
                   '--load_path damaged?' % str(folder / name) for name in ('a.png', 'b.png')]
    assert os.listdir(out) == []


def test_video_fails_in_one_line_and_leaves_no_file(nan_models, tmp_path):
    clip = str(tmp_path / 'walk.mp4')
    write_sample_clip(clip, fps=10., seconds=1.)
    out = str(tmp_path / 'out')
    code, _, errors = run_demo(nan_models, '--img_path', clip, '--out_dir', out, '--detector', 'none')
    assert code == 1
    assert len(errors) == 1 and errors[0].startswith('error: %s frame 0: the model gave non-finite values' % clip)
    assert os.listdir(out) == []


def test_json_refuses_nan(tmp_path):
    with pytest.raises(HMRError, match='hold NaN or infinity'):
        files.write_json(str(tmp_path / 'a.json'), {'x': np.array([1., np.nan])})
    assert os.listdir(str(tmp_path)) == []
