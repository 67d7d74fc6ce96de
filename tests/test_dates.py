from __future__ import annotations

import datetime as dt
import os
import pickle
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsctl.errors import DateParseError
from newsctl.jekyll.dates import iso, jekyll_date, parse_ruby_time, system_zone, zone_for

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-01-18 19:10:33 +0800", "2022-01-18T19:10:33+08:00"),
        ("2022-01-18 19:10:33 +08:00", "2022-01-18T19:10:33+08:00"),
        ("2022-01-18 19:10:33 +8", "2022-01-18T19:10:33+08:00"),
        ("2022-01-18T11:10:33Z", "2022-01-18T19:10:33+08:00"),
        ("2022-01-18 11:10:33 UTC", "2022-01-18T19:10:33+08:00"),
        ("2022-01-18 19:10:33", "2022-01-18T19:10:33+08:00"),
        ("2022-01-18 19:10", "2022-01-18T19:10:00+08:00"),
        ("2022-01-18", "2022-01-18T00:00:00+08:00"),
        ("2022-1-8 9:5:3".replace("9:5:3", "9:05:03"), "2022-01-08T09:05:03+08:00"),
        ("2022/01/18 19:10", "2022-01-18T19:10:00+08:00"),
        ("Jan 18 2022 10:00", "2022-01-18T10:00:00+08:00"),
        ("Tue, 18 Jan 2022 10:00:00 +0000", "2022-01-18T18:00:00+08:00"),
        ("2022-01-18 19:10:33 CST", "2022-01-19T09:10:33+08:00"),
        ("20220118", "2022-01-18T00:00:00+08:00"),
        ("2022-02-30", "2022-03-02T00:00:00+08:00"),
        ("22-01-01", "2022-01-01T00:00:00+08:00"),
        ("69-01-01", "1969-01-01T00:00:00+08:00"),
        ("2022-01-18 07:00 pm", "2022-01-18T19:00:00+08:00"),
    ],
)
def test_time_parse_forms_match_ruby(text: str, expected: str) -> None:
    assert iso(parse_ruby_time(text, SH)) == expected


def test_fractional_seconds_are_kept() -> None:
    assert parse_ruby_time("2022-01-18 19:10:33.123456", SH).microsecond == 123456


@pytest.mark.parametrize(
    "text", ["  +0800", "", "garbage", "2022-13-01", "2022-01-32", "2022-01-18 25:10:33", "1642504233"]
)
def test_dates_jekyll_rejects_are_errors(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_ruby_time(text, SH)


def test_unquoted_yaml_timestamp_without_offset_is_utc() -> None:
    value = dt.datetime(2022, 1, 18, 19, 10, 33)
    assert iso(jekyll_date(value, SH)) == "2022-01-19T03:10:33+08:00"


def test_toml_local_datetime_is_a_wall_time() -> None:
    value = dt.datetime(2022, 1, 18, 19, 10, 33)
    assert iso(jekyll_date(value, SH, naive_is_utc=False)) == "2022-01-18T19:10:33+08:00"


def test_date_only_is_local_midnight() -> None:
    assert iso(jekyll_date(dt.date(2024, 2, 29), SH)) == "2024-02-29T00:00:00+08:00"


def test_null_date_is_an_error() -> None:
    with pytest.raises(DateParseError, match="empty"):
        jekyll_date(None, SH)


def test_site_timezone_beats_tz_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    zone_for.cache_clear()
    monkeypatch.setenv("TZ", "America/New_York")
    assert zone_for("Asia/Shanghai") == SH
    assert zone_for(None) == ZoneInfo("America/New_York")
    zone_for.cache_clear()


def test_unknown_zone_name_falls_back_to_utc_like_ruby() -> None:
    assert zone_for("Not/AZone") == dt.timezone.utc


@given(st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 12, 31)))
def test_iso_output_round_trips_through_the_parser(moment: dt.datetime) -> None:
    aware = moment.replace(tzinfo=dt.timezone.utc).astimezone(SH)
    # China kept daylight saving time until 1991, so the offset is not always +0800.
    text = aware.strftime("%Y-%m-%d %H:%M:%S") + f".{aware.microsecond:06d} " + aware.strftime("%z")
    assert parse_ruby_time(text, SH) == aware


@pytest.mark.skipif(not os.path.isfile("/usr/share/zoneinfo/Asia/Shanghai"), reason="no system zoneinfo")
def test_the_system_zone_has_a_name_so_posts_can_go_to_worker_processes(tmp_path: Path) -> None:
    """/etc/localtime as a link into the zoneinfo folder, or as a copy of a zone file: either
    way a named zone (a ZoneInfo read from a file cannot be pickled)."""
    linked = tmp_path / "linked"
    linked.symlink_to("/usr/share/zoneinfo/Asia/Shanghai")
    copied = tmp_path / "copied"
    copied.write_bytes(Path("/usr/share/zoneinfo/Asia/Shanghai").read_bytes())
    for localtime in (linked, copied):
        zone = system_zone(str(localtime))
        moment = dt.datetime(2022, 7, 1, 12, tzinfo=zone)
        assert pickle.loads(pickle.dumps(moment)) == moment
        assert moment.utcoffset() == dt.timedelta(hours=8)
    assert system_zone(str(tmp_path / "missing")) is not None


def test_the_zone_without_site_timezone_or_tz_can_be_pickled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TZ", raising=False)
    zone_for.cache_clear()
    try:
        moment = dt.datetime(2022, 7, 1, 12, tzinfo=zone_for(None))
        assert pickle.loads(pickle.dumps(moment)) == moment
    finally:
        zone_for.cache_clear()


_two = st.integers(0, 99).map(lambda n: f"{n:02d}")
_common_forms = st.one_of(
    # The forms scrapers write, in and out of range: YYYY-MM-DD HH:MM:SS +ZZZZ and YYYY-MM-DD.
    st.tuples(st.integers(0, 9999).map(lambda n: f"{n:04d}"), _two, _two, _two, _two, _two,
              st.sampled_from("+-"), _two, _two).map(lambda p: "{}-{}-{} {}:{}:{} {}{}{}".format(*p)),
    st.tuples(st.integers(0, 9999).map(lambda n: f"{n:04d}"), _two, _two).map("-".join),
)  # fmt: skip


@given(_common_forms, st.sampled_from([SH, ZoneInfo("America/New_York"), dt.timezone.utc]))
def test_the_fast_path_for_common_dates_agrees_with_the_general_parser(text: str, zone: dt.tzinfo) -> None:
    from newsctl.jekyll.dates import _parse_general

    try:
        expected: object = _parse_general(text, zone)
    except (DateParseError, OverflowError) as exc:
        expected = repr(exc)
    try:
        got: object = parse_ruby_time(text, zone)
    except (DateParseError, OverflowError) as exc:
        got = repr(exc)
    assert got == expected
    assert not isinstance(got, dt.datetime) or (got.tzinfo, got.utcoffset()) == (expected.tzinfo, expected.utcoffset())  # type: ignore[union-attr]
