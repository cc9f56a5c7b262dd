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



def take_write_lock_and_die(queue):
    """A process killed while writing to `queue`: its write lock stays taken."""
    queue._wlock.acquire()
    os._exit(9)


def die_writing_the_result(renderer):
    """A picture worker killed while writing its result: its pool's result queue (the one SimpleQueue
    of a legacy worker) keeps its write lock taken."""
    import gc
    import multiprocessing.queues
    queue, = [o for o in gc.get_objects() if isinstance(o, multiprocessing.queues.SimpleQueue)]
    take_write_lock_and_die(queue)
