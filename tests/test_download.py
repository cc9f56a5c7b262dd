"""Model download and install, on archives built here and served from 127.0.0.1."""
import io
import os
import tarfile
import threading

import pytest

from src.errors import HMRError
from src.util import download
from src.cli import run_command
from src.util.download import HMR_MODELS, fetch, install

from http.server import HTTPServer, SimpleHTTPRequestHandler


def make_archive(path, members):
    with tarfile.open(path, 'w:gz') as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def release_members():
    return {name: ('content of %s' % name).encode() for name in HMR_MODELS.members + HMR_MODELS.optional}


def test_install_puts_every_member_in_place(tmp_path):
    archive = make_archive(str(tmp_path / 'models.tar.gz'), release_members())
    model_dir = str(tmp_path / 'models')
    paths = install(HMR_MODELS, archive, model_dir)
    assert sorted(os.listdir(model_dir)) == sorted(os.path.basename(p) for p in paths)
    with open(os.path.join(model_dir, 'neutral_smpl_with_cocoplus_reg.pkl'), 'rb') as f:
        assert f.read() == b'content of models/neutral_smpl_with_cocoplus_reg.pkl'


def test_incomplete_or_corrupt_archives_install_nothing(tmp_path):
    members = release_members()
    del members['models/model.ckpt-667589.index']
    model_dir = str(tmp_path / 'models')
    os.makedirs(model_dir)
    with pytest.raises(HMRError, match='lacks models/model.ckpt-667589.index'):
        install(HMR_MODELS, make_archive(str(tmp_path / 'a.tar.gz'), members), model_dir)
    corrupt = tmp_path / 'b.tar.gz'
    corrupt.write_bytes(b'\x1f\x8b not really gzip')
    with pytest.raises(HMRError, match='not a readable tar.gz'):
        install(HMR_MODELS, str(corrupt), model_dir)
    assert os.listdir(model_dir) == []


class _Server(object):
    """A static file server on 127.0.0.1 for one folder; `truncate` lies about Content-Length."""

    def __init__(self, folder, truncate=False):
        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def translate_path(self, path):
                return os.path.join(folder, os.path.basename(path))

            def copyfile(self, source, outputfile):
                data = source.read()
                outputfile.write(data[:len(data) // 2] if truncate else data)

        self.httpd = HTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d/' % self.httpd.server_address[1]
        thread = threading.Thread(target=self.httpd.serve_forever)
        thread.daemon = True
        thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize('truncate', [False, True])
def test_download_over_http(tmp_path, truncate):
    served = tmp_path / 'www'
    served.mkdir()
    make_archive(str(served / 'models.tar.gz'), release_members())
    server = _Server(str(served), truncate=truncate)
    model_dir = str(tmp_path / 'models')
    try:
        if truncate:
            with pytest.raises(HMRError, match='stopped early'):
                fetch(HMR_MODELS, model_dir, url=server.url + 'models.tar.gz')
            assert not os.path.exists(os.path.join(model_dir, 'model.ckpt-667589.index'))
        else:
            fetch(HMR_MODELS, model_dir, url=server.url + 'models.tar.gz')
            assert download.installed(HMR_MODELS, model_dir)
            assert not [n for n in os.listdir(model_dir) if n.endswith('.part') or n.startswith('.unpack')]
    finally:
        server.close()


def test_offline_download_says_what_to_do(tmp_path):
    import socket
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(HMRError, match='cannot download .*make models ARCHIVE=/path/to/models.tar.gz'):
        fetch(HMR_MODELS, str(tmp_path / 'models'), url='http://127.0.0.1:%d/models.tar.gz' % port)


def test_cli_installs_from_an_archive_and_reports_errors_in_one_line(tmp_path, capsys):
    archive = make_archive(str(tmp_path / 'models.tar.gz'), release_members())
    assert run_command(download.main, ['--archive', archive, '--model_dir', str(tmp_path / 'm')]) == 0
    assert run_command(download.main, ['--archive', str(tmp_path / 'absent.tar.gz'), '--model_dir', str(tmp_path / 'm')]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ['error: %s: no such archive' % (tmp_path / 'absent.tar.gz')]


def unsafe_member(kind, outside):
    """(TarInfo, content) of one member that must not be installed; `outside` is a folder beside models/."""
    content = b'not for you'
    if kind == 'absolute path':
        info = tarfile.TarInfo(os.path.join(outside, 'evil'))
    elif kind == '.. path':
        info = tarfile.TarInfo('models/../../outside/evil')
    elif kind == 'symlink':
        info = tarfile.TarInfo('models/evil')
        info.type, info.linkname = tarfile.SYMTYPE, outside
    elif kind == 'symlink in place of a member':
        info = tarfile.TarInfo('models/neutral_smpl_mean_params.h5')
        info.type, info.linkname = tarfile.SYMTYPE, '/etc/passwd'
    elif kind == 'hard link':
        info = tarfile.TarInfo('models/model.ckpt-667589.meta')
        info.type, info.linkname = tarfile.LNKTYPE, 'models/model.ckpt-667589.index'
    elif kind == 'character device':
        info = tarfile.TarInfo('models/null')
        info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
    elif kind == 'fifo':
        info = tarfile.TarInfo('models/pipe')
        info.type = tarfile.FIFOTYPE
    elif kind == 'newline in a name':
        info = tarfile.TarInfo('models/../evil\nerror: all is well')
    elif kind == 'member twice':
        info = tarfile.TarInfo('models/model.ckpt-667589.index')
    if not info.isfile():
        content = b''
    info.size = len(content)
    return info, content


def make_archive_with(path, members, extra):
    with tarfile.open(path, 'w:gz') as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        for info, content in extra:
            tar.addfile(info, io.BytesIO(content))
    return path


def files_under(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, names in os.walk(folder) for f in names)


@pytest.mark.parametrize('kind, reason', [
    ('absolute path', 'absolute path'), ('.. path', "'..'"), ('symlink', 'link'),
    ('symlink in place of a member', 'link'), ('hard link', 'link'), ('character device', 'device'),
    ('fifo', 'device'), ('newline in a name', "'..'"), ('member twice', 'twice')])
def test_unsafe_archives_install_nothing_and_say_why(tmp_path, capsys, kind, reason):
    outside = str(tmp_path / 'outside')
    os.makedirs(outside)
    archive = make_archive_with(str(tmp_path / 'models.tar.gz'), release_members(), [unsafe_member(kind, outside)])
    model_dir = str(tmp_path / 'models')
    os.makedirs(model_dir)
    assert run_command(download.main, ['--archive', archive, '--model_dir', model_dir]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith('error: %s' % archive) and reason in err[0], err
    assert files_under(model_dir) == [] and files_under(outside) == []
    assert files_under(str(tmp_path)) == ['models.tar.gz']


def test_extra_members_are_left_in_the_archive(tmp_path):
    extra = tarfile.TarInfo('models/README')
    extra.size = 5
    folder = tarfile.TarInfo('models')
    folder.type = tarfile.DIRTYPE
    archive = make_archive_with(str(tmp_path / 'models.tar.gz'), release_members(),
                                [(extra, b'hello'), (folder, b'')])
    model_dir = str(tmp_path / 'models')
    install(HMR_MODELS, archive, model_dir)
    assert files_under(model_dir) == sorted(os.path.basename(n) for n in HMR_MODELS.members + HMR_MODELS.optional)


def test_members_under_dot_slash_are_the_same_members(tmp_path):
    members = dict(('./' + name, content) for name, content in release_members().items())
    install(HMR_MODELS, make_archive(str(tmp_path / 'models.tar.gz'), members), str(tmp_path / 'models'))
    assert download.installed(HMR_MODELS, str(tmp_path / 'models'))
