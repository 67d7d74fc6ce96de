"""Has anything in the archive changed since the index was last refreshed? Answered cheaply.

A full refresh walks the archive the way Jekyll does, then compares every post with its row in
the index. That costs about 1 s per 100,000 posts; most runs find nothing changed. So after a
refresh the index keeps a *snapshot*: for every folder the walk listed, one digest of its entry
names and of each entry's inode, size, modification and change time (``stat``). The next run
lists and stats the same folders and compares digests: equal everywhere means nothing changed,
so the walk and the row comparison are skipped.

Never stale: a file written in place keeps its folder untouched but changes its own size,
modification time or change time (``ctime``, which no tool can set back, unlike ``mtime``).
Timestamps have a granularity, so a file changed again within the same tick as the snapshot
would look unchanged: a snapshot is only kept when nothing in it changed in the last
``RACY_NS`` before the refresh began (git's "racily clean" rule). Hidden entries (``.git``,
``.newsctl``, editors' swap files) are left out: Jekyll never reads them.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from array import array
from dataclasses import dataclass

# Two seconds covers the coarsest timestamps in use (FAT, some network file systems).
RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class Listing:
    """One folder as the snapshot sees it."""

    digest: str
    entries: int
    newest_ns: int  # the latest change time among the folder and its entries


# Above this many entries a folder is statted by two processes (one forked), on Linux.
SPLIT_AT = 20_000


def fingerprint(directory: str) -> Listing | None:
    """The digest of ``directory``'s visible entries, or None when it cannot be listed."""
    try:
        names = [name for name in os.listdir(directory) if name[0] != "."]
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return None
    try:
        own = os.fstat(fd)
        if len(names) >= SPLIT_AT and sys.platform == "linux":
            half = len(names) // 2
            values, newest = _split(fd, names, half)
        else:
            values, newest = _values(fd, names)
    finally:
        os.close(fd)
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(names).encode("utf-8", "surrogateescape"))
    digest.update(values)
    return Listing(digest.hexdigest(), len(names), max(newest, own.st_ctime_ns, own.st_mtime_ns))


def _values(fd: int, names: list[str]) -> tuple[bytes, int]:
    """(inode, size, mtime, ctime) of each entry as bytes, and the latest time among them."""
    stat_at = os.stat
    try:
        infos = [stat_at(name, dir_fd=fd) for name in names]
    except OSError:  # an entry removed meanwhile, or a broken link: the slow way, entry by entry
        infos = []
        for name in names:
            try:
                infos.append(stat_at(name, dir_fd=fd))
            except OSError:
                infos.append(None)  # type: ignore[arg-type]
    values = array("q")
    newest = 0
    is_dir = stat.S_ISDIR
    for info in infos:
        if info is None:
            values.append(-1)
        elif is_dir(info.st_mode):
            # A folder's own changes show in its own listing, when the walk enters it.
            values.extend((info.st_ino, -2))
        else:
            values.extend((info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
            newest = max(newest, info.st_ctime_ns, info.st_mtime_ns)
    return values.tobytes(), newest


def _split(fd: int, names: list[str], half: int) -> tuple[bytes, int]:
    """``_values`` on two cores: a forked child stats the second half of a large folder (one
    stat per file is most of the cost of a no-change check)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: stat, send, leave without running any cleanup of the parent's
        try:
            os.close(read_end)
            values, newest = _values(fd, names[half:])
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(newest.to_bytes(8, "little", signed=True) + values)
        finally:
            os._exit(0)
    os.close(write_end)
    first, newest = _values(fd, names[:half])
    with os.fdopen(read_end, "rb") as pipe:
        received = pipe.read()
    os.waitpid(pid, 0)
    if len(received) < 8:
        return _values(fd, names)  # the child failed: do it all here
    return first + received[8:], max(newest, int.from_bytes(received[:8], "little", signed=True))


def take(root: str, directories: list[str], started_ns: int) -> str | None:
    """The snapshot of ``directories`` (relative to ``root``) to store after a refresh that
    began at ``started_ns``; None when something changed too recently to be trusted."""
    digests: dict[str, str] = {}
    for relative in sorted(set(directories)):
        listing = fingerprint(os.path.join(root, relative))
        if listing is None or listing.newest_ns >= started_ns - RACY_NS:
            return None
        digests[relative] = listing.digest
    return json.dumps(digests, ensure_ascii=False, sort_keys=True)


def unchanged(root: str, snapshot: str | None) -> bool:
    """True when every folder of ``snapshot`` still lists and stats exactly as it did."""
    if not snapshot:
        return False
    try:
        digests = json.loads(snapshot)
    except ValueError:
        return False
    for relative, digest in digests.items():
        listing = fingerprint(os.path.join(root, relative))
        if listing is None or listing.digest != digest:
            return False
    return True
