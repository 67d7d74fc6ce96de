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

One ``stat`` per file is most of the cost, so on Linux a forked child stats part of every
large folder while the caller goes on (``begin``: ``search`` runs its query meanwhile and
keeps the answer only if nothing changed). A folder's digest is made of the digests of two
fixed parts, so it is the same whether one process or two computed it.
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
# Above this many entries in all, the second part of each folder is statted by a forked child.
SPLIT_AT = 20_000
# The share of each folder's entries the caller stats itself (it also has the query to run).
OWN_SHARE = 0.4


@dataclass(frozen=True, slots=True)
class Listing:
    """One folder as the snapshot sees it."""

    digest: str
    entries: int
    newest_ns: int  # the latest change time among the folder and its entries


@dataclass(slots=True)
class _Folder:
    names: list[str]
    fd: int
    newest: int
    cut: int  # entries before the cut are the first part, the rest the second


def _values(fd: int, names: list[str]) -> tuple[bytes, int]:
    """The digest of (inode, size, mtime, ctime) of each entry, and the latest time among them."""
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
    return hashlib.blake2b(values.tobytes(), digest_size=16).digest(), newest


def _open(directory: str) -> _Folder | None:
    try:
        names = [name for name in os.listdir(directory) if name[0] != "."]
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return None
    own = os.fstat(fd)
    return _Folder(names, fd, max(own.st_ctime_ns, own.st_mtime_ns), int(len(names) * OWN_SHARE))


class Scan:
    """Fingerprints of some folders, under way. ``finish`` gives them (None: not listable)."""

    def __init__(self, directories: list[str]) -> None:
        self.folders = [_open(directory) for directory in directories]
        self.child: tuple[int, int] | None = None
        total = sum(len(f.names) for f in self.folders if f is not None)
        if total >= SPLIT_AT and sys.platform == "linux":
            self._fork()

    def _fork(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: stat the second parts, send 24 bytes a folder, leave at once
            try:
                os.close(read_end)
                out = bytearray()
                for folder in self.folders:
                    if folder is not None:
                        digest, newest = _values(folder.fd, folder.names[folder.cut :])
                        out += digest + newest.to_bytes(8, "little", signed=True)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(out)
            finally:
                os._exit(0)  # no cleanup of the parent's (SQLite, buffers) in the child
        os.close(write_end)
        self.child = (pid, read_end)

    def finish(self) -> list[Listing | None]:
        own = [
            _values(f.fd, f.names[: f.cut]) if f is not None else (b"", 0) for f in self.folders
        ]  # fmt: skip
        second = self._second_parts()
        listings: list[Listing | None] = []
        for folder, (first, newest), other in zip(self.folders, own, second, strict=True):
            if folder is None:
                listings.append(None)
                continue
            os.close(folder.fd)
            digest = hashlib.blake2b(digest_size=16)
            digest.update("\0".join(folder.names).encode("utf-8", "surrogateescape"))
            digest.update(first + other[0])
            listings.append(Listing(digest.hexdigest(), len(folder.names), max(folder.newest, newest, other[1])))
        return listings

    def _second_parts(self) -> list[tuple[bytes, int]]:
        if self.child is not None:
            pid, read_end = self.child
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
            os.waitpid(pid, 0)
            present = [f for f in self.folders if f is not None]
            if len(data) == 24 * len(present):
                parts = iter(
                    (data[i : i + 16], int.from_bytes(data[i + 16 : i + 24], "little", signed=True))
                    for i in range(0, len(data), 24)
                )
                return [next(parts) if f is not None else (b"", 0) for f in self.folders]
        # No child, or it failed: the second parts here.
        return [_values(f.fd, f.names[f.cut :]) if f is not None else (b"", 0) for f in self.folders]


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
    return json.dumps(digests, ensure_ascii=False, sort_keys=True)


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
    return Pending(digests, Scan([os.path.join(root, relative) for relative in digests]))


def unchanged(root: str, snapshot: str | None) -> bool:
    """True when every folder of ``snapshot`` still lists and stats exactly as it did."""
    return begin(root, snapshot).unchanged()
