"""Counts over an archive: posts by category, tag, year, month or day, and totals."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from newsctl.jekyll.dates import iso
from newsctl.jekyll.post import Post

By = Literal["category", "tag", "year", "month", "day"]
TIME_BUCKETS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}


@dataclass
class Stats:
    """Totals and one count per bucket. A post counts once in each of its categories (or tags)."""

    by: By
    posts: int = 0
    size: int = 0
    first: Any = None
    last: Any = None
    counts: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    with_errors: int | None = None

    def add(self, post: Post, size: int) -> None:
        self.posts += 1
        self.size += size
        if post.date is not None:
            self.first = post.date if self.first is None or post.date < self.first else self.first
            self.last = post.date if self.last is None or post.date > self.last else self.last
        self.categories.update(post.categories or ("(none)",))
        if self.by == "category":
            self.counts.update(post.categories or ("(none)",))
        elif self.by == "tag":
            self.counts.update(post.tags or ("(none)",))
        else:
            self.counts[post.date.strftime(TIME_BUCKETS[self.by]) if post.date else "(no date)"] += 1

    def rows(self) -> list[tuple[str, int]]:
        """Time buckets in time order; categories and tags most frequent first."""
        if self.by in TIME_BUCKETS:
            return sorted(self.counts.items())
        return sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))

    def totals(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "size": self.size,
            "first": iso(self.first) if self.first else None,
            "last": iso(self.last) if self.last else None,
            "categories": dict(sorted(self.categories.items(), key=lambda item: (-item[1], item[0]))),
            "posts_with_errors": self.with_errors,
        }


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
    import datetime as dt

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

    def each(field: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        for value, count in db.execute(
            f"SELECT coalesce(j.value, '(none)'), count(*) FROM posts"
            f" LEFT JOIN json_each(json_extract(posts.record, '$.{field}')) AS j WHERE {where} GROUP BY 1",
            params,
        ):
            counts[value] += count
        return counts

    stats.categories = each("categories")
    if by in lists:
        stats.counts = each(lists[by])
    else:
        length = {"year": 4, "month": 7, "day": 10}[by]
        stats.counts = Counter(
            dict(
                db.execute(
                    f"SELECT coalesce(substr(local, 1, {length}), '(no date)'), count(*) FROM posts WHERE {where}"
                    " GROUP BY 1",
                    params,
                )
            )
        )
    paths = []
    for (path,) in db.execute(f"SELECT path FROM posts WHERE {where}", params):
        paths.append(os.path.join(str(root), path))
    return stats, paths
