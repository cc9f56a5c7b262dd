"""The one wrapper of every command line: a problem the user can fix (HMRError, a bad flag value) is
one line on stderr and a non-zero exit status, never a traceback; Ctrl-C is one line and status 130.
`--help` / `-h` print the command's flags (defaults, one line each) and exit 0, as absl's app.run did."""
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
