"""The one wrapper of every command line: a problem the user can fix (HMRError, a bad flag value) is
one line on stderr and a non-zero exit status, never a traceback; Ctrl-C is one line and status 130.
SIGTERM is handled as Ctrl-C is (status 143). A reader that closes our standard output (`| head -1`)
does not stop the work: the lines after that are dropped and the status is 141, as for SIGPIPE.
`--help` / `-h` print the command's flags (defaults, one line each) and exit 0, as absl's app.run did."""
import contextlib
import os
import signal
import sys
import threading

from absl import flags

from .errors import HMRError
from .util.names import one_line


class Terminated(KeyboardInterrupt):
    """SIGTERM, unwound as Ctrl-C is (files being written are removed, workers stopped)."""


def _terminate(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def _sigterm_as_interrupt():
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread (the web app runs commands in others)
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _ClosableStdout(object):
    """sys.stdout that survives its reader going away: on a broken pipe, the descriptor is pointed at
    /dev/null (so the interpreter's last flush does not fail either) and the loss remembered."""

    def __init__(self, stream):
        self.stream, self.lost = stream, False

    def _guarded(self, method, *args):
        try:
            return getattr(self.stream, method)(*args)
        except BrokenPipeError:
            self.lost = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
            return None

    def write(self, text):
        return self._guarded('write', text)

    def flush(self):
        return self._guarded('flush')

    def __getattr__(self, name):
        return getattr(self.stream, name)


def run_command(main, argv=None, on_interrupt='interrupted'):
    """main(argv) -> the exit status main returns if it returns an int, else 0 (it ran through); the
    problems above become one line (control characters in it, from a file name, escaped).

    `on_interrupt`: the line printed on Ctrl-C or SIGTERM, saying what the interrupted work left behind."""
    stdout = sys.stdout = _ClosableStdout(sys.stdout)
    try:
        with _sigterm_as_interrupt():
            status = main(argv)
        status = status if isinstance(status, int) else 0
    except HMRError as e:
        print('error: %s' % one_line(e), file=sys.stderr)
        status = 1
    except flags.Error as e:
        print('error: %s' % one_line(str(e).splitlines()[0]), file=sys.stderr)
        status = 2
    except KeyboardInterrupt as e:
        print(on_interrupt, file=sys.stderr)
        status = 128 + (signal.SIGTERM if isinstance(e, Terminated) else signal.SIGINT)
    finally:
        stdout.flush()
        sys.stdout = stdout.stream
    return 141 if stdout.lost and status == 0 else status


HELP_FLAGS = ('-h', '--help', '-?', '--helpshort', '--helpfull')


def flags_help(usage, full=False):
    """The command's usage text and its flags by module, each with its default and one line of help.

    Without `full`, absl's own flags (logging verbosity and the like) are left out."""
    values = flags.FLAGS
    modules = sorted(name for name in values.flags_by_module_dict()
                     if full or not name.startswith('absl.'))
    sections = [values.module_help(name) for name in modules]
    return '\n\n'.join([(usage or '').strip()] + [s for s in sections if s.strip()]) + '\n'


def run_with_flags(main, argv=None, on_interrupt='interrupted'):
    """Parse the released absl flags (`get_config`, default sys.argv) and run main(config); with a help
    flag, print the flags instead and return 0."""
    from .config import get_config
    args = sys.argv if argv is None else argv
    asked = [arg for arg in args[1:] if arg in HELP_FLAGS]
    if asked:
        usage = getattr(sys.modules.get(getattr(main, '__module__', None)), '__doc__', None)
        sys.stdout.write(flags_help(usage, full='--helpfull' in asked))
        return 0
    return run_command(lambda args: main(get_config(args)), argv, on_interrupt)
