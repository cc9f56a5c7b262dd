"""TrainingLoop runs any model through its LoopModel (src/training/contract.py) and nothing else: a
one-variable model with no HMR in it trains, draws its pictures on schedule, checkpoints and resumes."""
import glob
import os

import numpy as np
import pytest

from src.compat import tf
from src.distributed import SINGLE
from src.training.checkpoints import Checkpoints
from src.training.contract import LoopModel
from src.training.loop import TrainingLoop

START = 3.
RATE = .25  # gradient descent on w ** 2 halves w every step: w <- w - RATE * 2 w


class Recorder(object):
    """The model's callables, remembering how the loop called them."""

    def __init__(self):
        self.pictures, self.statuses = [], []

    def draw_pictures(self, values):
        self.pictures.append(sorted(values))
        return tf.Summary(value=[tf.Summary.Value(tag='picture', simple_value=1.)])

    def status(self, report, step, seconds):
        self.statuses.append((step, sorted(report), seconds > 0))
        return {'loss': '%.3f' % report['loss']}


def halving_model(run_dir, recorder, picture_every=2):
    """The LoopModel of min w ** 2 by gradient descent, w from START."""
    w = tf.Variable(START, name='w')
    global_step = tf.Variable(0, name='global_step', trainable=False)
    loss = w ** 2
    update = tf.train.GradientDescentOptimizer(RATE).minimize(loss, global_step=global_step)
    return LoopModel(fetches={'loss': loss, 'update': update}, summary=tf.summary.scalar('loss', loss),
                     picture_fetches={'w': w}, picture_summary=tf.summary.scalar('w_value', w),
                     draw_pictures=recorder.draw_pictures, picture_every=picture_every, global_step=global_step,
                     checkpoints=Checkpoints(tf.train.Saver(), run_dir, SINGLE), status=recorder.status,
                     run_dir=run_dir)


def run(run_dir, total_steps):
    """A loop of a fresh graph to total_steps: (recorder, steps heard by on_step, returned step, loop)."""
    recorder, heard = Recorder(), []
    with tf.Graph().as_default():
        loop = TrainingLoop(halving_model(run_dir, recorder), SINGLE)
        last = loop.run(total_steps, progress=False, on_step=lambda step, report: heard.append((step, sorted(report))))
    return recorder, heard, last, loop


def saved(run_dir):
    reader = tf.train.NewCheckpointReader(tf.train.latest_checkpoint(run_dir))
    return reader.get_tensor('global_step'), reader.get_tensor('w')


def tags_by_step(run_dir):
    tags = {}
    for events in glob.glob(os.path.join(run_dir, 'events.out.tfevents.*')):
        for event in tf.train.summary_iterator(events):
            for value in event.summary.value:
                tags.setdefault(int(event.step), set()).add(value.tag)
    return tags


@pytest.fixture(scope='module')
def two_runs(tmp_path_factory):
    run_dir = str(tmp_path_factory.mktemp('loop'))
    first = run(run_dir, 3)
    after_first = saved(run_dir), tags_by_step(run_dir)  # (a second run in the same second may reuse its file name)
    second = run(run_dir, 5)
    return run_dir, first, after_first, second


def test_steps_to_the_total_and_saves_the_last_state(two_runs):
    run_dir, (_, heard, last, loop), ((step, w), _), _ = two_runs
    assert last == 3 and [s for s, _ in heard] == [1, 2, 3]
    # Every step's report is exactly the model's fetches, nothing of the loop's own.
    assert all(report == ['loss', 'update'] for _, report in heard) and sorted(loop.last_result) == ['loss', 'update']
    assert step == 3 and w == pytest.approx(START * .5 ** 3, rel=1e-6)
    assert len(loop.step_seconds) == 3


def test_resumes_from_the_checkpoint(two_runs):
    run_dir, _, _, (_, heard, last, _) = two_runs
    step, w = saved(run_dir)
    assert last == step == 5 and [s for s, _ in heard] == [4, 5]
    assert w == pytest.approx(START * .5 ** 5, rel=1e-6)  # continued from w after 3 steps, not from START


def test_pictures_and_status_come_from_the_model_on_schedule(two_runs):
    _, (first, _, _, _), (_, tags), (second, _, _, _) = two_runs
    # Picture steps are those whose step count before running is a multiple of picture_every: 0, 2; then 4.
    assert first.pictures == [['w'], ['w']] and second.pictures == [['w']]
    assert [s for s, _, _ in first.statuses + second.statuses] == [1, 2, 3, 4, 5]
    assert all(report == ['loss', 'update'] and positive for _, report, positive in first.statuses)
    # The first run's events: every step's summary, and the picture summary and pictures at steps 0 and 2.
    assert sorted(tags) == [0, 1, 2]
    for step, written in tags.items():
        expected = {'loss', 'w_value', 'picture'} if step % 2 == 0 else {'loss'}
        assert written == expected, (step, written)


def test_a_contract_without_a_picture_summary_or_pictures_still_runs(tmp_path):
    recorder = Recorder()
    with tf.Graph().as_default():
        model = halving_model(str(tmp_path), recorder, picture_every=1)._replace(
            picture_summary=None, draw_pictures=lambda values: None)
        assert TrainingLoop(model, SINGLE).run(2, progress=False) == 2
    assert sorted(tags_by_step(str(tmp_path))) == [0, 1]
    assert all(tags == {'loss'} for tags in tags_by_step(str(tmp_path)).values())
    assert np.isfinite(saved(str(tmp_path))[1])
