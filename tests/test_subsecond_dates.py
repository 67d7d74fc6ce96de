"""Jekyll drops sub-second precision from a front-matter date (``merge_date!`` turns the date
into a string and back), so its dates, order and URLs use whole seconds: newsctl must too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsctl.jekyll.dates import jekyll_date
from tests.conftest import WritePost, run

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "value",
    [
        "2017-05-26T13:24:00.001+02:00",
        "2017-05-26 13:24:00.999",
        dt.datetime(2017, 5, 26, 11, 24, 0, 500000),
        dt.datetime(2017, 5, 26, 13, 24, 0, 999999, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ],
)
def test_a_front_matter_date_keeps_whole_seconds_only(value: object) -> None:
    date = jekyll_date(value, BERLIN)
    assert date.microsecond == 0
    assert date.isoformat() == "2017-05-26T13:24:00+02:00"


def test_posts_a_fraction_apart_are_equal_dates_in_jekylls_order(site: Path, write: WritePost) -> None:
    # Jekyll (4.3.1, checked by hand) lists these two as equal dates: by path, reversed.
    write("site/_posts/2017-05-26-x.md", '---\ntitle: X\ndate: "2017-05-26 13:24:00.999"\n---\nx\n')
    write("site/_posts/2017-05-26-y.md", '---\ntitle: Y\ndate: "2017-05-26 13:24:00.001"\n---\nx\n')
    code, out, _ = run("list", "--no-index", "--format", "jsonl", str(site))
    assert code == 0
    lines = out.splitlines()
    assert [line.split('"title": "')[1][0] for line in lines] == ["Y", "X"]
    assert all('"date": "2017-05-26T13:24:00+08:00"' in line for line in lines)
