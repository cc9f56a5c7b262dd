"""The web app (python -m src.serve) started for the tests on a free loopback port, on the synthetic
model, with its jobs folder D inside a folder of its own (so that anything written beside D shows)."""
import os
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import PROJECT_DIR

MAX_UPLOAD_MB = 2
MAX_QUEUED = 2


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server(object):
    def __init__(self, synthetic_models, root):
        import requests
        smpl, ckpt = synthetic_models
        self.root = root
        self.jobs_dir = os.path.join(root, 'D')
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log = open(os.path.join(os.path.dirname(root), 'serve.log'), 'w')
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'src.serve', '--port', str(self.port), '--jobs_dir', self.jobs_dir,
             '--load_path', ckpt, '--smpl_model_path', smpl, '--detector', 'none', '--batch_size', '1',
             '--max_upload_mb', str(MAX_UPLOAD_MB), '--max_queued', str(MAX_QUEUED)],
            cwd=root, stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONPATH=PROJECT_DIR))
        deadline = time.time() + 300
        while True:
            assert self.process.poll() is None, 'the app stopped; see %s' % self.log.name
            try:
                if requests.get(self.url + '/', timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            assert time.time() < deadline, 'the app did not answer within 300 s'
            time.sleep(1)

    def post(self, content, name='upload.bin', field='file'):
        import requests
        return requests.post(self.url + '/jobs', files={field: (name, content)}, allow_redirects=False, timeout=120)

    def wait(self, job_url, seconds=600):
        import requests
        deadline = time.time() + seconds
        while time.time() < deadline:
            status = requests.get(job_url + '/status', timeout=30).json()
            if status['state'] in ('done', 'failed'):
                return status
            time.sleep(1)
        raise AssertionError('job %s not finished after %d s' % (job_url, seconds))

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def start_server(synthetic_models, tmp_path_factory):
    if sys.version_info < (3, 8):
        pytest.skip('the web app runs on the modern runtime (Starlette and uvicorn need Python 3.8+)')
    root = str(tmp_path_factory.mktemp('serve') / 'root')
    os.makedirs(root)
    return Server(synthetic_models, root)


def photo_bytes():
    from tests.conftest import REFERENCE_DIR
    path = os.path.join(REFERENCE_DIR, 'images', 'im1954.jpg')
    if not os.path.isfile(path):
        import io
        from PIL import Image
        from skimage import data
        buffer = io.BytesIO()
        Image.fromarray(data.astronaut()).save(buffer, format='JPEG')
        return buffer.getvalue()
    with open(path, 'rb') as f:
        return f.read()


def clip_bytes(folder):
    from src.samples.sample_clip import write_sample_clip
    path = os.path.join(folder, 'clip.mp4')
    write_sample_clip(path, fps=10., seconds=1.)
    with open(path, 'rb') as f:
        return f.read()
