"""Where the demo's outputs are made while the model runs on: files on a writer thread, pictures in
worker processes that each hold their own renderer (a GL context belongs to one process), and a
ledger that reports each input's outputs in input order and bounds how many are in flight.
"""
import collections
import concurrent.futures
import multiprocessing
import signal

_RENDERER = []


def _start_worker(faces):
    """Each picture worker: its own renderer; Ctrl-C is the parent's to handle (it lets the worker
    finish the file it is writing, so none is left half-written). A renderer that cannot start is
    kept as the error each job then reports: a pool whose initializer raises starts new workers
    forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from ..util.renderer import SMPLRenderer
        _RENDERER.append(SMPLRenderer(faces=faces))
    except Exception as e:
        _RENDERER.append(e)


def _run_with_renderer(function, args):
    if isinstance(_RENDERER[0], Exception):
        raise _RENDERER[0]
    return function(_RENDERER[0], *args)


class Pictures(object):
    """Runs `function(renderer, *args)` jobs in `workers` processes, or here when workers is 0.

    submit() returns a concurrent.futures.Future either way."""

    def __init__(self, workers, faces):
        self.workers = workers
        self._pool = None
        self._renderer = None
        if workers:
            self._pool = multiprocessing.get_context('spawn').Pool(workers, _start_worker, (faces,))
        else:
            from ..util.renderer import SMPLRenderer
            self._renderer = SMPLRenderer(faces=faces)

    def submit(self, function, *args):
        future = concurrent.futures.Future()
        if self._pool is None:
            try:
                future.set_result(function(self._renderer, *args))
            except Exception as e:
                future.set_exception(e)
        else:
            self._pool.apply_async(_run_with_renderer, (function, args), callback=future.set_result,
                                   error_callback=future.set_exception)
        return future

    def close(self):
        """Wait for the jobs already given, then stop the workers."""
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None


class Ledger(object):
    """Outputs in flight per input, reported (`on_done(name, errors)`) in input order once all of an
    input's jobs are finished; at most `limit` inputs in flight."""

    def __init__(self, limit, on_done):
        self.limit = limit
        self.on_done = on_done
        self._entries = collections.deque()

    def add(self, name, futures):
        self._entries.append((name, futures))
        while len(self._entries) > self.limit:
            self._report_first()
        self.collect(block=False)

    def collect(self, block=True):
        """Report finished inputs at the head; with block, wait for all."""
        while self._entries and (block or all(f.done() for f in self._entries[0][1])):
            self._report_first()

    def _report_first(self):
        name, futures = self._entries.popleft()
        errors = []
        for future in futures:
            error = future.exception()
            if error is not None:
                errors.append(error)
        self.on_done(name, errors)
