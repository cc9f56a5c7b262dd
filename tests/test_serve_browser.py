"""The web app end to end in headless Chromium: a photo and a clip uploaded through the form, the job
page shows progress then the run's page (its 3D view drawn) and download links whose files the browser
fetches byte for byte; two uploads at once from two tabs."""
import os

import pytest

from tests.page_browser import Browser, available
from tests.serve_helpers import clip_bytes, photo_bytes, start_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope='module')
def server(synthetic_models, tmp_path_factory):
    started = start_server(synthetic_models, tmp_path_factory)
    yield started
    started.close()


@pytest.fixture(scope='module')
def browser():
    reason = available()
    if reason:
        pytest.fail(reason, pytrace=False)
    opened = Browser()
    yield opened
    opened.close()


@pytest.fixture(scope='module')
def uploads(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp('uploads'))
    paths = {'photo.jpg': photo_bytes(), 'clip.mp4': clip_bytes(folder)}
    for name, content in paths.items():
        with open(os.path.join(folder, name), 'wb') as f:
            f.write(content)
    return {name: os.path.join(folder, name) for name in paths}


def upload(browser, server, path):
    """Choose `path` in the form and send it; returns the job page's URL."""
    driver = browser.driver
    driver.get(server.url + '/')
    driver.find_element('id', 'file').send_keys(path)
    driver.find_element('id', 'run').click()
    browser.wait_for("return location.pathname.startsWith('/jobs/')", 60)
    return driver.current_url


def check_result(browser, server, job_url, stem):
    driver = browser.driver
    browser.wait_for("return document.getElementById('hmr-state') && "
                     "document.getElementById('hmr-state').textContent === 'done'", 900)
    out = os.path.join(server.jobs_dir, job_url.rstrip('/').rsplit('/', 1)[1], 'out')
    links = [a.get_attribute('href') for a in driver.find_elements('css selector', 'a.hmr-download')]
    names = sorted(os.listdir(out))
    assert [link.rsplit('/', 1)[1] for link in links] == names and stem + '.json' in names
    # The browser downloads every file; each arrives whole.
    sizes = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "Promise.all(arguments[0].map(function (u) { return fetch(u).then(function (r) {"
        " return r.ok ? r.arrayBuffer().then(function (b) { return b.byteLength; }) : -r.status; }); }))"
        ".then(done);", links + [server.url + '/jobs/%s/zip' % out.split(os.sep)[-2]])
    assert sizes[:-1] == [os.path.getsize(os.path.join(out, name)) for name in names]
    assert sizes[-1] > 0
    # The run's page inside the job page: its 3D view drawn, nothing wrong.
    driver.switch_to.frame(driver.find_element('id', 'hmr-run-page'))
    browser.wait_for("return document.documentElement.dataset.hmrReady === '1'", 120)
    assert driver.find_element('id', 'hmr-errors').text == ''
    driver.switch_to.default_content()
    assert browser.console_errors() == []


def test_photo_and_clip_through_the_form(browser, server, uploads):
    driver = browser.driver
    driver.set_script_timeout(120)
    browser.driver.get_log('browser')
    job = upload(browser, server, uploads['photo.jpg'])
    check_result(browser, server, job, 'photo')
    job = upload(browser, server, uploads['clip.mp4'])
    # Progress shows while the clip runs.
    assert driver.find_element('id', 'hmr-state').text in ('queued', 'running', 'done')
    check_result(browser, server, job, 'video')


def test_two_uploads_at_once(browser, server, uploads):
    driver = browser.driver
    first = driver.current_window_handle
    driver.get(server.url + '/')
    driver.find_element('id', 'file').send_keys(uploads['photo.jpg'])
    driver.switch_to.new_window('tab')
    second = driver.current_window_handle
    driver.get(server.url + '/')
    driver.find_element('id', 'file').send_keys(uploads['photo.jpg'])
    # Both forms sent before either job has run.
    driver.execute_script("document.forms[0].submit()")
    driver.switch_to.window(first)
    driver.execute_script("document.forms[0].submit()")
    jobs = []
    for handle in (first, second):
        driver.switch_to.window(handle)
        browser.wait_for("return location.pathname.startsWith('/jobs/')", 60)
        jobs.append(driver.current_url)
    assert jobs[0] != jobs[1]
    for handle, job in zip((first, second), jobs):
        driver.switch_to.window(handle)
        check_result(browser, server, job, 'photo')
