"""When a ``newsctl validate`` run may replay the last report instead of checking again.

A report depends on: newsctl's code and the configuration (the cache key), the options and
where it runs from (``header``), every file discovery found (what it is, and for a file that
is read its size, mtime and ctime), the settings of each site met, its layouts and pages (the
archive-wide checks read them), and today's date (the report expires when a post dated in the
future at the time falls due). ``RunDigest`` folds all but the date into one digest, fed the
files in discovery order as a run meets them: the run that checks stores its report under it,
and a later run that computes the same digest (one discovery and one ``stat`` per file, what
``list`` with an index costs) replays the report.

Stamps are taken before a file is read, so a file written while a run reads it makes the
next run's digest differ: a replay never hides a change.

Working the digest out still costs the discovery walk and a ``stat`` per file in one process
(about 1 s per 100,000 posts). So, as the index does, a run over whole folders also stores a
snapshot of the archive's folders (``newsctl.index.freshness``: each folder's names and each
entry's inode, size, modification and change time, statted on two cores) beside the digest it
found: when the folders are exactly as they were, the digest is too, and the stored report is
replayed without the walk. The snapshot covers more than the digest (every file of every folder
a run may read, see ``folders_of``), so it can only miss a replay, never make a wrong one; it is
not kept when something changed within two seconds of the run (timestamps' granularity), nor
when a link to a folder is met.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence

from newsctl.jekyll.discovery import Candidate, Found, Missing
from newsctl.jekyll.site import Site
from newsctl.validate.cache import Stamp, stamp_of

PAGE_EXTENSIONS = (".md", ".markdown", ".html")
_BATCH = 4096  # lines hashed at once


def item_stamp(item: Found) -> Stamp | None:
    """The stamp of a file a run reads (None for a missing path, a page, a file gone or unreadable)."""
    if isinstance(item, Missing) or (isinstance(item, Candidate) and item.page):
        return None
    try:
        return stamp_of(os.stat(item.path))
    except OSError:
        return None


def site_salt(site: Site) -> str:
    """A short digest of a site's settings, added to the key of each of its posts' cached
    results: a post's URL and dates depend on them (a changed _config.yml checks it again)."""
    return ":" + hashlib.blake2b(_bytes(repr(site)), digest_size=8).hexdigest()


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class RunDigest:
    """Everything a report depends on but the date, fed as the run meets the files."""

    def __init__(self, header: Sequence[str]) -> None:
        self._hash = hashlib.blake2b(_bytes("\0".join(header)), digest_size=20)
        # Lines not hashed yet: hashed a batch at a time (one update per line cost as much as
        # the stat of the file), which gives the same digest as a line at a time.
        self._lines: list[str] = []
        self._sites: dict[int, int] = {}  # id of each Site met -> its number in the digest
        self._roots: list[str] = []

    def add(self, item: Found, stamp: Stamp | None, context: bool) -> None:
        """One discovered file (``context``: of the rest of the archive) and its stamp."""
        if isinstance(item, Candidate):  # nearly every item: no format specs nor tuple repr (2.2 -> 0.9 us)
            site = self._sites.get(id(item.site))
            if site is None:
                site = self._site(item.site)
            line = (
                f"{'C1' if context else 'C0'}\0{item.path}\0{item.relative}\0{item.kind}"
                f"\0{'1' if item.explicit else '0'}{'1' if item.page else '0'}\0{site}"
                f"\0{'-' if stamp is None else f'{stamp[0]},{stamp[1]},{stamp[2]}'}\n"
            )
        elif isinstance(item, Missing):
            line = f"M{context:d}\0{item.path}\n"
        else:
            line = f"S{context:d}\0{item.path}\0{item.reason}\0{stamp}\n"
        self._lines.append(line)
        if len(self._lines) >= _BATCH:
            self._drain()

    def _drain(self) -> None:
        if self._lines:
            self._hash.update(_bytes("".join(self._lines)))
            self._lines.clear()

    def _site(self, site: Site) -> int:
        number = self._sites.get(id(site))
        if number is None:
            number = self._sites[id(site)] = len(self._sites)
            self._lines.append(f"site {number}: {site!r}\n")
            if site.root is not None and site.root not in self._roots:
                self._roots.append(site.root)
        return number

    def hexdigest(self) -> str:
        """The digest, with the layouts and pages of every site met as they are now."""
        self._drain()
        final = self._hash.copy()
        for root in sorted(self._roots):
            final.update(_bytes("\0".join(site_environment(root)) + "\n"))
        return final.hexdigest()


def site_environment(root: str) -> list[str]:
    """What the archive-wide checks read of a site besides its posts: the names in _layouts/,
    and the path and stamp of each page (a page's ``category:`` matters to NC207)."""
    try:
        layouts = sorted(os.listdir(os.path.join(root, "_layouts")))
    except OSError:
        layouts = ["(none)"]
    found = [root, *layouts, "pages:"]
    for path in site_pages(root):
        try:
            found.append(f"{path}\0{stamp_of(os.stat(path))}")
        except OSError:
            found.append(f"{path}\0-")
    return found


def site_pages(root: str) -> list[str]:
    """The files of a site that may be pages: .md, .markdown and .html files outside folders
    whose names start with '.' or '_' (so not the posts), regular files only, in walk order."""
    found: list[str] = []
    for directory, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith((".", "_")))
        for name in sorted(files):
            path = os.path.join(directory, name)
            if name.endswith(PAGE_EXTENSIONS) and os.path.isfile(path):  # a FIFO would block the read
                found.append(path)
    return found


# Folders starting with "_" that a run reads: posts, drafts, layouts (NC208 checks the names).
_READ = frozenset(["_posts", "_drafts", "_layouts"])


def folders_of(root: str) -> list[str] | None:
    """The folders under ``root`` (relative to it, "." first) a snapshot of the archive covers:
    every one a run may read from (what the walk, the pages and the layouts list), more rather
    than fewer, hidden ones left out as Jekyll leaves them; other folders starting with "_"
    (``_site``, ``_includes``…) only inside ``_posts`` and ``_drafts``, or outside a site.
    None when a link to a folder is met: where it leads is not in the snapshot."""
    found: list[str] = []
    # Outside a site (a folder of loose posts) the walk reads every folder but hidden ones.
    site = os.path.isfile(os.path.join(root, "_config.yml")) or os.path.isdir(os.path.join(root, "_posts"))
    for directory, folders, _ in os.walk(root):
        relative = os.path.relpath(directory, root)
        inside = not site or any(part in ("_posts", "_drafts") for part in relative.split(os.sep))
        kept = []
        for name in sorted(folders):
            if name.startswith(".") or (name.startswith("_") and name not in _READ and not inside):
                continue
            if os.path.islink(os.path.join(directory, name)):
                return None
            kept.append(name)
        folders[:] = kept
        found.append(relative)
    return found


def digest_of(found: Iterable[Found], context: Iterable[Found] | None, header: Sequence[str]) -> str:
    """The digest a run over ``found`` (and ``context``, the rest of the archive) would store,
    worked out without checking anything: the rest of the archive counts only when some file
    given is checked, as ``validate`` does."""
    digest = RunDigest(header)
    any_given = False
    for item in found:
        digest.add(item, item_stamp(item), context=False)
        any_given = any_given or not (isinstance(item, Missing) or (isinstance(item, Candidate) and item.page))
    if context is not None and any_given:
        for item in context:
            digest.add(item, item_stamp(item), context=True)
    return digest.hexdigest()
