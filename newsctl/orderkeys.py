"""Post ids that are the archive's order: a larger id is a newer post.

A post's id in the index (``posts.id``, and its rowid in the FTS5 tables) sorts exactly as
(date, path) does, with posts without a date first. A date-ordered search is then FTS5's list
of matching rowids read backwards, joined to the paths: no set of matching ids to build, no
sort, however many posts match (half of a million-post archive holds 银行).

The id is ``bucket << BUCKET_BITS | slot``: the bucket is the second of the post's date (0 for
no date), the slot orders the posts of one second by (date, path). Posts of different seconds
never disturb each other; a post added among posts of its own second takes a free slot between
its neighbours, and only when there is none are that second's posts spread out again (their
FTS rows move, which the caller does).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable

BUCKET_BITS = 24
# Posts of one second mostly arrive in path order (a sorted walk): each takes the slot STEP
# above the last, so a second holds 8192 of them before any halving starts.
STEP = 1 << 10
# Year 1 is -62e9 s and year 9999 is 253e9 s: with this offset every datetime has a bucket
# below 2**39, and 2**39 buckets of 2**24 slots fit a signed 64-bit rowid.
_OFFSET = 1 << 36
_LAST_BUCKET = (1 << (63 - BUCKET_BITS)) - 1


def bucket(epoch: float | None) -> int:
    if epoch is None or not math.isfinite(epoch):
        return 0
    return min(max(math.floor(epoch) + _OFFSET + 1, 1), _LAST_BUCKET)


def _neighbours(db: sqlite3.Connection, epoch: float | None, path: str) -> tuple[int | None, int | None]:
    """The ids of the posts just before and just after (epoch, path), found through the
    (epoch DESC, path DESC) index: two or four seeks, whatever the archive's size."""

    def first(sql: str, *params: object) -> int | None:
        row = db.execute(sql, params).fetchone()
        return int(row[0]) if row else None

    if epoch is None:
        before = first("SELECT id FROM posts WHERE epoch IS NULL AND path < ? ORDER BY path DESC LIMIT 1", path)
        after = first("SELECT id FROM posts WHERE epoch IS NULL AND path > ? ORDER BY path LIMIT 1", path)
        return before, after  # posts with a date are in other buckets
    before = first("SELECT id FROM posts WHERE epoch = ? AND path < ? ORDER BY path DESC LIMIT 1", epoch, path)
    if before is None:
        before = first("SELECT id FROM posts WHERE epoch < ? ORDER BY epoch DESC, path DESC LIMIT 1", epoch)
    after = first("SELECT id FROM posts WHERE epoch = ? AND path > ? ORDER BY path LIMIT 1", epoch, path)
    if after is None:
        after = first("SELECT id FROM posts WHERE epoch > ? ORDER BY epoch, path LIMIT 1", epoch)
    return before, after


def place(db: sqlite3.Connection, epoch: float | None, path: str, move: Callable[[int, int], None]) -> int:
    """A free id for a post not yet in ``posts`` with this date and path, in order among the
    others. ``move(old, new)`` renumbers one post (its row and its FTS rows); it is called only
    when the post's second has no free slot left between the neighbours."""
    base = bucket(epoch) << BUCKET_BITS
    top = base + (1 << BUCKET_BITS)  # exclusive
    before, after = _neighbours(db, epoch, path)
    low = before if before is not None and before >= base else None
    high = after if after is not None and after < top else None
    if low is None and high is None:
        return base + (1 << (BUCKET_BITS - 1))
    if high is None:
        assert low is not None
        room = top - 1 - low
        if room >= 1:
            return low + max(1, min(STEP, room // 2))
    elif low is None:
        room = high - base
        if room >= 1:
            return high - max(1, min(STEP, room // 2))
    elif high - low >= 2:
        return (low + high) // 2
    return _spread(db, base, top, low, move)


def _spread(db: sqlite3.Connection, base: int, top: int, low: int | None, move: Callable[[int, int], None]) -> int:
    """Space the posts of one second evenly, leaving a slot after ``low`` (before the first
    post when None); return that slot."""
    ids = [int(row[0]) for row in db.execute("SELECT id FROM posts WHERE id >= ? AND id < ? ORDER BY id", (base, top))]
    at = 0 if low is None else ids.index(low) + 1
    spacing = (top - base) // (len(ids) + 2)
    if spacing < 1:
        raise OverflowError("more posts in one second than the index can order")
    wanted = [base + spacing * (i + 1) for i in range(len(ids) + 1)]
    new_slot = wanted.pop(at)
    moves = [(old, new) for old, new in zip(ids, wanted, strict=True) if old != new]
    # Order is kept, so no move lands on an id still in use: those going down in ascending
    # order first, then those going up in descending order.
    for old, new in [m for m in moves if m[1] < m[0]] + sorted((m for m in moves if m[1] > m[0]), reverse=True):
        move(old, new)
    return new_slot
