"""Counts over an archive: posts by category, tag, year, month, ISO week or day, and totals."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from newsctl.jekyll.dates import iso
from newsctl.jekyll.post import Post

By = Literal["category", "tag", "year", "month", "week", "day"]
TIME_BUCKETS = ("year", "month", "week", "day")


def bucket(day: dt.date, by: str) -> str:
    """The time bucket of a day: ``2024``, ``2024-01``, ``2024-W03`` (ISO week) or ``2024-01-16``."""
    if by == "year":
        return f"{day.year:04d}"
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _span(first: str, last: str, by: str) -> Iterator[str]:
    """Every bucket from ``first`` to ``last`` (both made by ``bucket``), in time order."""
    if by == "year":
        yield from (f"{year:04d}" for year in range(int(first), int(last) + 1))
        return
    if by == "month":
        year, month = int(first[:4]), int(first[5:7])
        while (key := f"{year:04d}-{month:02d}") <= last:
            yield key
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return
    if by == "week":
        day, end, step = dt.date.fromisocalendar(int(first[:4]), int(first[6:]), 1), last, dt.timedelta(days=7)
    else:
        day, end, step = dt.date.fromisoformat(first), last, dt.timedelta(days=1)
    while (key := bucket(day, by)) <= end:
        yield key
        if day.toordinal() + step.days > dt.date.max.toordinal():
            return
        day += step


@dataclass
class Stats:
    """Totals and one count per bucket. A post counts once in each of its categories (or tags)."""

    by: By
    posts: int = 0
    size: int = 0
    first: Any = None
    last: Any = None
    # None counts the posts without a category (tag, date).
    counts: Counter[str | None] = field(default_factory=Counter)
    categories: Counter[str | None] = field(default_factory=Counter)
    with_errors: int | None = None

    def add(self, post: Post, size: int) -> None:
        self.posts += 1
        self.size += size
        if post.date is not None:
            self.first = post.date if self.first is None or post.date < self.first else self.first
            self.last = post.date if self.last is None or post.date > self.last else self.last
        self.categories.update(post.categories or (None,))
        if self.by == "category":
            self.counts.update(post.categories or (None,))
        elif self.by == "tag":
            self.counts.update(post.tags or (None,))
        else:
            self.counts[bucket(post.date, self.by) if post.date else None] += 1

    def rows(self, top: int | None = None) -> list[tuple[str | None, int]]:
        """Time buckets in time order, with a zero row for each empty one between the first and
        the last post, posts without a date last; categories and tags most frequent first.
        ``top``: only the ``top`` largest rows, largest first (equal ones in the order above)."""
        rows: list[tuple[str | None, int]]
        if self.by in TIME_BUCKETS:
            dated = sorted(key for key in self.counts if key is not None)
            rows = [(key, self.counts[key]) for key in _span(dated[0], dated[-1], self.by)] if dated else []
            rows += [(None, self.counts[None])] if None in self.counts else []
        else:
            rows = sorted(self.counts.items(), key=_most_first)
        return rows if top is None else sorted(rows, key=lambda row: -row[1])[:top]

    def totals(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "size": self.size,
            "first": iso(self.first) if self.first else None,
            "last": iso(self.last) if self.last else None,
            # A list, not an object: the posts without a category are the key null.
            "categories": [{"key": k, "posts": n} for k, n in sorted(self.categories.items(), key=_most_first)],
            "posts_with_errors": self.with_errors,
        }


def _most_first(item: tuple[str | None, int]) -> tuple[int, bool, str]:
    return -item[1], item[0] is None, item[0] or ""


def collect(posts: Iterable[Post], by: By) -> Stats:
    stats = Stats(by)
    for post in posts:
        try:
            size = os.stat(post.path).st_size
        except OSError:
            size = 0
        stats.add(post, size)
    return stats


def posts_with_errors(paths: list[str], posts: list[str]) -> int | None:
    """How many of ``posts`` a validation cache knows to have errors; None when it knows none
    of them (no cache, or one made by another newsctl or config)."""
    from newsctl.validate.checks import posts_with_cached_errors

    with_errors = posts_with_cached_errors(paths, posts)
    return None if with_errors is None else len(with_errors)


def from_index(db: Any, root: Any, selection: Any, scopes: list[Any], drafts: bool, by: By) -> tuple[Stats, list[str]]:
    """The same Stats as ``collect``, counted by SQLite from the index (no file is read), and
    the matching posts' paths (for the validation cache)."""
    from newsctl.index.search import filter_sql

    params: list[Any] = []
    where = " AND ".join(filter_sql(selection, scopes, drafts, params))
    stats = Stats(by)
    stats.posts, size = db.execute(f"SELECT count(*), total(size) FROM posts WHERE {where}", params).fetchone()
    stats.size = int(size)
    for end, order in (("first", "ASC"), ("last", "DESC")):
        row = db.execute(
            f"SELECT json_extract(record, '$.date') FROM posts WHERE {where} AND epoch IS NOT NULL"
            f" ORDER BY epoch {order}, path LIMIT 1",
            params,
        ).fetchone()
        setattr(stats, end, dt.datetime.fromisoformat(row[0]) if row else None)
    lists = {"category": "categories", "tag": "tags"}

    def each(field: str) -> Counter[str | None]:
        counts: Counter[str | None] = Counter()
        for value, count in db.execute(
            f"SELECT j.value, count(*) FROM posts"
            f" LEFT JOIN json_each(json_extract(posts.record, '$.{field}')) AS j WHERE {where} GROUP BY 1",
            params,
        ):
            counts[value] += count
        return counts

    stats.categories = each("categories")
    if by in lists:
        stats.counts = each(lists[by])
    else:
        days = db.execute(f"SELECT substr(local, 1, 10), count(*) FROM posts WHERE {where} GROUP BY 1", params)
        for day, count in days:
            stats.counts[bucket(dt.date.fromisoformat(day), by) if day else None] += count
    paths = []
    for (path,) in db.execute(f"SELECT path FROM posts WHERE {where}", params):
        paths.append(os.path.join(str(root), path))
    return stats, paths
