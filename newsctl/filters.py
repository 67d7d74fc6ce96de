"""Selecting and ordering posts: the filters shared by ``list`` (and later ``search``, ``stats``)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from newsctl.errors import UsageError

if TYPE_CHECKING:  # the Protocol is for mypy only: building it at import would slow start-up
    from typing import Protocol

    from newsctl.jekyll.post import Post

    class _HasPath(Protocol):
        @property
        def path(self) -> str: ...


Row = TypeVar("Row", bound="_HasPath")

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


_RELATIVE = re.compile(r"^(\d+)([dwmy])$")
DATE_FORMS = "YYYY-MM-DD, YYYY-MM, YYYY, an ISO date-time, or 7d/2w/3m/yesterday/today"


def parse_bound(text: str, *, end: bool, today: dt.date | None = None) -> Bound:
    """``--since``/``--until`` values. An ``--until`` period includes its whole last day, month
    or year. A relative date (``today``, ``yesterday``, ``7d``, ``2w``, ``3m``, ``1y``: days,
    weeks, calendar months, years back from ``today``) is the day it names, as if written
    YYYY-MM-DD: ``--until yesterday`` runs through the end of yesterday."""
    text = text.strip()
    relative = _relative_day(text.lower(), today or dt.date.today())
    if relative is not None:
        text = relative.isoformat()
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
        raise UsageError(f"cannot read {text!r} as a date; use {DATE_FORMS}") from None
    return Bound(value, True)


def is_relative(text: str) -> bool:
    """Whether a ``--since``/``--until`` value is counted back from today."""
    text = text.strip().lower()
    return text in ("today", "yesterday") or _RELATIVE.match(text) is not None


def _relative_day(text: str, today: dt.date) -> dt.date | None:
    if text in ("today", "yesterday"):
        return today - dt.timedelta(days=text == "yesterday")
    match = _RELATIVE.match(text)
    if match is None:
        return None
    count, unit = int(match.group(1)), match.group(2)
    if unit in "dw":
        return today - dt.timedelta(days=count * (7 if unit == "w" else 1))
    months = today.year * 12 + today.month - 1 - count * (12 if unit == "y" else 1)
    year, month = divmod(months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]  # 31 March minus 1 month: 29 February
    return dt.date(year, month + 1, min(today.day, last_day))


def archive_today(paths: tuple[str, ...]) -> dt.date:
    """Today's date in the time zone of the archive (the site of the first PATH): its
    ``timezone``, else ``TZ``, else the system's, as Jekyll reads the posts' dates."""
    from newsctl.jekyll.dates import zone_for
    from newsctl.jekyll.site import site_for

    return dt.datetime.now(zone_for(site_for(paths[0] if paths else ".").timezone)).date()


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


_EPOCH = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def sort_key(post: Post, key: str) -> Any:
    """What ``sorted_kept`` orders a post's row by: for ``date`` the number of microseconds
    since year 1 (UTC), the instants' order in a small integer; for ``title`` the folded title."""
    if key == "date":
        return ((post.date or _EPOCH) - _EPOCH) // _MICROSECOND
    if key == "title":
        return post.title.casefold()
    return None


def kept_row(post: Post, wanted: PostFilter, key: str, row: Callable[[Post], Row]) -> tuple[Any, Row] | None:
    """(sort key, ``row(post)``) of a post ``wanted`` matches, else None: all ``list`` keeps of a
    post, made where the post is read (a worker), so that the post itself never travels."""
    return (sort_key(post, key), row(post)) if wanted.matches(post) else None


def sorted_kept(kept: list[tuple[Any, Row]], key: str, *, reverse: bool = False) -> list[Row]:
    """The rows of (sort key, row) pairs in ``sort_posts``'s order (ties by the row's ``path``)."""
    if key == "date":  # (date, path) decides but for the same file twice, kept in reading order
        kept.sort(key=lambda item: (item[0], item[1].path), reverse=not reverse)
    else:
        kept.sort(key=lambda item: item[1].path)
        if key == "title":
            kept.sort(key=itemgetter(0), reverse=reverse)
        elif reverse:
            kept.reverse()
    return [item[1] for item in kept]


def sorted_rows(posts: Iterable[Post], key: str, row: Callable[[Post], Row], *, reverse: bool = False) -> list[Row]:
    """``row(post)`` of each post, in ``sort_posts``'s order (ties by the row's ``path``), keeping
    of each post only its row and sort key: the posts are let go as they come, so memory grows
    by the row, not the post (a path for ``list --format paths``)."""
    return sorted_kept([(sort_key(post, key), row(post)) for post in posts], key, reverse=reverse)
