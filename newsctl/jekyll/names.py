"""Jekyll 4's rules for posts, ported from its source (document.rb, utils.rb, url.rb).

Each function names the Ruby it mirrors; where Ruby and Python differ (``\\d`` is ASCII in
Ruby, ``split`` drops trailing empty strings, ``to_s`` of ``true`` is ``"true"``) the port
follows Ruby.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

# Document::DATE_FILENAME_MATCHER = %r!^(?>.+/)*?(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$!
# The atomic group makes the date start either at the beginning or right after the last "/".
_DATED_NAME = re.compile(r"([0-9]{2,4}-[0-9]{1,2}-[0-9]{1,2})-([^/\n]*)(\.[^.\n]+)")
# Document::DATELESS_FILENAME_MATCHER = %r!^(?:.+/)*(.*)(\.[^.]+)$!
_DATELESS_NAME = re.compile(r"(?:.+/)*(.*)(\.[^.\n]+)")

MARKDOWN_EXTS = ("markdown", "mkdown", "mkdn", "mkd", "md")

PERMALINK_STYLES = {
    "none": "/:categories/:title:output_ext",
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}

_PRETTY_KEEP = frozenset("._~!$&'()+,;=@")
_ASCII_DEFAULT = re.compile(r"[^A-Za-z0-9]+")
_EDGE_HYPHENS = re.compile(r"^-|-$", re.MULTILINE)
_URL_SAFE = re.compile(r"[a-zA-Z0-9./-]+")
_SLASHES = re.compile(r"/+")
TRAILING_DOTS = re.compile(r"\.*\Z")
_ASCII_PRETTY = re.compile(r"[^A-Za-z0-9._~!$&'()+,;=@]+")
_PATH_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/")
_QUERY_SAFE = _PATH_SAFE | {"?"}
_SCHEME_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.")
_URI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.DOTALL)
_PLACEHOLDER = re.compile(r":([a-z_]+)")


class PermalinkError(ValueError):
    """A permalink template Jekyll cannot expand (its build fails)."""


def match_dated_name(relative_path: str) -> tuple[str, str, str] | None:
    """(date, slug, ext) when Jekyll's post file name matcher accepts the path, else None."""
    for start in (0, relative_path.rfind("/") + 1):
        match = _DATED_NAME.fullmatch(relative_path, start)
        if match:
            return match.group(1), match.group(2), match.group(3)
        if start == 0 and "/" not in relative_path:
            break
    return None


def match_dateless_name(relative_path: str) -> tuple[str, str] | None:
    """(slug, ext) as Jekyll's matcher for drafts reads them, else None."""
    match = _DATELESS_NAME.fullmatch(relative_path)
    return (match.group(1), match.group(2)) if match else None


def is_special(entry: str) -> bool:
    """EntryFilter#special? and #backup?: Jekyll skips these names without a word."""
    special = (".", "_", "#", "~")
    return entry.startswith(special) or os.path.basename(entry).startswith(special) or entry.endswith("~")


def ruby_split(text: str, sep: str | None = None) -> list[str]:
    """String#split: whitespace split, or a separator split without trailing empty fields."""
    if sep is None:
        return text.split()
    parts = text.split(sep)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def ruby_to_s(value: Any) -> str:
    """Ruby's #to_s of a YAML value, so categories read as Jekyll writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ruby_inspect(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S ") + ("UTC" if value.tzinfo is None else value.strftime("%z"))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return ruby_inspect(value)
    return str(value)


def ruby_inspect(value: Any) -> str:
    """Ruby's #inspect, for the odd nested list that Jekyll turns into a category string."""
    if value is None:
        return "nil"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(ruby_inspect(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{ruby_inspect(k)}=>{ruby_inspect(v)}" for k, v in value.items()) + "}"
    return ruby_to_s(value)


def _flatten(values: Sequence[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        if isinstance(value, (list, tuple)):
            flat.extend(_flatten(value))
        else:
            flat.append(value)
    return flat


def _unique(values: Sequence[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if not any(value == other and type(value) is type(other) for other in seen):
            seen.append(value)
    return seen


def pluralized(data: Mapping[str, Any], singular: str, plural: str) -> list[Any]:
    """Utils.pluralized_array_from_hash: the singular key wins and is kept whole."""
    value = data.get(singular)
    if value is None or value is False:
        value = None
        if plural in data:
            raw = data[plural]
            if isinstance(raw, str):
                value = ruby_split(raw)
            elif isinstance(raw, list):
                value = [v for v in raw if v is not None]
    return [v for v in _flatten([value]) if v is not None]


def merge_categories(current: list[Any], incoming: Any) -> list[Any] | None:
    """Document#merge_categories!: front-matter categories join (``|``) the ones from folders.

    Returns None when Jekyll's merge raises (a number or mapping as ``categories``): Jekyll then
    logs an error and reads none of the post's front matter.
    """
    if isinstance(incoming, str):
        incoming = ruby_split(incoming)
    if not isinstance(incoming, list):
        return None
    return _unique([*current, *incoming])


def categories(data: Mapping[str, Any]) -> list[str]:
    """Document#populate_categories on already merged data."""
    merged = data.get("categories")
    base = list(merged) if isinstance(merged, list) else ([] if merged is None else [merged])
    values = [ruby_to_s(v) for v in base + pluralized(data, "category", "categories")]
    return _unique(_flatten(values))


def tags(data: Mapping[str, Any]) -> list[str]:
    """Document#populate_tags: ``tag`` wins over ``tags``; Jekyll neither splits it nor dedupes."""
    return [ruby_to_s(v) for v in _flatten(pluralized(data, "tag", "tags"))]


# An archive repeats a handful of categories and tags: the rules' results for plain values (text,
# lists of text) are remembered, keyed by those values; anything else is worked out each time.


def post_categories(data: Mapping[str, Any]) -> tuple[str, ...]:
    """``categories(data)`` as a tuple, remembered for plain values."""
    merged, single = data.get("categories"), data.get("category")
    if type(merged) is list and (single is None or type(single) is str) and all(type(v) is str for v in merged):
        return _categories_of(tuple(merged), single)
    return tuple(categories(data))


@lru_cache(maxsize=4096)
def _categories_of(merged: tuple[str, ...], single: str | None) -> tuple[str, ...]:
    return tuple(categories({"categories": list(merged), "category": single}))


def post_tags(data: Mapping[str, Any]) -> tuple[str, ...]:
    """``tags(data)`` as a tuple, remembered for plain values."""
    single, plural = data.get("tag"), data.get("tags")
    if single is None or type(single) is str:
        if plural is None or type(plural) is str:
            return _tags_of(single, plural)
        if type(plural) is list and all(type(v) is str for v in plural):
            return _tags_of(single, tuple(plural))
    return tuple(tags(data))


@lru_cache(maxsize=4096)
def _tags_of(single: str | None, plural: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return tuple(tags({"tag": single, "tags": list(plural) if isinstance(plural, tuple) else plural}))


def categories_from_path(relative_path: str, special_dir: str = "_posts") -> list[str]:
    """Document#categories_from_path: the folders above ``_posts``, relative to the site."""
    if relative_path.startswith(special_dir):
        return []
    index = relative_path.find(special_dir)  # superdirs_regex: the first match and all after it
    head = relative_path if index < 0 else relative_path[:index]
    basename = relative_path.rsplit("/", 1)[-1]
    return [c for c in head.split("/") if c and c != special_dir and c != basename]


def titleize_slug(slug: str) -> str:
    """Utils.titleize_slug."""
    return " ".join(part.capitalize() for part in ruby_split(slug, "-"))


def _keep_default(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd"


def slugify(value: str | None, mode: str = "default", *, cased: bool = False) -> str | None:
    """Utils.slugify for the modes Jekyll's URL placeholders use (default, pretty, raw, ascii)."""
    if value is None:
        return None
    if mode == "raw":
        slug = re.sub(r"[ \t\n\v\f\r]+", "-", value)
    elif mode == "ascii":
        slug = re.sub(r"[^A-Za-z0-9]+", "-", value)
    elif value.isascii():
        # The same classes as below, for the common ASCII case, at regex speed.
        slug = (_ASCII_DEFAULT if mode == "default" else _ASCII_PRETTY).sub("-", value)
    else:
        keep = _keep_default if mode == "default" else (lambda c: _keep_default(c) or c in _PRETTY_KEEP)
        out: list[str] = []
        for char in value:
            if keep(char):
                out.append(char)
            elif not out or out[-1] != "\0":
                out.append("\0")
        slug = "".join(out).replace("\0", "-")
    slug = _EDGE_HYPHENS.sub("", slug)
    return slug if cased else slug.lower()


def _percent(text: str, safe: frozenset[str]) -> str:
    return "".join(char if char in safe else "".join(f"%{byte:02X}" for byte in char.encode("utf-8")) for char in text)


def escape_path(value: str) -> str:
    """URL.escape_path: Addressable::URI.encode of one placeholder value, then '#' -> %23."""
    if value == "" or _URL_SAFE.fullmatch(value):
        return value
    match = _URI_PARTS.match(value)
    assert match is not None  # every string matches: all groups are optional
    scheme, authority, path, query, fragment = match.groups()
    out = ""
    if scheme is not None:
        out += _percent(scheme, _SCHEME_SAFE) + ":"
    if authority is not None:
        out += "//" + _percent(authority, _PATH_SAFE | {"[", "]"})
    out += _percent(path, _PATH_SAFE)
    if query is not None:
        out += "?" + _percent(query, _QUERY_SAFE)
    if fragment is not None:
        out += "#" + _percent(fragment, _QUERY_SAFE)
    return out.replace("#", "%23", 1)


def sanitize_url(url: str) -> str:
    """URL#sanitize_url."""
    result = ("/" + url).replace("..", "/").replace("./", "")
    return _SLASHES.sub("/", result) if "//" in result else result


def output_ext(ext: str, permalink: str | None, markdown_exts: Sequence[str] = MARKDOWN_EXTS) -> str:
    """Renderer#output_ext: a permalink's own extension, else the converter's."""
    if permalink and not permalink.endswith("/"):
        own = os.path.splitext(permalink)[1]
        if own:
            return own
    return ".html" if ext[1:].lower() in markdown_exts else ext


_DATE_FORMATS = {
    "year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M", "second": "%S",
    "short_month": "%b", "long_month": "%B", "short_year": "%y", "w_year": "%G", "week": "%V",
    "w_day": "%u", "short_day": "%a", "long_day": "%A", "y_day": "%j",
}  # fmt: skip
_NUMBERS = {"year": "year", "month": "month", "day": "day", "hour": "hour", "minute": "minute", "second": "second"}


class UrlDrop(Mapping[str, "str | None"]):
    """Drops::UrlDrop, the values a permalink template can use, each computed when asked for
    (a template uses four or five of the twenty-five)."""

    NAMES = (
        "collection", "name", "title", "slug", "categories", "slugified_categories", "i_day", "i_month",
        "path", "output_ext", *_DATE_FORMATS,
    )  # fmt: skip

    def __init__(
        self,
        *,
        date: dt.datetime,
        slug: Any,
        basename_without_ext: str,
        categories: Sequence[str],
        cleaned_relative_path: str,
        output_ext: str,
    ) -> None:
        self.date = date
        self.slug_text = None if slug is None else ruby_to_s(slug)
        self.basename = basename_without_ext
        self.category_list = categories
        self.cleaned_relative_path = cleaned_relative_path
        self.output_ext = output_ext

    def __getitem__(self, key: str) -> str | None:
        number = _NUMBERS.get(key)
        if number is not None:  # what strftime gives (%Y unpadded, as glibc), 10x faster with a time zone
            value = getattr(self.date, number)
            return str(value) if key == "year" else f"{value:02d}"
        if key == "title":
            # Ruby's `||` only falls back on nil: an empty slug stays empty.
            return _first(slugify(self.slug_text, "pretty", cased=True), slugify(self.basename, "pretty", cased=True))
        if key == "output_ext":
            return self.output_ext
        if key == "categories":
            return _joined_categories(tuple(self.category_list))
        if key in _DATE_FORMATS:
            return self.date.strftime(_DATE_FORMATS[key])
        if key == "slug":
            return _first(slugify(self.slug_text), slugify(self.basename))
        if key == "slugified_categories":
            return "/".join(_unique([slugify(c) or "" for c in self.category_list]))
        simple = {
            "collection": "posts",
            "i_day": str(self.date.day),
            "i_month": str(self.date.month),
            "path": self.cleaned_relative_path,
        }
        if key in simple:
            return simple[key]
        if key == "name":
            return slugify(self.basename)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self.NAMES

    def __iter__(self) -> Iterator[str]:
        return iter(self.NAMES)

    def __len__(self) -> int:
        return len(self.NAMES)


@lru_cache(maxsize=1024)
def _joined_categories(categories: tuple[str, ...]) -> str:
    """The ``:categories`` placeholder (an archive repeats a handful)."""
    return "/".join(_unique([c.lower() for c in categories]))


def _first(value: str | None, fallback: str | None) -> str | None:
    return fallback if value is None else value


@lru_cache(maxsize=256)
def _compile_template(template: str) -> tuple[tuple[str, str, str], ...]:
    """The template cut into (literal text, placeholder, rest of the matched name) triples."""
    parts: list[tuple[str, str, str]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        pool = [name, name[:-1]] if name.endswith("_") else [name]
        winner = next((key for key in pool if key in UrlDrop.NAMES), None)
        if winner is None:
            raise PermalinkError(f"permalink uses :{name}, which Jekyll does not know")
        parts.append((template[position : match.start()], winner, name[len(winner) :]))
        position = match.end()
    parts.append((template[position:], "", ""))
    return tuple(parts)


def expand_permalink(template: str, placeholders: Mapping[str, str | None]) -> str:
    """URL#generate_url_from_drop followed by #sanitize_url."""
    out: list[str] = []
    for literal, name, rest in _compile_template(template):
        out.append(literal)
        if name:
            out.append(escape_path(placeholders[name] or "") + rest)
    return sanitize_url("".join(out))


def posts_permalink_template(config: Mapping[str, Any]) -> str:
    """The posts collection's URL template from ``_config.yml`` (``permalink`` style or string)."""
    collections = config.get("collections")
    if isinstance(collections, dict):
        posts = collections.get("posts")
        if isinstance(posts, dict) and isinstance(posts.get("permalink"), str):
            return str(PERMALINK_STYLES.get(posts["permalink"], posts["permalink"]))
    style = config.get("permalink", "date")
    style = "date" if style is None else ruby_to_s(style)
    return PERMALINK_STYLES.get(style, style)
