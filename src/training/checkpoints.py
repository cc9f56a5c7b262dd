"""Where a training run starts and what it keeps: resume from the run folder's latest checkpoint, or
start the encoder from a pretrained ResNet, or from scratch; saves under the released names."""
import glob
import os

from ..compat import tf
from ..errors import HMRError


def _first_line(error):
    return str(getattr(error, 'message', error)).strip().splitlines()[0]


def run_checkpoints(model_dir):
    """The checkpoints saved in `model_dir`, newest first, found by their files (the `checkpoint`
    state file holds absolute paths, wrong once the folder is moved)."""
    steps = []
    for index in glob.glob(os.path.join(glob.escape(model_dir), 'model.ckpt-*.index')):
        step = index[:-len('.index')].rsplit('-', 1)[1]
        if step.isdigit():
            steps.append((int(step), index[:-len('.index')]))
    return [path for _, path in sorted(steps, reverse=True)]


class Checkpoints(object):
    """`saver` of all variables, `model_dir` the run folder; `pretrained` (path, variables) or None.
    Only the chief worker restores and saves; the others take its variables by `broadcast_op`."""

    def __init__(self, saver, model_dir, workers, pretrained=None, broadcast_op=None):
        self.saver = saver
        self.model_dir = model_dir
        self.workers = workers
        self.pretrained = pretrained
        self.broadcast_op = broadcast_op

    def restore_or_initialize(self, sess):
        """Initialise, restore (chief), broadcast; returns what the chief started from, in words."""
        sess.run(tf.global_variables_initializer())
        message = self._restore(sess) if self.workers.is_chief else None
        if self.broadcast_op is not None:
            sess.run(self.broadcast_op)
        return message

    def _restore(self, sess):
        """The newest checkpoint of the run folder that restores; a damaged one (a truncated .data
        file) is skipped for the one before, and a folder whose checkpoints all fail is refused (never
        trained over from scratch)."""
        saved = run_checkpoints(self.model_dir)
        damaged = []
        for path in saved:
            try:
                self.saver.restore(sess, path)
            except (tf.errors.OutOfRangeError, tf.errors.DataLossError, tf.errors.NotFoundError,
                    tf.errors.InvalidArgumentError) as e:
                damaged.append('%s: %s' % (os.path.basename(path), _first_line(e)))
                continue
            return 'resumed from %s%s' % (path, ' (skipped damaged %s)' % '; '.join(damaged) if damaged else '')
        if saved:
            raise HMRError('cannot resume %s: none of its checkpoints can be restored (%s)'
                           % (self.model_dir, '; '.join(damaged)))
        if self.pretrained is not None:
            path, variables = self.pretrained
            try:
                tf.train.Saver(variables).restore(sess, path)
            except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError, ValueError) as e:
                raise HMRError('pretrained_model_path %s is not a ResNet-50 v2 checkpoint (%s)' % (
                    path, _first_line(e)))
            return 'initialised the encoder from %s' % path
        return 'initialised from scratch'

    def save(self, sess, global_step):
        """Checkpoint model.ckpt-<step> (chief only: the workers hold the same variables); its path or None."""
        if not self.workers.is_chief:
            return None
        return self.saver.save(sess, os.path.join(self.model_dir, 'model.ckpt'), global_step=global_step)
