"""The Makefile's entry points expand to the commands the README promises (checked with make -n)."""
import os
import subprocess

from tests.conftest import PROJECT_DIR


# What the caller's environment may set that changes the plan: the images set RUNTIMES and the
# *_RUNTIME variables, and a `make` that runs the suite passes its own variables in MAKEFLAGS.
CALLER_VARIABLES = ('RUNTIMES', 'DEMO_RUNTIME', 'TRAIN_RUNTIME', 'EVAL_RUNTIME', 'MAKEFLAGS', 'MAKELEVEL', 'MFLAGS')


def planned(*args, **env):
    """The commands `make -n ARGS` prints, with the Makefile's defaults unless `env` sets variables."""
    environment = dict((k, v) for k, v in os.environ.items() if k not in CALLER_VARIABLES)
    environment.update(env)
    done = subprocess.run(['make', '-n', '--no-print-directory'] + list(args), cwd=PROJECT_DIR, env=environment,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert done.returncode == 0, done.stdout
    return done.stdout.splitlines()


def suites(*args, **env):
    return [line for line in planned(*args, **env) if '-m pytest' in line]


# `make test`'s suite in one runtime: everything but the Horovod runs.
DESELECTED = "-m 'not horovod and not blender and not onnx_wheel and not browser'"
SUITE = ".venv/%s/bin/python -m pytest -q tests " + DESELECTED + " "


def test_make_test_runs_the_suite_in_both_runtimes(monkeypatch):
    # The same inside an image, whose environment names its one runtime.
    monkeypatch.setenv('RUNTIMES', 'tf2')
    assert suites('test') == [SUITE % 'tf1', SUITE % 'tf2']


def test_an_image_runs_the_suite_in_its_own_runtime():
    assert suites('test', RUNTIMES='tf1') == [SUITE % 'tf1']
    assert suites('test', RUNTIMES='tf2') == [SUITE % 'tf2']


def test_only_make_test_dist_builds_horovod_and_it_runs_the_horovod_tests():
    # -B: every prerequisite out of date, as on a fresh clone.
    fresh = planned('-B', 'test')
    assert [line for line in fresh if 'horovod' in line.replace(DESELECTED, '')] == []
    assert len([line for line in fresh if line.endswith('/.installed')]) == 2
    fresh_dist = planned('-B', 'test-dist')
    assert any('-r requirements-horovod.txt' in line for line in fresh_dist)
    assert suites('-B', 'test-dist') == ['.venv/tf2/bin/python -m pytest -q tests -m horovod ']


def test_train_dist_runs_horovodrun_with_the_workers_asked_for():
    launch = ' '.join(planned('train-dist', 'NP=3', 'HOSTS=a:2,b:1', 'ARGS=--data_dir d')).replace('\\', '')
    assert 'horovodrun --gloo -np 3 -H a:2,b:1' in launch
    assert ' '.join(launch.split()).endswith('.venv/tf2/bin/python -m src.main --distributed --data_dir d')


def test_eval_targets_pass_the_data_and_checkpoint():
    h36m = ' '.join(planned('eval-h36m', 'PROTOCOL=2', 'LOAD_PATH=m/model.ckpt-1', 'DATA_DIR=recs'))
    assert 'src.benchmark.evaluate_h36m' in h36m and '--protocol 2' in h36m
    assert '--load_path m/model.ckpt-1' in h36m and '--tfh36m_dir recs/tf_records_human36m_wjoints' in h36m
    assert '--tf3dhp_dir recs/mpi_inf_3dhp' in ' '.join(planned('eval-3dhp', 'DATA_DIR=recs'))
    assert '--tf3dhp_dir data/tf_datasets/mpi_inf_3dhp' in ' '.join(planned('eval-3dhp'))


def test_every_runtime_default_is_the_modern_runtime():
    for target in ['train', 'eval-h36m', 'eval-3dhp', 'eval-lsp', 'datasets']:
        plan = ' '.join(planned(target))
        assert '.venv/tf2/bin/python' in plan and '.venv/tf1' not in plan, (target, plan)
    assert '.venv/tf1/bin/python -m src.benchmark.evaluate_lsp' in ' '.join(planned('eval-lsp', EVAL_RUNTIME='tf1'))


def command(*args):
    """`make -n ARGS` as one line: continuation backslashes and repeated spaces removed."""
    return ' '.join(' '.join(planned(*args)).replace('\\', ' ').split())


def test_docker_demo_mounts_the_image_and_keypoint_folders_read_only():
    plan = command('docker-demo', 'IMG=/photos/me.jpg', 'JSON=/poses/me_keypoints.json', 'OUT=/tmp/res', 'GPU_FLAGS=')
    assert '-v /photos:/input/img:ro -v /poses:/input/json:ro -v /tmp/res:/hmr/out' in plan
    assert plan.endswith("demo 'IMG=/input/img/me.jpg' OUT=/hmr/out 'JSON=/input/json/me_keypoints.json'")
    # A quoted glob reaches the image unexpanded; without JSON nothing else is mounted.
    plan = command('docker-demo', 'IMG=/photos/*.jpg', 'GPU_FLAGS=')
    assert "'IMG=/input/img/*.jpg'" in plan and '/input/json' not in plan


def test_docker_models_fetches_into_the_host_models_folder():
    plan = command('docker-models', 'GPU_FLAGS=', 'TARGET=legacy')
    assert plan.endswith('-v %s/models:/hmr/models hmr:legacy models' % PROJECT_DIR)
    plan = command('docker-models', 'GPU_FLAGS=', 'ARCHIVE=/dl/models.tar.gz')
    assert plan.endswith("-v /dl:/input/archive:ro hmr:modern models 'ARCHIVE=/input/archive/models.tar.gz'")


def test_docker_test_passes_the_gpu_flags():
    assert command('docker-test', 'GPU_FLAGS=--gpus all', 'TARGET=legacy') == 'docker run --rm --gpus all hmr:legacy test'


def test_docker_check_without_buildah_says_what_to_install(tmp_path):
    """A machine without buildah/debootstrap: one line naming both and how to get them, status 1."""
    done = subprocess.run(['/bin/sh', 'docker/check.sh', 'localhost/hmr:x', str(tmp_path / 'out')], cwd=PROJECT_DIR,
                          env={'PATH': str(tmp_path)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    assert done.returncode == 1
    assert done.stderr.splitlines() == ['error: make docker-check needs buildah and debootstrap (the image is built '
                                        'without a Docker engine): apt-get install buildah debootstrap']
    assert not (tmp_path / 'out').exists()
