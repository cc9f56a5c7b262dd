"""Where a training run starts and what it keeps: resume from the run folder's latest checkpoint, or
start the encoder from a pretrained ResNet, or from scratch; saves under the released names."""
import os

from ..compat import tf
from ..errors import HMRError


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
        latest = tf.train.latest_checkpoint(self.model_dir)
        if latest:
            self.saver.restore(sess, latest)
            return 'resumed from %s' % latest
        if self.pretrained is not None:
            path, variables = self.pretrained
            try:
                tf.train.Saver(variables).restore(sess, path)
            except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError, ValueError) as e:
                raise HMRError('pretrained_model_path %s is not a ResNet-50 v2 checkpoint (%s)' % (
                    path, str(getattr(e, 'message', e)).strip().splitlines()[0]))
            return 'initialised the encoder from %s' % path
        return 'initialised from scratch'

    def save(self, sess, global_step):
        """Checkpoint model.ckpt-<step> (chief only: the workers hold the same variables); its path or None."""
        if not self.workers.is_chief:
            return None
        return self.saver.save(sess, os.path.join(self.model_dir, 'model.ckpt'), global_step=global_step)
