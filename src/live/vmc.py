"""The VMC protocol (Virtual Motion Capture: OSC messages over UDP) for one person's body.

Per frame one OSC bundle: /VMC/Ext/Root/Pos, then /VMC/Ext/Bone/Pos for each of BONES (Unity
HumanBodyBones names), then /VMC/Ext/T (seconds since the start) and /VMC/Ext/OK (1: loaded).
Each Bone/Pos is (name, px, py, pz, qx, qy, qz, qw): the bone's position and rotation relative to its
parent bone, as Unity's Transform.localPosition / localRotation of a normalised (VRM) humanoid whose
bones all have the identity rotation in the T-pose, as SMPL's do at pose zero.

Coordinates. HMR's camera frame is x right, y down, z away from the camera (right-handed, metres).
Turned 180 degrees about x it becomes an upright right-handed world: x right (in the picture), y up,
z towards the camera, where SMPL's body (facing +z, its left at +x) stands facing the camera. Unity
is left-handed with y up and a character facing +z with its right at +x: the same world with x
negated. A position (x, y, z) becomes (-x, y, z) and a rotation, conjugated by that mirror, has the
quaternion (qx, -qy, -qz, qw).
"""
import socket
import time

import numpy as np
from scipy.spatial.transform import Rotation

from ..errors import HMRError

# Unity HumanBodyBones name -> (SMPL joints whose local rotations make it, in order from the parent
# down, parent bone). Unity's optional UpperChest is folded into Chest (SMPL's spine2 then spine3), so
# that Neck and the shoulders hang from the chest as SMPL's do from spine3.
BONES = (
    ('Hips', (0,), None),
    ('Spine', (3,), 'Hips'),
    ('Chest', (6, 9), 'Spine'),
    ('Neck', (12,), 'Chest'),
    ('Head', (15,), 'Neck'),
    ('LeftUpperLeg', (1,), 'Hips'),
    ('LeftLowerLeg', (4,), 'LeftUpperLeg'),
    ('LeftFoot', (7,), 'LeftLowerLeg'),
    ('LeftToes', (10,), 'LeftFoot'),
    ('RightUpperLeg', (2,), 'Hips'),
    ('RightLowerLeg', (5,), 'RightUpperLeg'),
    ('RightFoot', (8,), 'RightLowerLeg'),
    ('RightToes', (11,), 'RightFoot'),
    ('LeftShoulder', (13,), 'Chest'),
    ('LeftUpperArm', (16,), 'LeftShoulder'),
    ('LeftLowerArm', (18,), 'LeftUpperArm'),
    ('LeftHand', (20,), 'LeftLowerArm'),
    ('RightShoulder', (14,), 'Chest'),
    ('RightUpperArm', (17,), 'RightShoulder'),
    ('RightLowerArm', (19,), 'RightUpperArm'),
    ('RightHand', (21,), 'RightLowerArm'),
)
BONE_NAMES = tuple(name for name, _, _ in BONES)
# Camera frame (x right, y down, z forward) -> the upright world (y up, z towards the camera).
_UPRIGHT = np.diag([1., -1., -1.])


def parse_address(text):
    """'HOST:PORT' -> (host, port); anything else is a one-line HMRError."""
    host, sep, port = (text or '').rpartition(':')
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise HMRError('--vmc must be HOST:PORT (e.g. 127.0.0.1:39539), got %r' % text)
    try:
        socket.getaddrinfo(host, int(port), 0, socket.SOCK_DGRAM)
    except socket.gaierror as e:
        raise HMRError('--vmc %s: unknown host %s (%s)' % (text, host, e.strerror))
    return host, int(port)


def to_unity_position(p):
    """Upright right-handed world (x, y, z) -> Unity's left-handed (-x, y, z)."""
    p = np.asarray(p, np.float64)
    return p * np.array([-1., 1., 1.])


def to_unity_quaternion(rotation):
    """A scipy Rotation in the upright right-handed world -> Unity quaternion (x, y, z, w)."""
    x, y, z, w = rotation.as_quat()
    return np.array([x, -y, -z, w])


def _global_frames(rotations, rest_joints, parents):
    """SMPL's forward kinematics: (24 x 3 x 3 world rotations, 24 x 3 joint positions) in the frame of
    the root's parent, the root joint at its rest position."""
    world = np.empty_like(rotations)
    positions = np.empty_like(rest_joints)
    world[0], positions[0] = rotations[0], rest_joints[0]
    for j in range(1, len(parents)):
        parent = parents[j]
        world[j] = world[parent].dot(rotations[j])
        positions[j] = positions[parent] + world[parent].dot(rest_joints[j] - rest_joints[parent])
    return world, positions


def bone_transforms(pose, rest_joints, translation, parents):
    """One person's frame -> (root position, [(bone name, position, quaternion)]) in Unity's frame.

    pose: 72 axis-angle (HMR's, root orientation in the camera frame); rest_joints: 24 x 3 SMPL rest
    joints of their shape; translation: 3, the mesh's offset in the camera frame (the demo's
    `translation`); parents: SMPL's 24 parent indices. Each bone's frame is the world frame of its last
    SMPL joint, at its first joint's position, so forward kinematics over the bones lands every bone
    on SMPL's posed joint (Chest, which carries spine2 and spine3, gives its children offsets that
    depend on spine3's rotation). The root sits under the hips at their rest height; Hips' local
    position is that rest offset, so root + Hips lands on the posed pelvis."""
    rotations = Rotation.from_rotvec(np.asarray(pose, np.float64).reshape(24, 3))
    rotations = rotations.as_matrix() if hasattr(rotations, 'as_matrix') else rotations.as_dcm()
    rest_joints = np.asarray(rest_joints, np.float64)
    world, positions = _global_frames(rotations, rest_joints, parents)
    world = np.matmul(_UPRIGHT, world)
    positions = (positions + np.asarray(translation, np.float64)).dot(_UPRIGHT.T)
    hips_offset = np.array([0., rest_joints[0][1], 0.])
    frames = {}
    bones = []
    for name, joints, parent in BONES:
        rotation, origin = world[joints[-1]], positions[joints[0]]
        frames[name] = (rotation, origin)
        if parent is None:
            local_rotation, position = rotation, hips_offset
        else:
            parent_rotation, parent_origin = frames[parent]
            local_rotation = parent_rotation.T.dot(rotation)
            position = parent_rotation.T.dot(origin - parent_origin)
        bones.append((name, to_unity_position(position), to_unity_quaternion(_rotation(local_rotation))))
    return to_unity_position(positions[0] - hips_offset), bones


class RestJoints(object):
    """body.rest(betas)[1] (the 24 rest joints of a shape) without the mesh: the joints are linear in the
    betas, so the joint regressor is applied to the template and to the shape directions once, here,
    instead of to 6890 vertices every frame (that took ~14 ms a frame on the loaded 2-core machine)."""

    def __init__(self, body):
        self.template = body.j_regressor.dot(body.v_template)
        self.directions = np.einsum('jv,vcb->jcb', body.j_regressor, body.shapedirs)

    def __call__(self, betas):
        return self.template + self.directions.dot(np.asarray(betas, np.float64))


def _rotation(matrix):
    return Rotation.from_matrix(matrix) if hasattr(Rotation, 'from_matrix') else Rotation.from_dcm(matrix)


class VMCSender(object):
    """Sends one bundle per frame to HOST:PORT over UDP."""

    def __init__(self, address):
        from pythonosc.udp_client import UDPClient
        self.host, self.port = parse_address(address)
        self._client = UDPClient(self.host, self.port)
        self._start = time.monotonic()
        self.bundles_sent = 0

    def send(self, root_position, bones):
        from pythonosc import osc_bundle_builder, osc_message_builder
        bundle = osc_bundle_builder.OscBundleBuilder(osc_bundle_builder.IMMEDIATELY)

        def add(address, *args):
            message = osc_message_builder.OscMessageBuilder(address=address)
            for arg in args:
                message.add_arg(arg)
            bundle.add_content(message.build())

        add('/VMC/Ext/Root/Pos', 'root', *[float(v) for v in root_position] + [0., 0., 0., 1.])
        for name, position, quaternion in bones:
            add('/VMC/Ext/Bone/Pos', name, *[float(v) for v in position] + [float(v) for v in quaternion])
        add('/VMC/Ext/T', float(time.monotonic() - self._start))
        add('/VMC/Ext/OK', 1)
        self._client.send(bundle.build())
        self.bundles_sent += 1
