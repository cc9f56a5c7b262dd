"""The weak-perspective crop camera as a pinhole camera (src/camera.py), by known answers."""
import numpy as np

from src.camera import FLENGTH, crop_translation, shift_into, to_original, whole_frame_camera
from src.demo.people import whole_image
from src.util.image import crop_for_model


def test_the_pinhole_sees_what_the_weak_perspective_camera_sees():
    """At the mesh's own depth the pinhole's projection is HMR's orthographic one, ((s (X + t)) + 1) 112."""
    cam = np.array([.8, .1, -.2])
    points = np.array([[.3, -.4, 0.], [-.5, .6, 0.]])
    moved = points + crop_translation(cam, 224)
    pinhole = FLENGTH * moved[:, :2] / moved[:, 2:] + 112
    np.testing.assert_allclose(pinhole, (cam[0] * (points[:, :2] + cam[1:]) + 1) * 112)


def test_to_original_maps_the_crop_back_to_the_image():
    image = np.zeros((300, 500, 3), np.uint8)
    scale, center = 224 / 500., np.array([250, 150])
    _, proc = crop_for_model(image, scale, center, 224)
    camera, verts, joints = to_original(proc, np.zeros((1, 3)), np.array([1., 0., 0.]), np.array([[112., 112.]]))
    np.testing.assert_allclose(camera, [FLENGTH / scale, 250, 150], atol=1 / scale)
    np.testing.assert_allclose(joints, [[250, 150]], atol=1 / scale)
    np.testing.assert_allclose(verts, [[0, 0, FLENGTH / 112.]])


def test_the_whole_frame_camera_is_the_released_whole_image_crop():
    for width, height in ((640, 360), (224, 224), (100, 300)):
        person = whole_image((height, width), 224)
        _, proc = crop_for_model(np.zeros((height, width, 3), np.uint8), person.scale, person.center, 224)
        camera, _, _ = to_original(proc, np.zeros((1, 3)), np.ones(3), np.zeros((1, 2)))
        np.testing.assert_allclose(whole_frame_camera((width, height)), camera, atol=1. / person.scale)


def test_a_mesh_moved_into_another_camera_keeps_its_centre_pixel():
    verts = np.random.RandomState(0).randn(50, 3) * .3 + [.2, -.1, 6.]
    own, shared = np.array([900., 300., 200.]), np.array([450., 320., 240.])
    moved = verts + shift_into(shared, own, verts)
    centre, moved_centre = verts.mean(0), moved.mean(0)
    np.testing.assert_allclose(shared[0] * moved_centre[:2] / moved_centre[2] + shared[1:],
                               own[0] * centre[:2] / centre[2] + own[1:])
    assert np.isclose(moved_centre[2], centre[2] * shared[0] / own[0])
    np.testing.assert_allclose(moved - moved_centre, verts - centre)  # rigidly
    np.testing.assert_allclose(shift_into(own, own, verts), 0, atol=1e-12)
