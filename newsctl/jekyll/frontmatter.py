"""Splitting a post into its front matter and body, and reading the front matter.

The split follows Jekyll's own regular expression (``Document::YAML_FRONT_MATTER_REGEXP``), so
a file has front matter for newsctl exactly when it has it for Jekyll. Hugo's TOML (``+++``)
and JSON (``{ … }``) front matter are read for files outside a Jekyll site.

The raw front matter and the body are kept verbatim: ``bom + raw + body`` is the file's text,
so later commands can rewrite one part without touching the other.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import yaml

Format = Literal["yaml", "toml", "json"]

# Ruby's \s is ASCII whitespace; Python's would also take Unicode spaces.
_WS = r"[ \t\n\v\f\r]"
JEKYLL_FRONT_MATTER = re.compile(rf"\A(---{_WS}*\n.*?\n?)^((---|\.\.\.){_WS}*$\n?)", re.DOTALL | re.MULTILINE)
_TOML_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\r?\n(.*?)^\+\+\+[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_OPENING_LINE = re.compile(rf"\A---{_WS}*\n")


class FrontMatterError(Exception):
    """Front matter that is present but unusable; ``line`` is 1-based within the file."""

    def __init__(self, message: str, line: int | None = None, kind: str = "yaml", column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.kind = kind  # unterminated, yaml, not-mapping
        self.column = column


@dataclass(frozen=True, slots=True)
class Split:
    """A post's text cut in two. ``raw`` includes the delimiters; ``body`` is the rest."""

    format: Format | None
    raw: str
    body: str
    bom: bool

    @property
    def body_line(self) -> int:
        """The 1-based line of the file on which the body starts."""
        return self.raw.count("\n") + 1

    @property
    def text(self) -> str:
        """The front matter's content without its delimiters (what a parser reads)."""
        if self.format == "toml":
            match = _TOML_FRONT_MATTER.match(self.raw)
            return match.group(1) if match else ""
        if self.format == "yaml":
            match = JEKYLL_FRONT_MATTER.match(self.raw)
            return match.group(1) if match else ""
        return self.raw


def split(text: str, *, hugo: bool = False) -> Split:
    """Cut ``text`` into front matter and body, as Jekyll does (and Hugo, with ``hugo``).

    Raises FrontMatterError for an opening ``---`` that is never closed: Jekyll would publish
    the whole file, front matter included, as the body.
    """
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    match = JEKYLL_FRONT_MATTER.match(text)
    if match:
        return Split("yaml", match.group(0), text[match.end() :], bom)
    if _OPENING_LINE.match(text):
        raise FrontMatterError("front matter is not closed: no line '---' or '...' ends it", 1, "unterminated")
    if hugo:
        toml = _TOML_FRONT_MATTER.match(text)
        if toml:
            return Split("toml", toml.group(0), text[toml.end() :], bom)
        if text.startswith("+++"):
            raise FrontMatterError("TOML front matter is not closed: no line '+++' ends it", 1, "unterminated")
        if text.startswith("{"):
            return _split_json(text, bom)
    return Split(None, "", text, bom)


def _split_json(text: str, bom: bool) -> Split:
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        raise FrontMatterError(f"JSON front matter: {exc.msg}", exc.lineno) from None
    # Hugo ends JSON front matter at the closing brace; the rest of that line belongs to it.
    newline = text.find("\n", end)
    end = len(text) if newline < 0 else newline + 1
    return Split("json", text[:end], text[end:], bom)


def starts_with_front_matter(text: str) -> bool:
    """Whether a file outside a Jekyll site opens with front matter of any supported kind."""
    text = text.removeprefix("\ufeff")
    return bool(_OPENING_LINE.match(text)) or text.startswith(("+++", "{"))


class _JekyllLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's safe loader (C when available), taught what Psych reads that PyYAML does not."""


def _binary(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    # WordPress exports write "!binary" (Psych's name for !!binary); Ruby then holds the
    # decoded bytes as a string, so decode to text where the bytes are UTF-8.
    data = base64.b64decode(str(loader.construct_scalar(node)))  # type: ignore[arg-type]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return timestamp(str(loader.construct_scalar(node)))  # type: ignore[arg-type]


def timestamp(value: str) -> Any:
    """A YAML timestamp as Psych builds it: days 29-31 past a month's end roll over (Ruby's
    Time.utc), and a value Ruby rejects (month 13, day 32) stays a string, as in Psych."""
    node = yaml.ScalarNode(_TIMESTAMP_TAG, value)
    try:
        return _CONSTRUCTOR.construct_yaml_timestamp(node)
    except ValueError:
        pass
    match = _CONSTRUCTOR.timestamp_regexp.match(value)
    if match is None:
        return value
    parts = match.groupdict()
    year, month, day = int(parts["year"]), int(parts["month"]), int(parts["day"])
    if not (1 <= month <= 12 and 1 <= day <= 31) or parts["hour"] is None:
        return value
    hour, minute, second = int(parts["hour"]), int(parts["minute"]), int(parts["second"])
    if hour > 23 or minute > 59 or second > 60:
        return value
    fraction = int((parts["fraction"] or "0")[:6].ljust(6, "0"))
    moment = dt.datetime(year, month, 1) + dt.timedelta(
        days=day - 1, hours=hour, minutes=minute, seconds=second, microseconds=fraction
    )
    if parts["tz_sign"]:
        offset = dt.timedelta(hours=int(parts["tz_hour"]), minutes=int(parts["tz_minute"] or 0))
        return moment.replace(tzinfo=dt.timezone(-offset if parts["tz_sign"] == "-" else offset))
    if parts["tz"]:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment


_JekyllLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_JekyllLoader.add_constructor("!binary", _binary)
_JekyllLoader.add_constructor("tag:yaml.org,2002:binary", _binary)


def parse(block: Split) -> dict[str, Any]:
    """The front matter as a mapping ({} for none or an empty block).

    Raises FrontMatterError (with the file line) for syntax errors and non-mappings.
    """
    if block.format is None:
        return {}
    if block.format == "yaml":
        return _parse_yaml(block.text)
    if block.format == "toml":
        return _parse_toml(block.text)
    return _parse_json(block.raw)


# The front matter scrapers write is a flat list of `key: value` lines. For those, reading the
# values directly is five times faster than PyYAML's constructor (which dominates a bulk run);
# anything else (nesting, lists, anchors, escapes, numbers, booleans) goes to PyYAML.
# Greedy, the spaces at the end stripped after: a lazy value tried the end at every character.
_SIMPLE_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*))?")


def _line_parts(line: str) -> tuple[str, str | None] | None:
    """(key, value) of a ``key: value`` line, the value without spaces or tabs at its end."""
    match = _SIMPLE_LINE.fullmatch(line)
    if match is None:
        return None
    key, value = match.groups()
    return key, (None if value is None else value.rstrip(" \t"))


_PLAIN_UNSAFE = re.compile(r"^[-?:,\[\]{}#&*!|>'\"%@`]|: |:$| #|\t")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# What PyYAML rejects (Reader.NON_PRINTABLE) or reads as a line break (NEL, LS, PS), in one pass.
_NOT_FAST = re.compile("[^\t\n\r -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


@lru_cache(maxsize=4096)
def _plain_value(value: str) -> tuple[bool, Any]:
    """(True, value) for a plain scalar PyYAML would read as a string or timestamp. Remembered:
    an archive repeats its layouts, categories and tags (the values, text and datetimes, are
    immutable, so one object can serve every post)."""
    if _PLAIN_UNSAFE.search(value):
        return False, None
    resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers
    for tag, regexp in [*resolvers.get(value[0], []), *resolvers.get(None, [])]:
        if regexp.match(value):
            if tag != _TIMESTAMP_TAG:
                return False, None
            return True, timestamp(value)
    return True, value


def fast_yaml(text: str) -> dict[str, Any] | None:
    """The mapping PyYAML would build from flat ``key: value`` front matter, or None to say
    "use PyYAML" (``text`` includes the opening ``---`` line, as Jekyll hands it over)."""
    if _NOT_FAST.search(text):
        return None  # characters PyYAML rejects, or reads as line breaks
    data: dict[str, Any] = {}
    lines = text.split("\n")
    for line in lines[1:]:
        line = line.removesuffix("\r")
        if "\r" in line:
            return None
        if not line or line.isspace() or line.startswith("#"):
            continue
        parts = _line_parts(line)
        if parts is None:
            return None
        key, value = parts
        if key in _RESERVED_KEYS:
            return None
        if not value:
            data[key] = None
        elif value[0] == '"':  # "text" without quotes or escapes inside
            inner = value[1:-1]
            if len(value) < 2 or value[-1] != '"' or '"' in inner or "\\" in inner:
                return None
            data[key] = inner
        elif value[0] == "'":  # 'text' without quotes inside
            inner = value[1:-1]
            if len(value) < 2 or value[-1] != "'" or "'" in inner:
                return None
            data[key] = inner
        else:
            ok, parsed = _plain_value(value)
            if not ok:
                return None
            data[key] = parsed
    return data


# Keys PyYAML would not read as strings.
_RESERVED_KEYS = frozenset(
    form
    for word in ("yes", "no", "true", "false", "on", "off", "null")
    for form in (word, word.capitalize(), word.upper())
)


def _parse_yaml(text: str) -> dict[str, Any]:
    fast = fast_yaml(text)
    if fast is not None:
        return fast
    try:
        data = yaml.load(text, Loader=_JekyllLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        message = f"YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}"
        if exc.problem and exc.context and exc.context_mark is not None:
            # "found unexpected end of stream" alone hides where the broken quote opened.
            message += f" ({exc.context} on line {exc.context_mark.line + 1})"
        raise FrontMatterError(message, line, "yaml", column) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"YAML error: {exc}", 1) from None
    if data is None:
        return {}
    if "*" in text and _expanded_size(data, {}) > MAX_EXPANDED_VALUES:
        raise FrontMatterError(
            f"YAML aliases expand to more than {MAX_EXPANDED_VALUES:,} values (an alias bomb)", 1, "yaml"
        )
    if not isinstance(data, dict):
        kind = type(data).__name__.replace("str", "string").replace("list", "list")
        raise FrontMatterError(f"front matter is a YAML {kind}, not a mapping of keys to values", 1, "not-mapping")
    return data


# Aliases share one object, so a "billion laughs" document loads small but any code that walks
# it (categories, tags, JSON output) would expand it: refuse such front matter outright.
MAX_EXPANDED_VALUES = 100_000


def _expanded_size(value: Any, seen: dict[int, int]) -> int:
    if not isinstance(value, (dict, list)):
        return 1
    known = seen.get(id(value))
    if known is not None:
        return known
    seen[id(value)] = MAX_EXPANDED_VALUES + 1  # a cycle counts as too big
    items = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
    total = 1
    for _, item in items:
        total += _expanded_size(item, seen)
        if total > MAX_EXPANDED_VALUES:
            break
    seen[id(value)] = total
    return total


def _parse_toml(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        return dict(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) + 1 if match else None
        raise FrontMatterError(f"TOML syntax error: {exc}", line) from None


def _parse_json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FrontMatterError(f"JSON front matter: {exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise FrontMatterError("JSON front matter is not an object", 1, "not-mapping")
    return data


def json_safe(value: Any) -> Any:
    """The front matter as JSON: dates as ISO strings, keys as strings, bytes as base64."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, bool) else str(k).lower(): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value
