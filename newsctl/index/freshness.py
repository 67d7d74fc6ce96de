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

Why not trust folders' own times and skip the files: adding, removing or renaming a post
changes its folder's mtime, but writing into an existing file does not, and that is how
many writers update a post: a scraper's ``open(path, "w")`` or ``>`` redirect, VS Code, some
editors' saves. Only writers that always replace a file (write a temporary file, then rename it)
would be seen by folder times alone, and nothing here can tell which kind wrote an archive; so
every file is statted, and ``watch = true`` (a watcher told by the kernel) is the way to skip it.
Measured (cProfile and getrusage, 20,000 posts in one folder): the stat calls are about 85 % of
the check's CPU (56 of 66 ms), listing the folder 13 %, the digest the rest; ``os.scandir``
lists no faster than ``os.listdir`` and its ``d_type`` does not replace the ``stat``.

One ``stat`` per file is most of the cost, so on Linux a forked child shares the stat calls,
starting while the caller goes on (``begin``: ``search`` runs its query meanwhile and keeps
the answer only if nothing changed). A folder's digest is made of the digests of fixed-size
chunks of its entries, so it is the same whichever process statted which chunk.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import operator
import os
import stat
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

# Two seconds covers the coarsest timestamps in use (FAT, some network file systems).
RACY_NS = 2_000_000_000
# Above this many entries in all, a forked child shares the stat calls.
SPLIT_AT = 20_000
# Entries per chunk: a folder's digest is made of its chunks' digests, so it is the same
# whichever process statted which chunk.
CHUNK = 2048


@dataclass(frozen=True, slots=True)
class Listing:
    """One folder as the snapshot sees it."""

    digest: str
    entries: int
    newest_ns: int  # the latest change time among the folder and its entries (Scan(newest=True))


@dataclass(slots=True)
class _Folder:
    names: list[str]
    fd: int
    newest: int


_FOUR = operator.attrgetter("st_ino", "st_size", "st_mtime_ns", "st_ctime_ns")
_MODE = operator.attrgetter("st_mode")
_CTIME = operator.attrgetter("st_ctime_ns")
_MTIME = operator.attrgetter("st_mtime_ns")


def _values(fd: int, names: list[str], newest: bool = True) -> tuple[bytes, int]:
    """The digest of (inode, size, mtime, ctime) of each entry, and (with ``newest``; else 0)
    the latest time among them."""
    stat_at = os.stat
    try:
        infos = [stat_at(name, dir_fd=fd) for name in names]
    except OSError:  # an entry removed meanwhile, or a broken link: the slow way, entry by entry
        return _values_one_by_one(fd, names)
    if any(map(stat.S_ISDIR, map(_MODE, infos))):
        return _digest(infos)
    # Files only (nearly every chunk): the same digest as _digest's, built by C-level maps
    # instead of a Python loop; the latest time is only wanted when a snapshot is taken.
    # 100,000 entries: 49 -> 28 ms of CPU (the stat calls themselves: about 300 ms).
    values = array("q", chain.from_iterable(map(_FOUR, infos)))
    latest = max(max(map(_CTIME, infos)), max(map(_MTIME, infos))) if newest and infos else 0
    return hashlib.blake2b(values.tobytes(), digest_size=16).digest(), latest


def _values_one_by_one(fd: int, names: list[str]) -> tuple[bytes, int]:
    infos: list[os.stat_result | None] = []
    for name in names:
        try:
            infos.append(os.stat(name, dir_fd=fd))
        except OSError:
            infos.append(None)
    return _digest(infos)


def _digest(infos: Sequence[os.stat_result | None]) -> tuple[bytes, int]:
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
    return hashlib.blake2b(values.tobytes(), digest_size=16).digest(), newest


def _open(directory: str) -> _Folder | None:
    try:
        names = [name for name in os.listdir(directory) if name[0] != "."]
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return None
    own = os.fstat(fd)
    return _Folder(names, fd, max(own.st_ctime_ns, own.st_mtime_ns))


# The forked children statting now: while one is, the second core is taken.
_BESIDE: set[int] = set()


def beside() -> bool:
    """Whether a forked child of this process is statting files now (``Scan``): a query that
    would split its work over two processes then gains nothing from the second (measured)."""
    return bool(_BESIDE)


class Scan:
    """Fingerprints of some folders, under way; ``finish`` gives them (None: not listable).

    The entries are cut into chunks. With many entries (on Linux) a forked child takes chunks
    from the end while the caller does its own work, then the caller takes them from the
    start until the two meet: the stat calls are shared whatever the caller's work costs.
    Each chunk's result goes to a shared page (digest, latest time, done flag); a chunk both
    happen to take at the same moment is simply done twice."""

    _HEAD = 16  # [0:8] the lowest chunk the child has taken, [8:16] the next the caller takes
    _SLOT = 25

    def __init__(self, directories: list[str], *, newest: bool = True) -> None:
        self.newest = newest  # False: the latest times are not wanted (a check, not a snapshot)
        self.folders = [_open(directory) for directory in directories]
        self.chunks = [
            (index, start)
            for index, folder in enumerate(self.folders)
            if folder is not None
            for start in range(0, len(folder.names), CHUNK)
        ]
        self.shared = mmap.mmap(-1, self._HEAD + self._SLOT * max(1, len(self.chunks)))
        self._put(0, len(self.chunks))
        self._put(8, 0)
        self.child: int | None = None
        total = sum(len(f.names) for f in self.folders if f is not None)
        if total >= SPLIT_AT and len(self.chunks) > 1 and sys.platform == "linux":
            self._fork()

    def _get(self, at: int) -> int:
        return int.from_bytes(self.shared[at : at + 8], "little")

    def _put(self, at: int, value: int) -> None:
        self.shared[at : at + 8] = value.to_bytes(8, "little")

    def _do(self, number: int) -> None:
        index, start = self.chunks[number]
        folder = self.folders[index]
        assert folder is not None
        digest, newest = _values(folder.fd, folder.names[start : start + CHUNK], self.newest)
        at = self._HEAD + self._SLOT * number
        self.shared[at : at + 24] = digest + newest.to_bytes(8, "little", signed=True)
        self.shared[at + 24] = 1

    def _fork(self) -> None:
        pid = os.fork()
        if pid == 0:  # the child: chunks from the end until it meets the caller; leave at once
            try:
                back = len(self.chunks)
                while back - 1 >= max(0, self._get(8)):
                    back -= 1
                    self._put(0, back)
                    self._do(back)
            finally:
                os._exit(0)  # no cleanup of the parent's (SQLite, buffers) in the child
        self.child = pid
        _BESIDE.add(pid)

    def finish(self) -> list[Listing | None]:
        number = 0
        while number < len(self.chunks) and (self.child is None or number < self._get(0)):
            self._put(8, number + 1)
            self._do(number)
            number += 1
        if self.child is not None:
            os.waitpid(self.child, 0)
            _BESIDE.discard(self.child)
        parts: dict[int, list[bytes]] = {}
        newest: dict[int, int] = {}
        for number, (index, _) in enumerate(self.chunks):
            at = self._HEAD + self._SLOT * number
            if self.shared[at + 24] != 1:  # the child stopped early or failed
                self._do(number)
            parts.setdefault(index, []).append(self.shared[at : at + 16])
            latest = int.from_bytes(self.shared[at + 16 : at + 24], "little", signed=True)
            newest[index] = max(newest.get(index, 0), latest)
        self.shared.close()
        listings: list[Listing | None] = []
        for index, folder in enumerate(self.folders):
            if folder is None:
                listings.append(None)
                continue
            os.close(folder.fd)
            digest = hashlib.blake2b(digest_size=16)
            digest.update("\0".join(folder.names).encode("utf-8", "surrogateescape"))
            digest.update(b"".join(parts.get(index, [])))
            latest = max(folder.newest, newest.get(index, 0))
            listings.append(Listing(digest.hexdigest(), len(folder.names), latest))
        return listings


def fingerprint(directory: str) -> Listing | None:
    """The digest of ``directory``'s visible entries, or None when it cannot be listed."""
    return Scan([directory]).finish()[0]


def take(root: str, directories: list[str], started_ns: int) -> str | None:
    """The snapshot of ``directories`` (relative to ``root``) to store after a refresh that
    began at ``started_ns``; None when something changed too recently to be trusted."""
    relatives = sorted(set(directories))
    listings = Scan([os.path.join(root, relative) for relative in relatives]).finish()
    digests: dict[str, str] = {}
    for relative, listing in zip(relatives, listings, strict=True):
        if listing is None or listing.newest_ns >= started_ns - RACY_NS:
            return None
        digests[relative] = listing.digest
    # ASCII: a folder name that is not UTF-8 (a surrogate here) is then stored as \\udcXX.
    return json.dumps(digests, sort_keys=True)


class Pending:
    """A no-change check under way (see ``begin``)."""

    def __init__(self, digests: dict[str, str] | None, scan: Scan | None) -> None:
        self.digests, self.scan = digests, scan

    def unchanged(self) -> bool:
        if self.digests is None or self.scan is None:
            return False
        listings = self.scan.finish()
        return all(
            listing is not None and listing.digest == digest
            for listing, digest in zip(listings, self.digests.values(), strict=True)
        )


def begin(root: str, snapshot: str | None) -> Pending:
    """Start checking ``snapshot`` against the folders as they are now; ``unchanged()`` on the
    result says whether every folder still lists and stats exactly as it did."""
    try:
        digests = json.loads(snapshot) if snapshot else None
    except ValueError:
        digests = None
    if not isinstance(digests, dict) or not digests:
        return Pending(None, None)
    return Pending(digests, Scan([os.path.join(root, relative) for relative in digests], newest=False))


def unchanged(root: str, snapshot: str | None) -> bool:
    """True when every folder of ``snapshot`` still lists and stats exactly as it did."""
    return begin(root, snapshot).unchanged()
