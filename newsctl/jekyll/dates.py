"""Dates and time zones the way Jekyll (Ruby's ``Time.parse`` and Psych) computes them.

Jekyll turns every ``date`` into a Ruby ``Time`` in the site's zone:

* an *unquoted* YAML timestamp is parsed by Psych; without an offset it is read as UTC;
* everything else (quoted strings, date-only values, the date in the file name) goes through
  ``Time.parse``, which reads a time without an offset in the site's zone.

``Time.parse`` is very lenient; this module accepts the forms that appear in real archives
(ISO-like dates with ``-`` or ``/``, optional time, fractional seconds, ``Z``, numeric offsets,
common zone abbreviations, and English month names) and rejects the rest rather than guess.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zoneinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsctl.errors import DateParseError

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

# Ruby's Date zone table, as far as news archives use it. Note "cst" is US Central, as in
# Ruby: a Chinese scraper writing CST for China Standard Time gets -06:00 from Jekyll too.
_ZONE_HOURS: dict[str, float] = {
    "utc": 0, "ut": 0, "gmt": 0, "z": 0,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    "akst": -9, "akdt": -8, "hst": -10,
    "wet": 0, "west": 1, "bst": 1, "cet": 1, "cest": 2, "met": 1, "mest": 2, "eet": 2, "eest": 3,
    "msk": 3, "ist": 5.5, "jst": 9, "kst": 9, "hkt": 8, "sgt": 8,
    "aest": 10, "aedt": 11, "acst": 9.5, "awst": 8, "nzst": 12, "nzdt": 13,
}  # fmt: skip

_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = (
    r"(?:(?:[Tt]|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"(?:\s*(?P<ampm>[ap])\.?m\.?)?)?"
)
_ZONE = r"(?:\s*(?P<zone>[zZ]|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z]{2,5}(?:\s*[+-]\d{1,2}(?::?\d{2})?)?))?"
_ISO = re.compile(
    r"^\s*"
    + _WEEKDAY
    + r"(?P<y>[-+]?\d{2,4})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    + _TIME
    + _ZONE
    + r"\s*$",
    re.IGNORECASE | re.ASCII,
)
_COMPACT = re.compile(
    r"^\s*(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
    r"(?:[Tt]?(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?" + _ZONE + r"\s*$",
    re.ASCII,
)
_MONTH_FIRST = re.compile(
    r"^\s*"
    + _WEEKDAY
    + r"(?P<mon>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"
    + _TIME
    + _ZONE
    + r"\s*$",
    re.IGNORECASE | re.ASCII,
)
_DAY_FIRST = re.compile(
    r"^\s*"
    + _WEEKDAY
    + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]{3,9})\.?,?\s+(?P<y>\d{4})"
    + _TIME
    + _ZONE
    + r"\s*$",
    re.IGNORECASE | re.ASCII,
)


@lru_cache(maxsize=64)
def zone_for(name: str | None) -> dt.tzinfo:
    """The zone Jekyll works in: the site's ``timezone``, else ``TZ``, else the system zone."""
    for candidate in (name, os.environ.get("TZ")):
        if candidate:
            try:
                return ZoneInfo(candidate.lstrip(":"))
            except (ZoneInfoNotFoundError, ValueError):
                # Ruby silently falls back to UTC for a zone name the system does not know.
                return dt.timezone.utc
    return system_zone()


def system_zone(localtime: str = "/etc/localtime") -> dt.tzinfo:
    """The zone of ``localtime`` (what the C library, and so Ruby, reads), by its name: a
    ZoneInfo read from a file cannot be pickled, and posts go to worker processes with their
    dates. The name is the symbolic link's target in a zoneinfo folder, else the zone file
    with the same bytes (a copied /etc/localtime, as in many container images)."""
    try:
        with open(localtime, "rb") as handle:
            data = handle.read()
    except OSError:
        local = dt.datetime.now().astimezone().tzinfo
        return local if local is not None else dt.timezone.utc
    folders = [os.path.realpath(folder) for folder in zoneinfo.TZPATH if os.path.isdir(folder)]
    target = os.path.realpath(localtime)
    for folder in folders:
        key = os.path.relpath(target, folder)
        if not key.startswith(os.pardir) and _zone_file(folder, key) == data:
            return ZoneInfo(key)
    for folder in folders:
        for directory, subfolders, names in os.walk(folder):
            subfolders[:] = sorted(d for d in subfolders if d not in ("posix", "right"))
            for name in sorted(names):
                key = os.path.relpath(os.path.join(directory, name), folder)
                if _zone_file(folder, key) == data:
                    try:
                        return ZoneInfo(key)
                    except (ZoneInfoNotFoundError, ValueError):
                        continue
    return ZoneInfo.from_file(io.BytesIO(data), key="localtime")  # a zone no folder holds


def _zone_file(folder: str, key: str) -> bytes | None:
    try:
        with open(os.path.join(folder, key), "rb") as handle:
            return handle.read()
    except OSError:
        return None


@lru_cache(maxsize=1024)
def _offset(zone: str) -> dt.tzinfo:
    """The fixed offset a zone written in a date stands for (an archive repeats a handful)."""
    text = zone.strip().lower()
    sign_at = max(text.find("+"), text.find("-"))
    if sign_at > 0:  # "GMT+8", "UTC-05:00"
        base = _offset(text[:sign_at])
        extra = _offset(text[sign_at:])
        return dt.timezone(base.utcoffset(None) + extra.utcoffset(None))  # type: ignore[operator]
    if text[0] in "+-":
        digits = text[1:].replace(":", "")
        hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
        delta = dt.timedelta(hours=hours, minutes=minutes)
        if delta >= dt.timedelta(hours=24) or minutes >= 60:
            raise DateParseError(f"offset out of range: {zone}")
        return dt.timezone(-delta if text[0] == "-" else delta)
    if text in _ZONE_HOURS:
        return dt.timezone(dt.timedelta(hours=_ZONE_HOURS[text]))
    raise DateParseError(f"unknown time zone {zone!r}")


def _complete_year(text: str) -> int:
    year = int(text)
    if len(text.lstrip("+-")) == 2:  # Ruby completes two-digit years: 69-99 -> 19xx
        year += 1900 if year >= 69 else 2000
    return year


# The forms scrapers write, read without the general parser: YYYY-MM-DD HH:MM:SS +ZZZZ and
# YYYY-MM-DD (a file name's date). A value out of range falls through to the general parser,
# which rolls it over or says what is wrong.
_COMMON = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?: ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-][0-9]{4}))?")


def parse_ruby_time(text: str, zone: dt.tzinfo) -> dt.datetime:
    """Parse ``text`` as Ruby's ``Time.parse(text).localtime`` would, in ``zone``.

    Raises DateParseError for anything Ruby would reject and for forms this module does not
    recognise (a clear error beats a silently wrong date).
    """
    common = _COMMON.fullmatch(text)
    if common is not None:
        year, month, day, hour, minute, second, offset = common.groups()
        try:
            if hour is None:
                return _localize(dt.datetime(int(year), int(month), int(day)), zone)
            wall = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
            return wall.replace(tzinfo=_offset(offset)).astimezone(zone)
        except (ValueError, OverflowError, DateParseError):
            pass  # out of range: the general parser decides
    return _parse_general(text, zone)


def _parse_general(text: str, zone: dt.tzinfo) -> dt.datetime:
    """``parse_ruby_time`` for every form it reads."""
    match = _ISO.match(text) or _COMPACT.match(text) or _MONTH_FIRST.match(text) or _DAY_FIRST.match(text)
    if match is None:
        raise DateParseError(f"not a date Jekyll can read: {text!r}")
    parts = match.groupdict()
    if "mon" in parts:
        month = _MONTHS.get(parts["mon"].lower())
        if month is None:
            raise DateParseError(f"unknown month in {text!r}")
    else:
        month = int(parts["m"])
    year, day = _complete_year(parts["y"]), int(parts["d"])
    hour = int(parts.get("H") or 0)
    minute = int(parts.get("M") or 0)
    second = int(parts.get("S") or 0)
    micro = int((parts.get("frac") or "0")[:6].ljust(6, "0"))
    if parts.get("ampm"):
        if not 1 <= hour <= 12:
            raise DateParseError(f"hour out of range in {text!r}")
        hour = hour % 12 + (12 if parts["ampm"].lower() == "p" else 0)
    # Ruby's Time normalises day 29-31 past the month's end (Feb 30 -> Mar 2), hour 24:00:00
    # and second 60, and rejects anything larger.
    if not (1 <= month <= 12 and 1 <= day <= 31 and minute <= 59 and second <= 60):
        raise DateParseError(f"date out of range: {text!r}")
    if hour > 24 or (hour == 24 and (minute or second)):
        raise DateParseError(f"hour out of range: {text!r}")
    if not 1 <= year <= 9999:
        raise DateParseError(f"year out of range: {text!r}")
    wall = dt.datetime(year, month, 1) + dt.timedelta(
        days=day - 1, hours=hour, minutes=minute, seconds=second, microseconds=micro
    )
    if parts.get("zone"):
        return wall.replace(tzinfo=_offset(parts["zone"])).astimezone(zone)
    return _localize(wall, zone)


def _localize(wall: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    # Round-trip through UTC so a wall time in a DST gap lands where Ruby puts it.
    return wall.replace(tzinfo=zone).astimezone(dt.timezone.utc).astimezone(zone)


def jekyll_date(value: object, zone: dt.tzinfo, *, naive_is_utc: bool = True) -> dt.datetime:
    """The ``Time`` Jekyll computes for a front-matter ``date`` value, in whole seconds.

    ``naive_is_utc`` is true for YAML: Psych reads an unquoted timestamp without an offset as
    UTC. TOML local date-times are wall times, so callers pass False for them. Jekyll's
    ``merge_date!`` turns the date into a string and back, which drops any fraction of a
    second: its dates, order and URLs all use whole seconds.
    """
    return _front_matter_time(value, zone, naive_is_utc).replace(microsecond=0)


def _front_matter_time(value: object, zone: dt.tzinfo, naive_is_utc: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            if naive_is_utc:
                return value.replace(tzinfo=dt.timezone.utc).astimezone(zone)
            return _localize(value, zone)
        return value.astimezone(zone)
    if isinstance(value, dt.date):
        return _localize(dt.datetime(value.year, value.month, value.day), zone)
    if isinstance(value, str):
        return parse_ruby_time(value, zone)
    if value is None:
        raise DateParseError("date is empty")
    raise DateParseError(f"not a date Jekyll can read: {value!r}")


def iso(value: dt.datetime) -> str:
    """ISO 8601 with offset; seconds precision unless the value carries a fraction (a post date
    never does: see ``jekyll_date``)."""
    return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
