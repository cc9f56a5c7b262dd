"""--world through the demo's video writers (src/demo/video_files.py, src/world/tracks.py): a synthetic walk
of the synthetic SMPL body, as one track seen by a tilted camera with noise on the root, written as
NPZ, JSON, BVH and GLB in the world frame with the camera's pose."""
import json

import numpy as np
import pygltflib
import pytest

from src.body_model import BodyModel
from src.demo import video_files
from src.demo.records import RunContext, TrackResult, VideoResult
from src.export.motion_file import fill_gaps
from src.world.gltf_camera import GLTF_CAMERA_TO_IMAGE_CAMERA
from src.world.tracks import world_tracks
from tests.world_walk import FPS, seen_by, tilted_camera, walk, walk_of_body


@pytest.fixture(scope='module')
def written(synthetic_models, tmp_path_factory):
    body = BodyModel.from_pickle(synthetic_models[0])
    betas, rest_on_floor, poses, _, cam_poses, noisy = walk_of_body(body)
    rotation, _ = tilted_camera()
    frames = len(cam_poses)
    track = TrackResult(id=3, frames=np.arange(frames), pose=cam_poses, shape=betas, translation=noisy,
                        cam=np.zeros((frames, 3)), bbox=np.zeros((frames, 4)), score=np.ones(frames),
                        reproj_px=np.full(frames, 3.), truncated=np.zeros(frames, bool),
                        doubtful=np.zeros(frames, bool))
    out = tmp_path_factory.mktemp('world_video')
    context = RunContext(None, body.faces, body, str(out), ('json', 'npz', 'bvh', 'glb'), 0)
    result = VideoResult(stem=str(out / 'clip'), source='clip.mp4', tracks=[track], camera=np.array([800., 320., 240.]),
                         size=(640, 480), fps=FPS, every=1, frame_count=frames, frames=None, video_fps=FPS,
                         draw_flags=False, smoothed=True, world=world_tracks([track], body, FPS, 1, fill_gaps)[0])
    for write in (video_files.write_json, video_files.write_npz, video_files.write_bvh, video_files.write_glb):
        write(result, context)
    return out, rotation, rest_on_floor, poses


def test_the_npz_and_json_hold_the_floor_and_the_locked_world_motion(written):
    out, rotation, rest, _ = written
    arrays = np.load(str(out / 'clip.npz'))
    frames = 60
    assert arrays['track3_world_joints'].shape == (frames, 24, 3)
    assert arrays['track3_world_trans'].shape == (frames, 3) and arrays['track3_contacts'].shape == (frames, 4)
    assert arrays['world_from_camera'].shape == (4, 4) and arrays['track3_reproj_px'].shape == (frames,)
    up = rotation.dot([0., 1., 0.])
    assert np.degrees(np.arccos(arrays['floor'][:3].dot(up))) < 2.
    # The pelvis walks at its height above the floor (8 cm below the rest pose's, see walk).
    np.testing.assert_allclose(arrays['track3_world_joints'][:, 0, 1], rest[0, 1] - .08, atol=.03)
    world = json.load(open(str(out / 'clip.json')))['world']
    skate = world['tracks'][0]['foot_skate_mm_per_frame']
    assert skate['before'] > 10. and skate['after'] <= 5.


def test_the_animations_are_in_the_world_frame_with_the_camera_posed_in_it(written):
    out = written[0]
    arrays = np.load(str(out / 'clip.npz'))
    with open(str(out / 'clip_track3.bvh')) as f:
        lines = f.read().splitlines()
    first = lines.index('MOTION') + 3
    roots = np.array([[float(v) for v in line.split()[:3]] for line in lines[first:first + 60]])
    # The BVH root position is the world pelvis (BVH has 6 decimals).
    np.testing.assert_allclose(roots, arrays['track3_world_joints'][:, 0], atol=2e-6)
    pose = np.dot(arrays['world_from_camera'], GLTF_CAMERA_TO_IMAGE_CAMERA)
    np.testing.assert_allclose(json.load(open(str(out / 'clip_track3.camera.json')))['pose'], pose, atol=1e-9)
    gltf = pygltflib.GLTF2.load_binary(str(out / 'clip_track3.glb'))
    node = [n for n in gltf.nodes if n.camera is not None][0]
    np.testing.assert_allclose(np.reshape(node.matrix, (4, 4)).T, pose, atol=1e-6)
    assert gltf.cameras[node.camera].perspective.yfov == pytest.approx(2 * np.arctan(240. / 800.))


def test_the_overlay_draws_the_locked_motion_back_in_the_camera():
    """camera_frame_motion undoes the world frame: unlocked, it gives back the camera-frame motion."""
    from src.world.frame import world_motion
    from src.world.kinematics import joints
    from src.world.tracks import camera_frame_motion
    from tests.world_walk import REST, HEIGHTS
    poses, trans, _ = walk(frames=40)
    rotation, position = tilted_camera()
    cam_poses, noisy, _ = seen_by(rotation, position, poses, trans)
    motion = world_motion(cam_poses, noisy, REST, HEIGHTS, FPS, lock_feet=False)
    back_poses, back_trans = camera_frame_motion(motion, REST[0])
    np.testing.assert_allclose(joints(back_poses, REST, back_trans), joints(cam_poses, REST, noisy), atol=1e-9)
