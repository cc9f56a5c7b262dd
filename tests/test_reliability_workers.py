"""Picture workers that die (kill -9, the OOM killer) or a run that fails or is interrupted while they
draw: the run ends, the lost pictures are drawn again once or fail with one line naming the input, and
the exit status says whether something was lost (issue 22, item 1)."""
import gc
import multiprocessing
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from src.demo import workers
from src.demo.workers import Pictures
from src.errors import HMRError
from src.samples.sample_clip import write_sample_clip
from tests.conftest import PROJECT_DIR
from tests.reliability_jobs import always_die, die_writing_the_result, square, suicide, take_write_lock_and_die
from tests.test_demo import sample_image

# Each test ends in well under this on 2 cores; a hang fails it instead of blocking the suite.
pytestmark = pytest.mark.timeout(600)
FAULTY_DEMO = os.path.join(PROJECT_DIR, 'tests', 'reliability_demo.py')


def faulty_demo(synthetic_models, fault, *args):
    """(exit status, stderr lines that are errors or failures) of the demo with `fault` injected."""
    smpl, ckpt = synthetic_models
    env = dict(os.environ, RELIABILITY_FAULT=fault)
    proc = subprocess.run([sys.executable, FAULTY_DEMO, '--load_path', ckpt, '--smpl_model_path', smpl,
                           '--detector', 'none', '--nopage'] + list(args), cwd=PROJECT_DIR, env=env, timeout=540,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    lines = [l for l in proc.stderr.splitlines()
             if l.startswith(('error', 'failed', 'interrupted')) or 'Traceback' in l]
    return proc.returncode, lines


@pytest.fixture(scope='module')
def faces():
    return np.array([[0, 1, 2]], np.int64)


def test_a_job_whose_worker_dies_is_run_again_on_a_fresh_pool(tmp_path, faces):
    pictures = Pictures(2, faces)
    try:
        jobs = [pictures.submit(square, v) for v in range(4)]
        lost = pictures.submit(suicide, str(tmp_path / 'died'), 7)
        jobs += [pictures.submit(square, v) for v in range(4, 8)]
        assert lost.result(timeout=120) == 7
        assert [job.result(timeout=120) for job in jobs] == [v * v for v in range(8)]
    finally:
        pictures.close()
    assert os.path.exists(str(tmp_path / 'died'))


def test_a_job_that_kills_its_worker_twice_fails_with_one_line_and_the_others_finish(faces):
    pictures = Pictures(2, faces, describe=lambda args: 'picture %d' % args[0])
    try:
        doomed = pictures.submit(always_die, 3)
        with pytest.raises(HMRError, match=r'^picture 3: the picture worker drawing it died twice'):
            doomed.result(timeout=120)
        assert [pictures.submit(square, v).result(timeout=120) for v in range(3)] == [0, 1, 4]
    finally:
        pictures.close()


def test_cancelled_jobs_do_not_stall_close(faces):
    pictures = Pictures(1, faces)
    jobs = [pictures.submit(square, v) for v in range(50)]
    cancelled = [job.cancel() for job in jobs[::-1]]
    pictures.close()  # returns: multiprocessing.Pool hung here on Python 3.8+ (InvalidStateError)
    assert any(cancelled)
    assert all(job.cancelled() or job.result() == v * v for v, job in enumerate(jobs))


def returns_within(seconds, function):
    """True if function() returned within `seconds` (run on a daemon thread, which a hang leaves behind)."""
    thread = threading.Thread(target=function, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


def lock_taken_by_a_dead_worker(queue):
    dying = multiprocessing.get_context('spawn').Process(target=take_write_lock_and_die, args=(queue,))
    dying.start()
    dying.join()
    assert dying.exitcode == 9


def test_a_wakeup_skips_a_result_queue_whose_writer_died():
    queue = workers._ResultQueue36(ctx=multiprocessing.get_context('spawn'))
    queue.put(None)
    assert queue.get() is None  # delivered while the lock is free
    lock_taken_by_a_dead_worker(queue)
    assert returns_within(30, lambda: queue.put(None))  # after waiting _WAKEUP_LOCK_WAIT_S for the lock
    assert queue.empty()


def test_a_wakeup_waits_for_a_writer_that_is_releasing_the_lock():
    """Dropped at once, a wakeup was lost when the writer's message had been read already (a folder
    run's shutdown then waited forever)."""
    queue = workers._ResultQueue36(ctx=multiprocessing.get_context('spawn'))
    queue._wlock.acquire()
    threading.Timer(0.5, queue._wlock.release).start()
    queue.put(None)
    assert queue._reader.poll(10) and queue.get() is None


def blas_threads():
    """The thread counts of NumPy's BLAS (OpenCV bundles a single-threaded one)."""
    from threadpoolctl import threadpool_info
    return {pool['num_threads'] for pool in threadpool_info()
            if pool['user_api'] == 'blas' and 'numpy' in pool['filepath']}


def test_numpy_runs_one_blas_thread_while_picture_workers_can_be_spawned(faces):
    """The legacy OpenBLAS hangs a threaded BLAS call when a worker is spawned from another thread."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(2, user_api='blas'):
        assert blas_threads() == {2}
        first, second = Pictures(1, faces), Pictures(1, faces)
        assert blas_threads() == {1}
        first.close()
        assert blas_threads() == {1}  # the other still has workers
        second.close()
        assert blas_threads() == {2}


@pytest.mark.skipif(sys.version_info >= (3, 7), reason='the pool of Python 3.6 (the legacy runtime)')
def test_a_pool_whose_worker_died_writing_its_result_is_dropped_without_a_hang(faces):
    """The hang of the overlay pass on the legacy runtime: the broken pool's shutdown, and the garbage
    collector's callback once it is gone, woke its thread through the result queue, whose write lock
    the dead worker held."""
    pool = workers._spawn_pool(1, faces)
    with pytest.raises(workers.BrokenProcessPool):
        pool.submit(die_writing_the_result, None).result(timeout=120)

    def drop():
        pool.shutdown(wait=False)
        gc.collect()
    assert returns_within(60, drop)


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp('photos')
    for name in ('a', 'b', 'c', 'd'):
        sample_image(str(folder / ('%s.png' % name)), size=(90, 120))
    return str(folder)


def test_folder_run_survives_a_worker_killed_once(folder, synthetic_models, tmp_path):
    out = str(tmp_path / 'out')
    code, lines = faulty_demo(synthetic_models, 'kill_figure:b:%s' % (tmp_path / 'died'),
                              '--img_path', folder, '--out_dir', out, '--workers', '2', '--outputs', 'figure,json')
    assert os.path.exists(str(tmp_path / 'died'))
    assert (code, lines) == (0, [])
    assert sorted(os.listdir(out)) == sorted(n + e for n in 'abcd' for e in ('.json', '.png'))


def test_folder_run_fails_the_image_whose_workeralways_dies(folder, synthetic_models, tmp_path):
    out = str(tmp_path / 'out')
    code, lines = faulty_demo(synthetic_models, 'kill_figure:b', '--img_path', folder, '--out_dir', out,
                              '--workers', '2', '--outputs', 'figure')
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith('failed: %s: the picture worker' % os.path.join(folder, 'b.png'))
    assert sorted(os.listdir(out)) == ['a.png', 'c.png', 'd.png']


@pytest.fixture(scope='module')
def clip(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('clip') / 'walk.mp4')
    write_sample_clip(path, fps=10., seconds=2.)
    return path


def test_video_run_survives_a_worker_killed_in_the_overlay_pass(clip, synthetic_models, tmp_path):
    out = str(tmp_path / 'out')
    code, lines = faulty_demo(synthetic_models, 'kill_overlay:%s' % (tmp_path / 'died'), '--img_path', clip,
                              '--out_dir', out, '--workers', '2', '--outputs', 'video')
    assert os.path.exists(str(tmp_path / 'died'))
    assert (code, lines) == (0, [])
    assert os.listdir(out) == ['walk.mp4']


@pytest.mark.parametrize('fault, status, message', [
    ('fail_write:3', 1, 'error: %s: injected write failure'),
    ('sigint_write:3', 130, 'interrupted: the files written so far are complete'),
])
def test_video_overlay_pass_ends_on_an_error_or_ctrl_c(clip, synthetic_models, tmp_path, fault, status, message):
    out = str(tmp_path / 'out')
    code, lines = faulty_demo(synthetic_models, fault, '--img_path', clip, '--out_dir', out, '--workers', '2',
                              '--outputs', 'video')
    assert code == status
    assert lines == [message.replace('%s', os.path.join(out, 'walk.mp4'))]
    assert os.listdir(out) == []
