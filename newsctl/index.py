"""The search index: SQLite FTS5 (standard library only) in ``.newsctl/index.sqlite``.

Each post's metadata and the plain text a reader sees (title and body) are stored; the index
is refreshed incrementally from a stat walk (size and modification time, then a content hash
to confirm), so a search never answers from a stale copy of a changed file.

Chinese text: FTS5's trigram tokenizer finds substrings of three or more characters but
silently matches nothing for shorter ones, and most Chinese words have two. Terms of three or
more characters go through the trigram index; shorter ones (and exclusions) are answered by an
exact substring test (``instr``) on the rows the other terms and filters leave. Every term,
of any length, then matches exactly the posts a brute-force substring scan would.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsctl.discovery import Candidate, Found
from newsctl.errors import NewsctlError, PostError
from newsctl.query import Query, Term, fts5_phrase

SCHEMA_VERSION = 1
INDEX_DIR = ".newsctl"
INDEX_FILE = "index.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    title TEXT, date TEXT, epoch REAL, categories TEXT, tags TEXT,
    slug TEXT, url TEXT, layout TEXT, published INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS posts_epoch ON posts (epoch);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5(title, body, tokenize = 'trigram');
"""


class IndexUnusable(NewsctlError):
    """The index cannot be opened or written."""


@dataclass(frozen=True, slots=True)
class Entry:
    """What a worker computes for one changed file."""

    path: str
    size: int
    mtime_ns: int
    hash: str
    row: dict[str, Any] | None
    title: str
    text: str
    error: str | None


@dataclass
class Refresh:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: int = 0


def index_path(root: Path) -> Path:
    return root / INDEX_DIR / INDEX_FILE


def connect(root: Path) -> sqlite3.Connection:
    """Open (or create) the index at ``root``. A corrupt or other-version index is rebuilt."""
    folder = root / INDEX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    path = index_path(root)
    for attempt in range(2):
        try:
            db = sqlite3.connect(path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if version is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                db.commit()
            elif version[0] != str(SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"index schema {version[0]}, expected {SCHEMA_VERSION}")
            db.execute("SELECT count(*) FROM texts").fetchone()
            return db
        except sqlite3.DatabaseError as exc:
            if attempt:
                raise IndexUnusable(f"cannot open the index {path}: {exc}") from None
            import sys

            print(f"{path}: warning: unusable index ({exc}); rebuilding it", file=sys.stderr)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    raise AssertionError("unreachable")


def _entry(item: Candidate, size: int, mtime_ns: int, known_hash: str | None) -> Entry | None:
    """Read and convert one file (in a worker). None when its content hash is unchanged."""
    from newsctl.convert import ConvertOptions, convert_body
    from newsctl.post import post_from_bytes
    from newsctl.render import post_record

    with open(item.path, "rb") as handle:
        data = handle.read()
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if digest == known_hash:
        return None
    try:
        post = post_from_bytes(item, data)
    except PostError as exc:
        return Entry(item.path, size, mtime_ns, digest, None, "", "", str(exc))
    if post is None:
        return Entry(item.path, size, mtime_ns, digest, None, "", "", "no front matter")
    try:
        text = convert_body(post, ConvertOptions("text")).strip()
    except Exception as exc:  # one post the converter cannot handle must not stop the index
        return Entry(item.path, size, mtime_ns, digest, None, "", "", f"cannot convert: {exc}")
    record = post_record(post)
    record["epoch"] = post.date.timestamp() if post.date else None
    return Entry(item.path, size, mtime_ns, digest, record, post.title, text, None)


def _work(job: tuple[Candidate, int, int, str | None]) -> Entry | None:
    return _entry(*job)


def refresh(db: sqlite3.Connection, found: Iterable[Found], *, jobs: int | None = None) -> Refresh:
    """Bring the index up to date with the files ``found``: new and changed files are read (on
    every core), files gone are removed. A file that cannot be read is kept as an error."""
    from newsctl.batch import parallel_map

    known = {
        path: (size, mtime_ns, digest)
        for path, size, mtime_ns, digest in db.execute("SELECT path, size, mtime_ns, hash FROM posts")
    }
    stats = Refresh()
    seen: set[str] = set()

    def jobs_for() -> Iterator[tuple[Candidate, int, int, str | None]]:
        for item in found:
            if not isinstance(item, Candidate) or item.page:
                continue
            key = os.path.abspath(item.path)
            seen.add(key)
            try:
                info = os.stat(item.path)
            except OSError:
                continue
            old = known.get(key)
            if old is not None and old[0] == info.st_size and old[1] == info.st_mtime_ns:
                stats.unchanged += 1
                continue
            yield (Candidate(key, item.site, item.relative, item.kind, item.explicit), info.st_size,
                   info.st_mtime_ns, old[2] if old else None)  # fmt: skip

    batch: list[Entry] = []
    for entry in parallel_map(_work, jobs_for(), jobs=jobs):
        batch.append(entry)
        if len(batch) >= 500:
            _write(db, batch, known, stats)
            batch = []
    _write(db, batch, known, stats)
    gone = [path for path in known if path not in seen]
    if gone and seen:
        ids = [row[0] for path in gone for row in db.execute("SELECT id FROM posts WHERE path = ?", (path,))]
        db.executemany("DELETE FROM texts WHERE rowid = ?", [(i,) for i in ids])
        db.executemany("DELETE FROM posts WHERE path = ?", [(p,) for p in gone])
        stats.removed = len(gone)
    db.commit()
    return stats


def _write(db: sqlite3.Connection, entries: list[Entry], known: dict[str, Any], stats: Refresh) -> None:
    with db:
        for entry in entries:
            row = entry.row or {}
            existing = db.execute("SELECT id FROM posts WHERE path = ?", (entry.path,)).fetchone()
            values = (
                entry.size, entry.mtime_ns, entry.hash, row.get("title"), row.get("date"), row.get("epoch"),
                json.dumps(row.get("categories", []), ensure_ascii=False),
                json.dumps(row.get("tags", []), ensure_ascii=False),
                row.get("slug"), row.get("url"), row.get("layout"), int(bool(row.get("published", True))), entry.error,
            )  # fmt: skip
            if existing:
                db.execute(
                    "UPDATE posts SET size=?, mtime_ns=?, hash=?, title=?, date=?, epoch=?, categories=?, tags=?,"
                    " slug=?, url=?, layout=?, published=?, error=? WHERE id=?",
                    (*values, existing[0]),
                )
                db.execute("DELETE FROM texts WHERE rowid = ?", (existing[0],))
                rowid = existing[0]
                stats.changed += 1
            else:
                cursor = db.execute(
                    "INSERT INTO posts (path, size, mtime_ns, hash, title, date, epoch, categories, tags, slug, url,"
                    " layout, published, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry.path, *values),
                )
                rowid = cursor.lastrowid
                stats.added += 1
            if entry.error is None:
                db.execute("INSERT INTO texts (rowid, title, body) VALUES (?, ?, ?)", (rowid, entry.title, entry.text))
            else:
                stats.failed += 1


def search(db: sqlite3.Connection, query: Query, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Posts matching ``query``, best first (bm25, title matches weighted 10x; newest first on
    ties or without a ranked term). Every term matches as a case-insensitive substring."""
    where: list[str] = []
    params: list[Any] = []
    fts_groups: list[str] = []
    for group in query.groups:
        # A group goes to FTS5 when every term in it is a positive term of 3+ characters.
        if all(not t.negated and len(t.text) >= 3 for t in group):
            fts_groups.append("(" + " OR ".join(_fts_term(t) for t in group) + ")")
            # FTS5's trigram folds case only for ASCII-ish text; confirm exactly below as well.
        where.append("(" + " OR ".join(_instr(t, params) for t in group) + ")")
    sql = "SELECT posts.*"
    if fts_groups:
        sql += ", bm25(texts, 10.0, 1.0) AS score FROM texts JOIN posts ON posts.id = texts.rowid"
        sql += " WHERE texts MATCH ? AND "
        params.insert(0, " AND ".join(fts_groups))
    else:
        sql += ", 0.0 AS score FROM texts JOIN posts ON posts.id = texts.rowid WHERE "
    sql += " AND ".join(where)
    sql += " ORDER BY score, epoch DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute(sql, params)]
    finally:
        db.row_factory = None


def _fts_term(term: Term) -> str:
    phrase = fts5_phrase(term.text)
    return f"title : {phrase}" if term.field == "title" else phrase


def _instr(term: Term, params: list[Any]) -> str:
    params.append(term.text.lower())
    column = "lower(texts.title)" if term.field == "title" else "lower(texts.title || char(10) || texts.body)"
    test = f"instr({column}, ?) > 0"
    return f"NOT {test}" if term.negated else test


def archive_root(paths: list[str]) -> Path:
    """Where the index lives: the config's folder, else the site root, else the folder given."""
    from newsctl.config import find_config, load_config
    from newsctl.validate import _archive_root

    first = Path(paths[0] if paths else ".")
    config = load_config(find_config(first if first.is_dir() else first.parent))
    return Path(_archive_root(config, paths or ["."]))


def row_post(row: dict[str, Any]) -> Any:
    """A light Post from an index row, for the filters and output formats ``list`` uses."""
    import datetime as dt

    from newsctl.post import Post

    return Post(
        path=row["path"], relative_path="", site_root=None, kind="post", title=row["title"] or "",
        date=dt.datetime.fromisoformat(row["date"]) if row["date"] else None,
        categories=tuple(json.loads(row["categories"] or "[]")), tags=tuple(json.loads(row["tags"] or "[]")),
        slug=row["slug"] or "", url=row["url"], layout=row["layout"], published=bool(row["published"]),
        front_matter={}, front_matter_format=None, front_matter_raw="", body="", body_line=1, bom=False,
    )  # fmt: skip


def body_of(db: sqlite3.Connection, post_id: int) -> str:
    """The indexed plain text of one post (fetched only for the results shown)."""
    row = db.execute("SELECT body FROM texts WHERE rowid = ?", (post_id,)).fetchone()
    return str(row[0]) if row else ""


def snippet(query: Query, title: str, body: str, width: int = 36) -> tuple[str, int, int]:
    """One line around the first match of a positive term: (text, match start, match end)."""
    from newsctl.query import fold

    for source in (body, title):
        line = " ".join(source.split())
        folded = fold(line)
        for term in query.terms:
            if term.negated:
                continue
            at = folded.find(fold(" ".join(term.text.split())))
            if at >= 0:
                start = max(0, at - width)
                text = ("…" if start else "") + line[start : at + len(term.text) + width]
                offset = at - start + (1 if start else 0)
                return text, offset, offset + len(term.text)
    line = " ".join(body.split())
    return line[: width * 2], 0, 0
