"""Long output for a person goes through a pager, as git does.

Only when stdout is a terminal and the output is longer than the screen: lines are held back
until there are more than the terminal has rows; output that ends before that is written
straight to the terminal and no pager starts. The pager is ``$NEWSCTL_PAGER``, else
``$PAGER``, else ``less -FRX`` (with ``LESS=FRX`` when ``LESS`` is unset, as git sets it);
an empty value or ``cat`` means no pager. ``--no-pager`` turns it off, and so does ``CI`` in
the environment (a CI job may give its steps a terminal, but no one reads it page by page).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

DEFAULT = "less -FRX"


def command() -> str | None:
    """The pager to run, or None for none."""
    chosen = os.environ.get("NEWSCTL_PAGER", os.environ.get("PAGER", DEFAULT)).strip()
    return None if chosen in ("", "cat") else chosen


class _Paged:
    """Lines for stdout: held until they overflow the screen, then piped into the pager."""

    def __init__(self, out: IO[str], rows: int, pager: str | None) -> None:
        self.out, self.rows, self.pager = out, rows, pager
        self.held: list[str] = []
        self.process: subprocess.Popen[bytes] | None = None
        self.sink: IO[str] | None = None

    def write_lines(self, lines: Iterable[str]) -> None:
        for line in lines:
            if self.sink is not None:
                self.sink.write(line + "\n")
                continue
            self.held.append(line)
            if len(self.held) >= self.rows:
                self._start()

    def _start(self) -> None:
        if self.pager is None:
            self.sink = self.out
        else:
            environment = dict(os.environ)
            environment.setdefault("LESS", "FRX")
            environment.setdefault("LV", "-c")
            self.out.flush()
            try:
                self.process = subprocess.Popen(self.pager, shell=True, stdin=subprocess.PIPE, env=environment)
            except OSError:
                self.process = None
            if self.process is None or self.process.stdin is None:
                self.sink = self.out
            else:
                import io

                self.sink = io.TextIOWrapper(self.process.stdin, encoding="utf-8", errors="surrogateescape")
        self.sink.write("".join(line + "\n" for line in self.held))
        self.held = []

    def close(self) -> None:
        """Write what is held (short output: straight to the terminal); wait for the pager."""
        if self.sink is None:
            self.out.writelines(line + "\n" for line in self.held)
            self.held = []
            return
        if self.process is None:
            return
        import signal

        # Ctrl-C in the pager is the pager's (less stays open): not ours while we wait for it.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            with contextlib.suppress(BrokenPipeError):  # the pager was quit before the end
                self.sink.close()
            self.process.wait()
        finally:
            signal.signal(signal.SIGINT, previous)


@contextmanager
def paged(out: IO[str], *, enabled: bool = True) -> Iterator[_Paged]:
    """A writer of lines for ``out``: through the pager when ``enabled``, ``out`` is a terminal
    and the lines do not fit on the screen; straight to ``out`` otherwise. Quitting the pager
    before the end stops the output quietly."""
    terminal = enabled and out.isatty() and os.environ.get("TERM") != "dumb" and not os.environ.get("CI")
    rows = shutil.get_terminal_size((80, 24)).lines - 1 if terminal else sys.maxsize
    writer = _Paged(out, rows, command() if terminal else None)
    try:
        yield writer
    except BrokenPipeError:
        if writer.process is None:
            raise
    finally:
        writer.close()
