"""The Makefile's entry points expand to the commands the README promises (checked with make -n)."""
import subprocess

from tests.conftest import PROJECT_DIR


def planned(*args):
    done = subprocess.run(['make', '-n', '--no-print-directory'] + list(args), cwd=PROJECT_DIR,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert done.returncode == 0, done.stdout
    return done.stdout.splitlines()


def test_make_test_runs_the_suite_in_both_runtimes():
    suites = [line for line in planned('test') if '-m pytest' in line]
    assert suites == ['.venv/tf1/bin/python -m pytest -q tests ', '.venv/tf2/bin/python -m pytest -q tests ']


def test_train_dist_runs_horovodrun_with_the_workers_asked_for():
    launch = ' '.join(planned('train-dist', 'NP=3', 'HOSTS=a:2,b:1', 'ARGS=--data_dir d')).replace('\\', '')
    assert 'horovodrun --gloo -np 3 -H a:2,b:1' in launch
    assert ' '.join(launch.split()).endswith('.venv/tf2/bin/python -m src.main --distributed --data_dir d')


def test_eval_targets_pass_the_data_and_checkpoint():
    h36m = ' '.join(planned('eval-h36m', 'PROTOCOL=2', 'LOAD_PATH=m/model.ckpt-1', 'DATA_DIR=recs'))
    assert 'src.benchmark.evaluate_h36m' in h36m and '--protocol 2' in h36m
    assert '--load_path m/model.ckpt-1' in h36m and '--tfh36m_dir recs/tf_records_human36m_wjoints' in h36m
    assert '--tf3dhp_dir recs/mpi_inf_3dhp' in ' '.join(planned('eval-3dhp', 'DATA_DIR=recs'))
