"""Data-parallel training on Horovod (`horovodrun --gloo -np 2` on localhost, CPU): ranks in sync, two
workers x B equal to one worker x 2B, only rank 0 writes, a killed worker ends the run, and the run
resumes on another number of workers."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from src.config import get_config
from src.errors import HMRError
from tests.conftest import PROJECT_DIR, missing
from src.samples.synthetic_datasets import write_tiny_datasets
from tests.runtimes import current_runtime


@pytest.fixture(scope='module')
def horovod():
    """Horovod is built for the modern runtime only: there CI (HMR_REQUIRE_REFERENCE=1) needs it."""
    try:
        import horovod.tensorflow  # noqa: F401
    except ImportError:
        if current_runtime() == 'legacy':
            pytest.skip('Horovod is built for the modern runtime only (its build for TF 1.12 needs g++ < 5)')
        missing('Horovod is not installed in this runtime (make setup-horovod)')


def needs_horovod(test):
    """Marks a test that runs Horovod: `-m 'not horovod'` deselects it where Horovod is left out on
    purpose (the image `make docker-check` builds)."""
    return pytest.mark.horovod(pytest.mark.usefixtures('horovod')(test))


HOROVODRUN = os.path.join(os.path.dirname(sys.executable), 'horovodrun')
# Each test trains with several processes on a 2-core machine, with its own time limits inside.
pytestmark = pytest.mark.timeout(1800)
# A run that has lost a worker must end within this (Gloo notices the closed connection at once; the
# launcher then stops the rest).
END_AFTER_KILL_SECONDS = 60


def env():
    values = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', PYTHONPATH=PROJECT_DIR, HOROVOD_GLOO_TIMEOUT_SECONDS='30')
    values['PATH'] = os.path.dirname(sys.executable) + os.pathsep + values['PATH']
    return values


def horovodrun(np_, *command):
    return [HOROVODRUN, '--gloo', '-np', str(np_), '-H', 'localhost:%d' % np_, sys.executable] + list(command)


def run(command, timeout=600):
    done = subprocess.run(command, cwd=PROJECT_DIR, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout)
    output = done.stdout.decode('utf-8', 'replace')
    assert done.returncode == 0, output[-3000:]
    return output


@pytest.fixture(scope='module')
def setup(tmp_path_factory, synthetic_models):
    data_dir = write_tiny_datasets(str(tmp_path_factory.mktemp('data')), n=8)
    return synthetic_models[0], data_dir


def load_npz(path):
    with np.load(path) as values:
        return {k: values[k] for k in values.files}


@needs_horovod
def test_ranks_hold_identical_variables_after_steps(setup, tmp_path):
    smpl, data_dir = setup
    run(horovodrun(2, '-m', 'tests.hvd_worker', 'sync', str(tmp_path), smpl, data_dir))
    rank0, rank1 = load_npz(str(tmp_path / 'rank0.npz')), load_npz(str(tmp_path / 'rank1.npz'))
    assert len(rank0) == 832 and sorted(rank0) == sorted(rank1)
    for name in rank0:
        np.testing.assert_array_equal(rank0[name], rank1[name], err_msg=name)
    assert int(rank0['global_step']) == 3
    # Each rank started from its own random values: the broadcast, then the averaged updates, made them equal.


@needs_horovod
def test_two_workers_of_batch_b_update_like_one_worker_of_batch_2b(setup, tmp_path):
    smpl, data_dir = setup
    run(horovodrun(2, '-m', 'tests.hvd_worker', 'equivalence', str(tmp_path), smpl, data_dir))
    run([sys.executable, '-m', 'tests.hvd_worker', 'equivalence', str(tmp_path), smpl, data_dir])
    single, rank0 = load_npz(str(tmp_path / 'single.npz')), load_npz(str(tmp_path / 'rank0.npz'))
    assert sorted(single) == sorted(rank0)
    for name, value in single.items():
        if name.endswith(('|Adam', '|Adam_1')):
            # Adam's moments are the gradient's scale: a sum instead of a mean, or a worker using its own
            # half only, would show here (Adam's first step itself is nearly scale-free).
            np.testing.assert_allclose(rank0[name], value, rtol=1e-3, atol=1e-4 * np.abs(value).max() + 1e-12,
                                       err_msg=name)
        elif value.dtype.kind == 'f':
            # The first Adam step moves each weight by +-lr; where the gradient is ~0 the summation order
            # can flip its sign, so a few weights in a million may differ by 2 lr.
            differ = ~np.isclose(rank0[name], value, rtol=1e-4, atol=1e-6)
            assert differ.mean() <= 1e-3, (name, differ.mean())
    assert int(rank0['global_step']) == int(single['global_step']) == 1


@pytest.fixture(scope='module')
def killed_run(setup, tmp_path_factory):
    """A two-worker CLI run whose rank 1 is SIGKILLed after rank 0's first checkpoint:
    (log_dir, output, seconds from the kill to the end)."""
    smpl, data_dir = setup
    log_dir = str(tmp_path_factory.mktemp('logs'))
    command = horovodrun(2, '-m', 'src.main', '--distributed', '--data_dir=%s' % data_dir,
                         '--smpl_model_path=%s' % smpl, '--log_dir=%s' % log_dir, '--datasets=lsp,h36m',
                         '--mocap_datasets=CMU', '--batch_size=2', '--max_steps=10000', '--log_img_step=1',
                         '--save_every_secs=1')
    launcher = subprocess.Popen(command, cwd=PROJECT_DIR, env=env(), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and not checkpoints(log_dir):
            time.sleep(1)
        assert checkpoints(log_dir), 'rank 0 wrote no checkpoint in time'
        os.kill(worker_pid(launcher.pid, rank=1), signal.SIGKILL)
        killed_at = time.time()
        output, _ = launcher.communicate(timeout=END_AFTER_KILL_SECONDS)
        return log_dir, output.decode('utf-8', 'replace'), time.time() - killed_at, launcher.returncode
    finally:
        kill_tree(launcher)


def checkpoints(log_dir):
    return [os.path.join(d, f) for d, _, files in os.walk(log_dir) for f in files
            if f.startswith('model.ckpt-') and f.endswith('.index')]


def parents():
    """{pid: parent pid} of the processes running now."""
    found = {}
    for name in os.listdir('/proc'):
        try:
            with open('/proc/%s/stat' % name) as f:
                # pid (comm) state ppid ...: comm may hold spaces and parentheses.
                found[int(name)] = int(f.read().rsplit(')', 1)[1].split()[1])
        except (IOError, OSError, ValueError, IndexError):
            continue
    return found


def descendants(root, ppids=None):
    """The pids of the processes started, directly or not, by `root`."""
    ppids = parents() if ppids is None else ppids
    children = {}
    for pid, ppid in ppids.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def kill_tree(process):
    """SIGKILL a Popen and every process it started (and nothing else); wait for it."""
    for pid in [process.pid] + descendants(process.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    process.wait()


def worker_pid(launcher_pid, rank):
    """The pid of the training worker of `rank` among the processes that `launcher_pid` started."""
    for pid in descendants(launcher_pid):
        try:
            with open('/proc/%d/environ' % pid, 'rb') as f:
                environ = f.read().split(b'\0')
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                cmdline = f.read()
        except (IOError, OSError):
            continue
        if b'src.main' in cmdline and b'HOROVOD_RANK=%d' % rank in environ:
            return pid
    raise AssertionError('no worker of rank %d among the processes of launcher %d' % (rank, launcher_pid))


@needs_horovod
def test_killed_worker_ends_the_run_with_a_clear_error(killed_run):
    _, output, seconds, returncode = killed_run
    assert returncode != 0 and seconds < END_AFTER_KILL_SECONDS
    assert 'error: a worker stopped or cannot be reached' in output or 'exited with non-zero status' in output


@needs_horovod
def test_only_rank_0_wrote_the_run_folder(killed_run):
    log_dir, _, _, _ = killed_run
    runs = os.listdir(log_dir)
    assert len(runs) == 1
    files = os.listdir(os.path.join(log_dir, runs[0]))
    assert len([f for f in files if f.startswith('events.out.tfevents')]) == 1
    assert not [f for f in files if f.endswith('.tmp')]
    with open(os.path.join(log_dir, runs[0], 'params.json')) as f:
        params = json.load(f)
    assert params['num_workers'] == 2 and params['global_batch_size'] == 4
    assert params['effective_e_lr'] == pytest.approx(2 * params['e_lr'])  # lr_scaling linear


@needs_horovod
def test_run_resumes_on_one_worker_from_rank_0_checkpoint(killed_run, setup):
    from src.compat import tf
    log_dir, _, _, _ = killed_run
    smpl, data_dir = setup
    run_dir = os.path.join(log_dir, os.listdir(log_dir)[0])
    saved_step = int(tf.train.latest_checkpoint(run_dir).rsplit('-', 1)[1])
    assert saved_step >= 1
    output = run([sys.executable, '-m', 'src.main', '--load_path=%s' % run_dir, '--data_dir=%s' % data_dir,
                  '--smpl_model_path=%s' % smpl, '--log_dir=%s' % log_dir, '--datasets=lsp,h36m',
                  '--mocap_datasets=CMU', '--batch_size=2', '--max_steps=%d' % (saved_step + 2), '--log_img_step=1',
                  '--save_every_secs=1'])
    assert 'resumed from' in output
    assert tf.train.latest_checkpoint(run_dir).endswith('model.ckpt-%d' % (saved_step + 2))


def test_distributed_without_horovod_is_one_line_error(monkeypatch):
    from src import distributed
    monkeypatch.setitem(sys.modules, 'horovod.tensorflow', None)
    with pytest.raises(HMRError, match='make setup-horovod'):
        distributed.Workers(distributed=True)
    config = get_config(['test'])
    assert config.lr_scaling == 'linear' and not config.distributed


def alive(pid):
    """True while `pid` runs (a killed process whose parent is gone may stay a zombie: not alive)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] not in ('Z', 'X')
    except (IOError, OSError):
        return False


def test_only_processes_the_test_started_are_found_and_killed():
    # A process outside the run that looks like a worker (src.main in its command line, HOROVOD_RANK=1)
    # is neither chosen as the worker to kill nor killed when the run is cleaned up.
    look_alike = [sys.executable, '-c', 'import time; time.sleep(120)', 'src.main']
    worker_env = dict(os.environ, HOROVOD_RANK='1')
    decoy = subprocess.Popen(look_alike, env=worker_env)
    launcher = subprocess.Popen([sys.executable, '-c', 'import subprocess, sys; subprocess.call(sys.argv[1:])']
                                + look_alike, env=worker_env)
    try:
        deadline = time.time() + 30
        while not descendants(launcher.pid) and time.time() < deadline:
            time.sleep(.1)
        worker = worker_pid(launcher.pid, rank=1)
        assert worker != decoy.pid and worker in descendants(launcher.pid)
        kill_tree(launcher)
        deadline = time.time() + 10
        while alive(worker) and time.time() < deadline:
            time.sleep(.1)
        assert not alive(worker) and decoy.poll() is None
    finally:
        kill_tree(launcher)
        decoy.kill()
        decoy.wait()
