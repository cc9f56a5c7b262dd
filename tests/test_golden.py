"""Acceptance check of the faithful port: the released code's outputs (golden_seed2.npz) reproduced.

The reference model and checkpoint are written by the reference scripts themselves
(make_fake_smpl.py needs chumpy to write, so it runs in the legacy environment); check_port.py then
drives our RunModel and demo crops in the interpreter under test, with chumpy made unimportable.
"""
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR, missing
from tests.runtimes import python_of


@pytest.fixture(scope='module')
def reference_models(reference_dir, tmp_path_factory):
    legacy = python_of('legacy')
    if legacy is None:
        missing('the reference model is written with chumpy, in the legacy environment, which is not built')
    out = str(tmp_path_factory.mktemp('golden'))
    smpl = os.path.join(out, 'neutral_smpl_with_cocoplus_reg.pkl')
    ckpt = os.path.join(out, 'model.ckpt')
    subprocess.check_call([legacy, os.path.join(reference_dir, 'make_fake_smpl.py'), '2', smpl,
                           os.path.join(out, 'neutral_smpl_mean_params.h5')], stdout=subprocess.DEVNULL)
    subprocess.check_call([legacy, os.path.join(reference_dir, 'make_seeded_checkpoint.py'),
                           os.path.join(reference_dir, 'checkpoint_variables_inference.json'), smpl, ckpt, '2'],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out, ckpt


def test_reproduces_the_released_outputs(reference_dir, reference_models):
    smpl_dir, ckpt = reference_models
    proc = subprocess.run(
        [sys.executable, os.path.join(reference_dir, 'check_port.py'), smpl_dir, ckpt,
         os.path.join(reference_dir, 'golden_seed2.npz'), os.path.join(reference_dir, 'images')],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    report = proc.stdout.strip()
    assert proc.returncode == 0, report + proc.stderr[-2000:]
    theta_diff = float(re.search(r'theta ([0-9.e+-]+)', report).group(1))
    assert theta_diff < 1e-4
    print(report)
