"""Headless Chromium for the page and app tests: Debian's /usr/bin/chromium and chromedriver, driven
by selenium, WebGL through SwiftShader, a fresh profile, the performance log on (CDP network events)."""
import base64
import io
import json
import os
import shutil
import tempfile

import numpy as np

CHROMIUM = os.environ.get('HMR_CHROMIUM', '/usr/bin/chromium')
CHROMEDRIVER = os.environ.get('HMR_CHROMEDRIVER', '/usr/bin/chromedriver')
FLAGS = ('--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
         '--window-size=1400,1100')


def available():
    """None when Chromium and its driver are here, else why not."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(p)]
    return ('%s not installed: `make browser-tools` (apt-get install chromium chromium-driver)'
            % ', '.join(missing)) if missing else None


class Browser(object):
    def __init__(self, download_dir=None):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        self.profile = tempfile.mkdtemp(prefix='hmr-chromium-')
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument('--user-data-dir=' + self.profile)
        options.set_capability('goog:loggingPrefs', {'browser': 'ALL', 'performance': 'ALL'})
        if download_dir:
            options.add_experimental_option('prefs', {'download.default_directory': download_dir,
                                                      'download.prompt_for_download': False})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)

    def close(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def wait_for(self, script, seconds=120):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.driver, seconds, poll_frequency=0.2).until(lambda d: d.execute_script(script))

    def requested_urls(self):
        """Every URL the page asked for since the last call (CDP Network.requestWillBeSent)."""
        urls = []
        for entry in self.driver.get_log('performance'):
            message = json.loads(entry['message'])['message']
            if message['method'] == 'Network.requestWillBeSent':
                urls.append(message['params']['request']['url'])
        return urls

    def console_errors(self):
        return [e['message'] for e in self.driver.get_log('browser') if e['level'] == 'SEVERE']

    def element_pixels(self, element):
        """The element's screenshot as an H x W x 3 uint8 array."""
        from PIL import Image
        png = base64.b64decode(element.screenshot_as_base64)
        return np.asarray(Image.open(io.BytesIO(png)).convert('RGB'))
