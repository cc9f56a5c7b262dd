"""The suite cannot pass without testing: a missing reference folder or runtime is a skip whose reason
is printed, and a failure in CI (HMR_REQUIRE_REFERENCE=1); a hung test fails after a timeout."""
import os
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import PROJECT_DIR, missing

PYTEST_INI = os.path.join(PROJECT_DIR, 'pytest.ini')


def run_pytest(test_dir, source, **env):
    """Run `source` as a test file with the project's pytest.ini and fixtures (tests/conftest.py as a
    plugin); (exit status, output)."""
    path = os.path.join(str(test_dir), 'test_probe.py')
    with open(path, 'w') as f:
        f.write(textwrap.dedent(source))
    environment = dict(os.environ, PYTHONPATH=PROJECT_DIR)
    environment.pop('HMR_REQUIRE_REFERENCE', None)
    environment.update(env)
    done = subprocess.run([sys.executable, '-m', 'pytest', '-c', PYTEST_INI, '--rootdir', str(test_dir),
                           '-p', 'tests.conftest', '-p', 'no:cacheprovider', path],
                          cwd=PROJECT_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return done.returncode, done.stdout.decode('utf-8', 'replace')


USES_REFERENCE = '''
    def test_needs_the_reference(reference_dir):
        assert reference_dir
'''


def test_missing_reference_folder_is_a_visible_skip(tmp_path):
    status, output = run_pytest(tmp_path, USES_REFERENCE, HMR_REFERENCE_DIR=str(tmp_path / 'nowhere'))
    assert status == 0, output
    # -rs: the reason is printed, not only "1 skipped".
    assert 'SKIPPED' in output and 'reference folder %s is not here' % (tmp_path / 'nowhere') in output


def test_missing_reference_folder_fails_under_require_reference(tmp_path):
    status, output = run_pytest(tmp_path, USES_REFERENCE, HMR_REFERENCE_DIR=str(tmp_path / 'nowhere'),
                                HMR_REQUIRE_REFERENCE='1')
    assert status == 1, output
    # Failed in its fixture: pytest counts it as an error.
    assert '1 error' in output and 'HMR_REQUIRE_REFERENCE=1 makes that an error' in output


def test_missing_legacy_runtime_skips_or_fails(monkeypatch):
    from tests import runtimes
    monkeypatch.setitem(runtimes.PYTHONS, 'legacy', '/nonexistent/python3.6')
    assert runtimes.python_of('legacy') is None
    monkeypatch.delenv('HMR_REQUIRE_REFERENCE', raising=False)
    with pytest.raises(pytest.skip.Exception, match='not built'):
        missing('the legacy environment is not built')
    monkeypatch.setenv('HMR_REQUIRE_REFERENCE', '1')
    with pytest.raises(pytest.fail.Exception, match='not built, and HMR_REQUIRE_REFERENCE=1'):
        missing('the legacy environment is not built')


def test_a_hung_test_fails_after_its_timeout(tmp_path):
    start = time.time()
    status, output = run_pytest(tmp_path, '''
        import time
        import pytest

        @pytest.mark.timeout(3)
        def test_hangs():
            time.sleep(120)
    ''')
    assert status == 1 and 'Timeout' in output, output
    assert time.time() - start < 60


def test_every_test_has_a_default_timeout(pytestconfig):
    # pytest-timeout reads it from pytest.ini; without the plugin the option would not exist.
    assert float(pytestconfig.getini('timeout')) >= 600
    assert pytestconfig.pluginmanager.hasplugin('timeout')
