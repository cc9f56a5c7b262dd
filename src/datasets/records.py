"""TFRecord files of tf.train.Examples: written in shards that are never left half-written, and read
back.

A shard is written to a hidden temporary file beside its final name (`.train_000.tfrecord.partial`) and
renamed when it is complete, so an interrupted conversion leaves only whole shards under the names
the training reader globs (`train_*.tfrecord`); running the converter again overwrites them.
"""
import os
import os.path as osp

from ..compat import tf
from ..errors import HMRError


class ShardedWriter(object):
    """Writes tf.train.Examples into `pattern % shard_index` files of at most `per_shard` records;
    per_shard None writes one file named `pattern` (no % in it)."""

    def __init__(self, pattern, per_shard):
        if per_shard is not None and per_shard < 1:
            raise HMRError('records per shard must be at least 1, got %d' % per_shard)
        self.pattern = pattern
        self.per_shard = per_shard
        self.paths = []
        self.num_written = 0
        self._writer = None
        self._tmp = None
        self._in_shard = 0
        out_dir = osp.dirname(pattern)
        if out_dir and not osp.isdir(out_dir):
            os.makedirs(out_dir)

    def _open(self):
        path = self.pattern if self.per_shard is None else self.pattern % len(self.paths)
        self._tmp = osp.join(osp.dirname(path), '.%s.partial' % osp.basename(path))
        self._writer = tf.python_io.TFRecordWriter(self._tmp)
        self.paths.append(path)
        self._in_shard = 0

    def _finish(self):
        if self._writer is not None:
            self._writer.close()
            os.rename(self._tmp, self.paths[-1])
            self._writer = None

    def write(self, example):
        if self._writer is not None and self.per_shard is not None and self._in_shard >= self.per_shard:
            self._finish()
        if self._writer is None:
            self._open()
        self._writer.write(example.SerializeToString())
        self._in_shard += 1
        self.num_written += 1

    def close(self):
        self._finish()

    def abort(self):
        """Drop the shard being written (the finished ones stay)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self.paths.pop()
            if osp.exists(self._tmp):
                os.remove(self._tmp)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False


def read_records(path):
    """The tf.train.Examples of one TFRecord file, in order (for checks and tests)."""
    examples = []
    for data in tf.python_io.tf_record_iterator(path):
        example = tf.train.Example()
        example.ParseFromString(data)
        examples.append(example)
    return examples
