"""Data-parallel training on Horovod (`horovodrun ... python -m src.main --distributed`).

The only module that knows Horovod. Without --distributed everything here is the identity: one
worker, rank 0, the optimisers unwrapped, no broadcast, so the single-process path is unchanged.

With N workers each reads its own shard of the records with its own shuffle, gradients are averaged
over the workers every step (hvd.DistributedOptimizer around the encoder's and the discriminator's
Adam), the variables are broadcast from rank 0 after initialisation or restore, and only rank 0
writes checkpoints, summaries, params.json and progress. `batch_size` stays per worker: the global
batch is batch_size * N, and the learning rates are scaled by `lr_scaling` ('linear': times N, the
usual rule for averaged gradients; 'none': as given).
"""
import contextlib

from .compat import tf
from .errors import HMRError

LR_SCALING = ('linear', 'none')
# How a collective fails when a peer is gone: Horovod shut down (Unknown), Gloo's timeout, lost connections.
COLLECTIVE_FAILURES = (tf.errors.UnknownError, tf.errors.AbortedError, tf.errors.UnavailableError,
                       tf.errors.DeadlineExceededError, tf.errors.FailedPreconditionError, tf.errors.InternalError)


class Workers(object):
    """Who this process is among the workers, and the few operations that depend on it."""

    def __init__(self, distributed=False, lr_scaling='linear'):
        self.distributed = distributed
        self.lr_scaling = lr_scaling
        if lr_scaling not in LR_SCALING:
            raise HMRError('--lr_scaling must be one of %s, not %s' % (', '.join(LR_SCALING), lr_scaling))
        self.hvd = None
        self._stop_vote = None
        self.rank, self.size, self.local_rank = 0, 1, 0
        if distributed:
            self.hvd = _import_horovod()
            self.hvd.init()
            self.rank, self.size, self.local_rank = self.hvd.rank(), self.hvd.size(), self.hvd.local_rank()

    @property
    def is_chief(self):
        return self.rank == 0

    def learning_rate(self, base):
        return base * self.size if self.lr_scaling == 'linear' else base

    def optimizer(self, optimizer, name):
        """`optimizer` with its gradients averaged over the workers. The inner optimizer keeps its own
        name, so the slot variables keep the released checkpoint names."""
        if self.hvd is None:
            return optimizer
        return self.hvd.DistributedOptimizer(optimizer, name=name)

    def broadcast(self):
        """An op that sets every worker's global variables to rank 0's (None for one process)."""
        if self.hvd is None:
            return None
        return self.hvd.broadcast_global_variables(0)

    def agree_to_stop(self, sess, wants_to_stop):
        """True on every worker when any of them wants to stop (so all stop after the same step)."""
        if self.hvd is None:
            return wants_to_stop
        if self._stop_vote is None:
            raise HMRError('agree_to_stop needs build_stop_vote() while the graph is built')
        wants, anyone = self._stop_vote
        with self.collective_errors():
            return bool(sess.run(anyone, {wants: float(wants_to_stop)}))

    @contextlib.contextmanager
    def collective_errors(self, run_dir=None):
        """A failed collective (a worker died or cannot be reached: Gloo reports it, or times out)
        becomes one HMRError that says how to go on."""
        try:
            yield
        except COLLECTIVE_FAILURES as e:
            if self.hvd is None:
                raise
            raise HMRError('a worker stopped or cannot be reached (%s): resume from rank 0\'s last checkpoint '
                           'with --load_path %s' % (_first_line(e.message), run_dir or '<run folder>'))

    def build_stop_vote(self):
        """Adds the collective behind agree_to_stop to the current graph (distributed runs only)."""
        if self.hvd is not None:
            wants = tf.placeholder(tf.float32, [], name='wants_to_stop')
            self._stop_vote = wants, self.hvd.allreduce(wants, op=self.hvd.Sum, name='stop_vote') > 0

    def session_config(self):
        config = tf.ConfigProto(gpu_options=tf.GPUOptions(allow_growth=True))
        if self.hvd is not None:
            # One GPU per process (ignored where there is none).
            config.gpu_options.visible_device_list = str(self.local_rank)
        return config

    def shard(self, files):
        """(the files this worker reads, whether it must also keep only every size-th of their records):
        whole files when there are enough to go round, otherwise all files, split by record."""
        if self.size == 1:
            return files, False
        if len(files) >= self.size:
            return files[self.rank::self.size], False
        return files, True

    def seed(self, seed):
        """A different but repeatable shuffle per worker."""
        return None if seed is None else seed + 1000 * self.rank


def _first_line(message):
    """The informative line of a TensorFlow error message (graph-mode messages start with boilerplate)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(('Graph execution error', 'Detected at', '[[', 'Node:',
                                                             'Original stack trace', 'File '))]
    return (useful or lines or [''])[0].split('. ')[0]


def _import_horovod():
    try:
        import horovod.tensorflow as hvd
    except ImportError as e:
        raise HMRError('--distributed needs Horovod, which is not installed in this environment (%s): run '
                       '`make setup-horovod` (modern runtime only)' % e)
    return hvd


SINGLE = Workers()
