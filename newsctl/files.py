"""Writing files so that a reader, a crash, Ctrl-C or another writer never loses a word.

Every file newsctl writes into an archive (a fixed post, a converted one) is written to a
temporary file beside it and renamed over the target: the target holds the old content or the
complete new one. The temporary files are named ``.newsctl-PID-*.tmp``, hidden from Jekyll and
from newsctl's own discovery; the first write into a folder removes those a dead run left.

A post rewritten from what was read of it (``expect``) is not replaced when it changed since
(a scraper appending to it), and a post that is a link is written through the link only when
its target is inside the archive (``within``): never is a link replaced by a copy of a file
from elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections.abc import Iterator
from functools import lru_cache

from newsctl.errors import NewsctlError

TEMP_PREFIX = ".newsctl-"
TEMP_SUFFIX = ".tmp"
# A temporary file without a pid in its name (older newsctl) is stale after this long.
STALE_SECONDS = 3600

#: What says a file is unchanged since it was read: size, mtime and inode.
Stamp = tuple[int, int, int]

_TEMPORARY = re.compile(r"\.newsctl-(?:(\d+)-)?.*\.tmp\Z")
_swept: set[str] = set()


class WriteRefused(NewsctlError):
    """A file newsctl chose not to write, and why (the message names the file)."""


class ChangedMeanwhile(WriteRefused):
    """The file changed after it was read: replacing it would lose what another process wrote."""


class UnsafeLink(WriteRefused):
    """The file is a link to a file outside the archive."""


def stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def write_atomic(
    path: str,
    data: bytes,
    *,
    mode: int | None = None,
    sync: bool = True,
    expect: Stamp | None = None,
    within: str | None = None,
) -> None:
    """Replace (or create) ``path`` with ``data``: the old file or the complete new one, never
    half of it; missing folders are created.

    ``mode`` is the new file's permission bits; by default those of the file replaced, or what a
    new file gets (0o666 less the umask) when there is none. ``sync`` flushes the data to disk
    before the rename (so a crash cannot leave an empty file where a post was); outputs written
    by the thousand may skip it. ``expect``: the stamp of the file when it was read; raises
    ChangedMeanwhile (and writes nothing) when it no longer matches. A link is written through
    when its target is inside ``within``, else UnsafeLink is raised.
    """
    path = _through_link(path, within)
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = new_file_mode()
    directory = os.path.dirname(os.path.abspath(path))
    temporary: str | None = None
    try:
        # Made inside the try, with Ctrl-C and SIGTERM held until its name is known: one that
        # came inside mkstemp left the file behind (and workers are stopped by SIGTERM).
        with _signals_held():
            handle, temporary = _temporary_file(directory)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if expect is None:
            os.replace(temporary, path)
        else:
            _replace_if_unchanged(temporary, path, expect)
    except BaseException:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise


def _replace_if_unchanged(temporary: str, path: str, expect: Stamp) -> None:
    """Rename ``temporary`` over ``path`` if ``path`` is still as read and no other process
    holds it open for writing. Linux has no compare-and-rename, and a writer that opened the
    file before the rename writes into the old file, which no name reaches after it: so a read
    lease is held on the old file throughout (refused while another process has it open for
    writing; a writer opening it meanwhile waits for newsctl), and the old file keeps a second
    name until the end. If it changed, or a writer came, that name is renamed back over
    ``path`` (the writer's words land in the post) and ChangedMeanwhile raised, as if the
    comparison had caught it. Where leases are not available (a post owned by another user,
    some network file systems), the comparisons alone decide."""
    changed = ChangedMeanwhile(f"{path}: changed while newsctl worked on it; left as it is")
    try:
        old = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise changed from None
    kept: str | None = None
    try:
        leased = _lease(old)
        if leased is None or stamp_of(os.fstat(old)) != expect:
            raise changed
        kept = _second_name(path, temporary)
        os.replace(temporary, path)
        if stamp_of(os.fstat(old)) != expect or (leased and _lease_broken(old)):
            _put_back(old, path, kept)
            kept = None
            raise changed
    finally:
        if kept is not None:
            with contextlib.suppress(OSError):
                os.unlink(kept)
        os.close(old)  # (ends the lease: a writer waiting opens the post as it is now)


def _lease(fd: int) -> bool | None:
    """Take a read lease on ``fd``: True; None when another process has the file open for
    writing; False when leases are not available here."""
    import fcntl

    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except BlockingIOError:
        return None
    except (OSError, AttributeError):  # not the owner, a file system without leases, not Linux
        return False
    # No SIGIO when a writer breaks the lease (its default action ends the process): the
    # lease is polled (_lease_broken) instead.
    fcntl.fcntl(fd, fcntl.F_SETOWN, 0)
    return True


def _lease_broken(fd: int) -> bool:
    """Whether a writer has opened (or waits to open) the leased file."""
    import fcntl

    return bool(fcntl.fcntl(fd, fcntl.F_GETLEASE) != fcntl.F_RDLCK)


def _second_name(path: str, temporary: str) -> str | None:
    """A hidden hard link to ``path`` beside ``temporary`` (the old file, kept reachable while it
    is replaced; swept like a temporary file if the run dies), or None where the file system
    has no hard links."""
    name = f"{temporary}.old{TEMP_SUFFIX}"
    try:
        os.link(path, name)
    except OSError:
        return None
    return name


def _put_back(old: int, path: str, kept: str | None) -> None:
    """The old file over ``path`` again (it was written to after the check): the file itself
    when it has a second name (a writer holding it open keeps writing into the post), else
    its whole content."""
    if kept is not None:
        os.replace(kept, path)
        return
    os.lseek(old, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(old, 1 << 20):
        chunks.append(chunk)
    write_atomic(path, b"".join(chunks), mode=os.fstat(old).st_mode & 0o7777)


def _through_link(path: str, within: str | None) -> str:
    """The file to replace for ``path``: itself, or a link's target inside ``within``."""
    if not os.path.islink(path):
        return path
    target = os.path.realpath(path)
    if within is not None:
        root = os.path.realpath(within)
        if os.path.commonpath([root, target]) == root:
            return target
    raise UnsafeLink(f"{path}: a link to {target}, outside the archive; not rewritten")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait (in this thread) until the block ends; their handlers then run."""
    held = {signal.SIGINT, signal.SIGTERM}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _temporary_file(directory: str) -> tuple[int, str]:
    """A new temporary file in ``directory`` (made when missing): its descriptor and path."""
    import tempfile  # imports random and more: only commands that write pay for it

    if directory not in _swept:
        _swept.add(directory)
        sweep_temporaries(directory)
    prefix = f"{TEMP_PREFIX}{os.getpid()}-"
    try:
        return tempfile.mkstemp(prefix=prefix, suffix=TEMP_SUFFIX, dir=directory)
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
        return tempfile.mkstemp(prefix=prefix, suffix=TEMP_SUFFIX, dir=directory)


def sweep_temporaries(directory: str) -> int:
    """Remove the temporary files in ``directory`` that no live run owns (their writer was
    killed); returns how many. A file whose pid is alive is left alone."""
    removed = 0
    try:
        with os.scandir(directory) as entries:
            names = [entry.name for entry in entries if entry.name.startswith(TEMP_PREFIX)]
    except OSError:
        return 0
    for name in names:
        match = _TEMPORARY.match(name)
        if match is None:
            continue
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError):
            if match.group(1) is not None and _alive(int(match.group(1))):
                continue
            if match.group(1) is None and time.time() - os.lstat(path).st_mtime < STALE_SECONDS:
                continue
            os.unlink(path)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


@lru_cache(maxsize=1)
def new_file_mode() -> int:
    """The permission bits a file created now gets: 0o666 less the umask (read once)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
