"""Following live people by the model's own 2D joints (src/live/follow.py), with stand-ins whose answers
are known: a white figure walking across black frames, a detector and a landmark model that find it
(counting their runs), and a "model" that, like HMR, places its joints on the figure it sees in its crop.
Tracked frames must skip the detector and still stay on the moving figure; a figure that vanishes must
be dropped and searched for again."""
import numpy as np
from scipy import ndimage

from src.camera import to_original
from src.demo.people import PeopleFinder
from src.detectors import Detection
from src.joints import COCOPLUS19, OPENPOSE_COCO18, reorder
from src.live.follow import CONFIRM_EVERY, JointFollower, alignment_of, keypoints_of_joints, make_live_finder
from src.util.image import crop_for_model

SIZE = (640, 480)
FIGURE_W, FIGURE_H = 80, 300
STEP = 6  # pixels the figure moves per frame
IMG_SIZE = 224


def frame_with_figure(*lefts):
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    for left in lefts:
        if left is not None:
            image[100:100 + FIGURE_H, left:left + FIGURE_W] = 255
    return image


def figure_keypoints(xs, ys):
    """COCO-18 keypoints spread over the white pixels' extent (head at the top, ankles at the bottom)."""
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    rows = {'nose': .05, 'right_eye': .04, 'left_eye': .04, 'right_ear': .05, 'left_ear': .05, 'neck': .15,
            'right_shoulder': .17, 'left_shoulder': .17, 'right_elbow': .35, 'left_elbow': .35,
            'right_wrist': .5, 'left_wrist': .5, 'right_hip': .52, 'left_hip': .52, 'right_knee': .75,
            'left_knee': .75, 'right_ankle': .97, 'left_ankle': .97}
    keypoints = np.zeros((18, 3))
    for i, name in enumerate(OPENPOSE_COCO18):
        side = .25 if name.startswith('right') else .75 if name.startswith('left') else .5
        keypoints[i] = [x0 + side * (x1 - x0), y0 + rows[name] * (y1 - y0), 1.]
    return keypoints


def figures(image):
    """(xs, ys) of each white figure in `image`."""
    labels, count = ndimage.label(image[:, :, 0] > 127)
    return [np.nonzero(labels == number)[::-1] for number in range(1, count + 1)]


def white(image, near=None):
    """(xs, ys) of the white figure nearest to the point `near` (else of all of them)."""
    found = figures(image)
    if not found:
        return np.zeros(0, int), np.zeros(0, int)
    if near is None:
        return np.concatenate([xs for xs, _ in found]), np.concatenate([ys for _, ys in found])
    return min(found, key=lambda f: np.hypot(f[0].mean() - near[0], f[1].mean() - near[1]))


class FigureDetector(object):
    """Finds the white figure; follow() is the landmark model's check: the figure if it is in the square."""
    name = 'stand-in'

    def __init__(self):
        self.detections = self.follows = self.quick = 0

    def detect(self, image, tiles=True):
        self.detections += 1
        self.quick += not tiles
        return [self._detection(xs, ys) for xs, ys in figures(image)]

    @staticmethod
    def _detection(xs, ys):
        keypoints = figure_keypoints(xs, ys)
        box = np.array([xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1], np.float64)
        return Detection(box, .9, keypoints, alignment_of(keypoints))

    def follow(self, image, person):
        self.follows += 1
        centre, point = person.alignment
        radius = 1.25 * np.linalg.norm(point - centre)
        xs, ys = white(image, centre)
        near = (np.abs(xs - centre[0]) < radius) & (np.abs(ys - centre[1]) < radius)
        if near.sum() < 100:
            return None
        return self._detection(xs, ys)._replace(score=.8)


def model_joints(image, person):
    """What HMR does for the follower: COCO+ 19 joints in original pixels on the figure seen in the crop."""
    crop, proc_param = crop_for_model(image, person.scale, person.center, IMG_SIZE)
    xs, ys = white(((crop + 1) * 127.5).astype(np.uint8), (IMG_SIZE / 2., IMG_SIZE / 2.))
    keypoints = figure_keypoints(xs, ys)
    joints_crop = reorder(keypoints[:, :2], OPENPOSE_COCO18, COCOPLUS19)
    return to_original(proc_param, np.zeros((1, 3)), np.array([1., 0., 0.]), joints_crop)[2]


def follower(detector):
    return JointFollower(PeopleFinder(IMG_SIZE, 10, detector=detector), redetect_every=1000, confirm_every=CONFIRM_EVERY)


def test_tracked_frames_skip_the_detector_and_follow_the_moving_figure():
    detector = FigureDetector()
    live = follower(detector)
    frames = 40
    for i in range(frames):
        left = 40 + STEP * i
        image = frame_with_figure(left)
        people, keypoints = live.people(image, 'frame %d' % i)
        assert len(people) == 1 and len(keypoints) == 1
        # The crop's centre is on the figure, within one frame's motion (it comes from the frame before)
        # and the crop's resampling (a crop pixel is ~2 pixels of the frame here; the figure's two edges
        # can each blur by one).
        centre = people[0].center
        assert abs(centre[0] - (left + FIGURE_W / 2.)) <= STEP + 4, (i, centre)
        assert abs(centre[1] - (100 + FIGURE_H / 2.)) <= 4, (i, centre)
        live.moved(SIZE, [model_joints(image, person) for person in people])
    # One full detection (the first frame); the landmark model checked every CONFIRM_EVERY frames.
    assert detector.detections == 1
    assert detector.follows == (frames - 1) // CONFIRM_EVERY
    # A frame carried by the joints alone has no detector keypoints to judge the model by (frame 39: no check).
    assert (frames - 1) % CONFIRM_EVERY and people[0].keypoints is None


def test_a_figure_gone_is_dropped_and_searched_for_again():
    detector = FigureDetector()
    live = follower(detector)
    seen = []
    for i in range(30):
        # The figure is there for 10 frames, gone for 10, back elsewhere for 10.
        left = 40 + STEP * i if i < 10 else None if i < 20 else 400
        image = frame_with_figure(left)
        people, _ = live.people(image, 'frame %d' % i)
        seen.append(len(people))
        live.moved(SIZE, [model_joints(image, person) if left is not None else model_joints(frame_with_figure(200), person)
                          for person in people])
    # Gone: kept at most until the next landmark check (a ghost of < CONFIRM_EVERY frames), then the
    # full detector runs on every frame until the figure is back, and finds it at once.
    first_gone = seen.index(0)
    assert 10 <= first_gone <= 10 + CONFIRM_EVERY
    assert all(n == 0 for n in seen[first_gone:20]) and all(n == 1 for n in seen[20:])
    assert detector.detections == 1 + (20 - first_gone) + 1


def test_a_newcomer_is_found_by_the_periodic_search_of_the_whole_picture():
    detector = FigureDetector()
    live = JointFollower(PeopleFinder(IMG_SIZE, 10, detector=detector), redetect_every=10, confirm_every=CONFIRM_EVERY)
    counts = []
    for i in range(15):
        # One figure, still; a second comes in at frame 3.
        image = frame_with_figure(60, 420 if i >= 3 else None)
        people, _ = live.people(image, 'frame %d' % i)
        counts.append(len(people))
        live.moved(SIZE, [model_joints(image, person) for person in people])
    # Frame 0: the full search (tiles too); frame 10: the periodic one, the whole picture only, finds the newcomer.
    assert counts == [1] * 10 + [2] * 5
    assert detector.detections == 2 and detector.quick == 1


def test_joints_that_leave_the_picture_end_the_person():
    detector = FigureDetector()
    live = follower(detector)
    image = frame_with_figure(40)
    people, _ = live.people(image, 'frame 0')
    outside = model_joints(image, people[0]) + [SIZE[0] + 50., 0.]
    live.moved(SIZE, [outside])
    people, _ = live.people(image, 'frame 1')
    assert detector.detections == 2 and len(people) == 1  # searched again at once, and found


def test_keypoints_of_joints_mark_what_is_outside():
    joints = np.tile([[10., 20.]], (19, 1))
    joints[COCOPLUS19.index('right_ankle')] = [-5., 20.]
    joints[COCOPLUS19.index('nose')] = [10., SIZE[1]]
    keypoints = keypoints_of_joints(joints, SIZE)
    assert keypoints.shape == (18, 3)
    outside = {OPENPOSE_COCO18.index('right_ankle'), OPENPOSE_COCO18.index('nose')}
    assert [i for i in range(18) if keypoints[i, 2] == 0] == sorted(outside)
    np.testing.assert_array_equal(keypoints[OPENPOSE_COCO18.index('neck'), :2], [10., 20.])


def test_without_a_detector_every_frame_is_the_finders():
    finder = PeopleFinder(IMG_SIZE, 10)  # --detector none: the whole image
    live = make_live_finder(finder)
    people, _ = live.people(frame_with_figure(40), 'frame 0')
    assert [p.source for p in people] == ['image']


def test_the_warm_up_leaves_no_state_behind():
    # Warmed up on a blank picture of the source's size, both modes must look for people on the first
    # frame (the detector's follower, warmed up through its own detect, waited up to 8 frames).
    for mode in ('joints', 'detector'):
        detector = FigureDetector()
        live = make_live_finder(PeopleFinder(IMG_SIZE, 10, detector=detector), mode)
        live.warm_up(frame_with_figure())
        people, _ = live.people(frame_with_figure(100), 'frame 0')
        assert len(people) == 1, mode
