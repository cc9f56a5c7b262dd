"""Tracking (src/video/tracking.py): ids stay with their people through crossings, short absences
and new arrivals, on synthetic sequences with known identities and on the sample clip's boxes."""
import numpy as np
import pytest

from src.video.tracking import Tracker

SIZE = (60., 150.)


def box_at(x, y=100., size=SIZE):
    return [x - size[0] / 2, y - size[1] / 2, size[0], size[1]]


def run(tracker, frames, seed=0):
    """frames: list of (frame index, [(person, box, keypoints or None), ...]). Detections are shuffled
    in each frame; returns {frame: {person: track id}}."""
    rng = np.random.RandomState(seed)
    out = {}
    for index, people in frames:
        order = rng.permutation(len(people))
        shuffled = [people[i] for i in order]
        boxes = [p[1] for p in shuffled]
        keypoints = None if shuffled and shuffled[0][2] is None else [p[2] for p in shuffled]
        ids = tracker.update(index, boxes, keypoints)
        out[index] = {p[0]: track_id for p, track_id in zip(shuffled, ids)}
    return out


def ids_of(result, person):
    return [people[person] for people in result.values() if person in people]


@pytest.mark.parametrize('sizes', [(SIZE, SIZE), (SIZE, (70., 170.))])
def test_two_people_crossing_keep_their_ids(sizes):
    # A walks right, B walks left, at 12 px a frame; their boxes meet and pass (at frame 12 they are the
    # same box when the sizes are equal).
    frames = [(i, [('A', box_at(20 + 12 * i, size=sizes[0]), None),
                   ('B', box_at(308 - 12 * i, size=sizes[1]), None)]) for i in range(25)]
    result = run(Tracker(), frames)
    assert len(set(ids_of(result, 'A'))) == 1 and len(set(ids_of(result, 'B'))) == 1
    assert ids_of(result, 'A')[0] != ids_of(result, 'B')[0]


def test_keypoints_tell_apart_people_whose_boxes_coincide():
    # Two people in the same place (one behind the other), the boxes jittering by a few pixels: the boxes
    # alone cannot say who is who, their poses (one with the arms up) can.
    rng = np.random.RandomState(3)
    base = np.stack([np.linspace(80, 120, 18), np.linspace(30, 170, 18), np.ones(18)], 1)
    arms_up = base.copy()
    arms_up[[3, 4, 6, 7], 1] -= 80
    frames = []
    for i in range(30):
        people = []
        for name, pose in (('A', base), ('B', arms_up)):
            jitter = rng.randn(2) * 4
            keypoints = pose.copy()
            keypoints[:, :2] += jitter + rng.randn(18, 2)
            people.append((name, box_at(100 + jitter[0], 100 + jitter[1]), keypoints))
        frames.append((i, people))
    result = run(Tracker(), frames)
    assert len(set(ids_of(result, 'A'))) == 1 and len(set(ids_of(result, 'B'))) == 1


def test_a_short_absence_keeps_the_id_a_long_one_does_not():
    tracker_frames = []
    # A stands still; B walks by. A is missed (occluded) for 10 frames and later for 31.
    for i in range(80):
        people = [('B', box_at(400 - 3 * i), None)]
        if not (10 <= i < 20 or 40 <= i < 71):
            people.append(('A', box_at(100), None))
        tracker_frames.append((i, people))
    result = run(Tracker(max_gap=30), tracker_frames)
    a_ids = [result[i]['A'] for i in range(80) if 'A' in result[i]]
    assert a_ids[:30] == [a_ids[0]] * 30          # back after 10 missed frames: the same id
    assert set(a_ids[30:]) == {a_ids[-1]} and a_ids[-1] != a_ids[0]  # after 31: a new one
    assert len(set(ids_of(result, 'B'))) == 1


def test_leaving_and_coming_back_within_the_gap_keeps_the_id():
    # A walks right out of a 320 px picture (box cut at the edge, then gone for 12 frames) and walks
    # back in; occluded walkers reappear ahead, walkers that turned reappear where they left.
    frames = []
    x = 150.
    for i in range(60):
        x += 10 if i < 25 else (0 if i < 35 else -10)
        left, right = max(x - 30, 0), min(x + 30, 320)
        people = [('A', [left, 25, right - left, 150], None)] if right - left > 15 else []
        frames.append((i, people + [('C', box_at(60), None)]))
    result = run(Tracker(max_gap=30), frames)
    a_frames = [i for i in result if 'A' in result[i]]
    assert a_frames[-1] - a_frames[0] + 1 > len(a_frames)  # there was a gap
    assert len(set(ids_of(result, 'A'))) == 1 and len(set(ids_of(result, 'C'))) == 1


def test_occluded_walker_reappears_ahead_with_the_same_id():
    frames = [(i, [('A', box_at(20 + 8 * i), None)] if not 10 <= i < 18 else []) for i in range(30)]
    result = run(Tracker(), frames)
    assert len(set(ids_of(result, 'A'))) == 1


def test_a_third_person_gets_a_new_id():
    frames = []
    for i in range(20):
        people = [('A', box_at(50 + 2 * i), None), ('B', box_at(300 - 2 * i), None)]
        if i >= 10:
            people.append(('C', box_at(175, 60), None))
        frames.append((i, people))
    result = run(Tracker(), frames)
    a, b, c = (set(ids_of(result, p)) for p in 'ABC')
    assert len(a) == len(b) == len(c) == 1 and len(a | b | c) == 3


def test_ids_follow_the_people_of_the_sample_clip():
    from src.samples.sample_clip import sample_frames
    tracker = Tracker()
    seen = {}
    for index, (_, boxes) in enumerate(sample_frames(size=(320, 180), seconds=4.0)):
        people = sorted(boxes)
        for person, track_id in zip(people, tracker.update(index, [boxes[p] for p in people])):
            seen.setdefault(person, set()).add(track_id)
    # Two people, crossing, the front one out of the picture for a while: one id each.
    assert sorted(seen) == [0, 1] and all(len(ids) == 1 for ids in seen.values())
    assert seen[0] != seen[1]


def test_frames_must_increase():
    tracker = Tracker()
    tracker.update(3, [box_at(10)])
    with pytest.raises(ValueError):
        tracker.update(3, [box_at(10)])


def test_empty_frames_are_fine():
    tracker = Tracker()
    assert tracker.update(0, np.zeros((0, 4))) == []
    assert tracker.update(1, [box_at(10)]) == [0]
    assert tracker.update(2, []) == []
    assert tracker.update(3, [box_at(12)]) == [0]


def test_a_person_leaving_as_a_sliver_and_coming_back_whole_keeps_the_id():
    """At the picture's edge only a sliver of a person is boxed; back inside they are boxed whole, their
    centre far from the sliver's in units of the sliver's size (the sample clip's front person)."""
    frames = [(i, [('A', [300 + 35 * i, 80, 120, 280], None)]) for i in range(6)]
    frames += [(6, [('A', [510, 80, 120, 280], None)]), (7, [('A', [548, 163, 92, 197], None)]),
               (8, [('A', [584, 205, 56, 155], None)])]                     # out of a 640 px picture
    frames += [(i, [('A', [424 - 27 * (i - 17), 82, 216, 278], None)]) for i in range(17, 22)]  # back, whole
    result = run(Tracker(), frames)
    assert len(set(ids_of(result, 'A'))) == 1
