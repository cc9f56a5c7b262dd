"""`python -m src.export --world`: a video NPZ of a synthetic walk (stance feet fixed on a floor, seen by a
tilted, rolled camera, 1-2 cm of noise on the root) re-exported in the world frame: Y up, the floor at
y = 0, the pelvis at the walk's own height, the feet planted, the camera posed in it."""
import json
import re

import numpy as np
import pytest

from src.body_model import BodyModel
from src.export import cli
from tests.world_walk import FPS, tilted_camera, walk_of_body

CAMERA = [800., 320., 240.]


@pytest.fixture(scope='module')
def walk_npz(synthetic_models, tmp_path_factory):
    """(the NPZ as the video demo writes it, the walk's true pelvis heights above the floor)."""
    betas, rest_on_floor, _, trans, cam_poses, noisy = walk_of_body(BodyModel.from_pickle(synthetic_models[0]))
    path = str(tmp_path_factory.mktemp('walk') / 'walk.npz')
    np.savez(path, track_ids=np.array([4]), fps=np.float64(FPS), camera=np.array(CAMERA),
             track4_frames=np.arange(len(cam_poses)), track4_poses=cam_poses.reshape(len(cam_poses), 72),
             track4_betas=betas, track4_trans=noisy)
    return path, rest_on_floor[0, 1] + trans[:, 1]


def export(capsys, synthetic_models, motion, out_dir, *flags):
    status = cli.main(['--motion', motion, '--out_dir', out_dir, '--smpl_model', synthetic_models[0],
                       '--outputs', 'bvh,glb', '--world'] + list(flags))
    out = capsys.readouterr()
    assert status == 0, out.err
    before, after = re.search(r'foot skate ([\d.]+) -> ([\d.]+) mm', out.out).groups()
    return float(before), float(after)


def bvh_root_heights(path):
    import bvh
    with open(path) as f:
        mocap = bvh.Bvh(f.read())
    root = mocap.get_joints_names()[0]
    return np.array(mocap.frames_joint_channels(root, ['Yposition']), np.float64)[:, 0]


def test_the_walk_comes_out_on_a_level_floor_with_its_feet_planted(capsys, synthetic_models, walk_npz, tmp_path):
    motion, true_heights = walk_npz
    before, after = export(capsys, synthetic_models, motion, str(tmp_path))
    assert before > 5 and after <= 5  # mm of slide per frame of contact: the bound after locking
    heights = bvh_root_heights(str(tmp_path / 'walk_track4.bvh'))
    # Y up, floor at 0: the pelvis at the walk's own height, within the root noise (1-2 cm) and the lock's
    # root correction.
    assert len(heights) == len(true_heights)
    assert np.abs(heights - true_heights).max() < .04
    camera = json.load(open(str(tmp_path / 'walk_track4.camera.json')))
    camera_node = np.array(camera['pose'])  # the camera's pose in the world frame
    _, position = tilted_camera()
    # The camera 1.6 m above the floor, as the walk's camera was.
    assert abs(camera_node[1, 3] - position[1]) < .05
    import pygltflib
    gltf = pygltflib.GLTF2.load_binary(str(tmp_path / 'walk_track4.glb'))
    assert len(gltf.cameras) == 1 and gltf.cameras[0].type == 'perspective'


def test_without_the_foot_lock_the_feet_slide_as_they_came(capsys, synthetic_models, walk_npz, tmp_path):
    before, after = export(capsys, synthetic_models, walk_npz[0], str(tmp_path), '--no_foot_lock')
    assert after == before > 5
