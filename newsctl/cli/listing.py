"""``newsctl list``: posts, filtered and sorted, from the index when the archive has one."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

import click

from newsctl.cli.options import (
    Reporter,
    counter,
    filter_options,
    index_options,
    indexed,
    limit_options,
    listing_format_options,
    no_pager_option,
    paths_format,
    read_posts,
    reading_options,
    will_exit,
)

if TYPE_CHECKING:  # the Protocol is for mypy only: building it at import would slow start-up
    from typing import Protocol

    from newsctl.errors import PostError
    from newsctl.filters import PostFilter
    from newsctl.index.archive import Archive
    from newsctl.jekyll.discovery import Skipped
    from newsctl.jekyll.post import Post

    class Listed(Protocol):
        """One row of ``list``: a post read from its file (``ListedPost``) or a row of the index
        (``newsctl.index.search.Row``, whose JSON is stored ready-made)."""

        @property
        def path(self) -> str: ...

        def json(self) -> str: ...

        def record_dict(self) -> dict[str, Any]: ...

        def post(self) -> Post: ...


@click.command("list")
@reading_options
@filter_options
@click.option("--sort", type=click.Choice(["date", "title", "path"]), default="date", show_default=True,
              help="Order: date is newest first.")  # fmt: skip
@limit_options
@listing_format_options
@click.option("--count", is_flag=True, help="Print only the number of matching posts (exit 1 when 0, as grep -c).")
@no_pager_option
@index_options
def list_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    wanted: PostFilter,
    sort: str,
    reverse: bool,
    limit: int | None,
    fmt: str | None,
    null: bool,
    count: bool,
    no_pager: bool,
    no_refresh: bool,
    no_index: bool,
) -> None:
    """List posts, newest first, filtered by category, tag and date.

    PATHS are files or folders (default: the current folder). When the archive has an index
    (`newsctl index`), it is refreshed and read instead of every file. Exits 1 when no post
    matches.
    """
    from newsctl.output.formats import stdout_is_tty

    fmt = "paths" if count else paths_format(fmt, null)
    reporter = Reporter()
    archive = indexed(reporter, paths, drafts, jobs, no_index=no_index, no_refresh=no_refresh, check_beside=True)
    rows: Sequence[Listed] | bytes | None = None  # bytes: --format paths, ready to write
    total: Callable[[], int]  # how many match without -n, for the footer on a terminal
    if archive is not None:
        rows, total = _from_index(archive, reporter, wanted, drafts, jobs, sort=sort, reverse=reverse, limit=limit,
                                  fmt=fmt, end="\0" if null or count else "\n", check=not no_refresh)  # fmt: skip
    if rows is None:  # no index, or one that could not be updated
        from functools import partial

        from newsctl.filters import kept_row, sorted_kept

        def read(row: Callable[[Post], Any]) -> list[Any]:
            # Each post is filtered and made into its row where it is read (a worker): only the
            # row and its sort key travel back, and memory grows by the row (a path for paths).
            shape = partial(kept_row, wanted=wanted, key=sort, row=row)
            found: Iterable[Any] = read_posts(paths, drafts, jobs, light=True, shape=shape)
            return sorted_kept(list(reporter.report(found)), sort, reverse=reverse)

        if fmt == "paths":  # bytes, as the index gives them
            end = "\0" if null or count else "\n"
            shown = read(ListedPath.of)[:limit]
            rows = "".join(path + end for path in shown).encode("utf-8", "surrogateescape")
        else:
            every: list[Listed] = read(ListedPost.cells if fmt == "table" else ListedPost.of)
            rows = every[:limit]
            total = every.__len__
    code = will_exit(reporter.exit_code(matched=bool(rows)))
    if isinstance(rows, bytes):
        if count:
            click.echo(rows.count(b"\0"))
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(rows)
        sys.exit(code)
    if count:
        click.echo(len(rows))
    elif fmt == "table" and stdout_is_tty():
        everything = len(rows) if limit is None or len(rows) < limit else total()
        footer = f"{len(rows)} of {everything} · -n to show more" if everything > len(rows) else ""
        _terminal(rows, footer=footer, pager=not no_pager)
    else:
        _write(rows, fmt, sys.stdout, null=null)
    sys.exit(code)


def _from_index(
    archive: Archive,
    reporter: Reporter,
    wanted: PostFilter,
    drafts: bool,
    jobs: int | None,
    *,
    sort: str,
    reverse: bool,
    limit: int | None,
    fmt: str,
    end: str,
    check: bool,
) -> tuple[Sequence[Listed] | bytes | None, Callable[[], int]]:
    """The rows (bytes for --format paths) and the count without -n, from the index; its
    recorded problems reported. The no-change check runs while the query does (as search's):
    the answer is kept when nothing changed, else the index is refreshed and asked again.
    None: the index could not be updated (said as a warning), so the files are read."""
    from newsctl.index.archive import ReadFiles, ask, ask_or_read_files, recorded_problems
    from newsctl.index.search import select, select_paths

    def query() -> tuple[list[PostError | Skipped], Sequence[Listed] | bytes]:
        problems = recorded_problems(archive, drafts=drafts)
        if fmt == "paths":
            return problems, select_paths(archive.db, wanted, archive.scopes, drafts, sort=sort, reverse=reverse,
                                          limit=limit, end=end)  # fmt: skip
        return problems, select(archive.db, wanted, archive.scopes, drafts, sort=sort, reverse=reverse, limit=limit)

    # Through ask: a damaged index is said, rebuilt and asked again, never an internal error.
    found = ask_or_read_files(archive, query, check=check, jobs=jobs, progress=counter("Indexing"))
    if isinstance(found, ReadFiles):
        reporter.reading_files(found.warning or "")
        return None, int

    def total() -> int:
        every = ask(archive, lambda: select(archive.db, wanted, archive.scopes, drafts, sort="path",
                                            reverse=False, paths_only=True), check=False, jobs=jobs)  # fmt: skip
        return len(every)

    problems, rows = found
    for problem in problems:
        reporter.note(problem)
    return rows, total


# list's rendering lives here, not in output/formats.py: formats.py is part of what the index's
# code fingerprint covers (a refresh writes post_record), so every change there rebuilds every
# index; this module is not.


# A file name that is not UTF-8 holds lone surrogates (os.fsdecode), and so does its record:
# kept through the bytes as they are, written out as every other command writes them.
_LONE = "surrogatepass"


class ListedPost:
    """A post read from its file, as a row of ``list``: its path and its JSON record in UTF-8
    (half the memory of text for Chinese titles and their percent-encoded URLs), made as the
    post is read; the post itself is not kept. For the table the record has only what the
    table shows (title, date, categories, tags). (A plain class: a dataclass at module level
    would import dataclasses on every start-up, ``--help`` included.)"""

    __slots__ = ("path", "record")

    def __init__(self, path: str, record: bytes) -> None:
        self.path = path
        self.record = record

    @classmethod
    def of(cls, post: Post) -> ListedPost:
        import json

        from newsctl.output.formats import post_record

        return cls(post.path, json.dumps(post_record(post), ensure_ascii=False).encode("utf-8", _LONE))

    @classmethod
    def cells(cls, post: Post) -> ListedPost:
        import json

        from newsctl.jekyll.dates import iso

        shown = {"title": post.title, "date": iso(post.date) if post.date else None,
                 "categories": post.categories, "tags": post.tags}  # fmt: skip
        return cls(post.path, json.dumps(shown, ensure_ascii=False).encode("utf-8", _LONE))

    def json(self) -> str:
        return self.record.decode("utf-8", _LONE)

    def record_dict(self) -> dict[str, Any]:
        import json

        return dict(json.loads(self.record))

    def post(self) -> Post:
        """A light Post with the record's values, for the tab-separated table."""
        import datetime as dt

        from newsctl.jekyll.post import Post

        record = self.record_dict()
        return Post(
            path=self.path, relative_path="", site_root=None, kind="post", title=record["title"],
            date=dt.datetime.fromisoformat(record["date"]) if record["date"] else None,
            categories=tuple(record["categories"]), tags=tuple(record["tags"]), slug=record.get("slug", ""),
            url=record.get("url"), layout=record.get("layout"), published=record.get("published", True),
            front_matter={}, front_matter_format=None, front_matter_raw="", body="", body_line=1, bom=False,
        )  # fmt: skip


class ListedPath(str):
    """A post as a row of ``list --format paths`` until it is sorted: its path alone (a str, so
    the row is the one string kept per post), then joined into the bytes written."""

    __slots__ = ()

    @classmethod
    def of(cls, post: Post) -> ListedPath:
        # Not __new__(cls, post): a row made in a worker is unpickled by calling __new__ with
        # the string.
        return cls(post.path)

    @property
    def path(self) -> str:
        return self


def _write(rows: Sequence[Listed], fmt: str, out: IO[str], *, null: bool) -> None:
    """``list``'s output in ``fmt``, whichever way the rows were found: the index and the
    files give the same bytes (the JSON array laid out as ``formats.write_json`` lays it out)."""
    from newsctl.output.formats import write_csv, write_paths, write_tsv

    if fmt == "paths":
        write_paths((row.path for row in rows), out, null=null)
    elif fmt == "json":  # written a row at a time: the whole array is never one string
        out.write("[\n  " if rows else "[]\n")
        for number, row in enumerate(rows):
            out.write((",\n  " if number else "") + row.json())
        out.write("\n]\n" if rows else "")
    elif fmt == "jsonl":
        out.writelines(row.json() + "\n" for row in rows)
    elif fmt == "csv":
        write_csv((row.record_dict() for row in rows), out)
    else:
        write_tsv((row.post() for row in rows), out)


def _terminal(rows: Sequence[Listed], *, footer: str, pager: bool) -> None:
    """The table for a person: streamed, laid out by display width, through the pager when
    longer than the screen."""
    from newsctl.output.pager import paged
    from newsctl.output.terminal import Styler, colour, table_lines, width

    cells = []
    for row in rows:
        record = row.record_dict()
        date = (record["date"] or "")[:16].replace("T", " ")
        cells.append((date, ", ".join(record["categories"]), ", ".join(record["tags"]), record["title"], row.path))
    with paged(sys.stdout, enabled=pager) as out:
        out.write_lines(table_lines(cells, width(), Styler(colour()), footer=footer))
