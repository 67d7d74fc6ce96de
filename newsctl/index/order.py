"""Post ids that are the archive's order: a larger id is a newer post.

A post's id in the index (``posts.id``, and its rowid in the FTS5 tables) sorts exactly as
(date, path) does, with posts without a date (and files that failed) first. A date-ordered
search is then FTS5's list of matching rowids read backwards, joined to the paths: no set of
matching ids to build, no sort, however many posts match (half of a million-post archive
holds 银行).

Ids are STEP apart when assigned in order, as a first build does (a scraper's archive is named
by date, so the walk meets the posts in date order). A post added later takes a free id between
its neighbours, and when there is none the posts around it are spread out again (their FTS rows
move, which the caller does). The gaps are small on purpose: FTS5 stores each match as the
difference to the previous rowid, so wide gaps would make every list of matches longer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

STEP = 16
# Where a first build parks a post met out of order, until it is placed at the end.
PARK = 1 << 62
_SHIFT = 1 << 60  # a range no id of an ordered index reaches, for renumbering without clashes

Move = Callable[[int, int], None]


def _first(db: sqlite3.Connection, sql: str, *params: object) -> int | None:
    row = db.execute(sql, params).fetchone()
    return int(row[0]) if row else None


def neighbours(db: sqlite3.Connection, epoch: float | None, path: str) -> tuple[int | None, int | None]:
    """The ids of the posts just before and just after (epoch, path) (parked ones left out),
    found through the (epoch, path) index (posts_order): a few seeks, whatever the archive's size."""
    if epoch is None:
        before = _first(
            db,
            "SELECT id FROM posts WHERE epoch IS NULL AND path < ? AND id < ? ORDER BY path DESC LIMIT 1",
            path,
            PARK,
        )
        after = _first(
            db, "SELECT id FROM posts WHERE epoch IS NULL AND path > ? AND id < ? ORDER BY path LIMIT 1", path, PARK
        )
        if after is None:
            after = _first(
                db, "SELECT id FROM posts WHERE epoch IS NOT NULL AND id < ? ORDER BY epoch, path LIMIT 1", PARK
            )
        return before, after
    before = _first(
        db, "SELECT id FROM posts WHERE epoch = ? AND path < ? AND id < ? ORDER BY path DESC LIMIT 1", epoch, path, PARK
    )
    if before is None:
        before = _first(
            db, "SELECT id FROM posts WHERE epoch < ? AND id < ? ORDER BY epoch DESC, path DESC LIMIT 1", epoch, PARK
        )
        if before is None:
            before = _first(db, "SELECT id FROM posts WHERE epoch IS NULL AND id < ? ORDER BY path DESC LIMIT 1", PARK)
    after = _first(
        db, "SELECT id FROM posts WHERE epoch = ? AND path > ? AND id < ? ORDER BY path LIMIT 1", epoch, path, PARK
    )
    if after is None:
        after = _first(db, "SELECT id FROM posts WHERE epoch > ? AND id < ? ORDER BY epoch, path LIMIT 1", epoch, PARK)
    return before, after


def free_id(before: int | None, after: int | None) -> int | None:
    """An id between two neighbours' (None: no neighbour on that side), None when none is free."""
    if after is None:
        return STEP if before is None else before + STEP
    if before is None:
        return after - STEP
    return (before + after) // 2 if after - before >= 2 else None


def place(db: sqlite3.Connection, epoch: float | None, path: str, move: Move) -> int:
    """A free id for a post with this date and path (not in ``posts``, or parked), in order
    among the others. ``move(old, new)`` renumbers one post (its row and its FTS rows); it is
    called only when there is no free id between the neighbours."""
    before, after = neighbours(db, epoch, path)
    found = free_id(before, after)
    if found is not None:
        return found
    assert before is not None and after is not None
    return _spread(db, before, after, move)


def _spread(db: sqlite3.Connection, before: int, after: int, move: Move) -> int:
    """Make room between two adjacent ids: spread the posts of a window around them evenly,
    doubling the window until it holds at most half as many posts as it has ids (so that
    filling one spot again and again moves few posts per new one). Returns the free id."""
    below = "SELECT id FROM posts WHERE id <= ? ORDER BY id DESC LIMIT ?"
    above = "SELECT id FROM posts WHERE id >= ? AND id < ? ORDER BY id LIMIT ?"
    width = 2
    while True:
        lower = [int(row[0]) for row in db.execute(below, (before, width))]
        upper = [int(row[0]) for row in db.execute(above, (after, PARK, width))]
        ids = lower[::-1] + upper
        # Past either end of the archive the ids are free: the window may grow into them.
        low = lower[-1] - (1 if len(lower) == width else STEP * (len(ids) + 1))
        high = upper[-1] + (1 if len(upper) == width else STEP * (len(ids) + 1))
        if high - low > 2 * (len(ids) + 1):
            break
        width *= 2
    spacing = (high - low) // (len(ids) + 2)
    wanted = [low + spacing * (i + 1) for i in range(len(ids) + 1)]
    free = wanted.pop(len(lower))
    moves = [(old, new) for old, new in zip(ids, wanted, strict=True) if old != new]
    # Order is kept, so no move lands on an id still in use: those going down in ascending
    # order first, then those going up in descending order.
    for old, new in [m for m in moves if m[1] < m[0]] + sorted((m for m in moves if m[1] > m[0]), reverse=True):
        move(old, new)
    return free


def renumber(db: sqlite3.Connection) -> None:
    """Give every post the id of its place in (date, path) order, STEP apart, in ``posts`` and
    ``bodies``. The caller fills the FTS tables again (their rows cannot be renumbered)."""
    db.execute("DROP TABLE IF EXISTS temp.renumbered")
    db.execute("CREATE TEMP TABLE renumbered (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    db.execute("INSERT INTO renumbered SELECT id, row_number() OVER (ORDER BY epoch, path) * ? FROM posts", (STEP,))
    for table in ("posts", "bodies"):
        # Through a range no id uses, so that no row takes an id another still holds.
        db.execute(f"UPDATE {table} SET id = (SELECT new FROM renumbered WHERE old = {table}.id) + ?", (_SHIFT,))
        db.execute(f"UPDATE {table} SET id = id - ?", (_SHIFT,))
    db.execute("DROP TABLE temp.renumbered")
