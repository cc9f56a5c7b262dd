"""The one command-line wrapper: user problems are one line and an exit status, never a traceback."""
import pytest

from src.cli import run_command, run_with_flags
from src.errors import HMRError


def raising(error):
    def main(argv):
        raise error
    return main


@pytest.mark.parametrize('main, status, line', [
    (raising(HMRError('model missing: run make models')), 1, 'error: model missing: run make models'),
    (raising(KeyboardInterrupt()), 130, 'stopped; nothing lost'),
    (lambda argv: 3, 3, None),
    (lambda argv: {'report': 1}, 0, None),
    (lambda argv: None, 0, None),
])
def test_each_outcome_is_one_line_and_a_status(capsys, main, status, line):
    assert run_command(main, [], on_interrupt='stopped; nothing lost') == status
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ([line] if line else [])


def test_unexpected_errors_are_not_swallowed():
    with pytest.raises(ZeroDivisionError):
        run_command(raising(ZeroDivisionError()), [])


@pytest.mark.parametrize('argv', [['prog', '--batch_size', 'eight'], ['prog', '--no_such_flag'],
                                  ['prog', '--joint_type', 'smplx']])
def test_bad_flag_values_of_every_tool_are_one_line(capsys, argv):
    """The released flags are parsed inside the wrapper (demo, training and evaluation use it)."""
    from src import main as train_main
    for run in (lambda a: run_with_flags(lambda config: 0, a), train_main.run):
        assert run(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith('error: ')
