"""newsctl as a library, for scripts: an archive's posts as Jekyll reads them, their bodies as
Markdown or text, search and validation.

The commands are a layer over the same functions, so a script sees what they show:
``Archive.posts`` reads and filters as ``newsctl list --no-index`` does (whole posts, bodies
included), ``body_markdown`` and ``body_text`` convert as ``newsctl convert --body-only`` does,
``Archive.search`` asks the index as ``newsctl search`` does (creating it, or bringing it up to
date, in the archive's ``.newsctl/``), and ``Archive.validate`` finds what ``newsctl validate``
prints. Errors are ``newsctl.errors.NewsctlError`` with a one-line message.

Nothing here is imported by the command line: ``newsctl --help`` does not pay for it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from newsctl.errors import NewsctlError, PostError, UsageError
from newsctl.jekyll.post import Post

if TYPE_CHECKING:
    from newsctl.filters import PostFilter
    from newsctl.index.archive import Archive as Index
    from newsctl.index.query import Query
    from newsctl.index.search import Row
    from newsctl.validate.diagnostics import Diagnostic

Bound = str | dt.date  # a date, a datetime, or "YYYY", "YYYY-MM", "YYYY-MM-DD", an ISO date-time
Values = str | Iterable[str]  # one category (or tag), or several: any of them matches

__all__ = ["Archive", "Hit", "NewsctlError", "Post", "PostError", "body_markdown", "body_text"]


class Archive:
    """The posts under ``path`` (a site, a folder of it, or one file), read as Jekyll 4 reads
    them. ``drafts`` adds ``_drafts/`` as ``jekyll build --drafts`` does; ``jobs`` is the number
    of processes that read posts (default: every core)."""

    def __init__(self, path: str | os.PathLike[str] = ".", *, drafts: bool = False, jobs: int | None = None) -> None:
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise UsageError(f"{self.path}: no such file or directory")
        self.drafts = drafts
        self.jobs = jobs
        #: The files the last ``posts()`` could not read as posts (Jekyll would fail or drop
        #: them): each a PostError naming the file, its line where known, and why.
        self.errors: list[PostError] = []

    def __repr__(self) -> str:
        return f"Archive({self.path!r})"

    def posts(
        self,
        *,
        category: Values | None = None,
        tag: Values | None = None,
        since: Bound | None = None,
        until: Bound | None = None,
        sort: Literal["date", "title", "path"] | None = "date",
        reverse: bool = False,
    ) -> Iterator[Post]:
        """The posts that match, whole (front matter and body), in ``list``'s order: newest
        first (``sort="date"``), or by title or path; ``sort=None`` yields them as they are
        read, in file order, without holding them all. ``since`` and ``until`` are inclusive
        (``until="2023"`` includes all of 2023). Files that are not posts are passed over;
        those that cannot be read as posts end up in ``self.errors``. A bad bound or sort
        raises UsageError before anything is read."""
        from newsctl.filters import sort_posts

        wanted = _selection(category, tag, since, until)
        if sort not in (None, "date", "title", "path"):
            raise UsageError(f"invalid sort {sort!r}: use 'date', 'title', 'path' or None")
        matched = (post for post in self._read() if wanted.matches(post))
        if sort is None:
            return matched
        return iter(sort_posts(matched, sort, reverse=reverse))

    def _read(self) -> Iterator[Post]:
        from newsctl.jekyll.discovery import discover, posts_only
        from newsctl.jekyll.post import load_all

        self.errors = []
        for result in load_all(posts_only(discover([self.path], drafts=self.drafts)), jobs=self.jobs):
            if isinstance(result, Post):
                yield result
            elif isinstance(result, PostError):
                self.errors.append(result)
            # else: a file Jekyll passes over (Skipped), or one deleted since it was found

    def search(
        self,
        query: str,
        *,
        category: Values | None = None,
        tag: Values | None = None,
        since: Bound | None = None,
        until: Bound | None = None,
        sort: Literal["relevance", "date"] = "relevance",
        limit: int | None = None,
        refresh: bool = True,
    ) -> list[Hit]:
        """The posts that match ``query`` (the language of ``newsctl search``: terms that must
        all match, "a phrase", -excluded, a OR b, title:term), best first or newest first,
        from the archive's index: created when missing, and brought up to date with the files
        unless ``refresh`` is False. A bad query raises QueryError (a NewsctlError)."""
        from newsctl.index.archive import ask, open_index
        from newsctl.index.query import parse_query
        from newsctl.index.search import search

        parsed = parse_query(query)
        wanted = _selection(category, tag, since, until)
        if sort not in ("relevance", "date"):
            raise UsageError(f"invalid sort {sort!r}: use 'relevance' or 'date'")
        index = open_index([self.path], jobs=self.jobs, refresh=False)
        try:
            return ask(
                index,
                lambda: [
                    _hit(index, parsed, row)
                    for row in search(
                        index.db, parsed, selection=wanted, scopes=index.scopes, drafts=self.drafts, sort=sort,
                        limit=limit,
                    )
                ],
                check=refresh, jobs=self.jobs,
            )  # fmt: skip
        finally:
            index.db.close()

    def validate(
        self,
        *,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        config: str | os.PathLike[str] | None = None,
        cache: bool = True,
    ) -> list[Diagnostic]:
        """What ``newsctl validate`` finds, in the order it prints them: one Diagnostic per
        problem (``path``, ``line``, ``column``, ``code``, ``severity``, ``message``;
        ``to_dict()`` is its JSON). ``select`` and ``ignore`` take rule codes or prefixes
        (``["NC1"]``); ``config`` is a ``newsctl.toml`` (default: the nearest one); ``cache``
        keeps results in the archive's ``.newsctl/`` as the command does. Fixes nothing."""
        from pathlib import Path

        from newsctl.validate.checks import run_validation

        outcome = run_validation(
            [self.path],
            config_file=Path(config) if config is not None else None,
            select=_codes(select),
            ignore=_codes(ignore),
            drafts=self.drafts,
            jobs=self.jobs,
            use_cache=cache,
            keep_files=False,
        )
        return list(outcome.run.diagnostics)


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the post's metadata (as ``newsctl search --format json`` gives it),
    its score (higher is better; 0 for queries that are not ranked) and a line of its text
    around the match. ``read()`` reads the whole post."""

    path: str
    title: str
    date: dt.datetime | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    url: str | None
    score: float
    snippet: str

    def read(self) -> Post:
        from newsctl.jekyll.post import load_path

        return load_path(self.path)


def body_markdown(post: Post, *, images: Literal["keep", "alt", "drop"] = "keep") -> str:
    """The post's body as Markdown, as ``newsctl convert --to markdown --body-only`` writes it."""
    from newsctl.convert.body import ConvertOptions, convert_body

    return convert_body(post, ConvertOptions(to="markdown", images=images))


def body_text(
    post: Post,
    *,
    images: Literal["keep", "alt", "drop"] = "drop",
    links: Literal["inline", "footnotes", "drop"] = "drop",
) -> str:
    """The post's body as plain text, as ``newsctl convert --to text --body-only`` writes it."""
    from newsctl.convert.body import ConvertOptions, convert_body

    return convert_body(post, ConvertOptions(to="text", images=images, links=links))


def _hit(index: Index, query: Query, row: Row) -> Hit:
    from newsctl.index.search import body_of, snippet

    post = row.post()
    text = snippet(query, row.title, body_of(index.db, row.id))[0]
    return Hit(
        path=row.path, title=post.title, date=post.date, categories=post.categories, tags=post.tags, url=post.url,
        score=round(row.score, 4) + 0.0, snippet=text,
    )  # fmt: skip


def _selection(category: Values | None, tag: Values | None, since: Bound | None, until: Bound | None) -> PostFilter:
    """The filter ``list`` and ``search`` build from their options (a bad date: UsageError)."""
    from newsctl.filters import PostFilter, parse_bound

    return PostFilter(
        categories=_values(category),
        tags=_values(tag),
        since=parse_bound(_bound_text(since), end=False) if since is not None else None,
        until=parse_bound(_bound_text(until), end=True) if until is not None else None,
    )


def _values(value: Values | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _bound_text(bound: Bound) -> str:
    return bound if isinstance(bound, str) else bound.isoformat()


def _codes(values: Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    codes = [value.strip().upper() for value in ([values] if isinstance(values, str) else values) if value.strip()]
    return codes or None
