"""Damaged or moved checkpoints (issue 22, item 7): a truncated .data file is one line in the demo;
resuming skips a damaged checkpoint for the one before; a moved run folder resumes from its own
checkpoints; a run folder with params.json and no restorable checkpoint is refused."""
import json
import os
import shutil

import numpy as np
import pytest
from absl import flags

from src.compat import tf
from src.errors import HMRError
from src.run_dir import prepare_dirs
from src.training.checkpoints import Checkpoints, run_checkpoints
from tests.test_demo import demo_main, sample_image

pytestmark = pytest.mark.timeout(600)


class Chief(object):
    is_chief = True


def truncate(prefix):
    data = prefix + '.data-00000-of-00001'
    with open(data, 'r+b') as f:
        f.truncate(os.path.getsize(data) // 2)


def save_steps(folder, values):
    """Checkpoints model.ckpt-<i+1> in `folder` of one variable holding values[i]."""
    os.makedirs(folder)
    with tf.Graph().as_default(), tf.Session() as sess:
        v = tf.Variable(np.zeros(4096, np.float32), name='v')
        saver = tf.train.Saver([v], max_to_keep=10)
        for step, value in enumerate(values, 1):
            sess.run(v.assign(np.full(4096, value, np.float32)))
            saver.save(sess, os.path.join(folder, 'model.ckpt'), global_step=step)


def resume(folder):
    """(message, restored value) of resuming `folder` as training does."""
    with tf.Graph().as_default(), tf.Session() as sess:
        v = tf.Variable(np.zeros(4096, np.float32), name='v')
        message = Checkpoints(tf.train.Saver([v]), folder, Chief()).restore_or_initialize(sess)
        return message, float(sess.run(v)[0])


def test_resume_skips_a_truncated_checkpoint_for_the_one_before(tmp_path):
    folder = str(tmp_path / 'run')
    save_steps(folder, [1., 2.])
    truncate(os.path.join(folder, 'model.ckpt-2'))
    message, value = resume(folder)
    assert value == 1.
    assert message.startswith('resumed from %s (skipped damaged model.ckpt-2: ' % os.path.join(folder, 'model.ckpt-1'))


def test_a_folder_whose_checkpoints_all_fail_is_refused(tmp_path):
    folder = str(tmp_path / 'run')
    save_steps(folder, [1.])
    truncate(os.path.join(folder, 'model.ckpt-1'))
    with pytest.raises(HMRError, match='cannot resume .*: none of its checkpoints can be restored'):
        resume(folder)


def test_a_moved_run_folder_resumes_from_its_own_checkpoints(tmp_path):
    before, after = str(tmp_path / 'logs' / 'run'), str(tmp_path / 'moved' / 'run')
    save_steps(before, [1., 3.])
    shutil.move(str(tmp_path / 'logs'), str(tmp_path / 'moved'))  # the state file still names `before`
    assert run_checkpoints(after) == [os.path.join(after, 'model.ckpt-2'), os.path.join(after, 'model.ckpt-1')]
    assert resume(after) == ('resumed from %s' % os.path.join(after, 'model.ckpt-2'), 3.)


def test_params_without_a_checkpoint_is_refused(tmp_path):
    folder = tmp_path / 'run'
    folder.mkdir()
    (folder / 'params.json').write_text(json.dumps({}))
    config = flags.FlagValues()
    flags.DEFINE_string('load_path', str(folder), '', flag_values=config)
    flags.DEFINE_boolean('allow_changed_params', False, '', flag_values=config)
    config(['test'])
    with pytest.raises(HMRError, match=r'cannot resume .*run: it has params.json but no checkpoint'):
        prepare_dirs(config)


def test_a_truncated_checkpoint_is_one_line_in_the_demo(tmp_path, synthetic_models, capsys):
    smpl, ckpt = synthetic_models
    copy = str(tmp_path / 'model.ckpt-0')
    for suffix in ('.index', '.data-00000-of-00001'):
        shutil.copy(ckpt + suffix, copy + suffix)
    truncate(copy)
    image = str(tmp_path / 'a.png')
    sample_image(image, size=(60, 80))
    code = demo_main(tmp_path, (smpl, copy), '--img_path', image, '--out_dir', str(tmp_path / 'out'),
                     '--detector', 'none')
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0] == 'error: checkpoint %s is truncated (its .data file is shorter than its .index says): ' \
                     'copy or download it again' % copy
