"""Selecting and ordering posts: the filters shared by ``list`` (and later ``search``, ``stats``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsctl.errors import UsageError

if TYPE_CHECKING:
    from newsctl.jekyll.post import Post

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, slots=True)
class Bound:
    """One end of a date range.

    A bound written without a time (``2022``, ``2022-05``, ``2022-05-26``) or without an offset
    is compared with each post's wall-clock time in its own site's zone; a bound with an offset
    is an instant. ``inclusive`` is False for the exclusive end of a whole period.
    """

    value: dt.datetime
    inclusive: bool

    def compare_to(self, post_date: dt.datetime) -> dt.datetime:
        return post_date if self.value.tzinfo else post_date.replace(tzinfo=None)


def parse_bound(text: str, *, end: bool) -> Bound:
    """``--since``/``--until`` values. An ``--until`` period includes its whole last day, month
    or year."""
    text = text.strip()
    match = _PARTIAL.match(text)
    try:
        if match:
            year, month, day = (int(g) if g else None for g in match.groups())
            assert year is not None
            start = dt.datetime(year, month or 1, day or 1)
            if not end:
                return Bound(start, True)
            if day is not None:
                after = start + dt.timedelta(days=1)
            elif month is not None:
                after = dt.datetime(year + (month == 12), month % 12 + 1, 1)
            else:
                after = dt.datetime(year + 1, 1, 1)
            return Bound(after, False)
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise UsageError(f"invalid date {text!r}: use YYYY, YYYY-MM, YYYY-MM-DD or an ISO date-time") from None
    return Bound(value, True)


@dataclass(frozen=True, slots=True)
class PostFilter:
    """Different options must all match; several values of one option match any of them.
    Categories and tags compare case-insensitively."""

    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: Bound | None = None
    until: Bound | None = None

    def matches(self, post: Post) -> bool:
        if self.categories and not _any_in(self.categories, post.categories):
            return False
        if self.tags and not _any_in(self.tags, post.tags):
            return False
        if self.since or self.until:
            if post.date is None:
                return False
            if self.since and self.since.compare_to(post.date) < self.since.value:
                return False
            if self.until:
                when = self.until.compare_to(post.date)
                if when > self.until.value or (when == self.until.value and not self.until.inclusive):
                    return False
        return True


def _any_in(wanted: tuple[str, ...], have: tuple[str, ...]) -> bool:
    folded = {value.casefold() for value in have}
    return any(value.casefold() in folded for value in wanted)


def sort_posts(posts: Iterable[Post], key: str, *, reverse: bool = False) -> list[Post]:
    """Newest first for ``date``; A to Z for ``title`` and ``path``; ``reverse`` flips either.
    Ties keep a stable order by path."""
    rows = sorted(posts, key=lambda p: p.path)
    if key == "date":
        # As site.posts: newest first, and among equal dates the greater path first.
        epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        rows.sort(key=lambda p: (p.date or epoch, p.path), reverse=not reverse)
    elif key == "title":
        rows.sort(key=lambda p: p.title.casefold(), reverse=reverse)
    elif reverse:
        rows.reverse()
    return rows
