"""Bringing the index up to date with the archive (``newsctl.index.schema`` holds the schema).

Incremental: a stat walk finds new, changed and deleted files, a content hash confirms a change
before a file is parsed again, and the walk itself is skipped when the folder snapshot
(``newsctl.index.freshness``) shows nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from newsctl.index import freshness
from newsctl.index.order import PARK, STEP, free_id, neighbours, place, renumber
from newsctl.index.schema import begin_check, environment, fold, meta_value, pack, spread, unpack

if TYPE_CHECKING:
    from newsctl.jekyll.discovery import Candidate, Found


class Entry(NamedTuple):
    """What a worker computes for one new or changed file. A tuple: it is pickled back to the
    writer, and a dataclass pickles field by field in Python (issue 16: 17 us a post against 10)."""

    path: str  # relative to the archive root
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    hash: bytes
    same: bool  # the content hash is the one indexed: only the stat values need updating
    kind: str | None = None  # None: a loose file without front matter, not a post
    title: str = ""
    epoch: float | None = None
    local: str | None = None
    categories: str = ""
    tags: str = ""
    record: str | None = None
    text: str = ""  # the title, a line break and the plain text
    packed: bytes = b""  # ``text`` as ``bodies`` stores it (schema.pack), compressed in the worker
    split: int = 0
    error: str | None = None
    error_line: int | None = None


@dataclass
class Refresh:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    rehashed: int = 0  # of the unchanged, files read and hashed again (new times or inode: a copy)
    failed: int = 0
    quick: bool = False  # answered from the folder snapshot, without walking the archive
    folders: list[str] = field(default_factory=list)  # listed by the walk, relative to the root
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


class RefreshInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM made one) during a refresh. What was written is committed, a batch
    at a time, so the index is consistent: the next refresh goes on from there."""

    def __init__(self, stats: Refresh) -> None:
        super().__init__()
        self.stats = stats


def _read(job: tuple[Candidate, str, int, int, int, int, bytes | None]) -> Entry:
    """Read, hash and (when its content is new) parse and convert one file, in a worker."""
    from newsctl.convert.body import ConvertOptions, convert_body
    from newsctl.jekyll.post import read, read_bytes
    from newsctl.output.formats import post_record

    item, relative, size, mtime_ns, ctime_ns, ino, known = job
    base = (relative, size, mtime_ns, ctime_ns, ino)
    try:
        data = read_bytes(item.path)
    except OSError as exc:
        return Entry(*base, b"", False, kind=item.kind, error=f"cannot read: {exc.strerror or exc}")
    digest = hashlib.blake2b(data, digest_size=16).digest()
    if digest == known:
        return Entry(*base, digest, True)
    result = read(item, data)
    if result.error is not None:
        return Entry(*base, digest, False, kind=item.kind, error=result.error.message, error_line=result.error.line)
    post = result.post
    if post is None:
        return Entry(*base, digest, False)
    try:
        text = convert_body(post, ConvertOptions("text")).strip()
    except Exception as exc:  # one post the converter cannot handle must not stop the index
        return Entry(*base, digest, False, kind=item.kind, error=f"cannot extract the text: {exc}")
    record = post_record(post)
    packed, split = pack(post.title, text)
    # The index stores paths relative to the archive root (commands add theirs), and the title
    # once, in its own column (``search.Row`` puts both back): 3 % of the index.
    del record["path"], record["title"]
    return Entry(
        *base, digest, False, kind=post.kind, title=post.title,
        epoch=post.date.timestamp() if post.date else None,
        local=post.date.replace(tzinfo=None).isoformat() if post.date else None,
        categories=_folded_set(post.categories), tags=_folded_set(post.tags),
        record=json.dumps(record, ensure_ascii=False), text=f"{post.title}\n{text}", packed=packed, split=split,
    )  # fmt: skip


def _folded_set(values: Iterable[str]) -> str:
    # "\x1fa\x1fb\x1f": a category filter is one instr() of "\x1fname\x1f".
    return "\x1f" + "".join(value.casefold() + "\x1f" for value in values)


def refresh(
    db: sqlite3.Connection,
    root: Path,
    *,
    jobs: int | None = None,
    progress: Callable[[Iterable[Found]], Iterable[Found]] | None = None,
    full: bool = False,
    check: freshness.Pending | None = None,
    only: set[str] | None = None,
    snapshot: bool = True,
) -> Refresh:
    """Bring the index up to date with the archive at ``root`` (drafts included; commands
    leave them out unless asked). New and changed files are read on every core; files gone are
    removed; a file that cannot be read is recorded with its error. ``full`` walks the archive
    even when the folder snapshot says nothing changed; ``check`` is a snapshot check the
    caller began (``begin_check``).

    ``only`` (paths relative to ``root``) is what a watcher saw change (``newsctl.index.watch_server``): the
    walk still finds new and removed files, but only these are statted and read. The folder
    snapshot is then left as it was: stale, so a check without the watcher walks again. A
    watcher also passes ``snapshot=False``: no snapshot is stored while it runs (it could stop
    at any moment, and the changes it applies next are not in a snapshot); the folders walked
    are kept (meta ``folders``) for the next watcher to watch at once."""
    started = time.time_ns()
    clock = time.perf_counter()
    stats = Refresh()
    if only is None and not full and (check if check is not None else begin_check(db, root)).unchanged():
        stats.quick = True
        stats.seconds = time.perf_counter() - clock
        return stats
    from newsctl.jekyll.site import forget_sites
    from newsctl.parallel import parallel_map

    # A long-lived process (the watcher, a library user, the tests) must see a _config.yml
    # edited since its last refresh.
    forget_sites()
    walk = _Walk(db, str(root), only, stats)
    found = walk.found()
    order = _Order(db, first=not walk.indexed and only is None)
    batch: list[Entry] = []
    try:
        for entry in parallel_map(_read, walk.jobs(progress(found) if progress is not None else found), jobs=jobs):
            batch.append(entry)
            if len(batch) >= 500:
                _write(db, batch, stats, started, order)
                batch = []
        _write(db, batch, stats, started, order)
    except KeyboardInterrupt:
        raise RefreshInterrupted(stats) from None
    gone = walk.gone()
    with _transaction(db):
        # Checked again inside the write lock: a file created after this walk began (another
        # refresh may have indexed it meanwhile) is not this refresh's to delete.
        gone = [path for path in gone if not _created_since(os.path.join(root, path), started)]
        for path in gone:
            _remove(db, path)
        order.finish()
        walk.record(started, snapshot=snapshot)
    stats.removed = len(gone)
    if stats.added + stats.changed + stats.removed + stats.rehashed:
        _checkpoint(db)
    stats.failed = db.execute("SELECT count(*) FROM posts WHERE error IS NOT NULL").fetchone()[0]
    stats.seconds = time.perf_counter() - clock
    return stats


if TYPE_CHECKING:
    # What a worker is given: the file, its path relative to the root, its size, mtime, ctime
    # and inode now, and the content hash the index holds for it (None: read it whatever it holds).
    Job = tuple[Candidate, str, int, int, int, int, bytes | None]


class _Walk:
    """One refresh's walk of the archive: which files need reading (``jobs``), what it met on
    the way (files Jekyll skips, the folders listed, each site's fingerprint), and which indexed
    files it did not meet (``gone``).

    What the index knows is looked up a chunk of walked files at a time, not loaded whole (a
    million rows were 400 MB), and the walked paths go to a temporary table, so that the rows
    no file was found for can be asked for at the end: memory stays flat as the archive grows.
    """

    def __init__(self, db: sqlite3.Connection, base: str, only: set[str] | None, stats: Refresh) -> None:
        self.db, self.base, self.only, self.stats = db, base, only, stats
        self.prefix = base + os.sep  # relpath is slow: a million calls are seconds
        watched = json.dumps(sorted(only)) if only is not None else None  # ASCII: see _stored
        self.in_scope = "" if watched is None else " AND path IN (SELECT value FROM json_each(?))"
        self.scope_params: tuple[str, ...] = () if watched is None else (watched,)
        self.indexed: int = db.execute(
            f"SELECT count(*) FROM posts WHERE 1{self.in_scope}", self.scope_params
        ).fetchone()[0]
        # Another process's commit during the walk (a second refresh adding posts) would make the
        # count of known files met unreliable: then the deleted ones are looked for whatever it says.
        self.version = db.execute("PRAGMA data_version").fetchone()[0]
        db.execute("CREATE TEMP TABLE IF NOT EXISTS walked (path TEXT NOT NULL)")
        db.execute("DELETE FROM temp.walked")
        self.met = 0  # walked files the index knows (in scope): fewer than ``indexed`` means some are gone
        # A site's _config.yml (time zone, permalink, defaults) or the TZ variable changes what every
        # post of the site means, though no post file changed: then its posts are read again.
        self.env = environment()
        self.sites_before = (
            json.loads(meta_value(db, "sites") or "{}") if meta_value(db, "environment") == self.env else {}
        )
        self.sites: dict[str, str] = {}
        self.keys: dict[str | None, str] = {}  # each site's root: its key in ``sites``
        self.folders: list[str] = []  # every folder the walk listed (absolute)
        self.skipped: list[tuple[str, str]] = []
        self.targeted = _rediscover(base, only) if only is not None else None

    def site_changed(self, site: Any) -> bool:
        """Whether what ``site`` means for its posts changed since the last refresh. Its root
        is taken relative to the archive's, key and fingerprint alike: a moved or copied archive
        (issue 16) is the same site, and its posts are not read again."""
        key = self.keys.get(site.root)
        if key is None:  # relpath is slow: once per site, not per post (issue 16)
            key = self.keys[site.root] = "" if site.root is None else os.path.relpath(site.root, self.base)
        if key not in self.sites:
            import dataclasses

            described = repr(dataclasses.replace(site, root=key) if site.root is not None else site)
            self.sites[key] = hashlib.blake2b(described.encode(), digest_size=8).hexdigest()
        return self.sites[key] != self.sites_before.get(key)

    def found(self) -> Iterable[Found]:
        """The files to look at: the watcher's few when they can be told without walking, else
        every file of the archive."""
        from newsctl.jekyll.discovery import Candidate, discover

        targeted = self.targeted
        if targeted is not None and any(self.site_changed(i.site) for i in targeted if isinstance(i, Candidate)):
            self.targeted = None  # a site's meaning changed: every one of its posts is read again
        if self.targeted is not None:
            return self.targeted
        return discover([self.base], drafts=True, listed=self.folders.append)

    def jobs(self, found: Iterable[Found]) -> Iterator[Job]:
        """A job for each post that is new, changed or of a changed site, in the order found."""
        from newsctl.jekyll.discovery import Candidate, Skipped

        chunk: list[tuple[Candidate, str]] = []
        for item in found:
            if isinstance(item, Skipped):
                self.skipped.append((_stored(os.path.relpath(item.path, self.base)), item.reason))
            if not isinstance(item, Candidate) or item.page:
                continue
            path = item.path
            relative = path[len(self.prefix) :] if path.startswith(self.prefix) else os.path.relpath(path, self.base)
            if _stored(relative) != relative:  # SQLite holds UTF-8 text only: reported, not indexed
                self.skipped.append((_stored(relative), UNSTORABLE))
                continue
            chunk.append((item, relative))
            if len(chunk) >= LOOKUP_CHUNK:
                yield from self._jobs_in(chunk)
                chunk = []
        yield from self._jobs_in(chunk)

    def _jobs_in(self, chunk: list[tuple[Candidate, str]]) -> Iterator[Job]:
        if not chunk:
            return
        paths = json.dumps([relative for _, relative in chunk], ensure_ascii=False)
        # One statement, so one transaction of the temporary database (executemany outside a
        # transaction commits each row: 15 us per path).
        self.db.execute("INSERT INTO temp.walked SELECT value FROM json_each(?)", (paths,))
        known = {
            path: (size, mtime_ns, ctime_ns, ino, digest)
            for path, size, mtime_ns, ctime_ns, ino, digest in self.db.execute(
                "SELECT path, size, mtime_ns, ctime_ns, ino, hash FROM posts"
                f" WHERE path IN (SELECT value FROM json_each(?)){self.in_scope}",
                (paths, *self.scope_params),
            )
        }
        self.met += len(known)
        for item, relative in chunk:
            old = known.get(relative)
            if self.only is not None and relative not in self.only and not self.site_changed(item.site):
                self.stats.unchanged += 1
                continue
            try:
                info = os.stat(item.path)
            except OSError:
                info = None
            now = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino) if info else (-1, -1, -1, -1)
            if self.site_changed(item.site):
                yield (item, relative, *now, None)
                continue
            if old is not None and old[:4] == now:
                self.stats.unchanged += 1
                continue
            yield (item, relative, *now, old[4] if old else None)

    def gone(self) -> list[str]:
        """The indexed files (in scope) the walk did not meet, once it is over."""
        db = self.db
        gone: list[str] = []
        if self.met < self.indexed or db.execute("PRAGMA data_version").fetchone()[0] != self.version:
            gone = [
                path
                for (path,) in db.execute(
                    f"SELECT path FROM posts WHERE path NOT IN (SELECT path FROM temp.walked){self.in_scope}"
                    " ORDER BY path",
                    self.scope_params,
                )
            ]
        db.execute("DELETE FROM temp.walked")
        return gone

    def record(self, started: int, *, snapshot: bool = True) -> None:
        """Store what the walk met (in the caller's transaction): skipped files, the folder
        snapshot, the sites' fingerprints and the environment the posts were read in."""
        db, only = self.db, self.only
        if self.targeted is None:
            db.execute("DELETE FROM skipped")
            self.stats.folders = sorted({os.path.relpath(d, self.base) for d in self.folders})
        else:
            db.executemany("DELETE FROM skipped WHERE path = ?", [(path,) for path in sorted(only or ())])
        db.executemany("INSERT OR REPLACE INTO skipped VALUES (?, ?)", self.skipped)
        if only is None:
            taken = freshness.take(self.base, self.stats.folders, started) if snapshot else None
            db.execute("INSERT OR REPLACE INTO meta VALUES ('snapshot', ?)", (taken or "",))
        if self.targeted is None:
            folders = json.dumps(self.stats.folders)  # ASCII: a name that is not UTF-8 is escaped
            db.execute("INSERT OR REPLACE INTO meta VALUES ('folders', ?)", (folders,))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('refreshed', ?)", (str(time.time()),))
        if self.targeted is None:  # else only the sites of the few files read are known
            db.execute("INSERT OR REPLACE INTO meta VALUES ('sites', ?)", (json.dumps(self.sites, sort_keys=True),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('environment', ?)", (self.env,))


UNSTORABLE = (
    "the file name is not valid UTF-8, so the index cannot hold it, and Jekyll 4 stops the whole build on it"
    " (rename the file)"
)


def _stored(path: str) -> str:
    """``path`` as the index can store it: a name that is not valid UTF-8 (read by Python as
    surrogates) with those bytes shown as ``\\xe9``."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def _rediscover(base: str, only: set[str]) -> list[Found] | None:
    """What the walk would find among the paths ``only`` (relative to ``base``), when that can
    be told without walking: every path in a ``_posts`` or ``_drafts`` folder of the site whose
    root is ``base`` (no ``_config.yml`` between them). None: walk."""
    from newsctl.jekyll.discovery import rediscover
    from newsctl.project import site_root_of

    if site_root_of(base) != base:
        return None
    folders: dict[str, list[str]] = {}
    for path in only:
        folder, name = os.path.split(path)
        folders.setdefault(folder, []).append(name)
    found: list[Found] = []
    for folder, names in sorted(folders.items()):
        parts = folder.split(os.sep) if folder else []
        if any(os.path.isfile(os.path.join(base, *parts[:i], "_config.yml")) for i in range(1, len(parts) + 1)):
            return None
        items = rediscover(os.path.join(base, folder), names)
        if items is None:
            return None
        found += items
    return found


def _created_since(path: str, started: int) -> bool:
    """Whether ``path`` exists now and changed (was created, renamed or written) after ``started``."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return info.st_ctime_ns >= started - freshness.RACY_NS


def _checkpoint(db: sqlite3.Connection) -> None:
    """Copy the write-ahead log into the index and empty it (it counts in the index's size on
    disk), unless a reader holds it for more than a second: the next refresh will."""
    db.execute("PRAGMA busy_timeout = 1000")
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        db.execute("PRAGMA busy_timeout = 60000")


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT: one writer at a time; a second process waits its turn."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind: object, *_: object) -> None:
        if not kind:
            self.db.execute("COMMIT")
        elif self.db.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
            self.db.execute("ROLLBACK")


def _remove(db: sqlite3.Connection, path: str) -> int | None:
    """Delete one post and its tokens (contentless FTS5 tables need the text that was indexed)."""
    row = db.execute(
        "SELECT posts.id, bodies.text FROM posts LEFT JOIN bodies ON bodies.id = posts.id WHERE posts.path = ?",
        (path,),
    ).fetchone()
    if row is None:
        return None
    post_id, packed = row
    if packed is not None:
        _index_text(db, post_id, unpack(packed), "delete")
        db.execute("DELETE FROM bodies WHERE id = ?", (post_id,))
    db.execute("DELETE FROM posts WHERE id = ?", (post_id,))
    return int(post_id)


def _move(db: sqlite3.Connection, old: int, new: int) -> None:
    """Give a post another id: its row, its text and its tokens (a contentless FTS5 row cannot
    be renumbered, only deleted with the text it was given and inserted again)."""
    row = db.execute("SELECT text FROM bodies WHERE id = ?", (old,)).fetchone()
    if row is not None:
        text = unpack(row[0])
        _index_text(db, old, text, "delete")
        db.execute("UPDATE bodies SET id = ? WHERE id = ?", (new, old))
        _index_text(db, new, text)
    db.execute("UPDATE posts SET id = ? WHERE id = ?", (new, old))


def _index_text(db: sqlite3.Connection, post_id: int, text: str, command: str | None = None) -> None:
    """Add (or, with ``command`` "delete", remove) the tokens of ``text`` (title, line break,
    plain text) to ``grams``."""
    spread_text = spread(fold(text))
    if command is None:
        db.execute("INSERT INTO grams (rowid, text) VALUES (?, ?)", (post_id, spread_text))
    else:
        db.execute("INSERT INTO grams (grams, rowid, text) VALUES (?, ?, ?)", (command, post_id, spread_text))


# A first build that has parked more posts than this, and more than one in 8, stops filling
# the FTS tables until its end.
DEFER_AFTER = 1000
# Walked files looked up in the index at a time.
LOOKUP_CHUNK = 2000


class _Order:
    """The ids new posts get (``newsctl.index.order``). A first build takes them in the order the
    walk meets the posts, STEP apart; a later refresh takes a free id between the neighbours.
    A post that cannot have one now (met out of order by a first build: a failed file, a post
    dated before its name; or no free id left between its neighbours) is parked, and
    ``finish`` places the parked posts one by one, or, when they are many (an archive in
    folders by category, a new time zone that moves every post), renumbers every post and
    fills the FTS tables again, which then costs less than moving each. A first build that
    parks many stops filling the FTS tables as it goes (they will be filled again anyway)."""

    def __init__(self, db: sqlite3.Connection, *, first: bool) -> None:
        self.db = db
        self.first = first
        self.next = STEP
        self.last: tuple[bool, float, str] | None = None
        # After the posts an interrupted refresh left parked, if any.
        self.parked = max(PARK, db.execute("SELECT max(id) FROM posts").fetchone()[0] or 0)
        self.count = 0
        self.deferred = False
        if meta_value(db, "deferred") is not None:
            # A first build stopped before it filled the FTS tables: some posts have no tokens,
            # so none may be moved or removed before they are filled.
            with _transaction(db):
                self._renumber()

    def id_for(self, epoch: float | None, path: str) -> int:
        if not self.first:
            found = free_id(*neighbours(self.db, epoch, path))
            if found is not None:
                return found
            self.parked += 1
            return self.parked
        key = (epoch is not None, epoch or 0.0, path)
        if self.last is None or key > self.last:
            self.last = key
            self.next += STEP
            return self.next - STEP
        self.parked += 1
        self.count += 1
        if not self.deferred and self.count > DEFER_AFTER and 8 * self.count > self.next // STEP:
            self.deferred = True  # in the transaction of the post's own row
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('deferred', '1')")
        return self.parked

    def move(self, old: int, new: int) -> None:
        _move(self.db, old, new)

    def finish(self) -> None:
        db = self.db
        if self.deferred:
            self._renumber()
            return
        # Parked posts are looked for, not counted: a build interrupted earlier leaves some.
        parked = db.execute("SELECT id, epoch, path FROM posts WHERE id >= ? ORDER BY id", (PARK,)).fetchall()
        if not parked:
            return
        # Placing a post moves its FTS rows once, and making room for it moves its
        # neighbours' (a few, amortized); renumbering fills the FTS tables once for every post.
        moving = db.execute("SELECT count(*) FROM bodies WHERE id >= ?", (PARK,)).fetchone()[0]
        if 8 * moving <= db.execute("SELECT count(*) FROM bodies").fetchone()[0]:
            for old, epoch, path in parked:
                self.move(old, place(db, epoch, path, self.move))
            return
        self._renumber()

    def _renumber(self) -> None:
        db = self.db
        renumber(db)
        db.execute("INSERT INTO grams (grams) VALUES ('delete-all')")
        for post_id, packed in db.execute("SELECT id, text FROM bodies ORDER BY id"):
            _index_text(db, post_id, unpack(packed))
        db.execute("DELETE FROM meta WHERE key = 'deferred'")


def _write(db: sqlite3.Connection, entries: list[Entry], stats: Refresh, started: int, order: _Order) -> None:
    with _transaction(db):
        for entry in entries:
            # A file changed within a timestamp tick of this refresh could change again without
            # its times moving: store an impossible ctime so the next refresh hashes it again.
            ctime = -1 if entry.ctime_ns >= started - freshness.RACY_NS else entry.ctime_ns
            if entry.same:
                db.execute(
                    "UPDATE posts SET size=?, mtime_ns=?, ctime_ns=?, ino=? WHERE path=?",
                    (entry.size, entry.mtime_ns, ctime, entry.ino, entry.path),
                )
                stats.unchanged += 1
                stats.rehashed += 1
                continue
            existing = _remove(db, entry.path)
            # The id is the post's place in (date, path) order (newsctl.index.order): a post whose
            # date changed gets a new one.
            post_id = order.id_for(entry.epoch, entry.path)
            db.execute(
                "INSERT INTO posts (id, path, size, mtime_ns, ctime_ns, ino, hash, kind, title, epoch, local,"
                " categories, tags, record, error, error_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (post_id, entry.path, entry.size, entry.mtime_ns, ctime, entry.ino, entry.hash, entry.kind,
                 entry.title, entry.epoch, entry.local, entry.categories, entry.tags, entry.record, entry.error,
                 entry.error_line),
            )  # fmt: skip
            if existing is None:
                stats.added += 1
            else:
                stats.changed += 1
            if entry.record is not None:
                row = (post_id, entry.split, entry.packed)
                db.execute("INSERT INTO bodies (id, split, text) VALUES (?, ?, ?)", row)
                if not order.deferred:
                    _index_text(db, post_id, entry.text)
