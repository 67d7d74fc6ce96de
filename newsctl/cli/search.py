"""``newsctl search``: posts by words, from the index."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

import click

from newsctl.cli.options import (
    NO_REFRESH_HELP,
    Reporter,
    counter,
    filter_options,
    limit_option,
    listing_format_options,
    no_pager_option,
    open_archive,
    paths_format,
    reading_options,
)

if TYPE_CHECKING:
    from newsctl.filters import PostFilter
    from newsctl.index.archive import Archive
    from newsctl.index.query import Query
    from newsctl.index.search import Row


class _QueryCommand(click.Command):
    """A query that starts with ``-`` (an exclusion) reads as an option to click: say how to
    pass it instead of only "No such option '-银'"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            hint = "a query that starts with '-' is not an option: put -- before the query"
            message = f"{exc.format_message().rstrip('.')}; {hint} (newsctl search -- '-word other')"
            raise click.UsageError(message, ctx=exc.ctx) from None


@click.command("search", cls=_QueryCommand)
@click.argument("query_text", metavar="QUERY")
@reading_options
@filter_options
@click.option(
    "--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
    help="match count: title matches above body matches, more matches higher (newest first on ties); or newest first.",
)  # fmt: skip
@limit_option
@listing_format_options
@click.option("--count", is_flag=True, help="Print only the number of matching posts (exit 1 when 0, as grep -c).")
@no_pager_option
@click.option("--no-refresh", is_flag=True, help=NO_REFRESH_HELP)
def search_command(
    query_text: str,
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    wanted: PostFilter,
    sort: str,
    limit: int | None,
    fmt: str | None,
    null: bool,
    count: bool,
    no_pager: bool,
    no_refresh: bool,
) -> None:
    """Find posts by words: several terms must all match, "a phrase", -excluded, a OR b,
    title:term. Any term length works, Chinese included. -n counts in the --sort order (default:
    20 on a terminal; there is no --reverse: the best match comes first). Exits 0 when something matched, 1 when
    nothing did, 2 on errors (like grep).
    """
    from newsctl.index.archive import ask
    from newsctl.index.query import parse_query
    from newsctl.index.search import search, search_paths
    from newsctl.output.formats import stdout_is_tty

    fmt = paths_format(fmt, null)
    query = parse_query(query_text)
    terminal = fmt == "table" and not count and stdout_is_tty()
    if limit is None and terminal:
        limit = 20
    archive = open_archive(paths, jobs, refresh=False)
    scopes = archive.scopes
    reporter = Reporter()

    def found_paths(end: str, limit: int | None, check: bool, order: str = sort) -> bytes:
        # order "date" when only the number of matches is wanted: no text is counted in.
        return ask(
            archive,
            lambda: search_paths(
                archive.db, query, selection=wanted, scopes=scopes, drafts=drafts, sort=order, limit=limit,
                end=end, jobs=jobs,
            ),
            check=check, jobs=jobs, progress=counter("Indexing"),
        )  # fmt: skip

    if count:
        number = found_paths(NUL, limit, not no_refresh, "date").count(NUL.encode())
        click.echo(number)
        sys.exit(reporter.exit_code(matched=bool(number)))
    if fmt == "paths":
        found = found_paths("\0" if null else "\n", limit, not no_refresh)
        sys.stdout.flush()
        sys.stdout.buffer.write(found)
        sys.exit(reporter.exit_code(matched=bool(found)))
    # The snippets are read inside ask too: a damaged index found there is rebuilt like one
    # found by the search itself. At a terminal they hold a line's worth of text either side,
    # so that the line is cut (with "…") where the screen ends, not where the snippet does.
    from newsctl.output.terminal import width

    context = width() if terminal else 36
    matches = ask(
        archive,
        lambda: [
            _match(archive, query, row, context)
            for row in search(archive.db, query, selection=wanted, scopes=scopes, drafts=drafts, sort=sort, limit=limit)
        ],
        check=not no_refresh, jobs=jobs, progress=counter("Indexing"),
    )  # fmt: skip
    code = reporter.exit_code(matched=bool(matches))
    if terminal:
        total = found_paths(NUL, None, False, "date").count(NUL.encode()) if len(matches) == limit else len(matches)
        footer = f"{len(matches)} of {total} · -n to show more" if total > len(matches) else ""
        _hits(matches, footer=footer, pager=not no_pager)
    else:
        _write(matches, fmt, sys.stdout)
    sys.exit(code)


def _match(archive: Archive, query: Query, row: Row, context: int = 36) -> Match:
    """One result as shown; its indexed text is fetched only for what is shown, with
    ``context`` characters either side of the match in the snippet."""
    from newsctl.index.search import body_of, snippet

    record = row.record_dict()
    for key in ("slug", "layout", "published"):
        del record[key]
    record["score"] = round(row.score, 4) + 0.0  # no -0.0
    text, start, end = snippet(query, row.title, body_of(archive.db, row.id), context)
    record["snippet"] = text
    return Match(record, start, end)


NUL = "\0"

# search's rendering lives here, not in output/formats.py: formats.py is part of what the
# index's code fingerprint covers, so every change there rebuilds every index; this is not.
COLUMNS = ("path", "title", "date", "categories", "tags", "url", "score", "snippet")


class Match:
    """One search result as shown: its record (with score and snippet) and where the snippet
    matched (``start`` to ``end``, for the highlight at a terminal). A plain class: a dataclass
    or NamedTuple built at import would slow every start-up, ``--help`` included."""

    __slots__ = ("end", "record", "start")

    def __init__(self, record: dict[str, Any], start: int, end: int) -> None:
        self.record, self.start, self.end = record, start, end


def _write(matches: Sequence[Match], fmt: str, out: IO[str]) -> None:
    """The results in ``fmt`` (table, json, jsonl, csv; paths is written by the index itself):
    a rich table at a terminal, tab-separated lines on a pipe."""
    import json

    from newsctl.output.formats import write_csv

    records = [match.record for match in matches]
    if fmt == "json":
        out.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "jsonl":
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif fmt == "csv":
        write_csv(records, out, COLUMNS)
    else:
        for r in records:
            cells = [_minute(r["date"]), ", ".join(r["categories"]), r["title"], r["path"], r["snippet"]]
            out.write("\t".join(cell.replace("\t", " ") for cell in cells) + "\n")


def _minute(iso_date: str | None) -> str:
    return (iso_date or "")[:16].replace("T", " ")


def _hits(matches: Sequence[Match], *, footer: str, pager: bool) -> None:
    """The results for a person: two lines each (the post; the snippet with the match
    highlighted), through the pager when longer than the screen."""
    from newsctl.output.pager import paged
    from newsctl.output.terminal import Styler, colour, hit_lines, width

    style, columns = Styler(colour()), width()
    hits = []
    for match in matches:
        r = match.record
        head = ((r["date"] or "")[:10], ", ".join(r["categories"]), r["title"], r["path"])
        hits.append((head, r["snippet"], match.start, match.end))
    with paged(sys.stdout, enabled=pager) as out:
        out.write_lines(hit_lines(hits, columns, style))
        if footer:
            out.write_lines([style(footer, "dim")])
