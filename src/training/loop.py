"""Running a model's training steps (through its LoopModel, contract.py): until a number of steps is
done or a signal asks to stop, with a progress bar, step timing, a checkpoint every save_every_secs
and on stopping, TensorBoard summaries, and the errors a user can act on turned into HMRError (after
a checkpoint: bad data or a lost worker must not cost the run)."""
import signal
import time

from ..compat import tf
from ..data_loader import data_error
from ..errors import HMRError


def run_step(sess, fetches, workers, model_dir=None):
    """sess.run(fetches), with a corrupt record or a lost worker as HMRError."""
    with workers.collective_errors(model_dir):
        try:
            return sess.run(fetches)
        except tf.errors.InvalidArgumentError:
            typed = data_error(sess.graph)
            if typed is None:
                raise
            raise typed
        except tf.errors.DataLossError as e:
            raise HMRError('a training record is corrupt (%s); convert that dataset again' % e.message.splitlines()[0])


class _StopRequest(object):
    """SIGINT/SIGTERM handlers that ask the loop to stop after its step (restored on exit)."""

    def __init__(self):
        self.signal = None

    def __enter__(self):
        self._previous = {s: signal.signal(s, self._request) for s in (signal.SIGINT, signal.SIGTERM)}
        return self

    def _request(self, signum, _):
        self.signal = signum

    def __exit__(self, *exc):
        for s, handler in self._previous.items():
            signal.signal(s, handler)


class TrainingLoop(object):
    """Runs the steps of a model through its `LoopModel` (contract.py), the only part of it the loop
    reads, on `workers` (src.distributed: chief, stop vote, session, collective errors)."""

    def __init__(self, model, workers):
        self.model = model
        self.workers = workers
        self.step_seconds = []  # wall time of each step (with its summaries), for benchmarks
        self.last_result = None  # the last step's report (the values of model.fetches)

    def run(self, total_steps, save_every_secs=600, progress=True, on_step=None):
        """Returns the last global step. `on_step(step, report)` hears of every step (tests, tools)."""
        from tqdm import tqdm
        model, workers = self.model, self.workers
        chief = workers.is_chief
        summary_writer = tf.summary.FileWriter(model.run_dir) if chief else None
        try:
            with _StopRequest() as stop, tf.Session(config=workers.session_config()) as sess:
                message = model.checkpoints.restore_or_initialize(sess)
                if chief:
                    tqdm.write(message)
                step = sess.run(model.global_step)
                last_save = time.time()
                bar = tqdm(total=total_steps, initial=step, unit='step', disable=not (progress and chief))
                try:
                    while step < total_steps and not workers.agree_to_stop(sess, stop.signal is not None):
                        start = time.time()
                        result = run_step(sess, self._fetches(chief and step % model.picture_every == 0),
                                          workers, model.run_dir)
                        # The fetched global_step may be read before or after its increment: count here.
                        if chief:
                            self._write_summaries(summary_writer, result, step)
                        step += 1
                        self.step_seconds.append(time.time() - start)
                        self.last_result = result['report']
                        if on_step is not None:
                            on_step(step, self.last_result)
                        bar.set_postfix(model.status(self.last_result, step, self.step_seconds[-1]), refresh=False)
                        bar.update(1)
                        if time.time() - last_save > save_every_secs:
                            model.checkpoints.save(sess, model.global_step)
                            last_save = time.time()
                except HMRError:
                    model.checkpoints.save(sess, model.global_step)
                    raise
                bar.close()
                model.checkpoints.save(sess, model.global_step)
                if chief and step < total_steps:
                    why = 'signal %d' % stop.signal if stop.signal is not None else 'a signal to another worker'
                    tqdm.write('stopped by %s at step %d; checkpoint saved in %s' % (why, step, model.run_dir))
                return step
        finally:
            if summary_writer is not None:
                summary_writer.close()

    def _fetches(self, pictures):
        """One step's fetches: the model's, its summary and, on a picture step, what the pictures need."""
        fetches = {'report': self.model.fetches, 'summary': self.model.summary}
        if pictures:
            fetches['pictures'] = self.model.picture_fetches
            if self.model.picture_summary is not None:
                fetches['picture_summary'] = self.model.picture_summary
        return fetches

    def _write_summaries(self, summary_writer, result, step):
        summary_writer.add_summary(result['summary'], global_step=step)
        if 'picture_summary' in result:
            summary_writer.add_summary(result['picture_summary'], global_step=step)
        if 'pictures' in result:
            pictures = self.model.draw_pictures(result['pictures'])
            if pictures is not None:
                summary_writer.add_summary(pictures, global_step=step)
