"""The output folder of a run, checked before any work: it must be a folder (made if missing) that
files can be written in. Otherwise one line says why, instead of a traceback or a model run whose
every file then fails."""
import os
import tempfile

from ..errors import HMRError


def prepare_out_dir(path, flag='--out_dir'):
    """Make `path` if missing; HMRError when it is empty, a file, inside a file or not writable."""
    if not path:
        raise HMRError('%s is empty: give a folder (. for the current one)' % flag)
    if os.path.exists(path) and not os.path.isdir(path):
        raise HMRError('%s: %s is a file, not a folder' % (path, flag))
    try:
        if not os.path.isdir(path):
            os.makedirs(path)
        handle, probe = tempfile.mkstemp(prefix='.write-test-', dir=path)
        os.close(handle)
        os.remove(probe)
    except (IOError, OSError) as e:
        reason = e.strerror or str(e)
        if isinstance(e, NotADirectoryError):
            reason = 'a folder on its path is a file'
        raise HMRError('%s: cannot write in %s (%s)' % (path, flag, reason))
