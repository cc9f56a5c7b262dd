"""Picture jobs for tests/test_reliability_workers.py, in a module light to import: each spawned
worker imports it to unpickle them."""
import os
import signal


def suicide(renderer, marker, value):
    """Kills its worker the first time (making `marker`), returns `value` the second."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
    except OSError:
        return value
    os.kill(os.getpid(), signal.SIGKILL)


def always_die(renderer, value):
    os.kill(os.getpid(), signal.SIGKILL)


def square(renderer, value):
    return value * value
