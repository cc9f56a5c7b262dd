"""The Dockerfile, checked without a Docker engine: lint, pinned bases, and the images installing
exactly what CI installs natively."""
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR

dockerfile_parse = pytest.importorskip('dockerfile_parse', reason='Dockerfile tools are installed in the modern runtime')

# Tags removed from Docker Hub (all nvidia/cuda images of CUDA <= 11.7, among them every 9.0 tag).
DELETED_TAG = re.compile(r'^nvidia/cuda:(9|10|11\.[0-7])\.')
GPU_SWAP = {'legacy': ('requirements-tf1.txt', 'tensorflow==', 'tensorflow-gpu=='),
            'modern': ('requirements.txt', 'tensorflow-cpu==', 'tensorflow[and-cuda]==')}


def read(name):
    with open(os.path.join(PROJECT_DIR, name)) as f:
        return f.read()


@pytest.fixture(scope='module')
def stages():
    """{stage name: (base image, [RUN/COPY/ENV instruction values])}."""
    parser = dockerfile_parse.DockerfileParser(path=os.path.join(PROJECT_DIR, 'Dockerfile'))
    result, current = {}, None
    for item in parser.structure:
        if item['instruction'] == 'FROM':
            image, _, name = item['value'].partition(' AS ')
            current = name.strip() or image
            result[current] = (image.strip(), [])
        elif current:
            result[current][1].append((item['instruction'], item['value']))
    return result


def test_hadolint_passes():
    hadolint = os.path.join(os.path.dirname(sys.executable), 'hadolint')
    proc = subprocess.run([hadolint, os.path.join(PROJECT_DIR, 'Dockerfile')], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)
    assert proc.returncode == 0, proc.stdout


def test_targets_and_bases_are_pinned_and_still_published(stages):
    assert {'legacy', 'modern'} <= set(stages)
    for image, _ in stages.values():
        if image in stages:  # a stage built on an earlier stage
            continue
        name, _, tag = image.partition(':')
        assert tag and tag != 'latest' and re.search(r'\d', tag), image
        assert not DELETED_TAG.match(image), image
    assert stages['cuda9'][0] == 'tensorflow/tensorflow:1.12.0-gpu-py3'


def pip_installs(instructions):
    runs = ' '.join(v for i, v in instructions if i == 'RUN')
    return re.findall(r'pip install --no-cache-dir ((?:--[\w-]+ )*)-r (\S+)', runs)


def test_images_install_the_requirement_files_ci_installs(stages):
    makefile = read('Makefile')
    native = re.findall(r'pip install -q ((?:--[\w-]+ )*)-r (\S+)', makefile)
    assert native == [('', 'requirements-tf1.txt'), ('--no-build-isolation ', 'requirements-opendr.txt'),
                      ('', 'requirements.txt')]
    assert re.findall(r'pip install -q ((?:--[\w-]+ )*)-r (\S+)', read('make/train.mk')) == [
        ('--no-build-isolation ', 'requirements-horovod.txt')]
    legacy = pip_installs(stages['legacy-build'][1])
    modern = pip_installs(stages['modern-build'][1])
    assert legacy == [('', '/tmp/requirements-gpu.txt'), ('--no-build-isolation ', 'requirements-opendr.txt')]
    assert modern == [('', '/tmp/requirements-gpu.txt'), ('--no-build-isolation ', 'requirements-horovod.txt')]
    runs = {stage: ' '.join(v for i, v in stages[stage][1] if i == 'RUN') for stage in ('legacy-build', 'modern-build')}
    assert 'gpu-requirements.sh legacy < requirements-tf1.txt' in runs['legacy-build']
    assert 'gpu-requirements.sh modern < requirements.txt' in runs['modern-build']
    assert 'python3.6 -m venv .venv/tf1' in runs['legacy-build'] and 'python -m venv .venv/tf2' in runs['modern-build']
    assert 'HOROVOD_GPU_OPERATIONS=NCCL' in runs['modern-build'] and 'HOROVOD_WITH_GLOO=1' in runs['modern-build']


def test_pip_version_matches_the_makefile(stages):
    pinned = set(re.findall(r'pip==([\d.]+)', read('Makefile')))
    in_image = set(re.findall(r'pip==([\d.]+)', ' '.join(v for _, v in stages['legacy-build'][1])))
    assert pinned == in_image == {'21.3.1'}


@pytest.mark.parametrize('target', ['legacy', 'modern'])
def test_gpu_swap_changes_only_the_tensorflow_line(target):
    source, cpu, gpu = GPU_SWAP[target]
    original = read(source).splitlines()
    swapped = subprocess.check_output(['sh', os.path.join(PROJECT_DIR, 'docker', 'gpu-requirements.sh'), target],
                                      input=read(source), universal_newlines=True).splitlines()
    changed = [(a, b) for a, b in zip(original, swapped) if a != b]
    assert len(original) == len(swapped) and len(changed) == 1
    before, after = changed[0]
    assert before.startswith(cpu) and after == gpu + before[len(cpu):]


def test_conda_environment_uses_the_legacy_requirement_file():
    environment = read('environment.yml')
    assert re.search(r'^\s+- python=3\.6\s*$', environment, re.M)
    assert re.search(r'^\s+- -r requirements-tf1\.txt\s*$', environment, re.M)
    assert 'pip==21.3.1' in environment


def test_images_keep_models_outside_and_run_headless_as_a_user(stages):
    for target in ('legacy', 'modern'):
        instructions = stages[target][1]
        values = dict((i, v) for i, v in instructions if i in ('USER', 'VOLUME', 'ENTRYPOINT'))
        assert values['USER'] != 'root' and not values['USER'].startswith('0')
        assert '/hmr/models' in values['VOLUME']
        env = ' '.join(v for i, v in instructions if i == 'ENV')
        assert 'MPLBACKEND=Agg' in env and 'PYOPENGL_PLATFORM=' in env
    ignored = read('.dockerignore').splitlines()
    assert 'models/*' in ignored and '.venv' in ignored


def make_targets():
    text = read('Makefile') + ''.join(read(os.path.join('make', n)) for n in os.listdir(os.path.join(PROJECT_DIR, 'make')))
    return set(re.findall(r'^([\w-]+)(?: [\w-]+)*:(?!=)', text, re.M)) | \
        set(t for line in re.findall(r'^([\w -]+):(?!=)', text, re.M) for t in line.split())


def test_readme_docker_commands_are_make_targets():
    readme = read('README.md')
    section = readme[readme.index('<!-- docker:begin -->'):readme.index('<!-- docker:end -->')]
    commands = re.findall(r'^make ([\w-]+)', section, re.M)
    assert {'docker-build', 'docker-demo', 'docker-test'} <= set(commands)
    assert set(commands) <= make_targets()
