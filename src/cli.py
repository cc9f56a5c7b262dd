"""The one wrapper of every command line: a problem the user can fix (HMRError, a bad flag value) is
one line on stderr and a non-zero exit status, never a traceback; Ctrl-C is one line and status 130."""
import sys

from absl import flags

from .errors import HMRError


def run_command(main, argv=None, on_interrupt='interrupted'):
    """main(argv) -> the exit status main returns if it returns an int, else 0 (it ran through); the
    problems above become one line.

    `on_interrupt`: the line printed on Ctrl-C, saying what the interrupted work left behind."""
    try:
        status = main(argv)
        return status if isinstance(status, int) else 0
    except HMRError as e:
        print('error: %s' % e, file=sys.stderr)
        return 1
    except flags.Error as e:
        print('error: %s' % str(e).splitlines()[0], file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(on_interrupt, file=sys.stderr)
        return 130


def run_with_flags(main, argv=None, on_interrupt='interrupted'):
    """Parse the released absl flags (`get_config`, default sys.argv) and run main(config)."""
    from .config import get_config
    return run_command(lambda args: main(get_config(args)), argv, on_interrupt)
