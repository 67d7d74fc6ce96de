"""Permalink placeholders :year, :month, :day, :hour, :minute, :second are taken from the date
without strftime (issue 16: three strftime calls were 5 % of validate): the same text."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from newsctl.jekyll.names import UrlDrop

FORMATS = {"year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M", "second": "%S"}


@pytest.mark.parametrize("year", [1, 99, 999, 1969, 2022, 9999])
def test_date_numbers_are_what_strftime_gives(year: int) -> None:
    date = dt.datetime(year, 3, 4, 5, 6, 7, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    drop = UrlDrop(
        date=date, slug=None, basename_without_ext="x", categories=[], cleaned_relative_path="x", output_ext=".html"
    )
    assert {key: drop[key] for key in FORMATS} == {key: date.strftime(f) for key, f in FORMATS.items()}
