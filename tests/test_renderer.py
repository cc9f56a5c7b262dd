"""Rendering: where the mesh lands, the two backends agreeing, the released camera maths, skeletons."""
import cv2
import numpy as np
import pytest

from src.errors import HMRError
from src.tf_smpl.smpl_io import read_face_file
from src.util.render_lights import LIGHTS, lambertian_colors
from src.util.renderer import SMPLRenderer, draw_skeleton, draw_text, get_original
from tests.render_comparison import CAMERA, SIZE, posed_body
from tests.runtimes import outputs_of_both_runtimes
from tests.unsafe_files import assert_no_marker, pickle_bearing_npy, plain_pickle

SQUARE = np.array([[-1., -1, 10], [1, -1, 10], [1, 1, 10], [-1, 1, 10]])
SQUARE_FACES = np.array([[0, 1, 2], [0, 2, 3]])


def iou(a, b):
    return (a & b).sum() / float((a | b).sum())


def test_silhouette_of_a_square_is_where_the_camera_projects_it():
    renderer = SMPLRenderer(faces=SQUARE_FACES)
    mask = renderer.silhouette(SQUARE, [500., 100., 60.], (120, 200))
    ys, xs = np.nonzero(mask)
    # Corners project to 500 * (+-1 / 10) + centre: x in [50, 150], y in [10, 110].
    assert abs(xs.min() - 50) <= 1 and abs(xs.max() - 149) <= 1
    assert abs(ys.min() - 10) <= 1 and abs(ys.max() - 109) <= 1


def test_overlay_changes_the_mesh_pixels_and_keeps_the_rest():
    renderer = SMPLRenderer(faces=SQUARE_FACES)
    image = (np.random.RandomState(0).rand(120, 200, 3) * 255).astype(np.uint8)
    overlay = renderer(SQUARE, cam=[500., 100., 60.], img=image, do_alpha=True)
    assert overlay.shape == (120, 200, 4) and (overlay[:, :, 3] == 255).all()
    inside, outside = (slice(30, 90), slice(70, 130)), (slice(0, 5), slice(0, 40))
    assert np.abs(overlay[inside][:, :, :3].astype(int) - image[inside]).mean() > 20
    assert np.abs(overlay[outside][:, :, :3].astype(int) - image[outside]).max() <= 1


def test_alpha_marks_the_mesh_without_an_image():
    renderer = SMPLRenderer(faces=SQUARE_FACES)
    rgba = renderer(SQUARE, cam=[500., 100., 60.], img_size=(120, 200), do_alpha=True)
    assert rgba[60, 100, 3] == 255 and rgba[5, 5, 3] == 0 and (rgba[5, 5, :3] == 255).all()


def test_legacy_and_modern_renderers_draw_the_same_picture(tmp_path):
    """The same silhouettes, and the released shading: away from the edges (where anti-aliasing and
    opendr's edge lines differ by a pixel) the modern runtime's colours are opendr's to within about
    one level in 255, and the lighting it computes per vertex is opendr's own."""
    rendered = outputs_of_both_runtimes('tests.render_comparison', [], tmp_path)
    legacy, modern = rendered['legacy'], rendered['modern']
    assert str(legacy['backend']) == 'opendr' and str(modern['backend']) == 'pyrender'
    for view in ['front', 'turned']:
        assert iou(legacy[view], modern[view]) >= .97, view
    both = (legacy['front_image_mask'] & modern['front_image_mask']).astype(np.uint8)
    inside = cv2.erode(both, np.ones((3, 3), np.uint8)).astype(bool)
    difference = np.abs(legacy['front_image'].astype(int) - modern['front_image'].astype(int)).max(axis=2)[inside]
    assert inside.sum() > 10000 and difference.mean() < 1.5 and np.percentile(difference, 90) <= 2
    np.testing.assert_allclose(legacy['lighting'], legacy['opendr_lighting'], atol=1e-12)
    np.testing.assert_allclose(modern['lighting'], legacy['opendr_lighting'], atol=1e-12)
    # The opendr backend's shortcuts (topology kept, normals shared, mask from the passes made) change no pixel.
    for who in ['one', 'two']:
        assert legacy[who + '_ours_mask'].sum() > 10000
        np.testing.assert_array_equal(legacy[who + '_ours_mask'], legacy[who + '_released_mask'])
        np.testing.assert_allclose(legacy[who + '_ours_image'], legacy[who + '_released_image'], atol=1e-12)


def test_lambertian_colors_of_a_facet_facing_a_light():
    """Known answers: a triangle turned to face one light gets that light's full intensity from it,
    and a vertex no face uses stays unlit."""
    position, intensity = LIGHTS[1]
    toward = position / np.linalg.norm(position)
    side = np.cross(toward, [0., 1., 0.])
    side /= np.linalg.norm(side)
    up = np.cross(side, toward)
    # Counter-clockwise seen from the light: (v1 - v0) x (v2 - v0) points at it.
    triangle = np.array([[0., 0., 0.], side * 1e-3, up * 1e-3, [5., 5., 5.]])
    faces = np.array([[0, 1, 2]])
    if np.dot(np.cross(triangle[1] - triangle[0], triangle[2] - triangle[0]), toward) < 0:
        faces = faces[:, ::-1]
    colors = lambertian_colors(triangle, faces, [1., .5, .25])
    from_others = sum(i * max(0., np.dot(p / np.linalg.norm(p), toward)) for p, i in LIGHTS if p is not position)
    np.testing.assert_allclose(colors[0], (intensity + from_others) * np.array([1., .5, .25]), rtol=1e-5)
    assert (colors[3] == 0).all()


def test_get_original_puts_the_mesh_on_the_original_image():
    """Joints projected by the render camera land where the crop's joints map back to.

    With no depth spread the weak-perspective crop camera and the perspective render camera agree
    exactly; real bodies differ by their depth relative to the distance (a few pixels)."""
    rng = np.random.RandomState(0)
    joints3d = rng.randn(19, 3) * .3
    joints3d[:, 2] = 0
    cam = np.array([.8, .05, -.1])
    crop_joints = (cam[0] * (joints3d[:, :2] + cam[1:]) + 1) * .5 * 224
    proc_param = {'scale': .6, 'start_pt': np.array([300, 250]), 'img_size': 224}
    cam_render, shifted, kp_original = get_original(proc_param, joints3d, cam, crop_joints, (900, 1200))
    projected = cam_render[0] * shifted[:, :2] / shifted[:, 2:] + cam_render[1:]
    np.testing.assert_allclose(projected, kp_original, atol=1e-6)
    np.testing.assert_allclose(kp_original, (crop_joints + [300, 250] - 112) / .6)


def test_synthetic_body_renders_upright(tmp_path):
    verts, faces = posed_body()
    mask = SMPLRenderer(faces=faces).silhouette(verts, CAMERA, SIZE)
    ys, xs = np.nonzero(mask)
    assert ys.max() - ys.min() > 200 and 180 < xs.mean() < 270


def test_draw_skeleton_marks_the_joints():
    image = np.zeros((100, 100, 3), np.uint8)
    joints = np.stack([np.linspace(10, 90, 19), np.linspace(10, 90, 19)], axis=1)
    drawn = draw_skeleton(image, joints)
    assert all(drawn[int(y), int(x)].any() for x, y in joints)
    floats = draw_skeleton(image.astype(np.float32) / 255., joints[:14])
    assert floats.dtype == np.float32 and floats.max() <= 1.
    with pytest.raises(HMRError, match='19 .* or 14'):
        draw_skeleton(image, joints[:10])


def test_draw_text_writes_in_the_corner():
    image = np.full((60, 200, 3), 255, np.uint8)
    out = draw_text(image, {'loss': .5})
    assert (out[:20, :80] < 128).any() and (out[30:] == 255).all()


@pytest.mark.parametrize('craft', [pickle_bearing_npy, plain_pickle])
def test_face_file_holding_pickles_is_refused_without_running_them(tmp_path, craft):
    marker = str(tmp_path / 'marker')
    faces = craft(str(tmp_path / 'smpl_faces.npy'), marker)
    with pytest.raises(HMRError, match='smpl_faces.npy .*pickle') as error:
        read_face_file(faces)
    assert_no_marker(marker)
    assert len(str(error.value).splitlines()) == 1


def test_face_file_of_the_released_layout_loads_and_others_are_refused(tmp_path):
    np.save(str(tmp_path / 'faces.npy'), SQUARE_FACES.astype(np.uint32))
    np.testing.assert_array_equal(read_face_file(str(tmp_path / 'faces.npy')), SQUARE_FACES)
    np.save(str(tmp_path / 'flat.npy'), np.arange(6))
    with pytest.raises(HMRError, match='flat.npy .*F x 3'):
        read_face_file(str(tmp_path / 'flat.npy'))
    (tmp_path / 'text.npy').write_text(u'not an array')
    with pytest.raises(HMRError, match='text.npy'):
        read_face_file(str(tmp_path / 'text.npy'))


def test_views_rendered_in_their_windows_equal_whole_pictures():
    """render_views renders only the window each (turned) mesh projects into, from one upload: the
    pictures equal whole-picture renders of the same meshes by the backend."""
    from src.util import renderer as vis_util
    verts, faces = posed_body()
    renderer = SMPLRenderer(faces=faces)
    views = renderer.render_views(verts, CAMERA, SIZE, (0, 60, -60))
    backend = vis_util._backend()
    near, far = vis_util._depth_range(verts)
    for (image, mask), turn in zip(views, (0, 60, -60)):
        whole, whole_mask = backend.render(vis_util.turned(verts, turn), faces, SIZE[1], SIZE[0], CAMERA, near, far,
                                           vis_util.LIGHT_BLUE)
        assert mask.any() and iou(mask, whole_mask) > .995
        both = mask & whole_mask
        assert np.abs(image[both].astype(int) - (np.clip(whole[both], 0, 1) * 255).astype(int)).mean() < 1
        assert (image[~mask] == 255).all()
    assert iou(views[1][1], views[0][1]) < .95  # the turned view shows the body from another side


def test_a_mesh_outside_the_picture_renders_nothing():
    renderer = SMPLRenderer(faces=SQUARE_FACES)
    image, mask = renderer.render_with_mask(SQUARE + [100, 0, 0], [500., 100., 60.], (120, 200))
    assert not mask.any() and (image == 255).all()
