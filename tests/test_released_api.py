"""The released scripts' own calls, in their order, still work: a user's copy of the released demo.py or
src/main.py (or code written against them) runs on this port unchanged. Each test replays one
script's sequence of calls on a real photo or the tiny datasets, and checks what comes back."""
import os

import numpy as np
import pytest

from src.compat import tf
from src.samples.synthetic_datasets import write_tiny_datasets
from src.samples.synthetic_model import synthetic_smpl
from tests.conftest import REFERENCE_DIR


@pytest.fixture
def released_demo_flags(hmr_config, tmp_path):
    """The flags as the released demo.py sets them: parsed, then load_path and batch_size overwritten;
    the faces from the released models/smpl_faces.npy layout (an int array of F x 3)."""
    face_path = str(tmp_path / 'smpl_faces.npy')
    np.save(face_path, synthetic_smpl()['f'].astype(np.int64))
    hmr_config.smpl_face_path = face_path
    hmr_config.batch_size = 1
    return hmr_config


def test_released_demo_sequence_on_a_photo(released_demo_flags):
    from skimage import io

    from src.RunModel import RunModel
    from src.util import image as img_util
    from src.util import openpose as op_util
    from src.util import renderer as vis_util
    config = released_demo_flags
    photo = os.path.join(REFERENCE_DIR, 'images', 'random.jpg')
    if not os.path.isfile(photo):
        from tests.conftest import missing
        missing('the released sample photo %s is not here' % photo)
    renderer = vis_util.SMPLRenderer(face_path=config.smpl_face_path)

    img = io.imread(photo)[:, :, :3]
    scale, center = op_util.get_bbox(os.path.join(REFERENCE_DIR, 'images', 'random_keypoints.json'))
    crop, proc_param = img_util.scale_and_crop(img, scale, center, config.img_size)
    input_img = np.expand_dims(2 * ((crop / 255.) - 0.5), 0)
    with tf.Graph().as_default():
        model = RunModel(config, sess=tf.Session())
        joints, verts, cams, joints3d, theta = model.predict(input_img, get_theta=True)
    assert theta.shape == (1, 85) and verts.shape == (1, 6890, 3) and joints.shape == (1, 19, 2)
    np.testing.assert_array_equal(cams[0], theta[0, :3])

    cam_for_render, vert_shifted, joints_orig = vis_util.get_original(
        proc_param, verts[0], cams[0], joints[0], img_size=img.shape[:2])
    # The crop's keypoints, mapped back, land where the crop's pixels came from in the photo.
    np.testing.assert_allclose(joints_orig, (joints[0] + proc_param['start_pt'] - config.img_size / 2.)
                               / proc_param['scale'], atol=1e-3)
    skel_img = vis_util.draw_skeleton(img, joints_orig)
    overlay = renderer(vert_shifted, cam=cam_for_render, img=img, do_alpha=True)
    alone = renderer(vert_shifted, cam=cam_for_render, img_size=img.shape[:2])
    side = renderer.rotated(vert_shifted, 60, cam=cam_for_render, img_size=img.shape[:2])
    assert skel_img.shape == img.shape and not np.array_equal(skel_img, img)
    assert overlay.shape == img.shape[:2] + (4,)
    assert alone.shape[:2] == side.shape[:2] == img.shape[:2]
    mesh = overlay[:, :, 3] > 0
    # The body is drawn around its own keypoints, and the photo is kept everywhere else.
    inside = [mesh[int(round(y)), int(round(x))] for x, y in joints_orig
              if 0 <= x < img.shape[1] and 0 <= y < img.shape[0]]
    assert np.mean(inside) > .5
    assert np.array_equal(overlay[~mesh][:, :3], img[~mesh])
    assert not np.array_equal(side, alone)


def test_released_training_driver_sequence(synthetic_models, tmp_path, monkeypatch):
    """src/main.py as released: prepare_dirs, DataLoader(config).load() and get_smpl_loader() on the CPU,
    HMRTrainer(config, image_loader, smpl_loader), save_config, train() for `epoch` epochs."""
    from src import trainer as trainer_module
    from src.config import get_config
    from src.data_loader import DataLoader
    from src.run_dir import prepare_dirs, save_config
    from src.trainer import HMRTrainer
    data_dir = write_tiny_datasets(str(tmp_path / 'data'), n=4)
    config = get_config(['train', '--data_dir=%s' % data_dir, '--smpl_model_path=%s' % synthetic_models[0],
                         '--log_dir=%s' % tmp_path, '--datasets=lsp', '--mocap_datasets=CMU', '--batch_size=2',
                         '--use_3d_label=False', '--epoch=2', '--log_img_step=100'])
    # An epoch is the released dataset size (1000 LSP images); the tiny set stands in for 4 of them.
    monkeypatch.setattr(trainer_module, 'num_examples', lambda datasets: 4)
    prepare_dirs(config)
    with tf.Graph().as_default():
        with tf.device('/cpu:0'):
            data_loader = DataLoader(config)
            image_loader = data_loader.load()
            smpl_loader = data_loader.get_smpl_loader()
        trainer = HMRTrainer(config, image_loader, smpl_loader)
        save_config(config)
        last_step = trainer.train()
    assert last_step == 2 * 4 // 2
    assert tf.train.latest_checkpoint(config.model_dir).endswith('model.ckpt-%d' % last_step)
    assert os.path.isfile(os.path.join(config.model_dir, 'params.json'))
    assert np.isfinite(trainer.last_result['e_loss']) and np.isfinite(trainer.last_result['d_loss'])
