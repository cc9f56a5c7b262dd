"""Demo preprocessing: scale-and-crop known answers and the OpenPose person box."""
import json

import numpy as np
import pytest

from src.errors import HMRError
from src.util.image import MAX_SCALED_PIXELS, crop_for_model, resize_img, scale_and_crop
from src.util.openpose import BODY25_TO_COCO18, get_bbox, read_json


def coordinate_image(h, w):
    """Pixel (y, x) holds (y, x, 0), so a crop tells where it came from."""
    ys, xs = np.mgrid[:h, :w]
    return np.dstack([ys, xs, np.zeros_like(ys)]).astype(np.float32)


def test_resize_reports_the_factors_it_really_used():
    img = np.zeros((101, 37, 3), np.uint8)
    resized, factors = resize_img(img, .5)
    assert resized.shape == (50, 18, 3)
    assert factors == [50 / 101., 18 / 37.]


def test_unit_scale_crop_is_a_window_around_the_centre():
    img = coordinate_image(300, 400)
    crop, proc = scale_and_crop(img, 1., np.array([200, 150]), 224)
    assert crop.shape == (224, 224, 3)
    np.testing.assert_array_equal(proc['start_pt'], [200 - 112 + 112, 150 - 112 + 112])
    # The crop's top-left pixel is image pixel (150 - 112, 200 - 112).
    np.testing.assert_array_equal(crop[0, 0, :2], [38, 88])
    np.testing.assert_array_equal(crop[223, 223, :2], [38 + 223, 88 + 223])
    assert proc['scale'] == 1. and proc['img_size'] == 224
    np.testing.assert_array_equal(proc['end_pt'] - proc['start_pt'], [224, 224])


def test_crop_beyond_the_border_repeats_edge_pixels():
    img = coordinate_image(50, 60)
    crop, _ = scale_and_crop(img, 1., np.array([0, 0]), 224)
    # Centre at the corner: the top-left quarter is padding equal to pixel (0, 0).
    np.testing.assert_array_equal(crop[:112, :112], np.zeros((112, 112, 3)))
    np.testing.assert_array_equal(crop[112, 112, :2], [0, 0])
    np.testing.assert_array_equal(crop[112 + 49, 112 + 59, :2], [49, 59])
    np.testing.assert_array_equal(crop[223, 223, :2], [49, 59])


def test_scaled_crop_centre_maps_back_to_the_person():
    img = coordinate_image(400, 300)
    crop, proc = scale_and_crop(img, .5, np.array([150, 200]), 224)
    # The crop centre comes from the scaled person centre (75, 100): original (y, x) ~ (200, 150).
    np.testing.assert_allclose(crop[112, 112, :2], [200, 150], atol=2)


def write_json(path, people, key='pose_keypoints_2d'):
    with open(path, 'w') as f:
        json.dump({'version': 1.3, 'people': [{key: list(np.ravel(p))} for p in people]}, f)


def coco18_person(x0, y0, height, conf=.9):
    kp = np.zeros((18, 3))
    kp[:, 0] = x0 + np.linspace(0, 20, 18)
    kp[:, 1] = y0 + np.linspace(0, height, 18)
    kp[:, 2] = conf
    return kp


def test_box_of_the_most_confident_person(tmp_path):
    path = str(tmp_path / 'a.json')
    weak, strong = coco18_person(0, 0, 50, conf=.3), coco18_person(100, 40, 300, conf=.8)
    write_json(path, [weak, strong], key='pose_keypoints')
    scale, center = get_bbox(path)
    height = np.hypot(20, 300)
    assert np.isclose(scale, 150. / height)
    np.testing.assert_allclose(center, [110, 190])


def test_body25_gives_the_same_box_as_coco18(tmp_path):
    person = coco18_person(10, 20, 200)
    body25 = np.zeros((25, 3))
    body25[BODY25_TO_COCO18] = person
    body25[8] = [500, 500, .9]       # mid-hip (not in COCO-18)
    body25[19:] = [0, 900, .9]       # feet, far below the ankles
    coco_path, body_path = str(tmp_path / 'coco.json'), str(tmp_path / 'body.json')
    write_json(coco_path, [person])
    write_json(body_path, [body25])
    assert len(read_json(body_path)[0]) == 18
    (scale_body, center_body), (scale_coco, center_coco) = get_bbox(body_path), get_bbox(coco_path)
    assert np.isclose(scale_body, scale_coco)
    np.testing.assert_allclose(center_body, center_coco)


def test_invisible_joints_do_not_count(tmp_path):
    person = coco18_person(0, 0, 100)
    person[5] = [5000, 5000, .1]
    path = str(tmp_path / 'a.json')
    write_json(path, [person])
    scale, _ = get_bbox(path)
    assert np.isclose(scale, 150. / np.hypot(20, 100))


@pytest.mark.parametrize('content, message', [
    ({'people': []}, 'found no people'),
    ({'people': [{'pose_keypoints_2d': [1, 2, 0.] * 18}]}, 'no person has a joint'),
    ({'people': [{'pose_keypoints_2d': [1, 2, .9] * 18}]}, 'is 0 px across; HMR needs a person at least 8 px'),
    ({'people': [{'pose_keypoints_2d': [1, 2, .9] * 17 + [float('nan'), 5, .9]}]}, 'not finite numbers'),
    ({'people': [{'pose_keypoints_2d': [1, 2, .9] * 17 + [float('inf'), 5, .9]}]}, 'not finite numbers'),
    ({'people': [{'pose_keypoints_2d': [1, 2, .9, 4, 6, .9] * 9}]}, 'is 5 px across'),
    ({'people': [{'pose_keypoints_2d': [1, 2, .9] * 7}]}, 'expected the COCO-18 or BODY_25'),
    ({'people': [{'face_keypoints_2d': []}]}, 'neither pose_keypoints_2d nor pose_keypoints'),
    ({'animals': []}, 'not OpenPose output'),
    ({'people': [{'pose_keypoints_2d': ['a', 'b', 'c']}]}, 'not lists of x, y, confidence'),
])
def test_bad_openpose_files_are_clear_errors(tmp_path, content, message):
    path = str(tmp_path / 'bad.json')
    with open(path, 'w') as f:
        json.dump(content, f)
    with pytest.raises(HMRError, match=message):
        get_bbox(path)


def test_unreadable_json_is_a_clear_error(tmp_path):
    path = tmp_path / 'broken.json'
    path.write_text(u'{"people": [')
    with pytest.raises(HMRError, match='not OpenPose output'):
        get_bbox(str(path))
    with pytest.raises(HMRError, match='cannot read OpenPose JSON'):
        get_bbox(str(tmp_path / 'absent.json'))


@pytest.mark.parametrize('scale, center', [(1.7, [60, 90]), (3.3, [5, 140]), (.37, [100, 20]), (2.05, [150, 160])])
def test_crop_sampled_from_the_original_equals_the_released_crop(monkeypatch, scale, center):
    """The crop of a small person in a huge photo is sampled without scaling the whole photo; it must
    be the released crop (same proc_param, pixels within cv2's fixed-point rounding)."""
    from skimage import data
    image = data.astronaut()[::3, ::3].copy()
    released, released_proc = crop_for_model(image, scale, np.array(center), 224)
    monkeypatch.setattr('src.util.image.MAX_SCALED_PIXELS', 0)
    sampled, sampled_proc = crop_for_model(image, scale, np.array(center), 224)
    for key in ('start_pt', 'end_pt'):
        np.testing.assert_array_equal(sampled_proc[key], released_proc[key])
    assert sampled_proc['scale'] == released_proc['scale']
    difference = np.abs(sampled - released) * 127.5  # back to 8-bit levels
    assert difference.max() <= 2 and difference.mean() < .3


def test_huge_scales_do_not_scale_the_whole_image():
    """A 4000 x 3000 photo with a person 20 px across: scale 7.5 would make a 675-megapixel image."""
    image = np.zeros((3000, 4000, 3), np.uint8)
    image[1490:1510, 1990:2010] = 255
    assert (3000 * 7.5) * (4000 * 7.5) > MAX_SCALED_PIXELS
    crop, proc = crop_for_model(image, 7.5, np.array([2000., 1500.]), 224)
    assert crop.shape == (224, 224, 3)
    # The white square, 20 px wide, fills the centre 150 px of the crop.
    assert (crop[112, 112] == 1).all() and (crop[112, 112 + 70] == 1).all() and (crop[112, 112 + 80] == -1).all()


def test_a_person_centred_outside_the_image_still_gets_a_whole_crop():
    """Detected keypoints can lie beyond the frame; the released slicing would return a cut-short crop."""
    image = coordinate_image(100, 80).astype(np.uint8)
    crop, proc = crop_for_model(image, 1., np.array([-150., 50.]), 224)
    assert crop.shape == (224, 224, 3)
    np.testing.assert_array_equal(proc['start_pt'], [-150, 50])
    # Left of the image everything repeats column 0; the image's first column is 112 + 150 px in.
    assert (crop[:, :224, 1] == -1).all()
