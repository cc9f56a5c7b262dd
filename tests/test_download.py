"""Model download and install, on archives built here and served from 127.0.0.1."""
import io
import os
import tarfile
import threading

import pytest

from src.errors import HMRError
from src.util import download
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
    assert download.main(['--archive', archive, '--model_dir', str(tmp_path / 'm')]) == 0
    assert download.main(['--archive', str(tmp_path / 'absent.tar.gz'), '--model_dir', str(tmp_path / 'm')]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ['error: %s: no such archive' % (tmp_path / 'absent.tar.gz')]
