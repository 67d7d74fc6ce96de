"""Work on many files on every core, streaming, in order.

Work is cut into batches of files; at most a few batches per worker are in flight, so memory
stays flat however large the archive is, and results come back in the order the files were
given (so output is stable from run to run).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

BATCH = 128
# Below this many items a process pool costs more than it saves.
SERIAL_LIMIT = 256


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _apply_batch(function: Callable[[T], R | None], items: list[T]) -> list[R]:
    return [r for r in (function(item) for item in items) if r is not None]


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
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
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


def _chain(head: list[T], rest: Iterator[T]) -> Iterator[T]:
    yield from head
    yield from rest
