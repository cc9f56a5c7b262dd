"""The Dockerfile, checked without a Docker engine: lint, pinned bases, the images installing exactly
what CI installs natively, and the fixes a line-by-line review of the legacy target called for (which
cannot be built here; `make docker-check` builds the modern one)."""
import ctypes
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR

# Tags removed from Docker Hub (all nvidia/cuda images of CUDA <= 11.7, among them every 9.0 tag).
DELETED_TAG = re.compile(r'^(nvcr\.io/)?nvidia/cuda:(9|10|11\.[0-7])\.')
DIGEST = re.compile(r'@sha256:[0-9a-f]{64}$')
# The one base no public record gives a digest for (see the Dockerfile): pinned by its tag.
PINNED_BY_TAG = {'tensorflow/tensorflow:1.12.0-gpu-py3'}
GPU_SWAP = {'legacy': ('requirements-tf1.txt', 'tensorflow==', 'tensorflow-gpu=='),
            'modern': ('requirements.txt', 'tensorflow-cpu==', 'tensorflow[and-cuda]==')}
CUDA_ERROR_NO_DEVICE = 100


def read(name):
    with open(os.path.join(PROJECT_DIR, name)) as f:
        return f.read()


@pytest.fixture(scope='module')
def parsed():
    dockerfile_parse = pytest.importorskip('dockerfile_parse',
                                           reason='Dockerfile tools are installed in the modern runtime')
    return dockerfile_parse.DockerfileParser(path=os.path.join(PROJECT_DIR, 'Dockerfile')).structure


@pytest.fixture(scope='module')
def build_args(parsed):
    """{name: default} of the ARGs before the first FROM (the ones FROM lines may use)."""
    found = {}
    for item in parsed:
        if item['instruction'] == 'FROM':
            break
        if item['instruction'] == 'ARG':
            name, _, default = item['value'].partition('=')
            found[name] = default
    return found


@pytest.fixture(scope='module')
def stages(parsed, build_args):
    """{stage name: (base image with the ARG defaults filled in, [(instruction, value)])}."""
    result, current = {}, None
    for item in parsed:
        if item['instruction'] == 'FROM':
            image, _, name = item['value'].partition(' AS ')
            image = re.sub(r'\$\{(\w+)\}', lambda m: build_args[m.group(1)], image.strip())
            current = name.strip() or image
            result[current] = (image, [])
        elif current and item['instruction'] != 'COMMENT':
            result[current][1].append((item['instruction'], item['value']))
    return result


def runs(stages, stage):
    return ' '.join(v for i, v in stages[stage][1] if i == 'RUN')


def test_hadolint_passes():
    hadolint = os.path.join(os.path.dirname(sys.executable), 'hadolint')
    if not os.path.exists(hadolint):
        pytest.skip('hadolint is installed in the modern runtime')
    proc = subprocess.run([hadolint, os.path.join(PROJECT_DIR, 'Dockerfile')], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)
    assert proc.returncode == 0, proc.stdout


def test_bases_are_pinned_by_digest_and_still_published(stages):
    assert {'legacy', 'modern'} <= set(stages)
    external = [image for image, _ in stages.values() if image not in stages]
    assert len(set(external)) == 4
    for image in external:
        name, _, tag = image.split('@')[0].partition(':')
        assert tag and tag != 'latest' and re.search(r'\d', tag), image
        assert not DELETED_TAG.match(image), image
        assert DIGEST.search(image) or image in PINNED_BY_TAG, image
    assert stages['cuda9'][0] == 'tensorflow/tensorflow:1.12.0-gpu-py3'
    assert stages['modern'][0].startswith('python:3.11.9-slim-bookworm@sha256:')
    assert stages['legacy'][0] == stages['legacy-build'][0] and stages['legacy'][0].startswith('ubuntu:18.04@')


def pip_installs(run):
    return re.findall(r'pip install --no-cache-dir ((?:--[\w-]+ )*)-r (\S+)', run)


def native_installs(makefile, target):
    recipe = re.search(r'^%s: .*\n((?:\t.*\n)+)' % re.escape(target), read(makefile), re.M).group(1)
    return re.findall(r'pip install -q ((?:--[\w-]+ )*)-r (\S+)', recipe)


def test_images_install_the_requirement_files_ci_installs(stages):
    """Every `pip install -r` of `make setup` and `make setup-horovod`, in the same order and with the
    same options; the file holding TensorFlow goes through docker/gpu-requirements.sh first."""
    gpu = '/tmp/requirements-gpu.txt'
    legacy = native_installs('Makefile', '$(TF1)/.installed')
    modern = native_installs('Makefile', '$(TF2)/.installed')
    assert legacy[0] == ('', 'requirements-tf1.txt') and modern[0] == ('', 'requirements.txt')
    assert pip_installs(runs(stages, 'legacy-build')) == [('', gpu)] + legacy[1:]
    assert pip_installs(runs(stages, 'modern-deps')) == [('', gpu)] + modern[1:]
    assert pip_installs(runs(stages, 'modern-horovod-nccl')) == native_installs('make/train.mk', '$(TF2)/.horovod')
    copied = ' '.join(v for i, v in stages['legacy-build'][1] + stages['modern-deps'][1] if i == 'COPY')
    assert all(name in copied for _, name in legacy + modern if name != gpu)
    assert 'gpu-requirements.sh legacy < requirements-tf1.txt > %s' % gpu in runs(stages, 'legacy-build')
    assert 'gpu-requirements.sh modern < requirements.txt > %s' % gpu in runs(stages, 'modern-deps')
    assert 'python3.6 -m venv .venv/tf1' in runs(stages, 'legacy-build')
    assert 'python -m venv .venv/tf2' in runs(stages, 'modern-deps')
    horovod = runs(stages, 'modern-horovod-nccl')
    assert 'HOROVOD_GPU_OPERATIONS=NCCL' in horovod and 'HOROVOD_WITH_GLOO=1' in horovod


def test_horovod_switch_keeps_the_nccl_build_by_default(stages, build_args):
    """HOROVOD=none (make docker-check) leaves out Horovod and the CUDA devel image, nothing else."""
    assert build_args['HOROVOD'] == 'nccl'
    assert stages['modern-build'][0] == 'modern-horovod-nccl'
    assert stages['modern-horovod-none'] == ('modern-deps', [])
    copies_from = dict((stage, re.findall(r'--from=(\S+)', ' '.join(v for i, v in instructions if i == 'COPY')))
                       for stage, (_, instructions) in stages.items())
    assert [stage for stage, sources in copies_from.items() if 'cuda12-devel' in sources] == ['modern-horovod-nccl']
    assert copies_from['modern'] == ['modern-build']
    # The Makefile's Horovod stamp exists only where Horovod was built.
    assert runs(stages, 'modern-horovod-nccl').endswith('touch .venv/tf2/.horovod')
    assert 'if [ -e .venv/tf2/.horovod ]; then touch .venv/tf2/.horovod; fi' in runs(stages, 'modern')


def test_pip_version_matches_the_makefile(stages):
    pinned = set(re.findall(r'pip==([\d.]+)', read('Makefile')))
    in_image = set(re.findall(r'pip==([\d.]+)', runs(stages, 'legacy-build')))
    assert pinned == in_image == {'21.3.1'}


def apt_packages(run):
    return set(' '.join(re.findall(r'apt-get install -y --no-install-recommends ([^&]+)', run)).split())


def test_system_packages_the_review_found_missing(stages):
    # Ubuntu 18.04's python3.6-venv is only ensurepip: the pip it bootstraps needs distutils.util.
    assert {'python3.6-venv', 'python3-distutils'} <= apt_packages(runs(stages, 'legacy-build'))
    # https: pip in the legacy build (Debian's certifi reads the system bundle), `make models` in both.
    for stage in ('legacy-build', 'legacy', 'modern'):
        assert 'ca-certificates' in apt_packages(runs(stages, stage)), stage
    # PyOpenGL's EGL platform loads libGL; without it pyrender would draw through GLES. pyrender imports
    # pyglet's window module, which loads libX11 and libXrender (found by `make docker-check`).
    assert {'libegl1', 'libegl-mesa0', 'libgl1', 'libopengl0', 'libx11-6', 'libxrender1'} <= apt_packages(
        runs(stages, 'modern'))


@pytest.mark.parametrize('target', ['legacy', 'modern'])
def test_the_user_owns_the_work_and_output_folders(stages, target):
    instructions = stages[target][1]
    setup = instructions[0][1]
    assert 'useradd --create-home --uid 1000 hmr' in setup
    assert 'mkdir -p /hmr/out /hmr/logs' in setup and 'chown hmr:hmr /hmr /hmr/out /hmr/logs' in setup
    # Created before WORKDIR, which would otherwise make /hmr root's.
    assert instructions.index(('WORKDIR', '/hmr')) > 0
    into_hmr = [v for i, v in instructions if i == 'COPY' and re.search(r' /hmr\S*$', v)]
    assert into_hmr and all(v.split()[1 if v.startswith('--from') else 0] == '--chown=hmr:hmr' for v in into_hmr)
    assert dict((i, v) for i, v in instructions)['USER'] == '1000:1000'


def test_legacy_image_finds_the_cuda_stub_only_after_a_real_driver(stages):
    instructions = stages['legacy']
    assert ('COPY', '--from=legacy-build /opt/cuda-stub/libcuda.so.1 /usr/local/cuda-stub/') in instructions[1]
    assert 'sh cuda-stub.sh .venv/tf1/lib/python3.6/site-packages/tensorflow /opt/cuda-stub' in runs(
        stages, 'legacy-build')
    # ldconfig reads /etc/ld.so.conf.d in name order: after x86_64-linux-gnu.conf, where the NVIDIA
    # runtime puts the host's libcuda.so.1; LD_LIBRARY_PATH, searched first, must not hold the stub.
    conf = re.search(r'echo (\S+) > /etc/ld.so.conf.d/(\S+) && ldconfig', runs(stages, 'legacy'))
    assert conf and conf.group(1) == '/usr/local/cuda-stub' and conf.group(2) > 'x86_64-linux-gnu.conf'
    env = ' '.join(v for i, v in instructions[1] if i == 'ENV')
    assert 'LD_LIBRARY_PATH=/usr/local/cuda-9.0/lib64 ' in env and 'cuda-stub' not in env


# docker/cuda-stub.sh runs in the legacy build stage, which has build-essential; the images do not.
needs_toolchain = pytest.mark.skipif(not all(shutil.which(t) for t in ('cc', 'nm', 'readelf')),
                                     reason='a C compiler and binutils (cc, nm, readelf) are not here')


def compile_library(path, source, *args):
    with open(path + '.c', 'w') as f:
        f.write(source)
    subprocess.check_call(['cc', '-shared', '-fPIC', '-o', path, path + '.c'] + list(args))


@needs_toolchain
def test_cuda_stub_defines_the_driver_functions_tensorflow_links(tmp_path):
    """docker/cuda-stub.sh on a stand-in TensorFlow: a library that links libcuda.so.1 (cuInit,
    cuDeviceGet) and one that does not (its cuFake must not be stubbed)."""
    tf_dir, out_dir = tmp_path / 'tensorflow', tmp_path / 'stub'
    (tf_dir / 'python').mkdir(parents=True)
    driver = str(tmp_path / 'libcuda.so.1')
    compile_library(driver, 'int cuInit(unsigned f) { return 0; }\nint cuDeviceGet(int *d, int i) { return 0; }\n',
                    '-Wl,-soname,libcuda.so.1')
    compile_library(str(tf_dir / 'libtensorflow_framework.so'),
                    'int cuInit(unsigned);\nint cuDeviceGet(int *, int);\n'
                    'int start(void) { int d; return cuInit(0) + cuDeviceGet(&d, 0); }\n', driver)
    compile_library(str(tf_dir / 'python' / '_other.so'), 'int cuFake(void);\nint other(void) { return cuFake(); }\n')
    done = subprocess.run(['sh', os.path.join(PROJECT_DIR, 'docker', 'cuda-stub.sh'), str(tf_dir), str(out_dir)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert done.returncode == 0, done.stdout
    assert (out_dir / 'symbols.txt').read_text().split() == ['cuDeviceGet', 'cuInit']
    stub = ctypes.CDLL(str(out_dir / 'libcuda.so.1'))
    assert stub.cuInit(0) == stub.cuDeviceGet(None, 0) == CUDA_ERROR_NO_DEVICE
    soname = subprocess.check_output(['readelf', '-d', str(out_dir / 'libcuda.so.1')], universal_newlines=True)
    assert '[libcuda.so.1]' in soname


@needs_toolchain
def test_cuda_stub_refuses_a_tree_without_gpu_libraries(tmp_path):
    (tmp_path / 'tensorflow').mkdir()
    done = subprocess.run(['sh', os.path.join(PROJECT_DIR, 'docker', 'cuda-stub.sh'), str(tmp_path / 'tensorflow'),
                           str(tmp_path / 'stub')], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    assert done.returncode == 1 and done.stdout.startswith('error: no library under')


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


def test_images_keep_models_outside_and_run_headless(stages):
    for target in ('legacy', 'modern'):
        instructions = stages[target][1]
        values = dict((i, v) for i, v in instructions if i in ('VOLUME', 'ENTRYPOINT'))
        assert '/hmr/models' in values['VOLUME'] and '/hmr/out' in values['VOLUME']
        env = ' '.join(v for i, v in instructions if i == 'ENV')
        assert 'MPLBACKEND=Agg' in env and 'PYOPENGL_PLATFORM=' in env
    ignored = read('.dockerignore').splitlines()
    assert {'models/*', '.venv', 'build', 'out', 'logs', 'data/*'} <= set(ignored)


def make_targets():
    text = read('Makefile') + ''.join(read(os.path.join('make', n)) for n in os.listdir(os.path.join(PROJECT_DIR, 'make')))
    return set(re.findall(r'^([\w-]+)(?: [\w-]+)*:(?!=)', text, re.M)) | \
        set(t for line in re.findall(r'^([\w -]+):(?!=)', text, re.M) for t in line.split())


def test_documented_docker_commands_are_make_targets():
    readme = read(os.path.join('docs', 'docker.md'))
    section = readme[readme.index('<!-- docker:begin -->'):readme.index('<!-- docker:end -->')]
    commands = re.findall(r'^make ([\w-]+)', section, re.M)
    assert {'docker-build', 'docker-demo', 'docker-models', 'docker-test', 'docker-check'} <= set(commands)
    assert set(commands) <= make_targets()
