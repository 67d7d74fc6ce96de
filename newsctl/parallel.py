"""Work on many files on every core, streaming, in order.

Work is cut into batches of files; at most a few batches per worker are in flight, so memory
stays flat however large the archive is, and results come back in the order the files were
given (so output is stable from run to run).

Workers belong to the run that started them: on Linux they get SIGKILL when it dies, even by
``kill -9`` (``PR_SET_PDEATHSIG``); they ignore SIGINT, so Ctrl-C at a terminal (which reaches
the whole process group) interrupts the parent alone, which stops them and raises
KeyboardInterrupt once. Stopping a worker is SIGTERM first: inside ``function`` it raises there,
so cleanup runs (``files.write_atomic`` removes its temporary file) and the worker exits; a
worker that has not ended a second later is killed. File descriptors a long-lived caller must not share with them (the
watcher's socket) are closed in them (``close_in_workers``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

BATCH = 128
# Below this many items a process pool costs more than it saves.
SERIAL_LIMIT = 256


# File descriptors closed in every worker as it starts (see close_in_workers).
_CLOSE_IN_WORKERS: set[int] = set()
PR_SET_PDEATHSIG = 1


def close_in_workers(fd: int) -> None:
    """Have workers started from now on close ``fd`` (a forked worker inherits every open
    file: a listening socket it held would outlive the process that opened it)."""
    _CLOSE_IN_WORKERS.add(fd)


def keep_in_workers(fd: int) -> None:
    _CLOSE_IN_WORKERS.discard(fd)


class _Stopped(BaseException):
    """Raised in a worker by SIGTERM while it runs the mapped function."""


# Whether this worker is inside the mapped function (where SIGTERM may raise): outside it, it
# may be writing a result to the pool's pipe, which an exception there would leave half-written.
_working = False


def _on_sigterm(signum: int, frame: object) -> None:
    if _working:
        raise _Stopped
    os._exit(1)


def _start_worker(parent: int, close: tuple[int, ...]) -> None:
    """In each worker as it starts: die with the parent, leave Ctrl-C to it, stop on SIGTERM
    after its own cleanup, drop its sockets."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the death signal was asked for
        os._exit(1)
    for fd in close:
        with contextlib.suppress(OSError):
            os.close(fd)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _apply_batch(function: Callable[[T], R | None], items: list[T]) -> list[R]:
    global _working
    _working = True
    try:
        return [r for r in (function(item) for item in items) if r is not None]
    except _Stopped:  # the function's own cleanup has run on the way here
        os._exit(1)
    finally:
        _working = False


def parallel_map(function: Callable[[T], R | None], items: Iterable[T], *, jobs: int | None = None) -> Iterator[R]:
    """``function`` over ``items`` on ``jobs`` processes, results in input order, None dropped.

    ``function`` must be picklable (a module-level function or a functools.partial of one)."""
    jobs = jobs or default_jobs()
    iterator = iter(items)
    head: list[T] = []
    for item in iterator:
        head.append(item)
        if len(head) >= SERIAL_LIMIT:
            break
    if jobs == 1 or len(head) < SERIAL_LIMIT:
        for item in _chain(head, iterator):  # not (*head, *iterator): that would hold every item
            result = function(item)
            if result is not None:
                yield result
        return

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    window = jobs * 4
    pool = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(), tuple(_CLOSE_IN_WORKERS))
    )
    try:
        pending: deque[Future[list[R]]] = deque()
        batch: list[T] = []
        for item in _chain(head, iterator):
            batch.append(item)
            if len(batch) >= BATCH:
                pending.append(pool.submit(_apply_batch, function, batch))
                batch = []
                while len(pending) >= window:
                    yield from pending.popleft().result()
        if batch:
            pending.append(pool.submit(_apply_batch, function, batch))
        while pending:
            yield from pending.popleft().result()
    except GeneratorExit:
        # The consumer stopped early (a closed pipe): what has not started is cancelled and the
        # batches in flight (a fraction of a second) end by themselves. Killing the workers here
        # could leave the result pipe half-written, and the executor's thread then waits on it
        # forever when Python exits (seen: `export | head -c 100` hung 1 run in 30 under load).
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    except BaseException:  # Ctrl-C: stop the workers now, a batch may take long
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` without waiting for the batches in flight: SIGTERM (each worker cleans up
    what it was writing), then SIGKILL for any still running a second later."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to reach them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + 1
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            if process.is_alive():
                process.kill()
            process.join(5)


def _chain(head: list[T], rest: Iterator[T]) -> Iterator[T]:
    yield from head
    yield from rest
