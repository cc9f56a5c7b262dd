"""Keeping the model busy: inputs prepared ahead on a thread, and crops of many images (and people)
run through the model in full batches, results handed back per input, in input order."""
import collections
import queue
import sys
import threading

import numpy as np

from ..backends.common import fill_batch
from .records import Prediction

_END = object()


def prefetched(iterable, size):
    """Iterate `iterable` on a background thread, at most `size` items ahead of the consumer.

    An exception in the producer is raised in the consumer; leaving the loop early (break, error,
    Ctrl-C) stops the producer after its current item."""
    items = queue.Queue(maxsize=size)
    stop = threading.Event()

    def put(item):
        while not stop.is_set():
            try:
                items.put(item, timeout=.1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in iterable:
                if not put((item, None)):
                    return
        except BaseException:  # handed to the consumer, which raises it
            put((_END, sys.exc_info()))
            return
        put((_END, None))

    thread = threading.Thread(target=produce, name='prefetch')
    thread.daemon = True
    thread.start()
    try:
        while True:
            item, error = items.get()
            if item is _END:
                if error is not None:
                    raise error[1].with_traceback(error[2])
                return
            yield item
    finally:
        stop.set()
        thread.join()


def predict_stream(model, items, crops_of):
    """Yield (item, predictions) for each of `items` in order, where predictions is one Prediction
    (a row of RunModel.predict_dict) per crop of `crops_of(item)` (a list, possibly empty).

    Crops are gathered across items into batches of the model's batch size; the last batch is padded
    with zeros. An item is yielded as soon as all its crops have run."""
    batch_size = model.batch_size
    waiting = collections.deque()  # [item, crops still to come, predictions so far]
    queued = []  # (entry, crop) not yet run

    def run(count):
        batch = np.stack([crop for _, crop in queued[:count]]).astype(np.float32)
        results = model.predict_dict(fill_batch(batch, batch_size))
        for row, (entry, _) in enumerate(queued[:count]):
            entry[2].append(Prediction.row(results, row))
            entry[1] -= 1
        del queued[:count]

    def finished():
        while waiting and waiting[0][1] == 0:
            entry = waiting.popleft()
            yield entry[0], entry[2]

    for item in items:
        crops = crops_of(item)
        entry = [item, len(crops), []]
        waiting.append(entry)
        queued.extend((entry, crop) for crop in crops)
        while len(queued) >= batch_size:
            run(batch_size)
        for done in finished():
            yield done
    if queued:
        run(len(queued))
    for done in finished():
        yield done
