"""A live counter on stderr for long reads (reading, indexing, checking, exporting).

rich is imported only when stderr is a terminal, so a piped or scripted run never pays for it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], label: str) -> Iterator[T]:
    """``items`` passed through unchanged, counted on stderr as "<label> N files" when stderr is
    a terminal (updated every 200 items: drawing more often costs more than the reading)."""
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description} {task.completed} files"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        for count, item in enumerate(items, 1):
            if count % 200 == 0:
                bar.update(task, completed=count)
            yield item
