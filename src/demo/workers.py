"""Where the demo's outputs are made while the model runs on: files on a writer thread, pictures in
worker processes that each hold their own renderer (a GL context belongs to one process), and a
ledger that reports each input's outputs in input order and bounds how many are in flight.

The workers run in a concurrent.futures.ProcessPoolExecutor, which notices a worker that dies (the
OOM killer, `kill -9`) and fails its jobs with BrokenProcessPool instead of waiting for them forever
(multiprocessing.Pool replaces the worker and drops its job). Jobs lost that way are given once more
to a fresh pool; a job lost twice fails with one line.
"""
import collections
import concurrent.futures
import multiprocessing
import os
import multiprocessing.queues
import multiprocessing.reduction
import pickle
import queue
import signal
import sys
import threading
from concurrent.futures.process import BrokenProcessPool

from ..errors import HMRError

_RENDERER = []
_IN_JOB = []  # non-empty while this worker runs a job


def _start_worker(faces):
    """Each picture worker: its own renderer; Ctrl-C is the parent's to handle (it lets the worker
    finish the file it is writing, so none is left half-written). A renderer that cannot start is
    kept as the error each job then reports: a pool whose initializer raises is broken."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _unwind)
    try:
        from ..util.renderer import SMPLRenderer
        _RENDERER.append(SMPLRenderer(faces=faces))
    except Exception as e:
        _RENDERER.append(e)


def _unwind(signum, frame):
    """SIGTERM (the pool ends its workers when one of them died): unwind the job, so that the file it
    was writing removes its temporary name, instead of dying with a stray temporary file left. Between
    jobs (or while starting) there is nothing to unwind: end at once, without a traceback."""
    if not _IN_JOB:
        os._exit(128 + signum)
    raise SystemExit(128 + signum)


def _run_with_renderer(function, args):
    if isinstance(_RENDERER[0], Exception):
        raise _RENDERER[0]
    _IN_JOB.append(True)
    try:
        return function(_RENDERER[0], *args)
    except SystemExit:
        os._exit(143)  # terminated mid-job, its files unwound: end now, as SIGTERM would have
    finally:
        _IN_JOB.pop()


def _spawn_pool(workers, faces):
    """A process pool of `workers` spawned processes (no fork of the model's threads), each started
    by _start_worker."""
    context = multiprocessing.get_context('spawn')
    if sys.version_info >= (3, 7):
        return concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                                      initargs=(faces,))
    return _SpawnPool36(workers, context, faces)


def _worker36(call_queue, result_queue, faces):
    from concurrent.futures import process
    _start_worker(faces)
    process._process_worker(call_queue, result_queue)


def _call_pickled(payload):
    function, args = pickle.loads(payload)
    return function(*args)


class _CallQueue36(multiprocessing.queues.Queue):
    """Python 3.6's executor, once a worker died, terminates the others and puts one stop mark per
    worker still alive into this queue without waiting: with jobs still queued it is full, and the
    queue.Full kills the executor's thread with a traceback. The workers are being terminated, so
    a stop mark that does not fit is not needed (on a clean shutdown the queue is empty)."""

    def put_nowait(self, obj):
        try:
            return super(_CallQueue36, self).put_nowait(obj)
        except queue.Full:
            if obj is not None:
                raise


class _ResultQueue36(multiprocessing.queues.SimpleQueue):
    """The results' queue of _SpawnPool36. The parent puts None into it only to wake the executor's
    thread, and a worker killed while writing a result leaves the queue's write lock held for good: a
    wakeup that waits for that lock never returns (a submit, a shutdown, or the garbage collector's
    callback of the broken pool; seen as a hang of the video overlay pass). A wakeup waits for the
    lock a while (a live writer releases it within moments; dropping the wakeup then could lose it, if
    the writer's message was read already), and is dropped only past that: the holder is dead (its
    death, seen through its sentinel, wakes the thread) or blocked writing to a full pipe that the
    waking thread itself drains (its message wakes the thread)."""

    def put(self, obj):
        if obj is not None:
            return super(_ResultQueue36, self).put(obj)
        if self._wlock.acquire(True, _WAKEUP_LOCK_WAIT_S):
            try:
                self._writer.send_bytes(_WAKEUP)
            finally:
                self._wlock.release()


_WAKEUP = bytes(multiprocessing.reduction.ForkingPickler.dumps(None))
_WAKEUP_LOCK_WAIT_S = 5.


class _SpawnPool36(concurrent.futures.ProcessPoolExecutor):
    """Python 3.6's ProcessPoolExecutor (no mp_context, no initializer) with spawned workers started
    by _start_worker: its queues and processes made from the spawn context (the legacy runtime
    pins Python 3.6.15, whose executor these attributes belong to). Jobs are pickled on submit: on
    3.6 a job that cannot be pickled is lost in the queue's feeder thread and waited for forever."""

    def __init__(self, workers, context, faces):
        from concurrent.futures import process
        super(_SpawnPool36, self).__init__(workers)
        self._context, self._faces = context, faces
        self._call_queue = _CallQueue36(self._max_workers + process.EXTRA_QUEUED_CALLS, ctx=context)
        self._call_queue._ignore_epipe = True
        self._result_queue = _ResultQueue36(ctx=context)

    def _adjust_process_count(self):
        for _ in range(len(self._processes), self._max_workers):
            p = self._context.Process(target=_worker36, args=(self._call_queue, self._result_queue, self._faces))
            p.start()
            self._processes[p.pid] = p

    def submit(self, function, *args):
        try:
            payload = pickle.dumps((function, args), pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            future = concurrent.futures.Future()
            future.set_exception(e)
            return future
        return super(_SpawnPool36, self).submit(_call_pickled, payload)


class _Job(concurrent.futures.Future):
    """A picture job's outcome; `attempt` is the pool's Future now running it. Cancelling a job leaves
    its attempt to run: the executor sets BrokenProcessPool on every attempt it still holds when a
    worker dies, a cancelled one included, and that InvalidStateError kills its management thread
    (shutdown then waits forever; Python 3.6 to 3.11). A cancelled job ignores its attempt's outcome."""

    def __init__(self):
        super(_Job, self).__init__()
        self.attempt = None


class _OneBlasThread(object):
    """While any Pictures has worker processes, NumPy's BLAS runs on one thread in this process. The
    legacy runtime's OpenBLAS (0.2.18, in NumPy 1.14) shuts its thread pool down before every fork: a
    worker spawned from another thread (a fresh pool, started from a callback when a worker died) while
    the main thread is inside a threaded BLAS call leaves that call waiting forever (seen as a hang of
    the video overlay pass in the NumPy body; reproduced in a minute by spawning in a loop beside BLAS
    calls). On one thread no call waits on the pool. The products run here are one frame's pose at a
    time: small enough for one thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._limits = None

    def acquire(self):
        from threadpoolctl import threadpool_limits
        with self._lock:
            if not self._users:
                self._limits = threadpool_limits(1, user_api='blas')
            self._users += 1

    def release(self):
        with self._lock:
            self._users -= 1
            if not self._users:
                self._limits.restore_original_limits()


_ONE_BLAS_THREAD = _OneBlasThread()


class Pictures(object):
    """Runs `function(renderer, *args)` jobs in `workers` processes, or here when workers is 0.

    submit() returns a concurrent.futures.Future either way. When a worker dies, the pool fails every
    job it held (it cannot tell whose worker died): those jobs are run again one at a time in a
    one-worker pool, so that a job that kills its worker again fails alone, with an HMRError naming
    `describe(args)`, and the others are drawn. New jobs go to a fresh pool meanwhile."""

    def __init__(self, workers, faces, describe=None):
        self.workers = workers
        self._faces = faces
        self._describe = describe or (lambda args: 'a picture')
        self._pool = None
        self._renderer = None
        self._lock = threading.RLock()
        self._retry_pool = None
        self._retries = collections.deque()
        self._retrying = False
        self._retries_done = threading.Condition(self._lock)
        self._one_blas_thread = bool(workers)
        if workers:
            _ONE_BLAS_THREAD.acquire()
            self._pool = _spawn_pool(workers, faces)
        else:
            from ..util.renderer import SMPLRenderer
            self._renderer = SMPLRenderer(faces=faces)

    def submit(self, function, *args):
        if self._pool is None:
            future = concurrent.futures.Future()
            try:
                future.set_result(function(self._renderer, *args))
            except Exception as e:
                future.set_exception(e)
            return future
        job = _Job()
        with self._lock:
            try:
                pool = self._pool
                attempt = pool.submit(_run_with_renderer, function, args)
            except BrokenProcessPool:
                pool = self._pool = self._fresh(pool, self.workers)
                attempt = pool.submit(_run_with_renderer, function, args)
        self._follow(job, attempt, pool, lambda: self._retry(job, function, args, pool))
        return job

    def _follow(self, job, attempt, pool, on_broken):
        """`job` takes `attempt`'s outcome, or on_broken() runs if its pool broke."""
        job.attempt = attempt

        def finished(attempt):
            if attempt.cancelled() or job.cancelled():
                return
            error = attempt.exception()
            if isinstance(error, BrokenProcessPool):
                return on_broken()
            if job.set_running_or_notify_cancel():
                if error is None:
                    job.set_result(attempt.result())
                else:
                    job.set_exception(error)
        attempt.add_done_callback(finished)

    def _fresh(self, broken, workers):
        if broken is not None:
            broken.shutdown(wait=False)
        return _spawn_pool(workers, self._faces)

    def _retry(self, job, function, args, pool):
        with self._lock:
            if self._pool is pool:
                self._pool = self._fresh(pool, self.workers)
            self._retries.append((job, function, args))
            self._next_retry()

    def _next_retry(self):
        """Start the next job waiting for its second try, if none is running (the lock is held)."""
        if self._retrying or not self._retries:
            self._retries_done.notify_all()
            return
        job, function, args = self._retries.popleft()
        if self._retry_pool is None:
            self._retry_pool = self._fresh(None, 1)
        self._retrying = True
        attempt = self._retry_pool.submit(_run_with_renderer, function, args)

        def lost_again():
            if job.set_running_or_notify_cancel():
                job.set_exception(HMRError('%s: the picture worker drawing it died twice (killed, or out of '
                                           'memory?)' % self._describe(args)))
            with self._lock:
                self._retry_pool.shutdown(wait=False)
                self._retry_pool = None

        def then_next(_):
            with self._lock:
                self._retrying = False
                self._next_retry()
        self._follow(job, attempt, self._retry_pool, lost_again)
        attempt.add_done_callback(then_next)

    def close(self):
        """Wait for the jobs already given (and their second tries), then stop the workers."""
        while True:
            with self._lock:
                pool = self._pool
            if pool is not None:
                pool.shutdown(wait=True)
            with self._lock:
                while self._retrying or self._retries:
                    self._retries_done.wait()
                if self._pool is pool:
                    self._pool = None
                    if self._retry_pool is not None:
                        self._retry_pool.shutdown(wait=True)
                        self._retry_pool = None
                    if self._one_blas_thread:
                        self._one_blas_thread = False
                        _ONE_BLAS_THREAD.release()
                    return


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
