"""The archive's index as the commands use it: open it (and refresh it unless told not to or a
watcher vouches for it), or say the files must be read instead; the posts it recorded as
unreadable or skipped; and search's protocol of checking for changes beside the query.

The CLI decides nothing about the index itself: it asks here and prints what comes back.
Progress is a callable handed in (the CLI's counter on a terminal), so nothing here imports
click or rich.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from newsctl.errors import NewsctlError, PostError
from newsctl.index.schema import IndexUnusable, index_path, meta_value

if TYPE_CHECKING:
    from newsctl.index.refresh import Refresh
    from newsctl.index.schema import Status
    from newsctl.index.search import Scope
    from newsctl.jekyll.discovery import Found, Skipped

T = TypeVar("T")
Progress = Callable[[Iterable["Found"]], Iterable["Found"]]


class PathMissing(NewsctlError):
    """A PATH given to a command that needs the index does not exist (a usage error)."""


# Plain classes, not dataclasses: this module is imported by every ``list`` and ``stats`` run,
# index or not, and building a dataclass at import costs more than the rest of the module.


class ReadFiles:
    """The index cannot answer, so the caller reads the files. ``warning`` says why when the
    user should hear it (an index that exists but cannot be opened or updated); None when
    there is simply no index for these PATHs."""

    __slots__ = ("warning",)

    def __init__(self, warning: str | None = None) -> None:
        self.warning = warning


class Archive:
    """An open index, the PATHs as scopes in it, and what opening it refreshed (None when it
    was not refreshed)."""

    __slots__ = ("db", "refreshed", "root", "scopes")

    def __init__(self, root: Path, db: sqlite3.Connection, scopes: list[Scope], refreshed: Refresh | None) -> None:
        self.root, self.db, self.scopes, self.refreshed = root, db, scopes, refreshed

    @property
    def path(self) -> Path:
        return index_path(self.root)

    def status(self, *, check: bool) -> Status:
        from newsctl.index.schema import status

        return status(self.db, self.root, check=check)


def index_location(paths: Sequence[str]) -> Path:
    """Where the index of the archive PATHs are in is (or would be)."""
    from newsctl.project import archive_root

    return index_path(archive_root(list(paths)))


def open_index(
    paths: Sequence[str],
    *,
    jobs: int | None = None,
    refresh: bool = True,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> Archive:
    """Open (creating it if needed) and refresh the index of the archive PATHs are in.
    ``rebuild`` deletes it first. Raises PathMissing, OutsideIndex or IndexUnusable."""
    from newsctl.index.search import scopes_for
    from newsctl.project import archive_root

    root = archive_root(list(paths))
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise PathMissing(f"{missing[0]}: no such file or directory")
    scopes = scopes_for(root, list(paths))
    if rebuild:
        delete_index(root)
    return _opened(root, scopes, jobs=jobs, refresh=refresh, progress=progress)


def open_if_indexed(
    paths: Sequence[str], *, jobs: int | None = None, refresh: bool = True, progress: Progress | None = None
) -> Archive | ReadFiles:
    """The index, when the archive PATHs are in has one that covers them all and can be used
    (``list``, ``stats``); else ReadFiles: no index yet, a PATH missing (reading the files
    reports it) or outside the archive, or an index that cannot be opened or updated."""
    from newsctl.index.search import OutsideIndex, scopes_for
    from newsctl.project import archive_root

    root = archive_root(list(paths))
    if not index_path(root).is_file() or not all(os.path.exists(p) for p in paths):
        return ReadFiles()
    try:
        scopes = scopes_for(root, list(paths))
    except OutsideIndex:
        return ReadFiles()
    try:
        return _opened(root, scopes, jobs=jobs, refresh=refresh, progress=progress)
    except IndexUnusable as exc:
        return ReadFiles(str(exc))


def _opened(root: Path, scopes: list[Scope], *, jobs: int | None, refresh: bool, progress: Progress | None) -> Archive:
    from newsctl.index.schema import connect  # looked up now: tests replace it

    new = not index_path(root).parent.exists()
    try:
        db = connect(root)
    except IndexUnusable:
        if new:
            _remove_folder(root)
        raise
    try:
        refreshed = None
        # A new (or just rebuilt) index knows nothing yet: --no-refresh cannot mean "answer from it".
        # Asked first even of a new index: with ``watch = true`` this starts the watcher.
        watched = refresh and _watched(root)
        if meta_value(db, "refreshed") is None or (refresh and not watched):
            from newsctl.index.refresh import refresh as refresh_index

            # The whole archive is refreshed, whatever PATHS narrow the command to.
            try:
                refreshed = refresh_index(db, root, jobs=jobs, progress=progress)
            except sqlite3.DatabaseError as exc:
                if not damaged(exc):
                    raise
                db = _rebuilt(root, db, exc)
                refreshed = refresh_index(db, root, jobs=jobs, progress=progress)
    except sqlite3.Error as exc:
        db.close()
        if new:  # a first build that failed (a full disk): nothing half-built is left
            _remove_folder(root)
        raise IndexUnusable(f"cannot update the index {index_path(root)}: {exc}") from None
    return Archive(root, db, scopes, refreshed)


def damaged(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the index file is damaged (not busy, full or read-only)."""
    return type(exc) is sqlite3.DatabaseError or "malformed" in str(exc)


def _rebuilt(root: Path, db: sqlite3.Connection, exc: sqlite3.Error) -> sqlite3.Connection:
    """A new, empty index in place of a damaged one, said in one line on stderr."""
    import sys

    from newsctl.index.schema import connect

    print(f"{index_path(root)}: warning: the index is damaged ({exc}); rebuilding it", file=sys.stderr)
    db.close()
    delete_index(root)
    return connect(root)


def check_integrity(archive: Archive, *, jobs: int | None, progress: Progress | None = None) -> None:
    """``index``: SQLite's quick check of every page (about 15 ms per 1,000 posts, so only
    here); a damaged index is rebuilt."""
    try:
        verdict = archive.db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    if verdict != "ok":
        from newsctl.index.refresh import refresh as refresh_index

        archive.db = _rebuilt(archive.root, archive.db, sqlite3.DatabaseError(verdict))
        archive.refreshed = refresh_index(archive.db, archive.root, jobs=jobs, progress=progress)


def delete_index(root: Path) -> None:
    """Remove the index and SQLite's journal files beside it (``index --rebuild``)."""
    if not index_path(root).parent.is_dir():
        return  # nothing to delete (opening it says what is in the way)
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(f"{index_path(root)}{suffix}").unlink(missing_ok=True)
        except OSError as exc:
            raise IndexUnusable(f"cannot delete the index {index_path(root)}: {exc.strerror or exc}") from None


def _remove_folder(root: Path) -> None:
    """Remove an index folder this run created (what is in it is this run's)."""
    import shutil

    shutil.rmtree(index_path(root).parent, ignore_errors=True)


_started: set[Path] = set()  # archives this process started a watcher for


def _watched(root: Path) -> bool:
    """Whether a running ``newsctl index --watch`` vouches that the index is current. When none
    answers and the configuration says ``watch = true``, one is started for the next commands
    (detached; it outlives this one), and this one checks the files itself meanwhile."""
    from newsctl.index.watch_client import fresh

    if fresh(root):
        return True
    if root not in _started:
        from newsctl.project import watch_configured

        if watch_configured(root):
            from newsctl.index.watch_client import start

            _started.add(root)
            start(root)
    return False


def recorded_problems(archive: Archive, *, drafts: bool) -> list[PostError | Skipped]:
    """What the index recorded for the scopes' posts, as reading the files would report it:
    posts that could not be read (PostError, path as shown), then files Jekyll skips."""
    problems: list[PostError | Skipped] = []
    # The failed posts are found in the narrow covering index posts_by_id, then looked up by
    # id: filtering the table itself read every post's row (100,000 posts: 40 ms of CPU, and
    # 400 MB to have in the page cache), on every `index`, `list` and `stats`.
    for path, error, line in archive.db.execute(
        "SELECT path, error, error_line FROM posts WHERE id IN (SELECT id FROM posts INDEXED BY posts_by_id"
        " WHERE error IS NOT NULL AND (? OR kind != 'draft')) ORDER BY path",
        (drafts,),
    ):
        scope = next((s for s in archive.scopes if s.contains(path)), None)
        if scope is not None:
            problems.append(PostError(scope.display(path), error, line))
    skipped = archive.db.execute("SELECT path, reason FROM skipped ORDER BY path").fetchall()
    if skipped:
        from newsctl.jekyll.discovery import Skipped  # only then: its import costs 5 ms

        for path, reason in skipped:
            scope = next((s for s in archive.scopes if s.contains(path)), None)
            if scope is not None and (drafts or "_drafts" not in path.split(os.sep)):
                problems.append(Skipped(scope.display(path), reason))
    return problems


def ask(
    archive: Archive,
    query: Callable[[], T],
    *,
    check: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> T:
    """``query``'s answer from an index known to be current. The cheap no-change check runs
    beside the query (on a second core); the answer is kept if nothing changed, else the index
    is refreshed and ``query`` asked again. No check when ``check`` is False (--no-refresh),
    when opening just refreshed the index, or when a watcher vouches for it. An index found
    damaged on the way is said in one line, rebuilt, and asked again."""
    try:
        return _ask(archive, query, check=check, jobs=jobs, progress=progress)
    except sqlite3.DatabaseError as exc:
        if not damaged(exc):
            raise
        from newsctl.index.refresh import refresh as refresh_index

        archive.db = _rebuilt(archive.root, archive.db, exc)
        archive.refreshed = refresh_index(archive.db, archive.root, jobs=jobs, progress=progress)
        return query()


def ask_or_read_files(
    archive: Archive,
    query: Callable[[], T],
    *,
    check: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> T | ReadFiles:
    """``ask`` for ``list``, which opened the index without refreshing it: the no-change check
    runs beside ``query``. An index that the check found changed but that cannot be updated
    now (locked, read-only, a full disk) is closed and said as ``open_if_indexed`` says it: the
    caller reads the files instead."""
    try:
        return ask(archive, query, check=check, jobs=jobs, progress=progress)
    except sqlite3.Error as exc:
        archive.db.close()
        return ReadFiles(f"cannot update the index {archive.path}: {exc}")


def _ask(archive: Archive, query: Callable[[], T], *, check: bool, jobs: int | None, progress: Progress | None) -> T:
    pending = None
    # The watcher is asked even after a refresh: with ``watch = true`` this starts it.
    if check and not _watched(archive.root) and archive.refreshed is None:
        from newsctl.index.schema import begin_check

        pending = begin_check(archive.db, archive.root)
    try:
        answer = query()
    finally:
        unchanged = pending is None or pending.unchanged()  # the forked check always finishes
    if not unchanged:
        from newsctl.index.refresh import refresh as refresh_index

        refresh_index(archive.db, archive.root, jobs=jobs, progress=progress, full=True)
        answer = query()
    return answer


def keep_current(archive: Archive, *, jobs: int | None, report: Callable[[str], None]) -> None:
    """``index --watch``: keep the index current as files change until Ctrl-C or SIGTERM."""
    from newsctl.index.watch_server import run_until_interrupted, watch

    run_until_interrupted(lambda: watch(archive.db, archive.root, jobs=jobs, report=report))
