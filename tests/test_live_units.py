"""The live capture's parts that need no stream: the online smoother against the offline one, the VMC
conversion (known answers, and forward kinematics in Unity's frame landing on SMPL's posed joints),
VMC addresses and live sources that are not usable (one-line errors)."""
import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from src.body_model import BodyModel
from src.errors import HMRError
from src.live import source, vmc
from src.video.smoothing import OnlineTrackSmoother, smooth_track

FPS = 25.


def test_online_smoother_equals_smooth_track_on_every_prefix():
    rng = np.random.RandomState(0)
    count = 30
    frames = np.cumsum(rng.randint(1, 3, count))  # gaps, as dropped frames leave
    cams = rng.normal(size=(count, 3))
    poses = rng.normal(scale=.8, size=(count, 72))
    betas = rng.normal(size=(count, 10))
    trans = rng.normal(size=(count, 3))
    smoother = OnlineTrackSmoother()
    for i in range(count):
        cam, pose, shape, tr = smoother(frames[i] / FPS, cams[i], poses[i], betas[i], trans[i])
        offline = smooth_track(frames[:i + 1], cams[:i + 1], poses[:i + 1], betas[:i + 1], trans[:i + 1], FPS)
        # Same arithmetic in the same order: equal but for the last bits of scipy's conversions.
        np.testing.assert_allclose(cam, offline[0][-1], atol=1e-12)
        np.testing.assert_allclose(Rotation.from_rotvec(pose.reshape(-1, 3)).as_quat() *
                                   np.sign(Rotation.from_rotvec(pose.reshape(-1, 3)).as_quat()[:, 3:]),
                                   Rotation.from_rotvec(offline[1][-1].reshape(-1, 3)).as_quat() *
                                   np.sign(Rotation.from_rotvec(offline[1][-1].reshape(-1, 3)).as_quat()[:, 3:]),
                                   atol=1e-9)
        np.testing.assert_allclose(shape, offline[2], atol=1e-12)
        np.testing.assert_allclose(tr, offline[3][-1], atol=1e-12)


def unity_world_joints(root, bones):
    """Forward kinematics over the VMC bones in Unity's frame: each bone's world position."""
    table = {name: (position, quaternion) for name, position, quaternion in bones}
    parents = {name: parent for name, _, parent in vmc.BONES}
    world = {}

    def place(name):
        if name not in world:
            position, quaternion = table[name]
            parent = parents[name]
            if parent is None:
                world[name] = (Rotation.from_quat(quaternion), np.asarray(root) + position)
            else:
                rotation, origin = place(parent)
                world[name] = (rotation * Rotation.from_quat(quaternion), origin + rotation.apply(position))
        return world[name]

    return {name: place(name)[1] for name in table}


@pytest.fixture(scope='module')
def body(synthetic_models):
    return BodyModel.from_pickle(synthetic_models[0])


def test_rest_joints_without_the_mesh_equal_the_body_models(body):
    rest_joints = vmc.RestJoints(body)
    for seed in range(3):
        betas = np.random.RandomState(seed).normal(size=10)
        # The same float64 sums in another order (the regressor applied before or after adding the
        # shape): they differ by rounding, ~1e-16 relative to joints of order 1 m, summed over 6890 vertices.
        np.testing.assert_allclose(rest_joints(betas), body.rest(betas)[1], rtol=0, atol=1e-10)


def test_vmc_forward_kinematics_lands_on_smpls_posed_joints(body):
    rng = np.random.RandomState(1)
    betas = rng.normal(size=10)
    pose = rng.normal(scale=.5, size=72)
    trans = np.array([.3, -.2, 5.])
    root, bones = vmc.bone_transforms(pose, body.rest(betas)[1], trans, body.parents)
    assert [name for name, _, _ in bones] == list(vmc.BONE_NAMES)
    for _, _, quaternion in bones:
        assert abs(np.linalg.norm(quaternion) - 1) < 1e-12
    # SMPL's own forward kinematics, in the camera frame, then into Unity's: (x, y, z) -> (-x, -y, -z)
    # (180 degrees about x makes the world upright, then x is negated for the left-handed frame).
    rest = body.rest(betas)[1]
    rotations = Rotation.from_rotvec(pose.reshape(24, 3)).as_matrix() if hasattr(Rotation, 'as_matrix') \
        else Rotation.from_rotvec(pose.reshape(24, 3)).as_dcm()
    frames = body._global_transforms(rotations[None], rest)[0]
    posed = frames[:, :3, 3] + trans
    unity = unity_world_joints(root, bones)
    for name, joints, _ in vmc.BONES:
        # Float64 throughout: only rounding separates the two chains.
        np.testing.assert_allclose(unity[name], -posed[joints[0]], atol=1e-9, err_msg=name)


def test_vmc_known_rotations(body):
    rest = body.rest(np.zeros(10))[1]
    # HMR's upright person facing the camera: the root turned 180 degrees about x in the camera frame.
    pose = np.zeros(72)
    pose[:3] = [np.pi, 0, 0]
    # The left elbow bent 90 degrees about SMPL's y (up): in Unity, about y the other way.
    pose[18 * 3:18 * 3 + 3] = [0, np.pi / 2, 0]
    root, bones = vmc.bone_transforms(pose, rest, np.zeros(3), body.parents)
    table = {name: quaternion for name, _, quaternion in bones}
    np.testing.assert_allclose(np.abs(table['Hips']), [0, 0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(table['LeftLowerArm'], [0, -np.sin(np.pi / 4), 0, np.cos(np.pi / 4)], atol=1e-12)
    np.testing.assert_allclose(table['Head'], [0, 0, 0, 1], atol=1e-12)
    # SMPL's left is +x; Unity's, for a character facing +z, is -x.
    positions = {name: position for name, position, _ in bones}
    assert positions['LeftUpperLeg'][0] < 0 < positions['RightUpperLeg'][0]


def test_vmc_addresses():
    assert vmc.parse_address('127.0.0.1:39539') == ('127.0.0.1', 39539)
    assert vmc.parse_address('localhost:9000') == ('localhost', 9000)
    for bad in ('127.0.0.1', '127.0.0.1:', ':9000', '127.0.0.1:port', '127.0.0.1:70000', '127.0.0.1:0'):
        with pytest.raises(HMRError, match='HOST:PORT'):
            vmc.parse_address(bad)
    with pytest.raises(HMRError, match='unknown host'):
        vmc.parse_address('no-such-host.invalid:9000')


def test_sources_are_told_apart(tmp_path):
    clip = tmp_path / 'clip.mp4'
    clip.write_bytes(b'')
    assert source.describe('0') == ('camera', 0)
    assert source.describe('udp://127.0.0.1:5000') == ('url', 'udp://127.0.0.1:5000')
    assert source.describe(str(clip)) == ('file', str(clip))
    for bad, message in (('/dev/video97', 'no such device'), ('ftp://host/x', 'a URL must be'),
                         (str(tmp_path / 'missing.mp4'), 'not a camera index')):
        with pytest.raises(HMRError, match=message):
            source.describe(bad)
