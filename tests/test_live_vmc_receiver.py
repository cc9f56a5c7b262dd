"""Our VMC bundles read by an independent VMC implementation: the `vmcp` package (python-vmcp, which
follows the VMC protocol specification and types each message: Unity's HumanBodyBones names, the
argument counts of each address, the model state). A bundle sent by VMCSender over loopback UDP is
received here, split into its OSC messages and each turned into vmcp's event for its address; every
one must be accepted and carry the values sent. vmcp needs Python >= 3.10: the legacy runtime skips."""
import socket

import numpy as np
import pytest
from pythonosc.osc_bundle import OscBundle

from src.body_model import BodyModel
from src.live import vmc

events = pytest.importorskip('vmcp.events', reason='vmcp (Python >= 3.10, modern runtime only) is not installed')


def test_vmcp_reads_every_message_of_a_bundle_with_the_values_sent(synthetic_models):
    body = BodyModel.from_pickle(synthetic_models[0])
    rng = np.random.RandomState(3)
    betas = rng.normal(size=10)
    root, bones = vmc.bone_transforms(rng.normal(scale=.5, size=72), body.rest(betas)[1], [.2, -.1, 4.], body.parents)
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(('127.0.0.1', 0))
    receiver.settimeout(10)
    try:
        vmc.VMCSender('127.0.0.1:%d' % receiver.getsockname()[1]).send(root, bones)
        datagram = receiver.recv(65536)
    finally:
        receiver.close()
    classes = {cls.ADDRESS_PATTERN: cls for cls in (events.RootTransformEvent, events.BoneTransformEvent,
                                                     events.StateEvent, events.RelativeTimeEvent)}
    received = [classes[m.address].from_message_data('test', m.address, tuple(m.params))
                for m in OscBundle(datagram)]
    root_event, bone_events, time_event, state_event = received[0], received[1:-2], received[-2], received[-1]
    assert isinstance(root_event, events.RootTransformEvent)
    # OSC carries float32: values agree to float32's resolution on numbers of order 1.
    np.testing.assert_allclose([root_event.position.x, root_event.position.y, root_event.position.z], root, atol=1e-6)
    assert [e.joint.value for e in bone_events] == list(vmc.BONE_NAMES)  # vmcp's Bone enum accepted each name
    for event, (_, position, quaternion) in zip(bone_events, bones):
        assert isinstance(event, events.BoneTransformEvent)
        np.testing.assert_allclose([event.position.x, event.position.y, event.position.z], position, atol=1e-6)
        np.testing.assert_allclose([event.rotation.x, event.rotation.y, event.rotation.z, event.rotation.w],
                                   quaternion, atol=1e-6)
    assert isinstance(time_event, events.RelativeTimeEvent) and time_event.delta >= 0
    assert isinstance(state_event, events.StateEvent)
    assert state_event.model_state == events.ModelState.LOADED
