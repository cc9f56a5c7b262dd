"""The synthetic stand-in's command line, which `make demo-smoke` runs: it writes the three model files
under the released names, the seed changes the model, and bad arguments are a short error."""
import os
import subprocess
import sys

import numpy as np

from src.compat import tf
from src.tf_smpl.smpl_io import load_smpl_pickle
from tests.conftest import PROJECT_DIR


def run(*args):
    return subprocess.run([sys.executable, '-m', 'src.samples.synthetic_model'] + list(args), cwd=PROJECT_DIR,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)


def test_command_writes_the_released_files_with_the_seed_asked_for(tmp_path, synthetic_models):
    out = tmp_path / 'models'
    done = run(str(out), '1')
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(os.listdir(str(out))) == ['checkpoint', 'model.ckpt-0.data-00000-of-00001', 'model.ckpt-0.index',
                                            'neutral_smpl_mean_params.h5', 'neutral_smpl_with_cocoplus_reg.pkl']
    seed0_smpl, seed0_ckpt = synthetic_models
    seed1 = load_smpl_pickle(str(out / 'neutral_smpl_with_cocoplus_reg.pkl'))
    seed0 = load_smpl_pickle(seed0_smpl)
    assert np.asarray(seed1['v_template']).shape == (6890, 3)
    assert not np.allclose(np.asarray(seed1['v_template']), np.asarray(seed0['v_template']))
    # The same released variable layout as the tests' own checkpoint, with other values.
    assert tf.train.list_variables(str(out / 'model.ckpt-0')) == tf.train.list_variables(seed0_ckpt)
    name = 'resnet_v2_50/conv1/weights'
    assert not np.allclose(tf.train.load_variable(str(out / 'model.ckpt-0'), name),
                           tf.train.load_variable(seed0_ckpt, name))


def test_bad_arguments_are_short_errors(tmp_path):
    done = run(str(tmp_path / 'models'), 'seven')
    assert done.returncode == 2 and "invalid int value: 'seven'" in done.stderr and 'Traceback' not in done.stderr
    blocker = tmp_path / 'a_file'
    blocker.write_text(u'not a folder')
    done = run(str(blocker / 'models'))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: cannot write the synthetic models to %s' % (blocker / 'models'))
    assert not os.path.exists(str(tmp_path / 'models'))
