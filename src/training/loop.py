"""Running a trainer's steps: until `epoch` epochs (or max_steps) are done or a signal asks to stop,
with a progress bar, step timing, a checkpoint every save_every_secs and on stopping, TensorBoard
summaries, and the errors a user can act on turned into HMRError (after a checkpoint: bad data or a
lost worker must not cost the run)."""
import signal
import time

from ..compat import tf
from ..data_loader import data_error
from ..errors import HMRError
from . import image_summaries


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
    """Runs `trainer` (an HMRTrainer): its `step_fetches()`, `image_fetches()`, `checkpoints`, `workers`."""

    def __init__(self, trainer):
        self.trainer = trainer
        self.step_seconds = []  # wall time of each step (with its summaries), for benchmarks
        self.last_result = None

    def run(self, total_steps, save_every_secs=600, progress=True, on_step=None):
        """Returns the last global step. `on_step(step, result)` hears of every step (tests, tools)."""
        from tqdm import tqdm
        trainer, workers = self.trainer, self.trainer.workers
        chief = workers.is_chief
        renderer = image_summaries.summary_renderer(trainer.smpl.faces, trainer.img_size) if chief else None
        summary_writer = tf.summary.FileWriter(trainer.model_dir) if chief else None
        fetches, image_fetches = trainer.step_fetches(), trainer.image_fetches()
        try:
            with _StopRequest() as stop, tf.Session(config=workers.session_config()) as sess:
                message = trainer.checkpoints.restore_or_initialize(sess)
                if chief:
                    tqdm.write(message)
                step = sess.run(trainer.global_step)
                last_save = time.time()
                bar = tqdm(total=total_steps, initial=step, unit='step', disable=not (progress and chief))
                try:
                    while step < total_steps and not workers.agree_to_stop(sess, stop.signal is not None):
                        draw = chief and step % trainer.config.log_img_step == 0
                        start = time.time()
                        result = run_step(sess, dict(fetches, **image_fetches) if draw else fetches, workers,
                                          trainer.model_dir)
                        # The fetched global_step may be read before or after e_opt's increment: count here.
                        if chief:
                            self._write_summaries(summary_writer, result, renderer, step)
                        step += 1
                        self.step_seconds.append(time.time() - start)
                        self.last_result = result
                        if on_step is not None:
                            on_step(step, result)
                        bar.set_postfix(self._postfix(result, step), refresh=False)
                        bar.update(1)
                        if time.time() - last_save > save_every_secs:
                            trainer.checkpoints.save(sess, trainer.global_step)
                            last_save = time.time()
                except HMRError:
                    trainer.checkpoints.save(sess, trainer.global_step)
                    raise
                bar.close()
                trainer.checkpoints.save(sess, trainer.global_step)
                if chief and step < total_steps:
                    why = 'signal %d' % stop.signal if stop.signal is not None else 'a signal to another worker'
                    tqdm.write('stopped by %s at step %d; checkpoint saved in %s' % (why, step, trainer.model_dir))
                return step
        finally:
            if summary_writer is not None:
                summary_writer.close()

    def _postfix(self, result, step):
        trainer = self.trainer
        postfix = {'epoch': '%.2f' % (step / float(trainer.num_itr_per_epoch)), 'e_loss': '%.4f' % result['e_loss'],
                   'kp': '%.4f' % (result['loss_kp'] / trainer.e_loss_weight),
                   'ex/s': '%.1f' % (trainer.batch_size * trainer.workers.size / self.step_seconds[-1])}
        if 'd_loss' in result:
            postfix['d_loss'] = '%.4f' % result['d_loss']
        return postfix

    def _write_summaries(self, summary_writer, result, renderer, step):
        summary_writer.add_summary(result['summary'], global_step=step)
        if 'input_img' in result:
            if 'summary_occasional' in result:
                summary_writer.add_summary(result['summary_occasional'], global_step=step)
            if renderer is not None:
                summary_writer.add_summary(self.trainer.draw_results(result, renderer), global_step=step)
