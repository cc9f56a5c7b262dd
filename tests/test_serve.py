"""The web app over HTTP (no browser): bad requests get a clear 4xx and change nothing outside the
jobs folder D, the server keeps serving, a full queue refuses with 503, a photo job runs to its page
and files (each, and the zip). The browser's side is tests/test_serve_browser.py."""
import concurrent.futures
import io
import os
import sys
import zipfile

import pytest

from tests.serve_helpers import MAX_QUEUED, MAX_UPLOAD_MB, photo_bytes, start_server

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason='the web app runs on the modern runtime '
                                '(Starlette and uvicorn need Python 3.8+)')


@pytest.fixture(scope='module')
def server(synthetic_models, tmp_path_factory):
    started = start_server(synthetic_models, tmp_path_factory)
    yield started
    started.close()


def everything_under(folder):
    return sorted(os.path.relpath(os.path.join(d, n), folder) for d, _, names in os.walk(folder) for n in names)


def refused(response, status, words):
    assert response.status_code == status, response.text
    assert words in response.json()['error']


def test_bad_requests_are_refused_and_nothing_is_written(server):
    import requests
    photo = photo_bytes()
    before = everything_under(server.root)
    refused(server.post(b'just some text\n' * 10, 'notes.jpg'), 415, 'not a photo or a video')
    refused(server.post(b'', 'empty.jpg'), 400, 'empty')
    refused(server.post(photo[:4] + os.urandom(int(MAX_UPLOAD_MB * 1e6)), 'big.jpg'), 413, 'too large')
    refused(server.post(photo[:200], 'cut.jpg'), 415, 'cannot be decoded')
    refused(server.post(photo, 'photo.jpg', field='other'), 400, 'no field named "file"')
    refused(requests.post(server.url + '/jobs', data={'file': 'x'}, timeout=30), 400, 'multipart/form-data')
    for path in ('/jobs/0123/status', '/jobs/%s/status' % ('f' * 32), '/jobs/../../etc/passwd',
                 '/jobs/%s/files/..%%2F..%%2Fetc%%2Fpasswd' % ('0' * 32), '/nowhere'):
        assert requests.get(server.url + path, timeout=30).status_code == 404, path
    assert everything_under(server.root) == before
    assert requests.get(server.url + '/', timeout=30).status_code == 200


def test_a_photo_job_gives_its_page_files_and_zip_and_ignores_the_upload_name(server):
    import requests
    response = server.post(photo_bytes(), '../../../evil name.jpg')
    assert response.status_code == 303
    job_url = server.url + response.headers['location']
    job_id = job_url.rsplit('/', 1)[1]
    assert server.wait(job_url) == {'state': 'done', 'progress': 1.0, 'error': ''}
    job_dir = os.path.join(server.jobs_dir, job_id)
    # The upload is stored under a name of the app's, inside the job's folder; nothing else appeared.
    assert sorted(os.listdir(job_dir)) == ['out', 'photo.jpg']
    assert [p for p in everything_under(server.root) if not p.startswith('D' + os.sep)] == []
    out = os.path.join(job_dir, 'out')
    names = sorted(os.listdir(out))
    assert {'index.html', 'hmr-data.js', 'photo.png', 'photo.obj', 'photo.json', 'photo.npz'} <= set(names)
    page = requests.get(job_url, timeout=30).text
    for name in names:
        assert 'href="/jobs/%s/files/%s"' % (job_id, name) in page
        with open(os.path.join(out, name), 'rb') as f:
            assert requests.get('%s/files/%s' % (job_url, name), timeout=30).content == f.read()
    archive = zipfile.ZipFile(io.BytesIO(requests.get(job_url + '/zip', timeout=60).content))
    assert sorted(archive.namelist()) == names
    with open(os.path.join(out, 'photo.npz'), 'rb') as f:
        assert archive.read('photo.npz') == f.read()


def test_many_uploads_at_once_fill_the_queue_then_get_503(server):
    import requests
    photo = photo_bytes()
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda i: server.post(photo, 'p%d.jpg' % i), range(6)))
    accepted = [r for r in responses if r.status_code == 303]
    # MAX_QUEUED wait, and the worker may have taken one of them already.
    assert MAX_QUEUED <= len(accepted) <= MAX_QUEUED + 1
    for response in responses:
        if response.status_code != 303:
            refused(response, 503, 'busy')
    for response in accepted:
        assert server.wait(server.url + response.headers['location'])['state'] == 'done'
    assert requests.get(server.url + '/', timeout=30).status_code == 200
