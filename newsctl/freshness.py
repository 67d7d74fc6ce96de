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


def fingerprint(directory: str) -> Listing | None:
    """The digest of ``directory``'s visible entries, or None when it cannot be listed."""
    try:
        names = os.listdir(directory)
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return None
    try:
        own = os.fstat(fd)
        newest = max(own.st_ctime_ns, own.st_mtime_ns)
        values = array("q")
        kept = []
        stat_at = os.stat
        is_dir = stat.S_ISDIR
        for name in names:
            if name[0] == ".":
                continue
            kept.append(name)
            try:
                info = stat_at(name, dir_fd=fd)
            except OSError:
                values.append(-1)
                continue
            if is_dir(info.st_mode):
                # A folder's own changes show in its own listing, when the walk enters it.
                values.extend((info.st_ino, -2))
                continue
            values.extend((info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
            if info.st_ctime_ns > newest:
                newest = info.st_ctime_ns
            if info.st_mtime_ns > newest:
                newest = info.st_mtime_ns
    finally:
        os.close(fd)
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(kept).encode("utf-8", "surrogateescape"))
    digest.update(values.tobytes())
    return Listing(digest.hexdigest(), len(kept), newest)


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
