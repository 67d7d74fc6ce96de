"""The Post model: one file read the way Jekyll 4 reads it (Document#read and friends)."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any

from newsctl.errors import DateParseError, PostError
from newsctl.jekyll import names as jekyll
from newsctl.jekyll.dates import jekyll_date, parse_ruby_time, zone_for
from newsctl.jekyll.discovery import Candidate
from newsctl.jekyll.frontmatter import Format, FrontMatterError, parse, split
from newsctl.jekyll.site import LOOSE, Site


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


def load_post(candidate: Candidate, *, keep_text: bool = True) -> Post | None:
    """Load one post. None when a loose file turns out to have no front matter.

    ``keep_text=False`` leaves out the body, raw front matter and front-matter mapping, for
    listings that only need the metadata. Raises PostError, with the file's line where known,
    for anything Jekyll could not read.
    """
    path = candidate.path
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise PostError(path, f"cannot read: {exc.strerror or exc}") from None
    return post_from_bytes(candidate, data, keep_text=keep_text)


def post_from_bytes(
    candidate: Candidate, data: bytes, *, keep_text: bool = True, problems: list[PostError] | None = None
) -> Post | None:
    """Load a post from its bytes (the file at ``candidate.path``).

    With ``problems``, errors in single values (a bad date, categories, slug or permalink) are
    appended there and loading goes on without that value, so a validator can check the rest;
    errors that leave nothing to check (encoding, front matter syntax) are still raised."""
    path, site = candidate.path, candidate.site
    text = _decode(path, data)
    try:
        block = split(text, hugo=not site.is_jekyll)
        if block.format is None and candidate.kind == "loose" and not candidate.explicit:
            return None
        front = parse(block)
    except FrontMatterError as exc:
        raise PostError(path, exc.message, exc.line, exc.kind, exc.column) from None

    zone = zone_for(site.timezone)
    special = "_drafts" if candidate.kind == "draft" else "_posts"
    relative = candidate.relative
    merged: dict[str, Any] = {"categories": jekyll.categories_from_path(relative, special) if site.is_jekyll else []}
    if site.is_jekyll:
        _merge(merged, site.front_matter_defaults(relative), path, "", problems)
    _merge(merged, front, path, block.raw, problems)

    date: dt.datetime | None = None
    try:
        if "date" in merged:
            date = jekyll_date(merged["date"], zone, naive_is_utc=block.format != "toml")
    except DateParseError as exc:
        message = f"invalid date: {exc}; Jekyll's build fails on it"
        _fail(problems, PostError(path, message, _key_line(block.raw, "date"), "date"))

    name = relative if site.is_jekyll else os.path.basename(relative)
    basename_without_ext, ext = os.path.splitext(os.path.basename(path))
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
    slug = jekyll.TRAILING_DOTS.sub("", slug or basename_without_ext)

    title_value = merged.get("title")
    title = jekyll.titleize_slug(slug) if title_value is None or title_value is False else jekyll.ruby_to_s(title_value)
    slug_value = merged.get("slug")
    if slug_value is None or slug_value is False:
        slug_value = slug
    elif not isinstance(slug_value, str):
        message = f"slug must be a string, not {slug_value!r}; Jekyll's build fails on it"
        _fail(problems, PostError(path, message, _key_line(block.raw, "slug"), "slug"))
        slug_value = slug
    categories = jekyll.categories(merged)
    tags = jekyll.tags(merged)

    url: str | None = None
    if date is not None:
        permalink = merged.get("permalink")
        permalink = jekyll.ruby_to_s(permalink) if permalink not in (None, False) else None
        placeholders = jekyll.UrlDrop(
            date=date,
            slug=slug_value,
            basename_without_ext=basename_without_ext,
            categories=categories,
            cleaned_relative_path=_cleaned_relative_path(relative, ext, special),
            output_ext=jekyll.output_ext(ext, permalink, site.markdown_exts),
        )
        try:
            url = jekyll.expand_permalink(permalink or site.permalink, placeholders)
        except jekyll.PermalinkError as exc:
            _fail(problems, PostError(path, str(exc), _key_line(block.raw, "permalink"), "permalink"))

    layout = merged.get("layout")
    return Post(
        path=path,
        relative_path=relative,
        site_root=site.root,
        kind=candidate.kind,
        title=title,
        date=date,
        categories=tuple(categories),
        tags=tuple(tags),
        slug=jekyll.ruby_to_s(slug_value),
        url=url,
        layout=None if layout is None else jekyll.ruby_to_s(layout),
        # Publisher#can_be_published?: a present but null or false `published` hides the post.
        published="published" not in merged or (merged["published"] is not None and merged["published"] is not False),
        front_matter=front if keep_text else {},
        front_matter_format=block.format,
        front_matter_raw=block.raw if keep_text else "",
        body=block.body if keep_text else "",
        body_line=block.body_line,
        bom=block.bom,
    )


def _cleaned_relative_path(relative: str, ext: str, special: str) -> str:
    """Document#cleaned_relative_path, the ``:path`` placeholder."""
    stem = relative[: len(relative) - len(ext)] if ext and relative.endswith(ext) else relative
    return jekyll.TRAILING_DOTS.sub("", stem.replace(special, "", 1))


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


__all__ = ["LOOSE", "Post", "load_path", "load_post", "post_from_bytes"]
