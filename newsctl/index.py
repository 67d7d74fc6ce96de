"""The archive index: SQLite (standard library only) in ``.newsctl/index.sqlite``.

Per post: its metadata (what ``list`` shows), the file's identity (size, times, inode, content
hash) and the plain text a reader sees, in two FTS5 tables:

- ``texts``: title and body through the ``trigram`` tokenizer, for terms of 3+ characters,
  ranked with bm25;
- ``grams``: the same text with a marker character between every two characters, also through
  ``trigram``. Each trigram of that text is then one character pair (``a␁b``) or one character
  (``␁a␁``), so a 1- or 2-character term is a single token lookup, exact (``detail=none``: only
  which posts hold it is stored). Most Chinese words have two characters.

Both get the text folded as SQLite's ``lower()`` folds it (ASCII letters only), and the
tokenizer is case-sensitive, so each lookup answers exactly what a substring scan of the folded
text would: no candidate needs a second check. Both tables are contentless; the original text
lives in ``bodies`` (for snippets, and to remove a post's tokens when it changes).

Refreshing is incremental: a stat walk finds new, changed and deleted files, a content hash
confirms a change before a file is parsed again, and the walk itself is skipped when the
folder snapshot (``newsctl.freshness``) shows nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsctl import freshness
from newsctl.errors import NewsctlError, PostError

if TYPE_CHECKING:
    from newsctl.discovery import Candidate, Found

SCHEMA_VERSION = 2
INDEX_DIR = ".newsctl"
INDEX_FILE = "index.sqlite"
# Between the characters of the text in ``grams``; a term holding it is answered by a scan.
MARK = "\x01"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, ino INTEGER NOT NULL,
    hash BLOB NOT NULL,
    kind TEXT,
    title TEXT, epoch REAL, local TEXT, categories TEXT, tags TEXT,
    record TEXT,
    error TEXT, error_line INTEGER
);
-- Newest first, read from the index alone: search and list rarely touch the rows themselves.
-- The filters of list (categories, tags, local time) are in it too.
CREATE INDEX IF NOT EXISTS posts_order ON posts (epoch DESC, path DESC, id, kind, error, categories, tags, local);
CREATE TABLE IF NOT EXISTS skipped (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5(
    title, body, tokenize = 'trigram case_sensitive 1', content = ''
);
CREATE VIRTUAL TABLE IF NOT EXISTS grams USING fts5(
    text, tokenize = 'trigram case_sensitive 1', content = '', detail = none
);
"""


class IndexUnusable(NewsctlError):
    """The index cannot be opened or written."""


def fold(text: str) -> str:
    """ASCII letters to lower case, nothing else: what SQLite's ``lower()`` does, and what
    ``newsctl.query.fold`` does to the terms."""
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def spread(text: str) -> str:
    """``text`` with MARK around every character: the form ``grams`` indexes and is asked in."""
    return MARK + MARK.join(text) + MARK


@dataclass(frozen=True, slots=True)
class Entry:
    """What a worker computes for one new or changed file."""

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
    text: str = ""
    error: str | None = None
    error_line: int | None = None


@dataclass
class Refresh:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: int = 0
    quick: bool = False  # answered from the folder snapshot, without walking the archive
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def index_path(root: Path) -> Path:
    return root / INDEX_DIR / INDEX_FILE


def _settings() -> str:
    """What the indexed data depends on besides the files: the schema and newsctl's own code
    (a newer parser or text extractor must not be answered from an older one's output)."""
    from newsctl import __version__
    from newsctl.fingerprint import code_fingerprint

    return f"{SCHEMA_VERSION}:{__version__}:{code_fingerprint()}"


def connect(root: Path) -> sqlite3.Connection:
    """Open (or create) the index at ``root``. A corrupt index, or one another newsctl built,
    is rebuilt with a warning on stderr."""
    folder = root / INDEX_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
    except OSError as exc:
        raise IndexUnusable(f"cannot create the index folder {folder}: {exc.strerror or exc}") from None
    path = index_path(root)
    settings = _settings()
    for attempt in range(2):
        db = None
        try:
            db = sqlite3.connect(path, timeout=60, isolation_level=None)
            db.execute("PRAGMA busy_timeout = 60000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            found = _settings_row(db)
            if found is None:
                db.execute("BEGIN IMMEDIATE")  # two processes creating it at once: one does
                try:
                    if _has_meta(db):
                        found = _settings_row(db)
                    else:
                        for statement in _SCHEMA.split(";\n"):
                            if statement.strip():
                                db.execute(statement)
                        db.execute("INSERT INTO meta VALUES ('settings', ?)", (settings,))
                        found = (settings,)
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            if found is None or found[0] != settings:
                raise sqlite3.DatabaseError("built by another version of newsctl")
            db.execute("SELECT rowid FROM texts LIMIT 1").fetchone()
            return db
        except sqlite3.DatabaseError as exc:
            if db is not None:
                db.close()
            if attempt:
                raise IndexUnusable(f"cannot open the index {path}: {exc}") from None
            print(f"{path}: warning: unusable index ({exc}); rebuilding it", file=sys.stderr)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    raise AssertionError("unreachable")


def _settings_row(db: sqlite3.Connection) -> tuple[str] | None:
    if not _has_meta(db):
        return None
    row = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
    return (str(row[0]),) if row else ("unknown",)


def _has_meta(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is not None


def _read(job: tuple[Candidate, str, int, int, int, int, bytes | None]) -> Entry:
    """Read, hash and (when its content is new) parse and convert one file, in a worker."""
    from newsctl.convert import ConvertOptions, convert_body
    from newsctl.post import post_from_bytes
    from newsctl.render import post_record

    item, relative, size, mtime_ns, ctime_ns, ino, known = job
    base = (relative, size, mtime_ns, ctime_ns, ino)
    try:
        with open(item.path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return Entry(*base, b"", False, kind=item.kind, error=f"cannot read: {exc.strerror or exc}")
    digest = hashlib.blake2b(data, digest_size=16).digest()
    if digest == known:
        return Entry(*base, digest, True)
    try:
        post = post_from_bytes(item, data)
    except PostError as exc:
        return Entry(*base, digest, False, kind=item.kind, error=exc.message, error_line=exc.line)
    if post is None:
        return Entry(*base, digest, False)
    try:
        text = convert_body(post, ConvertOptions("text")).strip()
    except Exception as exc:  # one post the converter cannot handle must not stop the index
        return Entry(*base, digest, False, kind=item.kind, error=f"cannot extract the text: {exc}")
    record = post_record(post)
    del record["path"]  # the index stores paths relative to the archive root; commands add theirs
    return Entry(
        *base, digest, False, kind=post.kind, title=post.title,
        epoch=post.date.timestamp() if post.date else None,
        local=post.date.replace(tzinfo=None).isoformat() if post.date else None,
        categories=_folded_set(post.categories), tags=_folded_set(post.tags),
        record=json.dumps(record, ensure_ascii=False), text=text,
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
) -> Refresh:
    """Bring the index up to date with the archive at ``root`` (drafts included; commands
    leave them out unless asked). New and changed files are read on every core; files gone are
    removed; a file that cannot be read is recorded with its error. ``full`` walks the archive
    even when the folder snapshot says nothing changed; ``check`` is a snapshot check the
    caller began (``begin_check``)."""
    started = time.time_ns()
    clock = time.perf_counter()
    stats = Refresh()
    base = str(root)
    env = _environment()
    if not full and (check if check is not None else begin_check(db, root)).unchanged():
        stats.quick = True
        stats.seconds = time.perf_counter() - clock
        return stats
    from newsctl.batch import parallel_map
    from newsctl.discovery import Candidate, Skipped, discover
    from newsctl.site import find_site_root, load_site

    # A long-lived process (a library user, the tests) must see a _config.yml edited meanwhile.
    load_site.cache_clear()
    find_site_root.cache_clear()
    known = {
        path: (size, mtime_ns, ctime_ns, ino, digest)
        for path, size, mtime_ns, ctime_ns, ino, digest in db.execute(
            "SELECT path, size, mtime_ns, ctime_ns, ino, hash FROM posts"
        )
    }
    # A site's _config.yml (time zone, permalink, defaults) or the TZ variable changes what every
    # post of the site means, though no post file changed: then its posts are read again.
    sites_before = json.loads(_meta(db, "sites") or "{}") if _meta(db, "environment") == env else {}
    sites: dict[str, str] = {}

    def site_changed(site: Any) -> bool:
        key = site.root or ""
        if key not in sites:
            sites[key] = hashlib.blake2b(repr(site).encode(), digest_size=8).hexdigest()
        return sites[key] != sites_before.get(key)

    visited: list[str] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    found: Iterable[Found] = discover([base], drafts=True, visited=visited)
    if progress is not None:
        found = progress(found)

    def jobs_for() -> Iterator[tuple[Candidate, str, int, int, int, int, bytes | None]]:
        for item in found:
            if isinstance(item, Skipped):
                skipped.append((os.path.relpath(item.path, base), item.reason))
            if not isinstance(item, Candidate) or item.page:
                continue
            relative = os.path.relpath(item.path, base)
            seen.add(relative)
            try:
                info = os.stat(item.path)
            except OSError:
                info = None
            old = known.get(relative)
            now = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino) if info else (-1, -1, -1, -1)
            if site_changed(item.site):
                yield (item, relative, *now, None)
                continue
            if old is not None and old[:4] == now:
                stats.unchanged += 1
                continue
            yield (item, relative, *now, old[4] if old else None)

    batch: list[Entry] = []
    for entry in parallel_map(_read, jobs_for(), jobs=jobs):
        batch.append(entry)
        if len(batch) >= 500:
            _write(db, batch, known, stats, started)
            batch = []
    _write(db, batch, known, stats, started)
    gone = [path for path in known if path not in seen]
    with _transaction(db):
        for path in gone:
            _remove(db, path)
        db.execute("DELETE FROM skipped")
        db.executemany("INSERT OR REPLACE INTO skipped VALUES (?, ?)", skipped)
        snapshot = freshness.take(base, [os.path.relpath(d, base) for d in visited], started)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('snapshot', ?)", (snapshot or "",))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('refreshed', ?)", (str(time.time()),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('sites', ?)", (json.dumps(sites, sort_keys=True),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('environment', ?)", (env,))
    stats.removed = len(gone)
    stats.failed = db.execute("SELECT count(*) FROM posts WHERE error IS NOT NULL").fetchone()[0]
    stats.seconds = time.perf_counter() - clock
    return stats


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT: one writer at a time; a second process waits its turn."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind: object, *_: object) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def begin_check(db: sqlite3.Connection, root: Path) -> freshness.Pending:
    """Start the cheap no-change check (a forked process stats part of the files meanwhile)."""
    if _meta(db, "environment") != _environment():
        return freshness.Pending(None, None)
    return freshness.begin(str(root), _meta(db, "snapshot"))


def _environment() -> str:
    """What dates depend on outside the archive: the TZ variable and the system's zone."""
    return f"TZ={os.environ.get('TZ')};{'/'.join(time.tzname)}"


def _meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def _remove(db: sqlite3.Connection, path: str) -> int | None:
    """Delete one post and its tokens (contentless FTS5 tables need the text that was indexed)."""
    row = db.execute(
        "SELECT posts.id, posts.title, bodies.body FROM posts LEFT JOIN bodies ON bodies.id = posts.id"
        " WHERE posts.path = ?",
        (path,),
    ).fetchone()
    if row is None:
        return None
    post_id, title, body = row
    if body is not None:
        _index_text(db, post_id, title or "", body, "delete")
        db.execute("DELETE FROM bodies WHERE id = ?", (post_id,))
    db.execute("DELETE FROM posts WHERE id = ?", (post_id,))
    return int(post_id)


def _index_text(db: sqlite3.Connection, post_id: int, title: str, body: str, command: str | None = None) -> None:
    folded_title, folded_body = fold(title), fold(body)
    if command is None:
        db.execute("INSERT INTO texts (rowid, title, body) VALUES (?, ?, ?)", (post_id, folded_title, folded_body))
        db.execute("INSERT INTO grams (rowid, text) VALUES (?, ?)", (post_id, spread(f"{folded_title}\n{folded_body}")))
    else:
        db.execute(
            "INSERT INTO texts (texts, rowid, title, body) VALUES (?, ?, ?, ?)",
            (command, post_id, folded_title, folded_body),
        )
        db.execute(
            "INSERT INTO grams (grams, rowid, text) VALUES (?, ?, ?)",
            (command, post_id, spread(f"{folded_title}\n{folded_body}")),
        )


def _write(db: sqlite3.Connection, entries: list[Entry], known: dict[str, Any], stats: Refresh, started: int) -> None:
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
                continue
            existing = _remove(db, entry.path)
            cursor = db.execute(
                "INSERT INTO posts (id, path, size, mtime_ns, ctime_ns, ino, hash, kind, title, epoch, local,"
                " categories, tags, record, error, error_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (existing, entry.path, entry.size, entry.mtime_ns, ctime, entry.ino, entry.hash, entry.kind,
                 entry.title, entry.epoch, entry.local, entry.categories, entry.tags, entry.record, entry.error,
                 entry.error_line),
            )  # fmt: skip
            post_id = int(cursor.lastrowid or 0)
            if existing is None:
                stats.added += 1
            else:
                stats.changed += 1
            if entry.record is not None:
                db.execute("INSERT INTO bodies (id, body) VALUES (?, ?)", (post_id, entry.text))
                _index_text(db, post_id, entry.title, entry.text)


@dataclass(frozen=True, slots=True)
class Status:
    posts: int
    drafts: int
    errors: int
    skipped: int
    size: int
    refreshed: float | None
    stale: bool | None  # None: the index has no snapshot to compare with, so a refresh would tell


def status(db: sqlite3.Connection, root: Path, *, check: bool = True) -> Status:
    """Counts, size on disk, and (with ``check``) whether the archive changed since the last
    refresh."""
    posts, drafts, errors = db.execute(
        "SELECT count(*) FILTER (WHERE kind IN ('post', 'loose') AND error IS NULL),"
        " count(*) FILTER (WHERE kind = 'draft' AND error IS NULL), count(error) FROM posts INDEXED BY posts_order"
    ).fetchone()
    skipped = db.execute("SELECT count(*) FROM skipped").fetchone()[0]
    size = sum(
        Path(f"{index_path(root)}{s}").stat().st_size for s in ("", "-wal") if Path(f"{index_path(root)}{s}").exists()
    )
    refreshed = _meta(db, "refreshed")
    snapshot = _meta(db, "snapshot")
    stale = None if not snapshot or not check else not freshness.unchanged(str(root), snapshot)
    if refreshed is None:
        stale = True
    return Status(posts, drafts, errors, skipped, size, float(refreshed) if refreshed else None, stale)


def archive_root(paths: list[str]) -> Path:
    """Where the index lives: the config's folder, else the site root, else the folder given."""
    from newsctl.config import archive_root as root_for
    from newsctl.config import find_config, load_config

    first = Path(paths[0] if paths else ".")
    config = load_config(find_config(first if first.is_dir() else first.parent))
    return Path(root_for(config, paths or ["."]))
