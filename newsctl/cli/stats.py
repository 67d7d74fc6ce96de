"""``newsctl stats``: counts by month (or year, ISO week, day, category, tag) and totals."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING

import click

from newsctl.cli.options import (
    FormatChoice,
    Reporter,
    filter_options,
    index_options,
    indexed,
    limit_options,
    read_posts,
    reading_options,
    will_exit,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from newsctl.filters import PostFilter
    from newsctl.jekyll.post import Post
    from newsctl.stats import By, Stats


@click.command("stats")
@reading_options
@filter_options
@click.option(
    "--by", type=click.Choice(["category", "tag", "year", "month", "week", "day"]), default="month",
    show_default=True, help="What to count posts by (week: ISO weeks, 2024-W03).",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=FormatChoice(["text", "json", "csv"], text_as="table"), default="text", show_default=True,
    help="A table (with bars on a terminal; tab-separated on a pipe), JSON or CSV.",
)  # fmt: skip
@click.option(
    "--top", type=click.IntRange(min=1), metavar="N",
    help="Only the N largest rows (largest first); the totals still count every post.",
)  # fmt: skip
@limit_options
@index_options
def stats_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    wanted: PostFilter,
    by: By,  # click.Choice gives exactly these values
    fmt: str,
    top: int | None,
    limit: int | None,
    reverse: bool,
    no_refresh: bool,
    no_index: bool,
) -> None:
    """Count posts by month (or year, ISO week, day, category, tag), with the filters of `list`, and the
    totals: posts, size, date range, posts per category, posts with validation errors (when a
    `newsctl validate` cache knows them). Reads the index when the archive has one. Exits 1
    when no post matches. Rows come oldest first (categories and tags: most posts first; --top:
    largest first); -n counts rows in that order, --reverse turns it round (--by day --reverse
    -n 7: the last 7 days, newest first); the totals still count every post.
    """
    from newsctl.stats import collect, from_index, posts_with_errors

    reporter = Reporter()
    archive = indexed(reporter, paths, drafts, jobs, no_index=no_index, no_refresh=no_refresh)
    if archive is not None:
        from newsctl.index.archive import ask

        # Through ask: a damaged index is said, rebuilt and asked again, never an internal error.
        stats, matched_paths = ask(
            archive, lambda: from_index(archive.db, archive.root, wanted, archive.scopes, drafts, by), check=False,
            jobs=jobs,
        )  # fmt: skip
    else:
        matched_paths = []  # of the posts counted (for the validation cache); the posts are let go

        def matched() -> Iterator[Post]:
            for post in reporter.posts(read_posts(paths, drafts, jobs, light=True)):
                if wanted.matches(post):
                    matched_paths.append(post.path)
                    yield post

        stats = collect(matched(), by)
    stats.with_errors = posts_with_errors(list(paths or (".",)), matched_paths)
    code = will_exit(reporter.exit_code(matched=bool(stats.posts)))
    rows = stats.rows(top)
    _write(stats, fmt, sys.stdout, (rows[::-1] if reverse else rows)[:limit])
    sys.exit(code)


# stats's rendering lives here, not in output/formats.py: formats.py is part of what the
# index's code fingerprint covers, so every change there rebuilds every index; this is not.


def _write(stats: Stats, fmt: str, out: IO[str], shown: list[tuple[str | None, int]]) -> None:
    """``stats``'s output of the rows ``shown`` (and the totals): JSON, CSV, a table with bars
    at a terminal, tab-separated on a pipe."""
    import json

    from newsctl.output.formats import stdout_is_tty

    if fmt == "json":  # null, not a label, for the posts without a category (tag, date)
        counts = [{"key": k, "posts": n} for k, n in shown]
        payload = {"by": stats.by, "totals": stats.totals(), "counts": counts}
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    rows = [(_label(key, stats.by), count) for key, count in shown]
    if fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([stats.by, "posts"])
        writer.writerows(rows)
    elif stdout_is_tty():
        _table(stats, rows, out)
    else:
        out.writelines(f"{key}\t{count}\n" for key, count in rows)


def _label(key: str | None, by: str) -> str:
    """A bucket as people read it: posts without a category (tag, date) are ``(none)`` (``(no date)``)."""
    if key is not None:
        return key
    return "(none)" if by in ("category", "tag") else "(no date)"


BAR = "\u2588"


def _table(stats: Stats, rows: list[tuple[str, int]], out: IO[str]) -> None:
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out)
    widest = max((count for _, count in rows), default=0) or 1
    # The bar column takes what the key and count columns leave of the line (2 spaces between).
    keys = max([cell_len(stats.by), *(cell_len(key) for key, _ in rows)])
    room = max(10, console.width - keys - max(len("posts"), len(f"{widest}")) - 4)
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column(stats.by, style="cyan", no_wrap=True)
    table.add_column("posts", justify="right")
    table.add_column("", no_wrap=True, overflow="crop")
    for key, count in rows:
        # Any post gets at least one block, so a quiet month is not mistaken for an empty one.
        table.add_row(key, str(count), BAR * (max(1, round(count / widest * room)) if count else 0))
    console.print(table)
    totals = stats.totals()
    errors = "unknown (run newsctl validate)" if totals["posts_with_errors"] is None else totals["posts_with_errors"]
    span = f"{totals['first'] or '-'} to {totals['last'] or '-'}"
    console.print(
        f"\n{totals['posts']} posts, {totals['size'] / 1e6:.1f} MB, {span}; "
        f"{len(totals['categories'])} categories; posts with validation errors: {errors}",
        highlight=False,
    )
