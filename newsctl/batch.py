"""Loading many posts on every core, streaming, in discovery order.

Work is cut into batches of files; at most a few batches per worker are in flight, so memory
stays flat however large the archive is, and results come back in the order the files were
found (so output is stable from run to run).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from newsctl.discovery import Candidate, Found
from newsctl.errors import PostError
from newsctl.post import Post, load_post

Result = Post | PostError | Found

BATCH = 128
# Below this many files a process pool costs more than it saves.
SERIAL_LIMIT = 256


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _load_one(item: Found, light: bool) -> Result | None:
    if not isinstance(item, Candidate):
        return item
    try:
        return load_post(item, keep_text=not light)
    except PostError as exc:
        return exc


def _load_batch(items: list[Found], light: bool) -> list[Result]:
    return [r for r in (_load_one(item, light) for item in items) if r is not None]


def _batches(found: Iterable[Found]) -> Iterator[list[Found]]:
    batch: list[Found] = []
    for item in found:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def load_all(found: Iterable[Found], *, jobs: int | None = None, light: bool = False) -> Iterator[Result]:
    """Load every candidate; pass Skipped and Missing through; PostErrors are yielded, not raised.

    ``light`` drops bodies in the workers, for commands that only need metadata.
    """
    jobs = jobs or default_jobs()
    iterator = iter(found)
    head: list[Found] = []
    for item in iterator:
        head.append(item)
        if len(head) >= SERIAL_LIMIT:
            break
    if jobs == 1 or len(head) < SERIAL_LIMIT:
        for item in (*head, *iterator):
            result = _load_one(item, light)
            if result is not None:
                yield result
        return

    def everything() -> Iterator[Found]:
        yield from head
        yield from iterator

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    window = jobs * 4
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        pending: deque[Future[list[Result]]] = deque()
        for batch in _batches(everything()):
            pending.append(pool.submit(_load_batch, batch, light))
            while len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
