"""Per-file result cache for ``newsctl validate``, kept in ``<root>/.newsctl/cache.sqlite``.

A post whose size, modification time and change time match a row made under the same key (newsctl version
plus config fingerprint, chosen by the caller) is not checked again: its diagnostics and the
per-file facts that archive-wide checks need come from the cache.

Built for warm runs over very large archives with flat memory: nothing is loaded when the cache
is opened; ``get`` is one primary-key query (a few microseconds) that decodes JSON only on a
hit, so a run holds no row it is not looking at (and asks nothing while no row was ever written
under its key, as on a cold run: ``meta`` names the keys rows were written under); ``put`` is
buffered and written in one short transaction every ``FLUSH_EVERY`` rows and at ``close``.
SQLite (WAL mode, 5 s busy timeout) keeps two concurrent runs from corrupting the file.

The cache is never trusted and never fatal: a file that is not SQLite, is damaged, or was made
by another program or another schema version is deleted and recreated; an unusable location
(read-only, not a directory, locked for too long) silently disables the cache, so every lookup
misses and every ``put`` is dropped.

Beside the per-file rows, the cache keeps the last few whole reports (``put_run``), each under a
digest of everything the run depended on (see ``newsctl.validate.replay``): a run that finds the
same digest replays the report instead of looking every file up and comparing them again.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from newsctl.validate.diagnostics import SEVERITIES, Diagnostic, ValidationRun

_encode_text: Callable[[str], str] = json.encoder.encode_basestring

CACHE_DIR = ".newsctl"
CACHE_FILE = "cache.sqlite"
SCHEMA_VERSION = 4
APPLICATION_ID = 0x6E637472  # "nctr": marks the file as ours (PRAGMA application_id)
FLUSH_EVERY = 10_000
BUSY_TIMEOUT_MS = 5_000
#: Whole reports kept (a few: one per format and set of options a project runs in turn).
RUNS_KEPT = 4

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE results (
    path TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    payload TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE runs (
    digest TEXT NOT NULL UNIQUE,
    expires REAL,
    payload TEXT NOT NULL
);
"""
_RESULT_COLUMNS = ["path", "key", "size", "mtime_ns", "ctime_ns", "payload"]

#: What says a file is unchanged: size, mtime and ctime in ns. The ctime matters: an edit of
#: the same size with its mtime put back (touch -d, cp -p, rsync -t) changes only the ctime.
Stamp = tuple[int, int, int]

# One row waiting to be written: the stamp, the JSON payload, the salt of its key.
_Row = tuple[Stamp, str, str]
#: The name in ``meta`` that says rows were written under a key (its value is empty).
_KEY_NAME = "key:"
_GET = "SELECT size, mtime_ns, ctime_ns, payload FROM results WHERE path = ? AND key = ?"


def stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns)


@dataclass(frozen=True, slots=True)
class CachedResult:
    """What validating one file produced: its diagnostics and the JSON-able facts (url, title,
    day, source link, ...) that archive-wide checks need without re-reading the file."""

    diagnostics: tuple[Diagnostic, ...]
    facts: dict[str, str | None]


class _Incompatible(Exception):
    """The file is SQLite but not a cache of this schema version: discard it."""


class ResultCache:
    """Use as ``with ResultCache.open(root, key) as cache: ...``; see the module docstring."""

    def __init__(self, connection: sqlite3.Connection | None, key: str) -> None:
        self._conn = connection
        self._key = key
        self._pending: dict[str, _Row] = {}  # put since the last flush
        # Whether rows under this key were there when it was opened: if not, no lookup can hit
        # (a run looks up each file once, before it puts its result), so none asks SQLite.
        self._any_row = connection is not None and _has_rows_under(connection, key)

    @classmethod
    def open(cls, root: Path, key: str) -> ResultCache:
        """The cache of the archive at ``root`` for ``key``; a disabled cache when it cannot be used."""
        directory = Path(root) / CACHE_DIR
        try:
            _make_directory(directory)
        except OSError:
            return cls.disabled(key)
        database = directory / CACHE_FILE
        for attempt in range(2):
            connection: sqlite3.Connection | None = None
            try:
                connection = _connect(database)
            except (_Incompatible, sqlite3.Error, OSError) as error:
                if connection is not None:
                    connection.close()
                if attempt == 0 and _is_damage(error):
                    try:
                        _discard(database)
                    except OSError:
                        return cls.disabled(key)
                    continue
                return cls.disabled(key)
            return cls(connection, key)
        return cls.disabled(key)  # reached only if the retry loop ever ends without returning

    @classmethod
    def disabled(cls, key: str = "") -> ResultCache:
        """A cache that misses every lookup and drops every ``put`` (for ``--no-cache``)."""
        return cls(None, key)

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    def get(self, path: str, stamp: Stamp, salt: str = "") -> CachedResult | None:
        """The stored result for ``path`` if it was made under this key (plus ``salt``: what
        else the file's result depends on, such as its site's settings) for this file stamp:
        stored before this cache was opened, or put since and not yet written."""
        if self._conn is None:
            return None
        path = _stored(path)
        row = self._pending.get(path)
        if row is not None and row[2] != salt:
            return None
        if row is None:
            if not self._any_row:
                return None  # no row under this key: a miss without asking
            try:
                found = self._conn.execute(_GET, (path, self._key + salt)).fetchone()
            except sqlite3.Error:
                return None  # a miss: the file is checked again
            if found is None:
                return None
            row = ((found[0], found[1], found[2]), found[3], salt)
        if row[0] != stamp or not isinstance(row[1], str):
            return None
        return _decode(row[1])

    def put(self, path: str, stamp: Stamp, result: CachedResult, salt: str = "") -> None:
        """Remember ``result`` for ``path``; written at the next flush (every FLUSH_EVERY puts, close)."""
        if self._conn is None:
            return
        self._pending[_stored(path)] = (stamp, _encode(result), salt)
        if len(self._pending) >= FLUSH_EVERY:
            self._flush()

    def put_payload(self, path: str, stamp: Stamp, payload: str, salt: str = "") -> None:
        """``put`` of a result already encoded by ``encode_payload``."""
        if self._conn is None:
            return
        self._pending[_stored(path)] = (stamp, payload, salt)
        if len(self._pending) >= FLUSH_EVERY:
            self._flush()

    def prune(self, keep: set[str]) -> None:
        """Delete the rows (under any key) of paths not in ``keep``: files gone since they were cached."""
        self._flush()
        if self._conn is None:
            return
        keep = {_stored(path) for path in keep}

        def delete(connection: sqlite3.Connection) -> None:
            stale = [(path,) for (path,) in connection.execute("SELECT path FROM results") if path not in keep]
            connection.executemany("DELETE FROM results WHERE path = ?", stale)

        self._write(delete)

    def has_runs(self) -> bool:
        """Whether any whole report is stored (else a run need not work out its digest first)."""
        if self._conn is None:
            return False
        try:
            return self._conn.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is not None
        except sqlite3.Error:
            return False

    def get_snapshot(self, name: str) -> tuple[str, str] | None:
        """The folder snapshot and run digest last stored under ``name`` (made under this key)."""
        if self._conn is None:
            return None
        try:
            found = self._conn.execute("SELECT value FROM meta WHERE name = ?", (self._snapshot(name),)).fetchone()
        except sqlite3.Error:
            return None
        if found is None or "\n" not in found[0]:
            return None
        snapshot, digest = found[0].rsplit("\n", 1)
        return snapshot, digest

    def put_snapshot(self, name: str, snapshot: str | None, digest: str) -> None:
        """Remember that the folders were as ``snapshot`` says when a run whose inputs have
        ``digest`` began (None: they changed too recently to tell; what was stored goes)."""

        def store(connection: sqlite3.Connection) -> None:
            if snapshot is None:
                connection.execute("DELETE FROM meta WHERE name = ?", (self._snapshot(name),))
            else:
                row = (self._snapshot(name), snapshot + "\n" + digest)
                connection.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", row)
            # One per run header: drop those of other keys (another newsctl or configuration).
            connection.execute(
                "DELETE FROM meta WHERE name LIKE 'snapshot:%' AND substr(name, 1, ?) != ?",
                (len(self._snapshot("")), self._snapshot("")),
            )

        self._write(store)

    def _snapshot(self, name: str) -> str:
        return f"snapshot:{self._key}:{name}"

    def get_run(self, digest: str, now: float) -> ValidationRun | None:
        """The report stored under ``digest`` (made under this key), unless it expired by ``now``
        (a post then in the future is due since: its NC203 no longer holds)."""
        if self._conn is None:
            return None
        try:
            found = self._conn.execute(
                "SELECT expires, payload FROM runs WHERE digest = ?", (self._key + ":" + digest,)
            ).fetchone()
        except sqlite3.Error:
            return None
        if found is None or (found[0] is not None and now >= found[0]):
            return None
        return _decode_run(found[1])

    def put_run(self, digest: str, expires: float | None, run: ValidationRun) -> None:
        """Store the report of a run whose inputs have ``digest``, good until ``expires`` (a
        timestamp, None for ever), with the rows put before it; keep only the last RUNS_KEPT."""
        self._flush()
        payload = _encode_run(run)

        def store(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT OR REPLACE INTO runs (digest, expires, payload) VALUES (?, ?, ?)",
                (self._key + ":" + digest, expires, payload),
            )
            connection.execute(
                "DELETE FROM runs WHERE rowid NOT IN (SELECT rowid FROM runs ORDER BY rowid DESC LIMIT ?)",
                (RUNS_KEPT,),
            )

        self._write(store)

    def close(self) -> None:
        """Write buffered results and close the database. Safe to call more than once."""
        self._flush()
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _flush(self) -> None:
        if not self._pending:
            return
        key, pending, self._pending = self._key, self._pending, {}

        def write(connection: sqlite3.Connection) -> None:
            connection.execute("INSERT OR IGNORE INTO meta (name, value) VALUES (?, '')", (_KEY_NAME + key,))
            connection.executemany(
                "INSERT OR REPLACE INTO results (path, key, size, mtime_ns, ctime_ns, payload)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                ((path, key + salt, *stamp, payload) for path, (stamp, payload, salt) in pending.items()),
            )

        self._write(write)

    def _write(self, work: Callable[[sqlite3.Connection], object]) -> None:
        """Run ``work(connection)`` in one short write transaction; on any failure give up caching."""
        connection = self._conn
        if connection is None:
            return
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                work(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
            self._conn = None
            self._pending = {}


def _has_rows_under(connection: sqlite3.Connection, key: str) -> bool:
    """Whether rows may have been written under ``key`` (True when unsure: a lookup then asks)."""
    try:
        found = connection.execute("SELECT 1 FROM meta WHERE name = ?", (_KEY_NAME + key,)).fetchone()
    except sqlite3.Error:
        return True
    return found is not None


def _make_directory(directory: Path) -> None:
    directory.mkdir(exist_ok=True)
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("*\n", encoding="utf-8")


def _connect(database: Path) -> sqlite3.Connection:
    """Open ``database`` in autocommit mode, creating the schema in an empty file."""
    connection = sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("BEGIN IMMEDIATE")
        try:
            _check_or_create_schema(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except BaseException:
        connection.close()
        raise
    return connection


def _check_or_create_schema(connection: sqlite3.Connection) -> None:
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    user_version = connection.execute("PRAGMA user_version").fetchone()[0]
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    if application_id == 0 and user_version == 0 and not tables:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute("INSERT INTO meta (name, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return
    if application_id != APPLICATION_ID or user_version != SCHEMA_VERSION:
        raise _Incompatible(f"application_id {application_id}, user_version {user_version}")
    columns = [row[1] for row in connection.execute("PRAGMA table_info(results)")]
    stored = connection.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
    if columns != _RESULT_COLUMNS or stored is None or stored[0] != str(SCHEMA_VERSION):
        raise _Incompatible("unexpected schema")


def _is_damage(error: BaseException) -> bool:
    """True for a file to throw away (damaged, not SQLite, not ours); False for a busy, locked or
    unwritable database, which only disables the cache for this run."""
    if isinstance(error, _Incompatible):
        return True
    # Python raises SQLITE_CORRUPT and SQLITE_NOTADB as plain DatabaseError; busy, locked,
    # read-only, can't-open and I/O errors are OperationalError.
    return isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError)


def _discard(database: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def _stored(path: str) -> str:
    """``path`` as SQLite can hold it (UTF-8 text only): a name that is not valid UTF-8 (read by
    Python as surrogates) with those bytes shown as ``\\xe9``. Two names may then share a row;
    the file stamp stored with it still tells them apart."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def _encode(result: CachedResult) -> str:
    return _json_payload(result.diagnostics, result.facts, None, ascii_only=False, keep_none=True)


def encode_payload(
    diagnostics: tuple[Diagnostic, ...], facts: dict[str, str | None], leave_out: str | None = None
) -> str:
    """The JSON stored for a result: ``json.dumps({"d": [...], "f": facts}, ensure_ascii=False,
    separators=(",", ":"))`` with the facts that are None (and ``leave_out``) left out, written
    by hand around the C string encoder when every value is text (nearly always: 3x faster
    than ``json.dumps``, which builds an encoder on every call; it ran once per post checked)."""
    text = _encode_text
    parts: list[str] = []
    for name, value in facts.items():
        if value is None or name == leave_out:
            continue
        if type(value) is not str:
            parts = []
            break
        parts.append(f"{text(name)}:{text(value)}")
    else:
        rows = []
        for d in diagnostics:
            if type(d.line) is not int or type(d.column) is not int:
                break
            rows.append(f"[{text(d.path)},{d.line},{d.column},{text(d.code)},{text(d.severity)},{text(d.message)}]")
        else:
            payload = f'{{"d":[{",".join(rows)}],"f":{{{",".join(parts)}}}}}'
            try:
                payload.encode("utf-8")
            except UnicodeEncodeError:  # a path that is not UTF-8: ASCII JSON escapes it, json.loads restores it
                return _json_payload(diagnostics, facts, leave_out, ascii_only=True)
            return payload
    return _json_payload(diagnostics, facts, leave_out, ascii_only=False)


def _json_payload(
    diagnostics: tuple[Diagnostic, ...],
    facts: dict[str, str | None],
    leave_out: str | None,
    *,
    ascii_only: bool,
    keep_none: bool = False,
) -> str:
    kept = {name: value for name, value in facts.items() if (keep_none or value is not None) and name != leave_out}
    data = {"d": [[d.path, d.line, d.column, d.code, d.severity, d.message] for d in diagnostics], "f": kept}
    if ascii_only:
        return json.dumps(data, separators=(",", ":"))
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        payload.encode("utf-8")
    except UnicodeEncodeError:  # a path that is not UTF-8: ASCII JSON escapes it, json.loads restores it
        payload = json.dumps(data, separators=(",", ":"))
    return payload


def _encode_run(run: ValidationRun) -> str:
    data = {
        "d": [[d.path, d.line, d.column, d.code, d.severity, d.message] for d in run.diagnostics],
        "f": run.files,
        "n": run.posts_checked,
        "m": run.missing,
        "p": run.not_posts,
    }
    # ASCII: a path that is not UTF-8 (surrogates) survives, and SQLite gets valid text.
    return json.dumps(data, separators=(",", ":"))


def _decode_run(payload: str) -> ValidationRun | None:
    """The report stored as ``payload``, or None (a miss) when it is not what ``_encode_run`` writes."""
    try:
        data = json.loads(payload)
        diagnostics = [
            Diagnostic(path, line, column, code, severity, message)
            for path, line, column, code, severity, message in data["d"]
        ]
        run = ValidationRun(diagnostics, list(data["f"]), int(data["n"]), list(data["m"]), list(data["p"]))
    except (ValueError, TypeError, KeyError):
        return None
    return run


def _decode(payload: str) -> CachedResult | None:
    """The result stored as ``payload``, or None (a miss) when it is not what ``_encode`` writes.

    Runs once per unchanged file on a warm run, so it trusts the shape ``_encode`` wrote and
    lets any surprise (a damaged row) fall through to a miss instead of checking every field."""
    try:
        data = json.loads(payload)
        diagnostics = tuple(
            Diagnostic(path, line, column, code, severity, message)
            for path, line, column, code, severity, message in data["d"]
        )
        facts = data["f"]
        if not isinstance(facts, dict) or any(
            d.severity not in SEVERITIES or type(d.line) is not int or type(d.column) is not int for d in diagnostics
        ):
            return None
    except (ValueError, TypeError, KeyError):
        return None
    return CachedResult(diagnostics=diagnostics, facts=facts)
