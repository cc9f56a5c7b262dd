"""The run pages in a real browser (headless Chromium, WebGL through SwiftShader), opened from disk as
a person double-clicking index.html would: a photo run and a clip run on the synthetic model. Marker
`browser`: `make test-browser` installs Chromium and the page's three.js first."""
import os
import subprocess
import sys

import numpy as np
import pytest

from src.page import assets
from tests.conftest import PROJECT_DIR, REFERENCE_DIR
from tests.page_browser import Browser, available

pytestmark = pytest.mark.browser
READY = "return document.documentElement.dataset.hmrReady === '1'"
BACKGROUND = np.array([0xee, 0xee, 0xff])


def run_demo(synthetic_models, *args):
    smpl, ckpt = synthetic_models
    done = subprocess.run([sys.executable, '-m', 'demo', '--load_path', ckpt, '--smpl_model_path', smpl,
                           '--detector', 'none'] + list(args), cwd=PROJECT_DIR, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope='module')
def runs(synthetic_models, tmp_path_factory):
    """(photo page, clip page): a real photo and the sample clip through the demo."""
    if sys.version_info < (3, 8):
        pytest.skip('the browser tests run on the modern runtime (selenium 4 needs Python 3.8+)')
    reason = available()
    if reason or not os.path.isfile(assets.bundle_path()):
        pytest.fail(reason or 'no three.js bundle: %s' % assets.INSTALL_HINT, pytrace=False)
    folder = tmp_path_factory.mktemp('page_runs')
    photo = os.path.join(REFERENCE_DIR, 'images', 'im1954.jpg')
    if not os.path.isfile(photo):
        from PIL import Image
        from skimage import data
        photo = str(folder / 'astronaut.png')
        Image.fromarray(data.astronaut()).save(photo)
    from src.samples.sample_clip import write_sample_clip
    clip = str(folder / 'walk.mp4')
    write_sample_clip(clip, fps=10., seconds=2.)
    run_demo(synthetic_models, '--img_path', photo, '--out_dir', str(folder / 'photo'))
    run_demo(synthetic_models, '--img_path', clip, '--out_dir', str(folder / 'clip'))
    return str(folder / 'photo' / 'index.html'), str(folder / 'clip' / 'index.html')


@pytest.fixture(scope='module')
def browser():
    opened = Browser()
    yield opened
    opened.close()


def open_page(browser, path):
    """Open `path` from disk; returns the URLs it requested (the log is emptied before)."""
    browser.driver.get('about:blank')
    browser.requested_urls()
    browser.driver.get('file://' + path)
    browser.wait_for(READY, 120)
    return browser.requested_urls()


def body_share(pixels):
    """Share of the view's pixels (inside its 1-pixel border) that are not its background: the people."""
    return np.mean(np.abs(pixels[2:-2, 2:-2].astype(int) - BACKGROUND).sum(axis=-1) > 30)


def check_offline_and_clean(browser, urls, path):
    assert urls and all(url.startswith(('file://', 'data:', 'blob:')) for url in urls), urls
    assert 'file://' + path in urls
    assert browser.driver.find_element('id', 'hmr-errors').text == ''
    assert browser.console_errors() == []


def test_photo_page_from_disk(browser, runs):
    urls = open_page(browser, runs[0])
    check_offline_and_clean(browser, urls, runs[0])
    canvas = browser.driver.find_element('css selector', '.view canvas')
    pixels = browser.element_pixels(canvas)
    browser.driver.save_screenshot(os.path.join(os.path.dirname(runs[0]), 'screenshot.png'))
    assert 0.02 < body_share(pixels) < 0.9
    # Orbiting redraws the body from another side: the picture changes.
    from selenium.webdriver import ActionChains
    ActionChains(browser.driver).drag_and_drop_by_offset(canvas, 120, 0).perform()
    turned = browser.element_pixels(canvas)
    assert 0.02 < body_share(turned) and np.mean(np.any(turned != pixels, axis=-1)) > 0.01
    links = [a.text for a in browser.driver.find_elements('css selector', '#hmr-files a')]
    assert links == sorted(n for n in os.listdir(os.path.dirname(runs[0])) if n.startswith('im1954.')
                           or n.startswith('astronaut.'))


def test_clip_page_from_disk(browser, runs):
    urls = open_page(browser, runs[1])
    check_offline_and_clean(browser, urls, runs[1])
    driver = browser.driver
    canvas = driver.find_element('css selector', '.view canvas')
    first = browser.element_pixels(canvas)
    driver.save_screenshot(os.path.join(os.path.dirname(runs[1]), 'screenshot.png'))
    assert body_share(first) > 0.02
    slider = driver.find_element('css selector', 'input.hmr-frame')
    last = int(slider.get_attribute('max'))
    assert last == 19  # 2 s at 10 fps
    driver.execute_script("arguments[0].value = arguments[1];"
                          "arguments[0].dispatchEvent(new Event('input'));", slider, last)
    moved = browser.element_pixels(canvas)
    assert driver.find_element('css selector', '.hmr-frame-label').text == '%d / %d (video frame %d)' % (last, last, last)
    assert np.mean(np.any(moved != first, axis=-1)) > 0.005
    # The video follows the slider.
    browser.wait_for("return Math.abs(document.querySelector('video').currentTime - %f) < 0.06" % ((last + .5) / 10.), 30)
    for toggle in driver.find_elements('css selector', 'input.hmr-track'):
        toggle.click()
    assert body_share(browser.element_pixels(canvas)) < 0.001
    assert browser.console_errors() == []
