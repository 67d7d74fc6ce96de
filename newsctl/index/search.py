"""Questions to the index: which posts match a query and the filters of ``list``, in SQL.

Every term is answered exactly (the same set of posts a substring scan of the plain text
returns): terms of 1-2 characters by one token of the ``grams`` table, longer ones by the posts
holding all of their character pairs in ``grams``, each checked in its stored text (``holds``),
title-only terms by ``instr`` on the titles, and the rare term holding a line break or the
index's marker character by ``holds`` alone. Ranked, each match's score is its count of matches
in the stored text (``relevance``). Nothing a user types reaches FTS5 except as a quoted string.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import marshal
import os
import re
import signal
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from newsctl.errors import NewsctlError
from newsctl.filters import Bound, PostFilter
from newsctl.index import freshness
from newsctl.index.order import STEP
from newsctl.index.query import Query, Term, fts5_phrase
from newsctl.index.schema import MARK, fold, register, spread, unpack


class OutsideIndex(NewsctlError):
    """A PATH that is not inside the archive the index covers."""


@dataclass(frozen=True, slots=True)
class Scope:
    """A PATH from the command line: ``typed`` as the user wrote it, ``relative`` to the root."""

    typed: str
    relative: str
    is_dir: bool

    def display(self, path: str) -> str:
        """A post's path as ``list`` would print it when reached through this PATH (as
        ``os.path.join(typed, below)``, spelled out: it runs once per result)."""
        if not self.is_dir:
            return self.typed
        below = path if self.relative == "." else path[len(self.relative) + 1 :]
        return self.typed + below if self.typed.endswith(os.sep) else self.typed + os.sep + below

    def contains(self, path: str) -> bool:
        if self.relative == ".":
            return True
        return path == self.relative or (self.is_dir and path.startswith(self.relative + os.sep))


def scopes_for(root: Path, paths: list[str]) -> list[Scope]:
    """The PATHs (default: the current folder) as scopes; OutsideIndex for one outside ``root``."""
    base = os.path.abspath(root)
    scopes = []
    for typed in paths or ["."]:
        relative = os.path.relpath(os.path.abspath(typed), base)
        if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
            raise OutsideIndex(f"{typed}: not inside the archive at {root}")
        scopes.append(Scope(typed, relative, os.path.isdir(typed)))
    return scopes


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    path: str  # as list prints it
    title: str
    epoch: float | None
    record: str  # the post's JSON object without its path and title (as the index stores it)
    score: float

    def json(self) -> str:
        """The record with its path and title first, exactly as ``render.post_record`` and
        json.dumps give it."""
        rest = self.record[1:]
        head = '{"path": ' + json.dumps(self.path, ensure_ascii=False) + ', "title": '
        return head + json.dumps(self.title, ensure_ascii=False) + (", " + rest if rest != "}" else "}")

    def record_dict(self) -> dict[str, Any]:
        return {"path": self.path, "title": self.title, **json.loads(self.record)}

    def post(self) -> Any:
        """A light Post, for the tables ``list`` and ``search`` draw."""
        from newsctl.jekyll.post import Post

        record = json.loads(self.record)
        return Post(
            path=self.path, relative_path="", site_root=None, kind="post", title=self.title,
            date=dt.datetime.fromisoformat(record["date"]) if record["date"] else None,
            categories=tuple(record["categories"]), tags=tuple(record["tags"]), slug=record["slug"],
            url=record["url"], layout=record["layout"], published=record["published"], front_matter={},
            front_matter_format=None, front_matter_raw="", body="", body_line=1, bom=False,
        )  # fmt: skip


def _bound(bound: Bound, operator: str, params: list[Any]) -> str:
    # An instant compares with the post's instant; a wall-clock bound with its local time.
    if bound.value.tzinfo is not None:
        params.append(bound.value.timestamp())
        return f"posts.epoch {operator} ?"
    params.append(bound.value.isoformat())
    return f"posts.local {operator} ?"


def filter_sql(selection: PostFilter, scopes: list[Scope], drafts: bool, params: list[Any]) -> list[str]:
    """WHERE conditions for ``list``'s filters, the PATHs and --drafts."""
    where = ["posts.error IS NULL", "posts.kind IS NOT NULL"]
    if not drafts:
        where.append("posts.kind != 'draft'")
    for column, wanted in (("categories", selection.categories), ("tags", selection.tags)):
        if wanted:
            tests = []
            for value in wanted:
                params.append("\x1f" + value.casefold() + "\x1f")
                tests.append(f"instr(posts.{column}, ?) > 0")
            where.append("(" + " OR ".join(tests) + ")")
    if selection.since is not None:
        where.append(_bound(selection.since, ">=", params))
    if selection.until is not None:
        where.append(_bound(selection.until, "<=" if selection.until.inclusive else "<", params))
    if not any(scope.relative == "." for scope in scopes):
        tests = []
        for scope in scopes:
            if scope.is_dir:
                # Every path below the folder, by a range on the unique index ("0" follows "/").
                params.extend((scope.relative + os.sep, scope.relative + chr(ord(os.sep) + 1)))
                tests.append("(posts.path >= ? AND posts.path < ?)")
            else:
                params.append(scope.relative)
                tests.append("posts.path = ?")
        where.append("(" + " OR ".join(tests) + ")")
    return where


def _needle(term: Term) -> str:
    """What ``holds`` looks for: the folded term."""
    return fold(term.text)


def _gram_expression(needle: str) -> str:
    """The ``grams`` MATCH expression of the posts that may hold ``needle`` (folded, without a
    line break or the marker): exactly those for 1-2 characters; for more, those holding each
    of its pairs (a check of the text follows)."""
    if len(needle) <= 2:
        return fts5_phrase(spread(needle)[1:-1] if len(needle) == 2 else spread(needle))
    pairs = dict.fromkeys(needle[i] + MARK + needle[i + 1] for i in range(len(needle) - 1))
    return "(" + " AND ".join(fts5_phrase(pair) for pair in pairs) + ")"


def _term_sql(term: Term, params: list[Any]) -> str:
    """The condition for one term (without its negation)."""
    needle = fold(term.text)
    if term.field == "title":
        params.append(needle)
        return "instr(lower(posts.title), ?) > 0"
    if "\n" in needle or MARK in needle:
        # Only a scan of the stored text sees a match across the title/body boundary.
        params.append(_needle(term))
        return "holds(bodies.id, bodies.text, ?)"
    params.append(_gram_expression(needle))
    if len(needle) <= 2:
        return "posts.id IN (SELECT rowid FROM grams WHERE grams MATCH ?)"
    params.append(_needle(term))
    return "(posts.id IN (SELECT rowid FROM grams WHERE grams MATCH ?) AND holds(bodies.id, bodies.text, ?))"


# Columns that only posts_order (or the rows) hold.
_WIDE_COLUMNS = re.compile(r"posts\.(title|record|categories|tags|local|size|mtime_ns|ctime_ns|ino|hash|error_line)\b")


def _ranked(group: tuple[Term, ...]) -> bool:
    """A group whose terms count in the score: positive ones of any length (issue 15: 1-2
    characters, the most common length of a Chinese word, rank as longer ones do)."""
    return all(not t.negated and "\n" not in t.text and MARK not in t.text for t in group)


def _gram_group(group: tuple[Term, ...]) -> tuple[str, bool] | None:
    """The ``grams`` MATCH expression of the posts that may match this group alone, if there is
    one (positive terms in the whole text), and whether its matches need a check of the text
    (a term of 3+ characters)."""
    needles = [fold(t.text) for t in group]
    if any(t.negated or t.field == "title" for t in group) or any("\n" in n or MARK in n for n in needles):
        return None
    return " OR ".join(_gram_expression(n) for n in needles), any(len(n) > 2 for n in needles)


def _titled_sql(terms: list[Term]) -> tuple[str, list[Any]]:
    """SQL for the matches of ``terms`` in the title, counted as ``bytes.count`` counts them
    (``replace`` removes the same non-overlapping matches, left to right) on the title folded
    as ``fold`` folds it (SQLite's ``lower``): in C, on the row's title, nothing decompressed."""
    counts, params = [], []
    for term in terms:
        needle = fold(term.text)
        counts.append("(length(lower(posts.title)) - length(replace(lower(posts.title), ?, ''))) / ?")
        params += [needle, len(needle)]
    return "(" + " + ".join(counts) + ")", params


# The body matches' part of ``ranked``.
_BODY = (1 << 32) - 1


def _score(titled: int, mentioned: int) -> float:
    """The score shown, which sorts as the ranking does: the title matches, plus the body
    matches as a fraction below one (b / (b + 1)), so that no number of body matches outweighs
    one more title match."""
    return round(titled + mentioned / (mentioned + 1), 6)


def _scores(ranked: list[tuple[Term, ...]], part: str, where: list[str], params: list[Any]) -> tuple[str, list[Any]]:
    """The column ``ranked`` for ``part``, with its parameters.

    - "all", the whole ranking: the title matches of the ranked terms times 2**32 plus their
      body matches (so that it sorts as the ranking does), counted in one call on the stored
      text, which holds the title: the row of ``posts`` is then not read at all when the
      columns asked for are in a narrow index (``search_paths``), and SQLite's lower() and
      replace() do not run on it (20,000 posts, CPU in process: 车 86 -> 67-73 ms, 股 123 ->
      99-104).
    - "titles", the posts with a title match, unranked: ``_title_part`` counts their title
      matches (in Python, on the titles: half the CPU of SQLite's lower() and replace() twice a
      row) and reads the few texts it must.
    - "body", the posts without one, by their body matches.

    For a part, the condition choosing it goes first in ``where``, so that a post of the other
    part is set aside before its text is read."""
    terms = [t for group in ranked for t in group]
    mentioned = [t.text for t in terms if t.field != "title"]
    if part == "all":
        needles = json.dumps({"title": [t.text for t in terms], "body": mentioned}, ensure_ascii=False)
        return "ranks(bodies.id, bodies.text, bodies.split, ?) AS ranked", [needles]
    if part == "titles":
        where.insert(0, "(" + " OR ".join(["instr(lower(posts.title), ?) > 0"] * len(terms)) + ")")
        params[0:0] = [fold(t.text) for t in terms]
        return "0 AS ranked", []
    titled, titled_params = _titled_sql(terms)
    where.insert(0, f"{titled} = 0")
    params[0:0] = titled_params
    if not mentioned:
        return "0 AS ranked", []
    return "mentions(bodies.id, bodies.text, bodies.split, ?) AS ranked", [json.dumps(mentioned, ensure_ascii=False)]


def search_sql(
    query: Query,
    selection: PostFilter,
    scopes: list[Scope],
    drafts: bool,
    *,
    sort: str,
    limit: int | None,
    columns: str = "posts.id, posts.path, posts.title, posts.epoch, posts.record",
    column_params: tuple[Any, ...] = (),
    ids: tuple[int, int] | None = None,
    part: str = "all",
) -> tuple[str, list[Any]]:
    """The SELECT for ``search``: rows of ``columns`` (with ``column_params``), then the
    title matches and the body matches of the ranked terms (0 and 0 unranked); with ``ids``,
    only the posts whose ids are in that (inclusive) range. Ranked, ``part`` "titles" asks for
    the posts with a title match only, newest first (``_title_part`` ranks them), "body" for
    those without, ranked (the ranking's two parts, see ``_scores``).

    Post ids are the newest-first order (``newsctl.index.order``), so when one FTS5 table can
    answer part of the query, the query is driven by it: its matches in descending rowid order
    are the results newest first, each looked up by id in a narrow index (no set of matching
    ids, no sort). Ranked, the same join is sorted by score."""
    params: list[Any] = []
    where: list[str] = []
    ranked = [group for group in query.groups if _ranked(group)]
    driver: tuple[str, str] | None = None
    for group in query.groups:
        if driver is None:
            gram = _gram_group(group)
            if gram is not None:
                driver = ("grams", gram[0])
                # The posts that may match: which do is told by their text; but for the title
                # part of a query of this one group, a title match is a match (no text read).
                if gram[1] and not (part == "titles" and len(query.groups) == 1 and _ranked(group)):
                    params.extend(_needle(term) for term in group)
                    where.append("(" + " OR ".join(["holds(bodies.id, bodies.text, ?)"] * len(group)) + ")")
                continue
        tests = []
        for term in group:
            test = _term_sql(term, params)
            tests.append(f"NOT ({test})" if term.negated else test)
        where.append("(" + " OR ".join(tests) + ")")
    where += filter_sql(selection, scopes, drafts, params)
    if ids is not None:
        # On the FTS5 table when it drives the query: it then reads only that part of its lists.
        where.append(f"{driver[0] if driver else 'posts'}.rowid BETWEEN ? AND ?")
        params.extend(ids)
    # The narrow indexes hold every column the query reads (and, for posts_shown, only the
    # posts it may return); else the wide posts_order, or the rows themselves.
    covered = not _WIDE_COLUMNS.search(columns + " ".join(where))
    narrow = " INDEXED BY posts_shown" if not drafts else " INDEXED BY posts_by_id"
    rank = bool(ranked) and sort != "date"
    scores, score_params = _scores(ranked, part, where, params) if rank else ("0 AS ranked", [])
    # The stored text, when a check or the score reads it (one lookup by id per post).
    texts = " LEFT JOIN bodies ON bodies.id = posts.id" if "bodies." in scores + " ".join(where) else ""
    if driver is not None:
        table, expression = driver
        # CROSS JOIN: FTS5 is the outer loop, whatever SQLite estimates.
        sql = f"SELECT {columns}, {scores} FROM {table} CROSS JOIN posts{narrow if covered else ''}"
        sql += f" ON posts.id = {table}.rowid{texts} WHERE {table} MATCH ? AND " + " AND ".join(where)
        params.insert(0, expression)
        newest = f"{table}.rowid DESC"  # FTS5 reads its matches in this order: no sort
    else:
        using = narrow if covered else " INDEXED BY posts_order"
        sql = f"SELECT {columns}, {scores} FROM posts{using}{texts} WHERE " + " AND ".join(where)
        newest = "posts.id DESC" if covered else "posts.epoch DESC, posts.path DESC"
    # Without a ranked term every score is 0: order by date alone (a score in ORDER BY would
    # make SQLite sort every result).
    sql += f" ORDER BY ranked DESC, {newest}" if rank and part != "titles" else f" ORDER BY {newest}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, [*column_params, *score_params, *params]


def search(
    db: sqlite3.Connection,
    query: Query,
    *,
    selection: PostFilter | None = None,
    scopes: list[Scope] | None = None,
    drafts: bool = False,
    sort: str = "relevance",
    limit: int | None = None,
) -> Iterator[Row]:
    """Posts matching ``query`` and the filters: best first (for the positive terms of any
    length: posts with a title match first, more above fewer, then more body matches above
    fewer, no length normalization; score 10 per title match plus 1 per body match), newest
    first on ties and for queries without such a term; or newest first with ``sort="date"``."""
    scopes = scopes or [Scope(".", ".", True)]
    for post_id, path, title, epoch, record, ranked in _rows(
        db, query, selection or PostFilter(), scopes, drafts, sort=sort, limit=limit
    ):
        scope = next((s for s in scopes if s.contains(path)), scopes[0])
        yield Row(post_id, scope.display(path), title, epoch, record, _score(ranked >> 32, ranked & _BODY))


def _rows(
    db: sqlite3.Connection,
    query: Query,
    selection: PostFilter,
    scopes: list[Scope],
    drafts: bool,
    *,
    sort: str,
    limit: int | None,
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``search_sql`` in the ranking's order. Ranked with a limit, the posts with a
    title match come first whatever their body holds, so only they are counted in when there
    are ``limit`` of them, and the body-only posts are counted (their texts decompressed) only
    when there are fewer: the first ``limit`` results are the same as the full ranking's."""
    ranked = sort != "date" and any(_ranked(group) for group in query.groups)
    if not ranked or limit is None:
        sql, params = search_sql(query, selection, scopes, drafts, sort=sort, limit=limit)
        yield from db.execute(sql, params)
        return
    # Title matches outrank any body matches: the posts with one come first, and only those
    # of the highest title levels that fill the limit need their texts read.
    titled = _title_part(db, query, selection, scopes, drafts, limit)
    yield from titled
    if len(titled) < limit:
        sql, params = search_sql(query, selection, scopes, drafts, sort=sort, limit=limit - len(titled), part="body")
        yield from db.execute(sql, params)


def _title_part(
    db: sqlite3.Connection, query: Query, selection: PostFilter, scopes: list[Scope], drafts: bool, limit: int
) -> list[tuple[Any, ...]]:
    """The first ``limit`` posts with a title match, in the ranking's order. Their title
    matches are counted on the titles (no text read); then only the posts with as many
    title matches as the ``limit``-th best has are counted in (their texts read), since one more
    title match outranks any number of body matches. 100,000 posts: 股 is in 24,257 titles, 30
    of them four times; a terminal's 20 results read 30 texts, not 24,257."""
    terms = [t for group in query.groups if _ranked(group) for t in group]
    sql, params = search_sql(
        query, selection, scopes, drafts, sort="relevance", limit=None, columns="posts.id, posts.title", part="titles"
    )
    # (id, title matches), most title matches first; counted as SQLite's replace() would
    # (non-overlapping, left to right) on the title folded as lower() folds it.
    needles = [fold(t.text) for t in terms]
    found = [(post_id, sum(map(fold(title).count, needles))) for post_id, title, _ in db.execute(sql, params)]
    found.sort(key=itemgetter(1), reverse=True)
    if len(found) > limit:
        least = found[limit - 1][1]
        found = [row for row in found if row[1] >= least]
    mentioned = [t.text for t in terms if t.field != "title"]
    counts: dict[int, int] = {}
    if mentioned and found:
        counts = dict(
            db.execute(
                "SELECT id, mentions(id, text, split, ?) FROM bodies WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(mentioned, ensure_ascii=False), json.dumps([row[0] for row in found])],
            )
        )
    # Newest first on ties: a post's id is its place in date order.
    best = sorted(((titled << 32) + counts.get(post_id, 0), post_id) for post_id, titled in found)[::-1][:limit]
    rows = {
        row[0]: row
        for row in db.execute(
            "SELECT id, path, title, epoch, record FROM posts WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps([post_id for _, post_id in best])],
        )
    }
    return [(*rows[post_id], ranked) for ranked, post_id in best]


def search_paths(
    db: sqlite3.Connection,
    query: Query,
    *,
    selection: PostFilter | None = None,
    scopes: list[Scope] | None = None,
    drafts: bool = False,
    sort: str = "relevance",
    limit: int | None = None,
    end: str = "\n",
    jobs: int | None = None,
) -> bytes:
    """The paths of what ``search`` finds, in its order, each followed by ``end``: the output
    of ``--format paths`` as UTF-8 bytes (its fast path: at a million posts a result can hold
    500,000 paths, and each Python object per path costs). Newest first on a large archive,
    the older and the newer half of the posts are searched at once on two cores (unless
    ``jobs`` is 1); ranked ones too (each half sorted, then merged) unless the no-change
    check's stat calls have the second core."""
    scopes = scopes or [Scope(".", ".", True)]
    if limit is not None and sort != "date" and any(_ranked(group) for group in query.groups):
        # Pruned (see _rows): at most ``limit`` rows, joined here.
        found = search(db, query, selection=selection, scopes=scopes, drafts=drafts, sort=sort, limit=limit)
        return "".join(row.path + end for row in found).encode("utf-8", "surrogateescape")
    options: dict[str, Any] = {"sort": sort, "limit": limit, "columns": "posts.path"}
    one = scopes[0]
    if len(scopes) == 1 and one.is_dir:
        # Scope.display and the joining done by SQLite: the result is one string, handed over
        # as a BLOB so that it is not decoded only to be encoded again. SQLite concatenates in
        # the subquery's order (tests check it against ``search``).
        prefix = one.typed if one.typed.endswith(os.sep) else one.typed + os.sep
        skip = 1 if one.relative == "." else len(one.relative) + 2
        if skip > 1:
            options.update(columns="substr(posts.path, ?) AS path", column_params=(skip,))

        def inner(ids: tuple[int, int] | None) -> tuple[str, list[Any]]:
            return search_sql(query, selection or PostFilter(), scopes, drafts, ids=ids, **options)

        def joined(connection: sqlite3.Connection, ids: tuple[int, int] | None) -> bytes:
            sql, params = inner(ids)
            # The prefix and the end go between the paths as group_concat's separator: no
            # string is built per row.
            outer = f"SELECT CAST(? || group_concat(path, ?) || ? AS BLOB) FROM ({sql})"
            blob = connection.execute(outer, [prefix, end + prefix, end, *params]).fetchone()[0]
            return bytes(blob) if blob is not None else b""

        if limit is not None or jobs == 1:
            return joined(db, None)
        if sort != "date" and any(_ranked(group) for group in query.groups):
            if freshness.beside():
                # The no-change check's child has the second core (the stat calls): the
                # halves cost as much as the whole then (100,000 posts, 银行: 0.82 s whole,
                # 0.83 s in halves, CPU 1.11 -> 1.42 s).
                return joined(db, None)
            # Each match's score decodes its text: worth a second core (with a watcher or
            # --no-refresh: -22-25 % wall), though each half sorts its own matches by score
            # and the two are merged here.
            return _in_halves(db, lambda c, ids: _scored(c, inner(ids), prefix, end), lambda: joined(db, None), _merged)
        return _in_halves(db, joined, lambda: joined(db, None), lambda newer, older: newer + older)
    sql, params = search_sql(query, selection or PostFilter(), scopes, drafts, **options)
    rows = db.execute(sql, params).fetchall()
    shown = (next((s for s in scopes if s.contains(path)), one).display(path) for path, *_ in rows)
    return "".join(path + end for path in shown).encode("utf-8", "surrogateescape")


def _scored(connection: sqlite3.Connection, select: tuple[str, list[Any]], prefix: str, end: str) -> bytes:
    """The rows of a ranked ``search_sql`` (one column, the path below the scope) as marshal
    bytes of (ranked, shown path and ``end`` as UTF-8) in its order: what ``_merged`` merges."""
    sql, params = select
    outer = f"SELECT ranked, CAST(? || path || ? AS BLOB) FROM ({sql})"
    return marshal.dumps(connection.execute(outer, [prefix, end, *params]).fetchall())


def _merged(newer: bytes, older: bytes) -> bytes:
    """Two halves of a ranked result (from ``_scored``) in the order of the whole: by ``ranked``,
    descending; on a tie the newer half first (heapq.merge keeps the order of its inputs on
    equal keys), since each half is newest first and every id of the newer half is above every
    id of the older one (the ids are the newest-first order)."""
    rows = heapq.merge(marshal.loads(newer), marshal.loads(older), key=itemgetter(0), reverse=True)
    return b"".join(row[1] for row in rows)


# Below this many ids (about 20,000 posts) a second process and connection cost more than
# they save.
PARALLEL_IDS = 20_000 * STEP


def _in_halves(
    db: sqlite3.Connection,
    run: Callable[[sqlite3.Connection, tuple[int, int]], bytes],
    whole: Callable[[], bytes],
    combine: Callable[[bytes, bytes], bytes],
) -> bytes:
    """``run`` over the newer half of the ids on ``db`` and over the older half in a forked
    process on its own connection, at once, then ``combine(newer, older)``. A process, not a
    thread: two threads of one process slow each other down by half in SQLite (measured on a
    million posts), two processes do not. On a small index, where fork is missing, when the
    other process fails, or when the index changed meanwhile (another process wrote it: the
    halves may come from different states of it), ``whole()``."""
    threading = sys.modules.get("threading")
    if not hasattr(os, "fork") or (threading is not None and threading.active_count() > 1):
        # A fork copies one thread of a program that may have others holding locks (a library
        # user's program): no fork then.
        return whole()
    before = db.execute("PRAGMA data_version").fetchone()[0]
    # Two statements: SQLite reads a min() or a max() alone from the end of the B-tree, and
    # scans every row for both at once (75 ms on a million posts).
    low = db.execute("SELECT min(id) FROM posts").fetchone()[0]
    high = db.execute("SELECT max(id) FROM posts").fetchone()[0]
    if low is None or high - low < PARALLEL_IDS:
        return whole()
    middle = (low + high) // 2
    path = db.execute("PRAGMA database_list").fetchone()[2]
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its result, or its failure, is what the parent checks
        status = 1
        try:
            os.close(reader)
            connection = sqlite3.connect(path, timeout=60)
            register(connection)
            older = run(connection, (low, middle))
            with open(writer, "wb") as out:
                out.write(older)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    try:
        newer = run(db, (middle + 1, high))
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        with open(reader, "rb") as source:
            older = source.read()
        status = os.waitpid(pid, 0)[1]
    if status != 0 or db.execute("PRAGMA data_version").fetchone()[0] != before:
        return whole()
    return combine(newer, older)


def _select_sql(
    selection: PostFilter,
    scopes: list[Scope],
    drafts: bool,
    *,
    sort: str,
    reverse: bool,
    limit: int | None,
    columns: str,
) -> tuple[str, list[Any], bool]:
    """``list``'s query: (SQL, its parameters, whether SQLite gives ``list``'s order and limit)."""
    params: list[Any] = []
    where = filter_sql(selection, scopes, drafts, params)
    sql = f"SELECT {columns} FROM posts WHERE " + " AND ".join(where)
    in_sql = len(scopes) == 1 and sort in ("date", "path")
    if in_sql:
        # One PATH: its display prefix is common to every row, so ordering by the stored path
        # is ordering by the shown one (UTF-8 byte order is code point order, as Python's).
        down = "ASC" if reverse else "DESC"
        if sort == "date":
            # SQLite puts NULL first in ascending order, as sort_posts puts a post without a
            # date; so the covering index gives this order without sorting.
            sql += f" ORDER BY epoch {down}, path {down}"
        else:
            sql += f" ORDER BY path {'DESC' if reverse else 'ASC'}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
    return sql, params, in_sql


def select(
    db: sqlite3.Connection,
    selection: PostFilter,
    scopes: list[Scope],
    drafts: bool,
    *,
    sort: str,
    reverse: bool,
    limit: int | None = None,
    paths_only: bool = False,
) -> list[Row]:
    """The posts ``list`` shows, in ``list``'s order (see ``filters.sort_posts``). With
    ``paths_only`` the rows hold no title or record (and a title sort is not asked for)."""
    columns = "id, path, '', epoch, '{}'" if paths_only else "id, path, title, epoch, record"
    sql, params, in_sql = _select_sql(
        selection, scopes, drafts, sort=sort, reverse=reverse, limit=limit, columns=columns
    )
    rows = []
    for post_id, path, title, epoch, record in db.execute(sql, params):
        scope = next((s for s in scopes if s.contains(path)), scopes[0])
        rows.append(Row(post_id, scope.display(path), title, epoch, record, 0.0))
    if in_sql:
        return rows
    rows.sort(key=lambda r: r.path)
    if sort == "date":
        rows.sort(key=lambda r: (float("-inf") if r.epoch is None else r.epoch, r.path), reverse=not reverse)
    elif sort == "title":
        rows.sort(key=lambda r: r.title.casefold(), reverse=reverse)
    elif reverse:
        rows.reverse()
    return rows[:limit] if limit is not None else rows


def select_paths(
    db: sqlite3.Connection,
    selection: PostFilter,
    scopes: list[Scope],
    drafts: bool,
    *,
    sort: str,
    reverse: bool,
    limit: int | None = None,
    end: str = "\n",
) -> bytes:
    """The paths of ``select``'s posts, each followed by ``end``: ``list --format paths`` as
    UTF-8 bytes. For one folder PATH in date or path order SQLite joins them, as in
    ``search_paths`` (100,000 paths: no Python object per row); else they are joined here."""
    one = scopes[0]
    prefix = one.typed if one.typed.endswith(os.sep) else one.typed + os.sep
    if len(scopes) == 1 and one.is_dir and sort in ("date", "path") and _storable(prefix + end):
        column = "path" if one.relative == "." else f"substr(path, {len(one.relative) + 2})"
        sql, params, _ = _select_sql(
            selection, scopes, drafts, sort=sort, reverse=reverse, limit=limit, columns=f"{column} AS shown"
        )
        # The prefix and the end go between the paths as group_concat's separator; SQLite
        # concatenates in the subquery's order (tests compare it with reading the files).
        outer = f"SELECT CAST(? || group_concat(shown, ?) || ? AS BLOB) FROM ({sql})"
        blob = db.execute(outer, [prefix, end + prefix, end, *params]).fetchone()[0]
        return bytes(blob) if blob is not None else b""
    rows = select(db, selection, scopes, drafts, sort=sort, reverse=reverse, limit=limit, paths_only=sort != "title")
    return "".join(row.path + end for row in rows).encode("utf-8", "surrogateescape")


def _storable(text: str) -> bool:
    """Whether SQLite can be handed ``text`` (a PATH typed with bytes that are not UTF-8 cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def body_of(db: sqlite3.Connection, post_id: int) -> str:
    """The indexed plain text of one post (fetched only for the results shown)."""
    row = db.execute("SELECT text, split FROM bodies WHERE id = ?", (post_id,)).fetchone()
    if row is None:
        return ""
    return unpack(row[0])[row[1] + 1 :]


def snippet(query: Query, title: str, body: str, width: int = 36) -> tuple[str, int, int]:
    """One line around the first match of a positive term: (text, match start, match end)."""
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
