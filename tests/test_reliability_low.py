"""The "Low" list of issue 22: each a one-line error or a guard instead of a traceback, a hang or a
56 GiB allocation, with a non-zero exit status where something was lost: --out_dir that is a file,
inside a file, empty or read-only; a huge --batch_size; standard output closed by its reader; a full
disk while the models are installed or an NPZ written; SIGTERM; images over the pixel limit; many
people; control characters in file names."""
import gc
import os
import signal
import struct
import subprocess
import sys
import zlib
from types import SimpleNamespace

import numpy as np
import pytest

from src.cli import run_command
from src.demo import app
from src.errors import HMRError
from src.util import download, files
from src.util.image import MAX_PIXELS, read_image
from src.samples.sample_clip import write_sample_clip
from tests.conftest import PROJECT_DIR
from tests.test_demo import demo_main, sample_image
from tests.test_reliability_workers import FAULTY_DEMO

pytestmark = pytest.mark.timeout(300)


def errors(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith(('error', 'failed', 'Trace'))]


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp('images')
    for name in ('a.png', 'b.png'):
        sample_image(str(path / name), size=(60, 80))
    return str(path)


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs (the tests run as root in CI; elsewhere these tests skip)."""
    disk = tmp_path / 'disk'
    disk.mkdir()
    if subprocess.call(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', str(disk)], stderr=subprocess.DEVNULL):
        pytest.skip('cannot mount a small tmpfs here (needs root)')
    yield str(disk)
    subprocess.call(['umount', str(disk)])


@pytest.mark.parametrize('out_dir, message', [
    ('file', '{p}: --out_dir is a file, not a folder'),
    ('file/sub', '{p}: cannot write in --out_dir (a folder on its path is a file)'),
    ('', '--out_dir is empty: give a folder (. for the current one)'),
])
def test_an_out_dir_that_is_not_a_folder_is_one_line(tmp_path, synthetic_models, folder, capsys, out_dir, message):
    (tmp_path / 'file').write_text(u'kept')
    path = str(tmp_path / out_dir) if out_dir else ''
    code = demo_main(tmp_path, synthetic_models, '--img_path', folder, '--out_dir', path, '--detector', 'none')
    assert code == 1 and errors(capsys) == ['error: ' + message.format(p=path)]
    assert sorted(os.listdir(str(tmp_path))) == ['file'] and (tmp_path / 'file').read_text() == u'kept'


def test_a_read_only_out_dir_is_refused_before_the_video_is_read(tmp_path, synthetic_models, capsys):
    clip = str(tmp_path / 'walk.mp4')
    write_sample_clip(clip, fps=10., seconds=1.)
    out = tmp_path / 'out'
    out.mkdir()
    if os.geteuid() == 0:  # root writes in a folder of mode 0555: a read-only file system then
        if subprocess.call(['mount', '-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', str(out)]):
            pytest.skip('cannot mount a read-only tmpfs here')
        reason = 'Read-only file system'
    else:
        out.chmod(0o555)
        reason = 'Permission denied'
    try:
        code = demo_main(tmp_path, synthetic_models, '--img_path', clip, '--out_dir', str(out), '--outputs', 'video',
                         '--detector', 'none')
        captured = capsys.readouterr().err
        assert code == 1 and 'pass 1/2' not in captured  # refused before the model ran
        assert [l for l in captured.splitlines() if l.startswith('error')] == [
            'error: %s: cannot write in --out_dir (%s)' % (out, reason)]
    finally:
        if os.geteuid() == 0:
            subprocess.call(['umount', str(out)])


def test_a_huge_batch_is_capped_to_the_inputs(tmp_path, synthetic_models, folder, capsys, monkeypatch):
    built = []
    real_build = app.build_model

    def build_model(config, batch_size, body=None):
        built.append(batch_size)
        assert batch_size <= 2 * 10, 'a batch of %d crops for 2 images of at most 10 people' % batch_size
        return real_build(config, batch_size, body)

    monkeypatch.setattr(app, 'build_model', build_model)
    out = str(tmp_path / 'out')
    code = demo_main(tmp_path, synthetic_models, '--img_path', folder, '--out_dir', out, '--detector', 'none',
                     '--batch_size', '100000', '--outputs', 'json', '--workers', '0', '--nopage')
    assert (code, errors(capsys), built) == (0, [], [20])
    assert sorted(os.listdir(out)) == ['a.json', 'b.json']


def test_a_batch_that_cannot_fit_in_memory_is_refused():
    config = SimpleNamespace(batch_size=10 ** 6)
    assert app.batch_for(config, 20) == 20
    with pytest.raises(HMRError, match=r"^--batch_size 1000000 needs 560\.8 GiB for its crops alone, more than "
                                       r"this machine's [0-9.]+ GiB$") as error:
        app.batch_for(config, 0)  # a video of unknown length: no cap
    assert '\n' not in str(error.value)


def test_too_many_people_per_image_are_refused(tmp_path, synthetic_models, folder, capsys):
    code = demo_main(tmp_path, synthetic_models, '--img_path', folder, '--out_dir', str(tmp_path / 'out'),
                     '--max_people', '100000')
    assert code == 1 and errors(capsys) == [
        "error: --max_people must be 1 to %d (an image's people are held in memory together), got 100000"
        % app.MAX_PEOPLE]
    assert os.listdir(str(tmp_path / 'out')) == []  # refused before the model ran


CLOSED_STDOUT = '''
import sys
sys.path.insert(0, %r)
from src.cli import run_command

def main(argv):
    print('first line')
    print('x' * 100000)
    with open(%r, 'w') as f:
        f.write('done')

sys.exit(run_command(main))
'''


def test_stdout_closed_by_its_reader_loses_only_the_lines(tmp_path):
    marker = str(tmp_path / 'done')
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line, as `| head -0` would
    try:
        proc = subprocess.run([sys.executable, '-c', CLOSED_STDOUT % (PROJECT_DIR, marker)], stdout=write,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (141, '')
    assert open(marker).read() == 'done'  # the work went on


def test_a_full_disk_while_installing_the_models_leaves_nothing(tmp_path, small_disk):
    archive = str(tmp_path / 'models.tar.gz')
    import io
    import tarfile
    with tarfile.open(archive, 'w:gz') as tar:
        for name in download.HMR_MODELS.members:  # random bytes: 120 KiB compressed, the disk has 64
            data = os.urandom(40000)
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    with pytest.raises(HMRError) as error:
        download.fetch(download.HMR_MODELS, small_disk, url='file://' + archive)
    assert str(error.value) == ('cannot download models.tar.gz into %s: No space left on device; nothing was '
                                'installed' % small_disk)
    assert os.listdir(small_disk) == []
    with pytest.raises(HMRError) as error:
        download.fetch(download.HMR_MODELS, small_disk, archive=archive)
    assert str(error.value) == 'cannot install %s into %s: No space left on device' % (archive, small_disk)
    assert os.listdir(small_disk) == []


def test_a_full_disk_while_writing_an_npz_is_one_line(small_disk, capfd):
    path = os.path.join(small_disk, 'a.npz')
    with pytest.raises(HMRError) as error:
        files.write_npz(path, {'x': np.random.RandomState(0).rand(100000)})  # 800 KB of noise
    assert str(error.value) == 'cannot write %s: No space left on device' % path
    del error
    gc.collect()  # a zip file left open in the failed write printed a traceback when collected
    assert capfd.readouterr().err == ''
    assert os.listdir(small_disk) == []


def test_sigterm_is_handled_as_ctrl_c(capsys):
    def main(argv):
        os.kill(os.getpid(), signal.SIGTERM)
        signal.pause()  # the handler raises first

    previous = signal.getsignal(signal.SIGTERM)
    assert run_command(main, on_interrupt='interrupted: stopped') == 128 + signal.SIGTERM
    assert capsys.readouterr().err == 'interrupted: stopped\n'
    assert signal.getsignal(signal.SIGTERM) == previous


def test_sigterm_to_a_video_run_and_its_workers_leaves_only_complete_files(tmp_path, synthetic_models):
    clip = str(tmp_path / 'walk.mp4')
    write_sample_clip(clip, fps=10., seconds=2.)
    out = str(tmp_path / 'out')
    smpl, ckpt = synthetic_models
    # Its own process group, which the fault signals whole (the demo and its picture workers).
    proc = subprocess.run([sys.executable, FAULTY_DEMO, '--load_path', ckpt, '--smpl_model_path', smpl,
                           '--detector', 'none', '--nopage', '--img_path', clip, '--out_dir', out, '--workers', '2',
                           '--outputs', 'json,video'], cwd=PROJECT_DIR, env=dict(os.environ, RELIABILITY_FAULT='sigterm_write:3'),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=280,
                          start_new_session=True)
    lines = [l for l in proc.stderr.splitlines() if l.startswith(('error', 'failed', 'interrupted', 'Exception'))
             or 'Traceback' in l]
    assert (proc.returncode, lines) == (128 + signal.SIGTERM, ['interrupted: the files written so far are complete'])
    assert os.listdir(out) == ['walk.json']  # written before the overlay pass; no .part, no temporary file


def png_header(width, height):
    """A grayscale PNG that states its size and holds one row: enough for the size check, which must
    come before any decoding."""
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(b'\0' * (width + 1))) + chunk(b'IEND', b''))


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(tmp_path):
    path = str(tmp_path / 'huge.png')
    with open(path, 'wb') as f:
        f.write(png_header(20001, 20000))  # 400.02 megapixels: Pillow only warns up to 800
    with pytest.raises(HMRError) as error:
        read_image(path)
    assert str(error.value) == '%s: image of 20001x20000 pixels is larger than %d; downscale it first' % (path,
                                                                                                         MAX_PIXELS)


def test_control_characters_in_names_stay_escaped_on_one_line(tmp_path, synthetic_models, capsys):
    images = tmp_path / 'in'
    images.mkdir()
    sample_image(str(images / 'a\nb.png'), size=(60, 80))
    (images / 'x\ny\x1b[2J.png').write_text(u'not an image')
    out = tmp_path / 'out'
    code = demo_main(tmp_path, synthetic_models, '--img_path', str(images), '--out_dir', str(out), '--detector',
                     'none', '--outputs', 'obj', '--workers', '0', '--nopage')
    failed = errors(capsys)
    assert code == 1 and len(failed) == 1
    assert failed[0].startswith('failed: %s: not a readable image' % os.path.join(str(images), 'x\\ny\\x1b[2J.png'))
    with open(str(out / 'a\nb.obj'), encoding='utf-8') as f:
        text = f.read()
    header = text[:text.index('\nv ')].split('\n')
    assert header[0] == '# HMR mesh of a\\nb.png' and all(line.startswith('# ') for line in header)
    # And an error line of any command.
    assert run_command(lambda argv: (_ for _ in ()).throw(HMRError('bad\nname.png: gone'))) == 1
    assert capsys.readouterr().err == 'error: bad\\nname.png: gone\n'
