"""The one reader of posts: a file read the way Jekyll 4 reads it (Document#read and friends).

``read`` opens, decodes, splits and parses a post once and returns a ``Read``: the ``Post``, or
the error that stopped it, plus what validate looks at beside the post (the split parts, the
front matter as parsed, the bad values it read past). Every command reads posts through it:
``load_post`` and ``load_all`` for listings, ``read`` itself for validate, convert and the index.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from newsctl.errors import DateParseError, PostError
from newsctl.jekyll import names as jekyll
from newsctl.jekyll.dates import jekyll_date, parse_ruby_time, zone_for
from newsctl.jekyll.discovery import Candidate, Found
from newsctl.jekyll.frontmatter import Format, FrontMatterError, Split, parse, split
from newsctl.jekyll.site import LOOSE, Site

if TYPE_CHECKING:
    import frontmatter


@dataclass(frozen=True, slots=True)
class Post:
    """A post as Jekyll sees it, plus the raw parts needed to rewrite it losslessly.

    ``date`` is in the site's zone. ``front_matter`` is the mapping as written (not merged
    with ``_config.yml`` defaults); do not mutate it. ``bom + front_matter_raw + body`` is the
    file's text exactly.
    """

    path: str
    relative_path: str
    site_root: str | None
    kind: str
    title: str
    date: dt.datetime | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    slug: str
    url: str | None
    layout: str | None
    published: bool
    front_matter: dict[str, Any]
    front_matter_format: Format | None
    front_matter_raw: str
    body: str
    body_line: int
    bom: bool

    def to_frontmatter(self) -> frontmatter.Post:
        """The post as a python-frontmatter ``Post``, for scripts built on that library: the
        front matter as written (a copy) and the body, as ``frontmatter.load(path)`` reads them
        (the body stripped of surrounding whitespace, as that library does). ``frontmatter.dumps``
        writes JSON front matter back as JSON and YAML or TOML as YAML. A post read for a
        listing only (``list``'s light reading, a search result) has neither."""
        import copy

        import frontmatter  # imported here: only scripts that ask for it pay for it
        from frontmatter.default_handlers import JSONHandler, YAMLHandler

        handler = JSONHandler() if self.front_matter_format == "json" else YAMLHandler()
        converted = frontmatter.Post(self.body.strip(), handler=handler)
        converted.metadata.update(copy.deepcopy(self.front_matter))
        return converted


@dataclass(frozen=True, slots=True)
class Read:
    """One file read once: everything a command needs of it.

    ``post`` is None when ``error`` says why the file could not be read as a post, or when a
    loose file turned out to have no front matter (neither is set then). ``problems`` are the
    bad single values read past (only with ``read(..., collect=True)``). ``split`` and ``front``
    are the file's parts and its front matter as parsed, for checks that look at them as
    written (None and {} where reading stopped before them). ``unreadable`` is the system's
    reason when the file could not be opened or read at all; ``vanished`` says it was deleted
    (or renamed) after discovery found it, which is no error. ``stat`` is the status of the
    very file the bytes were read from (None when the caller passed the bytes): a writer that
    replaces the post compares its stamp (``files.stamp_of``) before the rename, so a post
    changed since is never overwritten.
    """

    path: str
    size: int
    post: Post | None = None
    error: PostError | None = None
    problems: tuple[PostError, ...] = ()
    split: Split | None = None
    front: dict[str, Any] = field(default_factory=dict)
    unreadable: str | None = None
    vanished: bool = False
    stat: os.stat_result | None = None

    @property
    def text(self) -> str:
        """The file's text without its byte-order mark ("" when it could not be split)."""
        return "" if self.split is None else self.split.raw + self.split.body


def read(candidate: Candidate, data: bytes | None = None, *, light: bool = False, collect: bool = False) -> Read:
    """Read the post at ``candidate.path`` (or its bytes ``data``, when the caller has them).

    ``light`` leaves the body, raw front matter and front-matter mapping out of the Post, for
    listings that only need the metadata (the Read keeps them; it never leaves the worker).
    ``collect`` notes errors in single values (a bad date, categories, slug or permalink) in
    ``problems`` and goes on without that value, so a validator can check the rest; errors that
    leave nothing to check (unreadable, encoding, front matter syntax) end the reading anyway.
    """
    path = candidate.path
    stat: os.stat_result | None = None
    if data is None:
        try:
            data, stat = read_with_stat(path)
        except FileNotFoundError as exc:
            if not candidate.explicit:  # found by a walk, deleted since: gone, not broken
                return Read(path, 0, vanished=True)
            reason = str(exc.strerror or exc)
            return Read(path, 0, error=PostError(path, f"cannot read: {reason}"), unreadable=reason)
        except OSError as exc:
            reason = str(exc.strerror or exc)
            return Read(path, 0, error=PostError(path, f"cannot read: {reason}"), unreadable=reason)
    size = len(data)
    block: Split | None = None
    try:
        block = _split(path, _decode(path, data), candidate.site)
        if block.format is None and candidate.kind == "loose" and not candidate.explicit:
            return Read(path, size, split=block, stat=stat)
        front = _parse(path, block)
    except PostError as exc:
        return Read(path, size, error=exc, split=block, stat=stat)
    problems: list[PostError] | None = [] if collect else None
    try:
        post = _build(candidate, block, front, problems, keep_text=not light)
    except PostError as exc:
        return Read(path, size, error=exc, split=block, front=front, stat=stat)
    return Read(path, size, post, problems=tuple(problems or ()), split=block, front=front, stat=stat)


def read_bytes(path: str) -> bytes:
    """The bytes of the post at ``path``, for a caller that looks at them before reading the
    post (the index hashes them first; ``validate --fix`` rewrites the text). Raises OSError."""
    with open(path, "rb") as handle:
        return handle.read()


def read_with_stat(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of the file at ``path`` and its status, both from the one open file (so the
    status describes the file that was read, even when another is renamed over it meanwhile).
    The status is taken before reading: an append that lands during the read leaves the file
    unlike it, so a writer comparing stamps refuses to replace the post; never the reverse, a
    status newer than the bytes read, which would let such a write through. Raises OSError."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        stat = os.fstat(descriptor)
        # One read of the size the status gives (and one byte more, to see the end): a third
        # cheaper than an open file object. A file that grew or shrank meanwhile is read to its end.
        data = os.read(descriptor, stat.st_size + 1)
        if len(data) != stat.st_size:
            chunks = [data]
            while chunk := os.read(descriptor, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
        return data, stat
    finally:
        os.close(descriptor)


def load_post(candidate: Candidate, *, keep_text: bool = True) -> Post | None:
    """Load one post. None when a loose file turns out to have no front matter.

    ``keep_text=False`` leaves out the body, raw front matter and front-matter mapping, for
    listings that only need the metadata. Raises PostError, with the file's line where known,
    for anything Jekyll could not read.
    """
    result = read(candidate, light=not keep_text)
    if result.error is not None:
        raise result.error
    return result.post


def load_path(path: str, site: Site | None = None) -> Post:
    """Load the post at ``path`` with the rules of the site it lives in (convenience for tests
    and library users). Raises PostError when it cannot be read or is not a post."""
    from newsctl.jekyll.discovery import Skipped, classify_file

    found = classify_file(path) if site is None else Candidate(path, site, os.path.basename(path), "loose", True)
    if isinstance(found, Skipped):
        raise PostError(path, found.reason)
    assert isinstance(found, Candidate)
    post = load_post(found)
    if post is None:  # explicit files are always read
        raise PostError(path, "no front matter")
    return post


# What ``load_all`` yields: a post, the error that kept a file from being one, or a discovery
# that is not a candidate (Skipped, Missing), passed through.
Result = Post | PostError | Found


def _load_one(item: Found, light: bool, shape: Callable[[Post], Any] | None = None) -> Any:
    if not isinstance(item, Candidate):
        return item
    result = read(item, light=light)
    if result.error is not None:
        return result.error
    if shape is not None and result.post is not None:
        return shape(result.post)
    return result.post


def load_all(
    found: Iterable[Found], *, jobs: int | None = None, light: bool = False, shape: Callable[[Post], Any] | None = None
) -> Iterator[Any]:
    """Load every candidate on every core, in order; pass Skipped and Missing through;
    PostErrors are yielded, not raised. ``light`` drops bodies in the workers, for commands
    that only need metadata (less to send back to the main process). With ``shape``, each post
    is turned into ``shape(post)`` in the worker (None: dropped), so only that travels back:
    sending a light post costs about 10 µs of pickling, a path far less."""
    from newsctl.parallel import parallel_map

    return parallel_map(partial(_load_one, light=light, shape=shape), found, jobs=jobs)


# --- reading the text ------------------------------------------------------------------------


def _decode(path: str, data: bytes) -> str:
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        raise PostError(path, f"binary file (NUL byte at offset {nul}), not a text post", None, "binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)  # in bytes: the text cannot be decoded
        raise PostError(
            path,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); Jekyll skips this post silently",
            line,
            "utf8",
            column,
        ) from None


def _split(path: str, text: str, site: Site) -> Split:
    try:
        return split(text, hugo=not site.is_jekyll)
    except FrontMatterError as exc:
        raise PostError(path, exc.message, exc.line, exc.kind, exc.column) from None


def _parse(path: str, block: Split) -> dict[str, Any]:
    try:
        return parse(block)
    except FrontMatterError as exc:
        raise PostError(path, exc.message, exc.line, exc.kind, exc.column) from None


# --- Jekyll's rules: from the front matter to the post -----------------------------------------


def _build(
    candidate: Candidate, block: Split, front: dict[str, Any], problems: list[PostError] | None, *, keep_text: bool
) -> Post:
    """Document#read_post_data and friends: defaults merged in, then date, slug, title and URL."""
    path, site, raw = candidate.path, candidate.site, block.raw
    zone = zone_for(site.timezone)
    special = "_drafts" if candidate.kind == "draft" else "_posts"
    merged: dict[str, Any] = {
        "categories": jekyll.categories_from_path(candidate.relative, special) if site.is_jekyll else []
    }
    if site.is_jekyll:
        _merge(merged, site.front_matter_defaults(candidate.relative), path, "", problems)
    _merge(merged, front, path, raw, problems)

    date: dt.datetime | None = None
    try:
        if "date" in merged:
            date = jekyll_date(merged["date"], zone, naive_is_utc=block.format != "toml")
    except DateParseError as exc:
        message = f"invalid date: {exc}; Jekyll's build fails on it"
        _fail(problems, PostError(path, message, _key_line(raw, "date"), "date"))
    name = _FileName.of(candidate, merged, date, zone, problems)
    title = merged.get("title")
    title = jekyll.titleize_slug(name.slug) if title is None or title is False else jekyll.ruby_to_s(title)
    slug = _slug_value(merged, name.slug, path, raw, problems)
    categories = jekyll.post_categories(merged)
    url = _url(candidate, merged, name, slug, categories, raw, problems) if name.date is not None else None
    layout = merged.get("layout")
    return Post(
        path=path,
        relative_path=candidate.relative,
        site_root=site.root,
        kind=candidate.kind,
        title=title,
        date=name.date,
        categories=categories,
        tags=jekyll.post_tags(merged),
        slug=jekyll.ruby_to_s(slug),
        url=url,
        layout=None if layout is None else jekyll.ruby_to_s(layout),
        # Publisher#can_be_published?: a present but null or false `published` hides the post.
        published="published" not in merged or (merged["published"] is not None and merged["published"] is not False),
        front_matter=front if keep_text else {},
        front_matter_format=block.format,
        front_matter_raw=raw if keep_text else "",
        body=block.body if keep_text else "",
        body_line=block.body_line,
        bom=block.bom,
    )


@dataclass(frozen=True, slots=True)
class _FileName:
    """What the file's name tells: the date (when the front matter has none Jekyll can use),
    the slug, the extension and the name without it."""

    date: dt.datetime | None
    slug: str
    ext: str
    stem: str

    @classmethod
    def of(
        cls,
        candidate: Candidate,
        merged: dict[str, Any],
        date: dt.datetime | None,
        zone: dt.tzinfo,
        problems: list[PostError] | None,
    ) -> _FileName:
        path, relative = candidate.path, candidate.relative
        name = relative if candidate.site.is_jekyll else os.path.basename(relative)
        stem, ext = os.path.splitext(os.path.basename(path))
        slug: str | None = None
        dated = jekyll.match_dated_name(name) if candidate.kind != "draft" else None
        if dated:
            name_date, slug, ext = dated
            if not merged.get("date") or date is None:
                try:
                    date = parse_ruby_time(name_date, zone)
                except DateParseError as exc:
                    if not merged.get("date"):
                        _fail(problems, PostError(path, f"invalid date in file name: {exc}", None, "filename-date"))
        else:
            dateless = jekyll.match_dateless_name(name)
            if dateless:
                slug, ext = dateless
        if date is None and candidate.kind == "draft":
            date = dt.datetime.fromtimestamp(os.stat(path).st_mtime, zone)
        return cls(date, (slug or stem).rstrip("."), ext, stem)  # Jekyll strips trailing dots


def _slug_value(merged: dict[str, Any], slug: str, path: str, raw: str, problems: list[PostError] | None) -> Any:
    """The front matter's ``slug`` where Jekyll takes it, else the file name's."""
    value = merged.get("slug")
    if value is None or value is False:
        return slug
    if not isinstance(value, str):
        message = f"slug must be a string, not {value!r}; Jekyll's build fails on it"
        _fail(problems, PostError(path, message, _key_line(raw, "slug"), "slug"))
        return slug
    return value


def _url(
    candidate: Candidate,
    merged: dict[str, Any],
    name: _FileName,
    slug: Any,
    categories: tuple[str, ...],
    raw: str,
    problems: list[PostError] | None,
) -> str | None:
    """Document#url: the permalink (the post's own, else the site's) with its placeholders filled."""
    assert name.date is not None
    site = candidate.site
    special = "_drafts" if candidate.kind == "draft" else "_posts"
    permalink = merged.get("permalink")
    permalink = jekyll.ruby_to_s(permalink) if permalink not in (None, False) else None
    placeholders = jekyll.UrlDrop(
        date=name.date,
        slug=slug,
        basename_without_ext=name.stem,
        categories=categories,
        cleaned_relative_path=_cleaned_relative_path(candidate.relative, name.ext, special),
        output_ext=jekyll.output_ext(name.ext, permalink, site.markdown_exts),
    )
    try:
        return jekyll.expand_permalink(permalink or site.permalink, placeholders)
    except jekyll.PermalinkError as exc:
        _fail(problems, PostError(candidate.path, str(exc), _key_line(raw, "permalink"), "permalink"))
        return None


def _merge(
    target: dict[str, Any], other: dict[str, Any], path: str, raw: str, problems: list[PostError] | None = None
) -> None:
    """Document#merge_data!: categories join, a nil value never overwrites (deep_merge_hashes!)."""
    if other.get("categories") is not None:
        merged = jekyll.merge_categories(target.get("categories") or [], other["categories"])
        if merged is None:
            _fail(
                problems,
                PostError(
                    path,
                    "categories must be a string or a list; Jekyll cannot read this post's front matter",
                    _key_line(raw, "categories"),
                    "categories",
                ),
            )
            merged = list(target.get("categories") or [])
        other = {**other, "categories": merged}
    for key, value in other.items():
        key = jekyll.ruby_to_s(key) if not isinstance(key, str) else key
        if key in target and value is None:
            continue
        if isinstance(target.get(key), dict) and isinstance(value, dict):
            nested = dict(target[key])
            _merge(nested, value, path, "", problems)
            target[key] = nested
        else:
            target[key] = value


def _fail(problems: list[PostError] | None, error: PostError) -> None:
    """Raise ``error``, or, when the caller collects problems, note it and carry on."""
    if problems is None:
        raise error
    problems.append(error)


def _key_line(raw: str, key: str) -> int | None:
    match = re.search(rf"^[\"']?{re.escape(key)}[\"']?[ \t]*[:=]", raw, re.MULTILINE)
    return raw.count("\n", 0, match.start()) + 1 if match else None


def _cleaned_relative_path(relative: str, ext: str, special: str) -> str:
    """Document#cleaned_relative_path, the ``:path`` placeholder."""
    stem = relative[: len(relative) - len(ext)] if ext and relative.endswith(ext) else relative
    return stem.replace(special, "", 1).rstrip(".")


__all__ = [
    "LOOSE",
    "Post",
    "Read",
    "Result",
    "load_all",
    "load_path",
    "load_post",
    "read",
    "read_bytes",
    "read_with_stat",
]
