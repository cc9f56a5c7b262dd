"""One body per demo run (src/demo/body.py): the SMPL pickle is read once for the network's SMPL, the
NumPy body and the faces, and every output uses those faces."""
import numpy as np

import demo
from src.compat import tf
from src.tf_smpl import smpl_io
from tests.test_demo import sample_image


def test_a_run_reads_the_smpl_pickle_once(tmp_path, synthetic_models, monkeypatch):
    smpl, ckpt = synthetic_models
    reads = []
    real_load = smpl_io.load_restricted_pickle

    def counted(path, *args, **kwargs):
        reads.append(path)
        return real_load(path, *args, **kwargs)
    monkeypatch.setattr(smpl_io, 'load_restricted_pickle', counted)
    sample_image(str(tmp_path / 'photo.png'))
    out = tmp_path / 'out'
    with tf.Graph().as_default():
        status = demo.main(['demo', '--load_path', ckpt, '--smpl_model_path', smpl, '--img_path',
                            str(tmp_path / 'photo.png'), '--out_dir', str(out), '--detector', 'none',
                            '--outputs', 'obj,npz,bvh', '--nopage'])
    assert status == 0
    assert reads == [smpl]  # the network's SMPL and the NumPy body (bvh) from one reading
    faces = smpl_io.mesh_faces(smpl_io.load_smpl_pickle(smpl))
    np.testing.assert_array_equal(np.load(str(out / 'photo.npz'))['faces'], faces)
    assert (out / 'photo.bvh').exists()
