"""The options every command shares (issue 15): the filters with relative dates, `-` for paths
on stdin, one `--format` vocabulary, `-q/--quiet`, `-n/--limit` and `--reverse`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsctl.errors import UsageError
from newsctl.filters import parse_bound
from tests.conftest import WritePost, run

TODAY = dt.date(2024, 3, 31)


@pytest.mark.parametrize(
    ("text", "end", "value", "inclusive"),
    [
        ("today", False, dt.datetime(2024, 3, 31), True),
        ("today", True, dt.datetime(2024, 4, 1), False),
        ("yesterday", False, dt.datetime(2024, 3, 30), True),
        ("yesterday", True, dt.datetime(2024, 3, 31), False),  # through the end of yesterday
        ("7d", False, dt.datetime(2024, 3, 24), True),
        ("2w", False, dt.datetime(2024, 3, 17), True),
        ("1m", False, dt.datetime(2024, 2, 29), True),  # calendar months, clamped to the month's end
        ("3m", True, dt.datetime(2024, 1, 1), False),
        ("1y", False, dt.datetime(2023, 3, 31), True),
        ("0d", False, dt.datetime(2024, 3, 31), True),
    ],
)
def test_relative_dates_name_a_day_counted_back_from_today(
    text: str, end: bool, value: dt.datetime, inclusive: bool
) -> None:
    bound = parse_bound(text, end=end, today=TODAY)
    assert (bound.value, bound.inclusive) == (value, inclusive)


@pytest.mark.parametrize("text", ["7x", "last week", "d", "-3d", "2024-13-01"])
def test_a_value_that_is_not_a_date_says_what_is(text: str) -> None:
    with pytest.raises(UsageError, match=r"cannot read .* as a date; use YYYY-MM-DD.*7d/2w/3m/yesterday"):
        parse_bound(text, end=False, today=TODAY)


def _shanghai_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def recent(site: Path, write: WritePost) -> Path:
    """Posts from yesterday, 10 days ago and 40 days ago, in the site's zone (Asia/Shanghai)."""
    for days in (1, 10, 40):
        day = _shanghai_today() - dt.timedelta(days=days)
        write(f"site/_posts/{day.isoformat()}-d{days}.md", f"---\ntitle: {days} days ago\ncategories: news\n---\nx\n")
    return site


def _names(out: str) -> list[str]:
    return [Path(line).stem.split("-")[-1] for line in out.splitlines()]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--since", "7d"], ["d1"]),
        (["--since", "2w"], ["d1", "d10"]),
        (["--since", "yesterday"], ["d1"]),
        (["--until", "yesterday"], ["d1", "d10", "d40"]),
        (["--until", "2d"], ["d10", "d40"]),
        (["--since", "3m", "--until", "1w"], ["d10", "d40"]),
    ],
)
def test_list_takes_relative_dates_in_the_archives_zone(recent: Path, args: list[str], names: list[str]) -> None:
    code, out, err = run("list", "--no-index", "--format", "paths", str(recent), *args)
    assert (code, _names(out)) == (0, names), err


def test_since_today_matches_nothing_when_nothing_is_from_today(recent: Path) -> None:
    assert run("list", "--format", "paths", str(recent), "--since", "today")[0] == 1


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_a_bad_date_names_the_option(recent: Path, option: str) -> None:
    code, out, err = run("list", str(recent), option, "7x")
    assert code == 2 and out == ""
    assert f"{option}: cannot read '7x' as a date" in err
