"""``newsctl validate``: check each post (in parallel, cacheable), then the archive as a whole.

Checks run in two phases. ``check_file`` looks at one file alone: its bytes, front matter,
metadata and body. Its result (diagnostics plus a few facts) depends only on the file, the
config and newsctl's version, so it can be cached. ``check_archive`` then looks across files:
duplicate titles and sources, URL collisions, and the checks that depend on other files or on
today's date (layouts, site pages' categories, future dates), so a cache never makes them stale.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from newsctl.errors import PostError
from newsctl.fingerprint import code_fingerprint
from newsctl.jekyll.discovery import NOT_REGULAR, Candidate, Found, Missing, Skipped
from newsctl.jekyll.frontmatter import JEKYLL_FRONT_MATTER
from newsctl.jekyll.names import match_dated_name
from newsctl.jekyll.post import Post, Read, read, read_bytes
from newsctl.jekyll.site import Site, load_site
from newsctl.project import archive_root
from newsctl.validate.cache import ResultCache, Stamp, encode_payload, stamp_of
from newsctl.validate.config import ValidateConfig, schema_errors
from newsctl.validate.diagnostics import Diagnostic, Severity, ValidationRun
from newsctl.validate.fixes import Applied, fixable
from newsctl.validate.replay import RunDigest, digest_of, item_stamp, site_pages, site_salt
from newsctl.validate.rules import RULES

Facts = dict[str, str | None]

_ERROR_KIND_CODES = {
    "binary": "NC102",
    "utf8": "NC101",
    "unterminated": "NC106",
    "yaml": "NC107",
    "not-mapping": "NC108",
    "date": "NC202",
    "filename-date": "NC202",
    "categories": "NC210",
    "slug": "NC210",
    "permalink": "NC210",
    "read": "NC102",
}

_IGNORE_COMMENT = re.compile(r"#[^\n]*?\bnewsctl:\s*ignore\[([A-Za-z0-9_, ]+)\]")
_TOP_KEY = re.compile(
    r"""^(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"\-?:,\[\]{}&*!|>%@`][^:#\n]*?))[ \t]*:(?=[ \t\r]|$)""", re.M
)
# Bounded repeats: a long line of unclosed `<a ` or `[` must not make a scan quadratic.
_EMPTY_LINK = re.compile(r"""<a\b[^<>]{0,2000}?\bhref\s*=\s*(?:""|''|(?=[\s>]))|\[[^\[\]\n]{0,500}\]\(\s*\)|<>""", re.I)
_JS_URL = re.compile(r"""(?:\b(?:href|src)\s*=\s*["']?|\]\()\s*javascript:""", re.I)
# What a match of _EMPTY_LINK's second and first alternatives needs (the first on the lowercased body).
_EMPTY_MD = re.compile(r"\]\(\s*\)")
_EMPTY_HREF = re.compile(r"""href\s*=\s*(?:""|''|[\s>])""")
# Characters re.IGNORECASE matches with an ASCII letter of the patterns above although their
# lower() is not that letter (İ, ı, ſ): in a body holding one, every pattern runs.
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f")
_SCRIPT = re.compile(r"<script\b", re.I)
_IMG = re.compile(r"<img\b[^<>]{0,2000}>", re.I)
_IMG_SRC = re.compile(r"""\bsrc\s*=\s*(?:"[^"\s]|'[^'\s]|[^\s"'>])""", re.I)
_SOURCE_LINE = re.compile(r"^[ \t]*<?(https?://[^\s<>]+)>?[ \t]*$", re.M)
# The same, for one line: a multi-line ^ is tried at every character of the body, this only on
# the lines that hold "http".
_SOURCE_ALONE = re.compile(r"[ \t]*<?(https?://[^\s<>]+)>?[ \t]*")
_MARKUP = re.compile(r"<!--.{0,2000}?-->|<[^<>]{0,500}>|\]\([^()]{0,500}\)|&[#\w]{1,10};", re.S)
_NOT_WORD = re.compile(r"[\W_]+")
_PAIRS = (("“", "”"), ("《", "》"), ("「", "」"), ("『", "』"), ("(", ")"), ("（", "）"), ("[", "]"), ("【", "】"))


@dataclass(frozen=True)
class FileResult:
    """What ``check_file`` found in one file. ``facts`` feed the archive-wide checks and are
    what the cache stores beside the diagnostics; ``post`` is None for files that are not posts."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    facts: Facts = field(default_factory=dict)
    is_post: bool = True


def _position(text: str, offset: int, first_line: int = 1) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return first_line + line, offset - start + 1


@dataclass(frozen=True)
class _Keys:
    """The top-level keys of a front matter: where each is first written, and the repeats
    (name, line, column, line of the first)."""

    first: dict[str, tuple[int, int]]
    repeats: list[tuple[str, int, int, int]]


@lru_cache(maxsize=2)
def _keys(raw: str) -> _Keys:
    """One pass over the front matter, counting lines as it goes (a front matter of 50,000 keys
    must not count from the start for every key)."""
    first: dict[str, tuple[int, int]] = {}
    repeats: list[tuple[str, int, int, int]] = []
    line, counted = 1, 0
    for match in _TOP_KEY.finditer(raw):
        start = match.start()
        line += raw.count("\n", counted, start)
        counted = start
        column = start - raw.rfind("\n", 0, start)
        name = match.group(match.lastindex or 0)  # the one alternative that matched
        if name in first:
            repeats.append((name.strip(), line, column, first[name][0]))
        else:
            first[name] = (line, column)
    return _Keys(first, repeats)


def _key_position(raw: str, key: str) -> tuple[int, int]:
    """Line and column of a top-level key in the front matter (1, 1 when it is not there)."""
    return _keys(raw).first.get(key, (1, 1))


class _Collector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[Diagnostic] = []

    def add(self, code: str, message: str, line: int = 1, column: int = 1, severity: Severity | None = None) -> None:
        self.found.append(Diagnostic(self.path, line, column, code, severity or RULES[code].severity, message))


def check_file(item: Candidate | Skipped, config: ValidateConfig) -> FileResult:
    """Every per-file check on one discovered file (read once, by ``newsctl.jekyll.post.read``)."""
    out = _Collector(item.path)
    if isinstance(item, Skipped) and item.reason == NOT_REGULAR:
        out.add("NC102", item.reason)
        return FileResult(item.path, tuple(out.found), {"kind": "unreadable"})
    if isinstance(item, Skipped):
        out.add("NC201", f"{item.reason}; Jekyll drops it silently")
        if item.reason.startswith("Jekyll reads .yml"):
            return FileResult(item.path, tuple(out.found), {"kind": "skipped"}, is_post=False)
        # The author meant it as a post: check the rest too, with the rules of its site.
        from newsctl.jekyll.site import site_for

        site = site_for(item.path)
        relative = site.relative(item.path) if site.is_jekyll else os.path.basename(item.path)
        item = Candidate(item.path, site, relative, "post", explicit=True)
    _name_not_utf8(item.relative, out)
    try:
        data = read_bytes(item.path)
    except OSError as exc:
        out.add("NC102", f"cannot read the file: {exc.strerror or exc}")
        return FileResult(item.path, tuple(out.found), {"kind": "unreadable"})
    result = read(item, data, collect=True)
    facts: Facts = {"kind": item.kind, "site_root": item.site.root}
    _check_read(item, result, config, out, facts)
    if item.kind == "post" and "day" not in facts:
        # Published all the same, the front matter (if any) as part of the body: a copy of it
        # is a duplicate too.
        if result.error is not None and result.error.kind == "unterminated":
            facts.update(_body_facts(item, data.decode("utf-8").removeprefix("\ufeff"), config))
        elif result.error is None and result.split is not None and result.split.format is None:
            facts.update(_body_facts(item, result.text, config))
    return FileResult(item.path, tuple(out.found), facts)


def _name_not_utf8(relative: str, out: _Collector) -> None:
    """NC112: a name below the site that is not UTF-8 (a byte the file system gave back as a
    lone surrogate), which stops Jekyll's whole build."""
    for character in relative:
        if "\udc80" <= character <= "\udcff":
            shown = os.fsencode(relative).decode("utf-8", "backslashreplace")
            out.add(
                "NC112",
                f"the file name is not valid UTF-8 (byte 0x{ord(character) - 0xDC00:02x} in {shown}):"
                ' Jekyll 4 stops the whole build ("invalid byte sequence in UTF-8")',
            )
            return


def _check_read(item: Candidate, result: Read, config: ValidateConfig, out: _Collector, facts: Facts) -> None:
    """The checks on the file as read: encoding and front matter first, then the post."""
    if result.size == 0:
        out.add("NC103", "the file is empty")
        return
    if result.error is not None:
        error = result.error
        out.add(_ERROR_KIND_CODES.get(error.kind, "NC107"), error.message, error.line or 1, error.column or 1)
        return
    for problem in result.problems:
        out.add(_ERROR_KIND_CODES.get(problem.kind, "NC210"), problem.message, problem.line or 1, problem.column or 1)
    block, post = result.split, result.post
    assert block is not None  # set whenever reading did not stop with an error
    text = result.text
    if block.bom:
        out.add("NC104", "the file starts with a UTF-8 byte-order mark")
    crlf = text.find("\r\n")
    if crlf >= 0:
        out.add("NC111", "the file uses CRLF (Windows) line endings", *_position(text, crlf))
    if block.format is None or post is None:
        _no_front_matter(text, out)
        return
    raw = block.raw
    ignore = _IGNORE_COMMENT.findall(raw)
    if ignore:
        facts["ignore"] = ",".join(code.strip() for group in ignore for code in group.split(",") if code.strip())
    if block.format == "yaml":
        _duplicate_keys(raw, out)
    _check_post(item, post, result.front, raw, config, out, facts)


def _no_front_matter(text: str, out: _Collector) -> None:
    stripped = text.lstrip(" \t\r\n\v\f")
    if stripped != text and JEKYLL_FRONT_MATTER.match(stripped):
        line, column = _position(text, len(text) - len(stripped))
        out.add("NC110", "front matter does not start on the first byte, so Jekyll reads it as body text", line, column)
    else:
        out.add("NC105", "the post has no front matter: Jekyll publishes it with no title, date or layout")


def _duplicate_keys(raw: str, out: _Collector) -> None:
    for name, line, column, first_line in _keys(raw).repeats:
        out.add("NC109", f"key '{name}' repeats line {first_line}; YAML keeps only the last value", line, column)


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or (isinstance(value, str) and not value.strip())


_TYPE_CHECKS: dict[str, tuple[str, Any]] = {
    "string": ("a string", lambda v: isinstance(v, str)),
    "integer": ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "number": ("a number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)),
    "boolean": ("true or false", lambda v: isinstance(v, bool)),
    "date": ("a date", lambda v: isinstance(v, (dt.date, str))),
    "list": ("a list", lambda v: isinstance(v, list)),
    "list-of-strings": ("a list of strings", lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v)),
    "string-or-list": (
        "a string or a list of strings",
        lambda v: isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v)),
    ),
    "mapping": ("a mapping", lambda v: isinstance(v, dict)),
}
_DEFAULT_TYPES = {
    "title": "string",
    "categories": "string-or-list",
    "category": "string",
    "tags": "string-or-list",
    "tag": "string",
    "published": "boolean",
    "layout": "string",
}


def _check_post(
    item: Candidate,
    post: Post,
    front: dict[str, Any],
    raw: str,
    config: ValidateConfig,
    out: _Collector,
    facts: Facts,
) -> None:
    """The checks on a post that was read: its metadata, what Jekyll makes of it, its body;
    then the facts the archive-wide checks compare."""
    _check_metadata(front, raw, config, out)
    _check_jekyll_behaviour(item, post, front, raw, out, facts)
    _check_body(post, raw, out)
    facts.update(_archive_facts(item, post, front, raw, config))


def _check_metadata(front: dict[str, Any], raw: str, config: ValidateConfig, out: _Collector) -> None:
    """Required fields, types, allowed values, patterns, the schema and the title's shape."""
    for name in config.required:
        if _empty(front.get(name)):
            what = "missing" if name not in front else "empty"
            extra = " (Jekyll falls back to the file name's date)" if name == "date" and name not in front else ""
            out.add("NC301", f"required field '{name}' is {what}{extra}", *_key_position(raw, name))
    title = front.get("title")
    if "title" not in config.required and isinstance(title, str) and not title.strip():
        # A missing title is fine (Jekyll makes one from the file name); an empty one is published.
        out.add("NC301", "'title' is empty: Jekyll publishes the post with a blank title", *_key_position(raw, "title"))
    types = {**_DEFAULT_TYPES, **config.types}
    for name, kind in types.items():
        if name in front and front[name] is not None and kind in _TYPE_CHECKS:
            label, ok = _TYPE_CHECKS[kind]
            if not ok(front[name]):
                message = f"'{name}' should be {label}, not {type(front[name]).__name__} {front[name]!r}"
                out.add("NC302", message, *_key_position(raw, name))
    for name, allowed in config.allowed.items():
        values = front.get(name)
        items = values if isinstance(values, list) else ([] if values is None else [values])
        if name in ("categories", "tags") and isinstance(values, str):
            items = values.split()
        bad = [str(v) for v in items if str(v) not in allowed]
        if bad:
            message = f"'{name}' value {', '.join(map(repr, bad))} is not one of the allowed values"
            out.add("NC303", message, *_key_position(raw, name))
    for name, pattern in config.pattern.items():
        value = front.get(name)
        if value is not None and not pattern.search(str(value)):
            out.add(
                "NC304", f"'{name}' value {str(value)!r} does not match /{pattern.pattern}/", *_key_position(raw, name)
            )
    if config.schema is not None:
        for where, message in schema_errors(config, front):
            key = str(where[0]) if where else ""
            out.add("NC307", f"{'/'.join(map(str, where)) or '(front matter)'}: {message}", *_key_position(raw, key))
    if isinstance(title, str) and title.strip():
        if title != title.strip():
            out.add("NC305", "the title has leading or trailing whitespace", *_key_position(raw, "title"))
        unbalanced = _unbalanced(title)
        if unbalanced:
            out.add("NC306", f"the title has unbalanced {unbalanced}", *_key_position(raw, "title"))


def _check_jekyll_behaviour(
    item: Candidate, post: Post, front: dict[str, Any], raw: str, out: _Collector, facts: Facts
) -> None:
    """What Jekyll does that the author may not expect: unpublished posts, dates read as UTC or
    disagreeing with the file name; notes the categories string and layout for later checks."""
    if not post.published:
        out.add("NC204", "published is false: Jekyll does not publish this post", *_key_position(raw, "published"))
    date_value = front.get("date")
    if isinstance(date_value, dt.datetime) and date_value.tzinfo is None and post.front_matter_format == "yaml":
        assert post.date is not None
        out.add(
            "NC206",
            f"unquoted date {date_value:%Y-%m-%d %H:%M:%S} has no UTC offset: Jekyll reads it as UTC and "
            f"publishes {post.date:%Y-%m-%d %H:%M %z}",
            *_key_position(raw, "date"),
        )
    dated = match_dated_name(post.relative_path) if item.kind == "post" else None
    if dated and "date" in front and post.date is not None:
        year, month, day = (int(part) for part in dated[0].split("-"))
        if year < 100:
            year += 1900 if year >= 69 else 2000
        if (year, month, day) != (post.date.year, post.date.month, post.date.day):
            out.add(
                "NC205",
                f"the file name says {dated[0]} but the date is {post.date:%Y-%m-%d} in the site's time zone",
                *_key_position(raw, "date"),
            )
    categories = front.get("categories")
    if isinstance(categories, str) and len(categories.split()) > 1:
        facts["categories_string"] = categories
        facts["categories_line"] = _where(_key_position(raw, "categories"))
    if post.layout:
        facts["layout"] = post.layout
        facts["layout_line"] = _where(_key_position(raw, "layout"))


def _check_body(post: Post, raw: str, out: _Collector) -> None:
    """An empty body, empty links, javascript: URLs, scripts, images without a source."""
    body = post.body
    if not body or body.isspace():
        # The closing delimiter takes trailing blank lines with it: point at the file's last line.
        whole = raw + body
        last_line = max(1, whole.count("\n") + (0 if whole.endswith("\n") else 1))
        out.add("NC401", "the post body is empty", min(post.body_line, last_line), 1)
        return
    first = post.body_line
    # Each pattern runs only where a cheap test on the lowercased body says it may match (most
    # bodies hold none of these): a case-insensitive pattern costs 5-25 us a body to scan.
    low = body.lower()
    unsure = any(char in body for char in _FOLDS_TO_ASCII)
    empty_link = "<>" in body or _EMPTY_MD.search(body) is not None or _EMPTY_HREF.search(low) is not None
    for regex, maybe, code, message in (
        (_EMPTY_LINK, empty_link, "NC402", "link with an empty target"),
        (_JS_URL, "javascript:" in low, "NC403", "javascript: URL"),
        (_SCRIPT, "<script" in low, "NC404", "<script> element in the body"),
    ):  # fmt: skip
        if not (maybe or unsure):
            continue
        for match in regex.finditer(body):
            out.add(code, message, *_position(body, match.start(), first))
    if not ("<img" in low or unsure):
        return
    for match in _IMG.finditer(body):
        if not _IMG_SRC.search(match.group(0)):
            out.add("NC405", "image without a src", *_position(body, match.start(), first))


def _archive_facts(item: Candidate, post: Post, front: dict[str, Any], raw: str, config: ValidateConfig) -> Facts:
    """What the archive-wide checks compare across posts (and what the cache stores for them)."""
    body = post.body
    source = front.get(config.duplicate_key) if config.duplicate_key else _source_link(body)
    return {
        "lead": _lead(body),
        "url": post.url if post.published else None,
        "title": post.title.strip() if isinstance(front.get("title"), str) else None,
        "day": post.date.date().isoformat() if post.date else None,
        "date": post.date.isoformat() if post.date else None,
        "epoch": str(post.date.timestamp()) if post.date else None,
        "date_line": _where(_key_position(raw, "date")),
        "source": None if source is None else str(source),
    }


def _source_link(body: str) -> str | None:
    """The first line that is a link alone (what ``_SOURCE_LINE`` finds first)."""
    at = body.find("http")
    while at >= 0:
        start = body.rfind("\n", 0, at) + 1
        end = body.find("\n", at)
        end = len(body) if end < 0 else end
        link = _SOURCE_ALONE.fullmatch(body, start, end)
        if link:
            return link.group(1)
        at = body.find("http", end)
    return None


def _body_facts(item: Candidate, text: str, config: ValidateConfig) -> Facts:
    """What the duplicate checks compare of a post Jekyll publishes whole as its body (no front
    matter, or one never closed), dated by its file name."""
    dated = match_dated_name(item.relative)
    if dated is None:
        return {}
    year, month, day = (int(part) for part in dated[0].split("-"))
    if year < 100:
        year += 1900 if year >= 69 else 2000
    source = None if config.duplicate_key else _source_link(text)
    return {"lead": _lead(text), "day": f"{year:04d}-{month:02d}-{day:02d}", "source": source}


def _lead(body: str) -> str | None:
    """A fingerprint of the body's opening: the first 60 letters and digits of its first line
    with 20 or more (markup, links and punctuation set aside); None for a body too short."""
    import hashlib

    # The first line with enough text: scrapers append different link footers to one story.
    # As if every markup match were replaced by a line break (no line spans one), scanned
    # only as far as that first line.
    text, start = body[:4000], 0
    for match in itertools.chain(_MARKUP.finditer(text), (None,)):
        end = len(text) if match is None else match.start()
        for line in text[start:end].splitlines():
            letters = _NOT_WORD.sub("", line[:240])[:60]  # the first 60 letters are the same
            if len(letters) < 60 and len(line) > 240:
                letters = _NOT_WORD.sub("", line)[:60]
            if len(letters) >= 20:
                return hashlib.blake2b(letters.encode(), digest_size=8).hexdigest()
        if match is None:
            break
        start = match.end()
    return None


def _unbalanced(title: str) -> str | None:
    for opening, closing in _PAIRS:
        if title.count(opening) != title.count(closing):
            return f"{opening}{closing}"
    if title.count('"') % 2:
        return 'quotes (")'
    return None


def _where(position: tuple[int, int]) -> str:
    return f"{position[0]}:{position[1]}"


def _line_col(value: str | None) -> tuple[int, int]:
    if not value:
        return 1, 1
    line, column = value.split(":")
    return int(line), int(column)


def _site(root: str) -> Site:
    """The site at ``root`` as its _config.yml says now (a cached result must not keep an old theme)."""
    return load_site(root)


@lru_cache(maxsize=64)
def site_layouts(root: str) -> frozenset[str]:
    """Names of the layouts in a site's _layouts/ (without extension)."""
    try:
        names = os.listdir(os.path.join(root, "_layouts"))
    except OSError:
        return frozenset()
    return frozenset(os.path.splitext(name)[0] for name in names)


@lru_cache(maxsize=64)
def site_page_categories(root: str) -> frozenset[str]:
    """``category:`` values declared by the site's pages (not posts), e.g. category index pages."""
    found: set[str] = set()
    for path in site_pages(root):
        try:
            with open(path, encoding="utf-8") as handle:
                head = handle.read(4096)
        except (OSError, UnicodeDecodeError):
            continue
        match = re.search(r"^category:[ \t]*['\"]?(.+?)['\"]?[ \t]*$", head.split("\n---", 1)[0], re.M)
        if head.startswith("---") and match:
            found.add(match.group(1))
    return frozenset(found)


class _Groups:
    """Paths grouped by a key, holding one path per key until a second one arrives (most keys
    never repeat, so an archive of a million posts costs one dict entry per post)."""

    def __init__(self) -> None:
        self.first: dict[int, str] = {}
        self.more: dict[int, list[str]] = {}
        self.labels: dict[int, str] = {}

    def add(self, key: int, path: str, label: str = "") -> None:
        known = self.first.setdefault(key, path)
        if known is not path:
            self.more.setdefault(key, [known]).append(path)
            self.labels[key] = label

    def repeated(self) -> Iterator[tuple[str, list[str]]]:
        for key, paths in self.more.items():
            yield self.labels[key], sorted(paths)


class ArchiveChecks:
    """Cross-file checks, fed one file at a time; keeps only hashes of the keys it compares and
    one path each, so memory stays small as the archive grows."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.timezone.utc)
        self.now_ts = self.now.timestamp()
        self.expires: float | None = None  # when the first post dated in the future falls due
        self.urls = _Groups()
        self.titles = _Groups()
        self.sources = _Groups()
        self.leads = _Groups()

    def add(self, result: FileResult, *, compare_only: bool = False) -> list[Diagnostic]:
        """Remember what ``result`` needs compared; return its checks that need no other post
        (none with ``compare_only``: a post of the archive that is not reported)."""
        facts, path = result.facts, result.path
        url, title, day, source = facts.get("url"), facts.get("title"), facts.get("day"), facts.get("source")
        if url:
            self.urls.add(hash((facts.get("site_root"), url)), path, url)
        if title and day:
            self.titles.add(hash((title, day)), path)
        if source:
            self.sources.add(hash(source), path, source)
        lead = facts.get("lead")
        if lead and day:
            # The same opening on the same day: a scraper that wrote one story twice. (News
            # archives reuse standard openings across months; those are not duplicates.)
            self.leads.add(hash((lead, day)), path)
        if compare_only:
            return []
        epoch = facts.get("epoch")
        if epoch:
            due = float(epoch)
            if due > self.now_ts and (self.expires is None or due < self.expires):
                self.expires = due
        return _deferred_checks(path, facts, self.now_ts)

    def finish(self, given: set[str] | None = None, name: Callable[[str], str] = str) -> Iterator[Diagnostic]:
        """The diagnostics between posts. With ``given`` (some files of the archive, checked
        against the rest), only those files are reported, and a copy among them of a post
        that was not given is the copy; ``name`` words the other posts' paths."""

        def split(paths: list[str]) -> tuple[str, list[str]]:
            if given is None:
                return paths[0], paths[1:]
            first = next((p for p in paths if p not in given), paths[0])
            return name(first), [p for p in paths if p != first and p in given]

        for url, paths in self.urls.repeated():
            for path in paths:
                if given is None or path in given:
                    others = ", ".join(name(p) for p in paths if p != path)
                    yield _diag(path, "NC209", f"Jekyll writes this post and {others} to the same URL {url}")
        for _, paths in self.titles.repeated():
            first, rest = split(paths)
            for path in rest:
                yield _diag(path, "NC501", f"same title on the same day as {first}")
        reported = set()
        for source, paths in self.sources.repeated():
            first, rest = split(paths)
            for path in rest:
                reported.add(path)
                yield _diag(path, "NC502", f"same source link as {first}: {source}")
        for _, paths in self.leads.repeated():
            first, rest = split(paths)
            for path in rest:
                if path not in reported:  # a copy with the same source link is NC502 already
                    yield _diag(path, "NC503", f"the body opens with the same text as {first} on the same day")


def check_archive(results: Iterable[FileResult], now: dt.datetime | None = None) -> list[Diagnostic]:
    """Every archive-wide diagnostic for ``results``."""
    checks = ArchiveChecks(now)
    found = [d for result in results for d in checks.add(result)]
    return found + list(checks.finish())


def _diag(
    path: str, code: str, message: str, line: int = 1, column: int = 1, severity: Severity | None = None
) -> Diagnostic:
    return Diagnostic(path, line, column, code, severity or RULES[code].severity, message)


def _deferred_checks(path: str, facts: Mapping[str, str | None], now: float) -> list[Diagnostic]:
    """The checks of one post that depend on other files or on ``now`` (a timestamp)."""
    found: list[Diagnostic] = []
    root = facts.get("site_root")
    date = facts.get("date")
    epoch = facts.get("epoch")
    if date and epoch and root and float(epoch) > now and not _site(root).future:
        found.append(
            _diag(
                path,
                "NC203",
                f"dated {date}, in the future: Jekyll skips it unless future: true",
                *_line_col(facts.get("date_line")),
            )
        )
    layout = facts.get("layout")
    if layout and root and layout != "none" and not _site(root).theme and layout not in site_layouts(root):
        found.append(
            _diag(path, "NC208", f"layout '{layout}' is not in _layouts/", *_line_col(facts.get("layout_line")))
        )
    categories = facts.get("categories_string")
    if categories:
        parts = categories.split()
        declared = root is not None and categories in site_page_categories(root)
        message = f"categories: {categories!r} is split by Jekyll into {len(parts)} categories {parts}"
        if declared:
            message += "; a page of the site declares it as one category, so its listing misses this post"
        found.append(
            _diag(
                path, "NC207", message, *_line_col(facts.get("categories_line")), severity="error" if declared else None
            )
        )
    return found


def _order(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.path, d.line, d.column, d.code, d.message)


def _select(
    diagnostics: Iterable[Diagnostic], config: ValidateConfig, ignored: dict[str, tuple[str, ...]]
) -> Iterator[Diagnostic]:
    for diagnostic in diagnostics:
        inline = ignored.get(diagnostic.path)
        if inline and any(diagnostic.code.startswith(code) for code in inline):
            continue
        relative = config.relative_path(diagnostic.path) if config.per_path_ignores else diagnostic.path
        if config.enabled(diagnostic.code, relative):
            yield diagnostic


def absolute_path(cwd: str, path: str) -> str:
    """``os.path.normpath(os.path.join(cwd, path))`` for an absolute, normal ``cwd``; a path as
    discovery gives it (``./_posts/name.md``) is joined without normpath's split and join."""
    rest = path[2:] if path.startswith("./") else path
    if os.sep == "/" and rest[:1] not in ("", "/") and "/." not in "/" + rest and "//" not in rest and rest[-1] != "/":
        return cwd + rest if cwd == "/" else f"{cwd}/{rest}"
    return os.path.normpath(os.path.join(cwd, path))


class _Pass:
    """One validation run's state: what was checked, what the cache knew, what is reported.
    Posts of the ``context`` (the rest of the archive, when only some files are given) feed
    the archive-wide checks but are not reported."""

    def __init__(
        self,
        config: ValidateConfig,
        cache: ResultCache | None,
        now: dt.datetime | None,
        keep: bool,
        *,
        track: bool,
        digest: RunDigest | None = None,
    ) -> None:
        self.run = ValidationRun([], [], 0, [])
        self.checks = ArchiveChecks(now)
        self.cache = cache
        self.keep_files = keep
        self.ignored: dict[str, tuple[str, ...]] = {}
        # Of each file checked, by its path: its absolute path, stamp and site salt.
        self.stats: dict[str, tuple[str, Stamp, str]] = {}
        self.cwd = os.getcwd()  # what os.path.abspath asks the system for again on every call
        self.digest = digest if cache is not None and cache.enabled else None
        self.salts: dict[int, str] = {}
        # Only when there is a context to tell apart from them (a whole archive holds no set of its paths):
        self.track = track
        self.given: set[str] = set()  # absolute paths of the files given
        self.reported: set[str] = set()  # their paths as reported
        self.any_given = False

    def items(self, found: Iterable[Found], context: bool) -> Iterator[Candidate | Skipped]:
        """The files to check; those the cache knows are taken at once."""
        for item in found:
            stamp = item_stamp(item) if self.cache is not None else None
            if self.digest is not None:
                self.digest.add(item, stamp, context)
            if isinstance(item, Missing):
                if not context:
                    self.run.missing.append(item.path)
                continue
            if isinstance(item, Candidate) and item.page:
                if item.explicit and not context:
                    self.run.not_posts.append(item.path)
                continue
            key = item.path if context else self.absolute(item.path)  # the context's paths are absolute
            if context and key in self.given:
                continue
            if not context:
                self.any_given = True
                if self.track:
                    self.given.add(key)
                    self.reported.add(item.path)
                if self.keep_files:
                    self.run.files.append(item.path)
            cached = self._cached(item, key, stamp) if isinstance(item, Candidate) else None
            if cached is None:
                yield item
            else:
                self.take(cached, context)

    def _cached(self, item: Candidate, key: str, stamp: Stamp | None) -> FileResult | None:
        if self.cache is None or stamp is None:
            return None
        salt = self._salt(item.site)
        cached = self.cache.get(key, stamp, salt)
        if cached is None:
            self.stats[item.path] = (key, stamp, salt)  # kept until the result is stored: only for files checked
            return None
        cached.facts["site_root"] = item.site.root  # not stored: the same for every file
        diagnostics = tuple(d if d.path == item.path else replace(d, path=item.path) for d in cached.diagnostics)
        return FileResult(item.path, diagnostics, cached.facts)

    def absolute(self, path: str) -> str:
        """``os.path.abspath(path)``, the working folder asked once per run."""
        return path if os.path.isabs(path) else absolute_path(self.cwd, path)

    def _salt(self, site: Site) -> str:
        """A short digest of the site's settings: a file's result depends on them too."""
        salt = self.salts.get(id(site))
        if salt is None:
            salt = self.salts[id(site)] = site_salt(site)
        return salt

    def take(self, result: FileResult, context: bool) -> None:
        found = self.checks.add(result, compare_only=context)
        if context:
            return
        if result.is_post:
            self.run.posts_checked += 1
        if result.facts.get("ignore"):
            self.ignored[result.path] = tuple(str(result.facts["ignore"]).split(","))
        self.run.diagnostics.extend(result.diagnostics)
        self.run.diagnostics.extend(found)

    def store(self, result: FileResult) -> None:
        known = self.stats.pop(result.path, None)
        if self.cache is not None and result.facts.get("kind") not in ("skipped", "unreadable") and known is not None:
            # Only what a later run needs: None values and the site root are left out.
            payload = encode_payload(result.diagnostics, result.facts, leave_out="site_root")
            self.cache.put_payload(known[0], known[1], payload, known[2])


def validate(
    found: Iterable[Found],
    config: ValidateConfig,
    *,
    cache: ResultCache | None = None,
    jobs: int | None = None,
    now: dt.datetime | None = None,
    keep_files: bool = True,
    context: Iterable[Found] | None = None,
    digest: RunDigest | None = None,
) -> ValidationRun:
    """Check every discovered post: cached results where the file is unchanged, the rest on
    all cores, then the archive-wide checks. Site pages are not posts and are not checked.

    ``context``: the whole archive, when ``found`` is only some of its files (changed ones): its
    other posts are compared with them (from the cache when fresh, else read and cached), but
    only the files of ``found`` are reported.

    ``digest``: fed every file met; the report is stored in ``cache`` under it, to be replayed
    by a run that meets the same files and settings (see ``newsctl.validate.replay``)."""
    from newsctl.parallel import parallel_map

    state = _Pass(config, cache, now, keep_files, track=context is not None, digest=digest)
    check = partial(check_file, config=config)
    for result in parallel_map(check, state.items(found, context=False), jobs=jobs):
        state.take(result, context=False)
        state.store(result)
    if context is not None and state.any_given:  # a changed _config.yml alone needs no comparing
        for result in parallel_map(check, state.items(context, context=True), jobs=jobs):
            state.take(result, context=True)
            state.store(result)
    run = state.run
    if context is None or not state.any_given:
        run.diagnostics.extend(state.checks.finish())
    else:
        # The other posts named as the files given were: relative to here, or absolute.
        relative = any(not os.path.isabs(path) for path in state.reported)
        run.diagnostics.extend(state.checks.finish(state.reported, os.path.relpath if relative else str))
    run.diagnostics = sorted(set(_select(run.diagnostics, config, state.ignored)), key=_order)
    if state.digest is not None and cache is not None:
        cache.put_run(state.digest.hexdigest(), state.checks.expires, run)
    return run


@dataclass
class Outcome:
    """A whole ``newsctl validate`` invocation: the config used, the final run, the fixes made."""

    config: ValidateConfig
    run: ValidationRun
    fixes: list[Applied]
    unfixed: list[PostError] = field(default_factory=list)  # posts --fix could not write, and why


def run_validation(
    paths: list[str],
    *,
    config_file: Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    drafts: bool = False,
    jobs: int | None = None,
    use_cache: bool = True,
    fix: bool = False,
    unsafe_fixes: bool = False,
    progress: Callable[[Iterator[Found]], Iterator[Found]] | None = None,
    keep_files: bool = True,
) -> Outcome:
    """Find the config, validate ``paths`` (with the cache), apply fixes and check again."""
    from newsctl.jekyll.discovery import discover
    from newsctl.validate.config import find_config, load_config

    if config_file is None and paths:
        first = Path(paths[0])
        config_file = find_config(first if first.is_dir() else first.parent)
    config = load_config(config_file).with_cli(select=select, ignore=ignore)

    def discovered() -> Iterator[Found]:
        found: Iterator[Found] = discover(paths, drafts=drafts)
        return progress(found) if progress is not None else found

    def once() -> ValidationRun:
        cache = ResultCache.open(archive_root(paths, config.root), cache_key(config)) if use_cache and paths else None
        try:
            header = _run_header(paths, drafts, keep_files)
            snapshot = _Snapshot(paths, config, header) if cache is not None else None
            if cache is not None and cache.has_runs():
                now = dt.datetime.now(dt.timezone.utc).timestamp()
                # The folders as they were when a run stored its report: replay it, no walk.
                replayed = snapshot.replay(cache, now) if snapshot is not None else None
                if replayed is not None:
                    return replayed
                # Nothing changed since a run stored its report: replay it (one walk and stat per file).
                digest = digest_of(discovered(), _rest_of_archive(paths, config, drafts), header)
                stored = cache.get_run(digest, now)
                if stored is not None:
                    if snapshot is not None:
                        snapshot.store(cache, digest)
                    return stored
            context = _rest_of_archive(paths, config, drafts)
            digest_run = RunDigest(header)
            run = validate(
                discovered(), config, cache=cache, jobs=jobs, keep_files=keep_files, context=context,
                digest=digest_run,
            )  # fmt: skip
            if snapshot is not None and cache is not None and cache.enabled:
                snapshot.store(cache, digest_run.hexdigest())
            return run
        finally:
            if cache is not None:
                cache.close()

    run = once()
    applied: list[Applied] = []
    unfixed: list[PostError] = []
    if fix:
        by_path: dict[str, set[str]] = defaultdict(set)
        for diagnostic in run.diagnostics:
            if fixable(diagnostic, unsafe=unsafe_fixes):
                by_path[diagnostic.path].add(diagnostic.code)
        root = str(archive_root(paths, config.root)) if paths else None
        for path, codes in sorted(by_path.items()):
            try:
                applied.extend(_fix_one(path, codes, config, root))
            except PostError as error:
                unfixed.append(error)
        if applied:
            run = once()
    return Outcome(config, run, applied, unfixed)


class _Snapshot:
    """The folder snapshot a run over whole folders stores beside its digest, and replays by
    (see ``newsctl.validate.replay``); a run given files, or folders outside the archive, has
    none."""

    def __init__(self, paths: list[str], config: ValidateConfig, header: list[str]) -> None:
        import hashlib
        import time

        self.started = time.time_ns()  # before anything is walked or read: the racy rule's start
        root = os.path.realpath(archive_root(paths, config.root))
        inside = all(
            os.path.isdir(path) and (os.path.realpath(path) + os.sep).startswith(root.rstrip(os.sep) + os.sep)
            for path in paths
        )
        self.root = root if inside and paths else None
        self.name = hashlib.blake2b("\0".join(header).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()

    def replay(self, cache: ResultCache, now: float) -> ValidationRun | None:
        """The stored report, when every folder lists and stats as when it was made."""
        from newsctl.index import freshness

        stored = cache.get_snapshot(self.name) if self.root is not None else None
        if stored is None or self.root is None or not freshness.unchanged(self.root, stored[0]):
            return None
        return cache.get_run(stored[1], now)

    def store(self, cache: ResultCache, digest: str) -> None:
        from newsctl.index import freshness
        from newsctl.validate.replay import folders_of

        if self.root is not None:
            folders = folders_of(self.root)
            taken = freshness.take(self.root, folders, self.started) if folders is not None else None
            cache.put_snapshot(self.name, taken, digest)


def _run_header(paths: list[str], drafts: bool, keep_files: bool) -> list[str]:
    """What a run's report depends on besides the files and the cache key: the paths as given
    and where they are relative to, the options that change what is checked or kept."""
    return ["newsctl validate run 1", os.getcwd(), repr(paths), f"drafts={drafts:d}", f"files={keep_files:d}"]


def _rest_of_archive(paths: list[str], config: ValidateConfig, drafts: bool) -> Iterator[Found] | None:
    """The posts of the whole archive, when ``paths`` are only some of its files (changed files,
    given by name or on stdin); None when they cover it, or when they are in no archive (a
    loose file: its folder is not walked)."""
    from newsctl.jekyll.discovery import discover
    from newsctl.project import site_root_of

    if not paths or (config.root is None and site_root_of(paths[0]) is None):
        return None
    root = os.path.realpath(archive_root(paths, config.root))
    for path in paths:
        given = os.path.realpath(path)
        if given == root or root.startswith(given.rstrip(os.sep) + os.sep):
            return None  # the whole archive is checked anyway
    return discover([root], drafts=drafts)


def _fix_one(path: str, codes: set[str], config: ValidateConfig, root: str | None) -> list[Applied]:
    """Fix one post; raises PostError naming what kept it from being fixed (the post is then
    as it was): unreadable, changed since it was read, a link out of the archive, a write that
    failed (a full disk, an immutable file)."""
    from newsctl import files
    from newsctl.jekyll.site import site_for
    from newsctl.validate import fixes

    site = site_for(path)
    relative = site.relative(path) if site.is_jekyll else os.path.basename(path)
    try:
        with open(path, "rb") as handle:
            stamp = files.stamp_of(os.fstat(handle.fileno()))  # of what is read, not of a later state
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PostError(path, f"not fixed: cannot read it: {getattr(exc, 'strerror', None) or exc}") from None
    new_text, changes = fixes.fix_text(path, relative, text, codes, timezone=config.timezone or site.timezone)
    if not changes or new_text == text:
        return []
    try:
        files.write_atomic(path, new_text.encode("utf-8"), expect=stamp, within=root)
    except files.ChangedMeanwhile:
        raise PostError(path, "not fixed: it changed while newsctl worked on it; left as it is") from None
    except files.UnsafeLink:
        raise PostError(path, f"not fixed: a link to {os.path.realpath(path)}, outside the archive") from None
    except OSError as exc:
        raise PostError(path, f"not fixed: {exc.strerror or exc}") from None
    return changes


# --- what the cache tells others (``stats``) -------------------------------------------------------


def cache_key(config: ValidateConfig) -> str:
    """The key a cached result must have been stored under to be reused: this newsctl, this
    code and this configuration (anything else may report differently)."""
    from newsctl import __version__

    return f"{__version__}:{code_fingerprint()}:{config.fingerprint}"


def posts_with_cached_errors(paths: list[str], posts: list[str]) -> list[str] | None:
    """Which of ``posts`` (in the archive of ``paths``) have errors as ``newsctl validate``
    would report them, per its cache alone (nothing is checked); None when the cache knows none
    of them (no cache, or one made by another newsctl or configuration)."""
    from newsctl.errors import ConfigError
    from newsctl.validate.cache import CACHE_DIR, CACHE_FILE
    from newsctl.validate.config import find_config, load_config

    if not paths:
        return None
    first = Path(paths[0])
    try:
        config = load_config(find_config(first if first.is_dir() else first.parent))
    except ConfigError:
        return None  # validate reports its configuration; stats only cannot tell

    root = archive_root(paths, config.root)
    if not (root / CACHE_DIR / CACHE_FILE).is_file():
        return None
    from newsctl.jekyll.site import site_for

    cache = ResultCache.open(root, cache_key(config))
    known, with_errors = 0, []
    salts: dict[str, str] = {}  # of each folder's site
    try:
        for path in posts:
            info = os.stat(path)
            folder = os.path.dirname(path)
            salt = salts.get(folder)
            if salt is None:
                salt = salts[folder] = site_salt(site_for(folder))
            cached = cache.get(os.path.abspath(path), stamp_of(info), salt)
            if cached is None:
                continue
            known += 1
            # As validate reports them: after the post's own ignore comments and the config.
            inline = str(cached.facts.get("ignore") or "")
            ignored = {path: tuple(inline.split(","))} if inline else {}
            if any(d.severity == "error" for d in _select(cached.diagnostics, config, ignored)):
                with_errors.append(path)
    finally:
        cache.close()
    return with_errors if known else None
