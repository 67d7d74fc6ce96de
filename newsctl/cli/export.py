"""``newsctl export``: one search-engine document per post."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from newsctl.cli.options import Reporter, doing, filter_options, quiet, reading_options, selection

if TYPE_CHECKING:
    from newsctl.errors import PostError
    from newsctl.jekyll.discovery import Found


@click.command("export")
@reading_options
@filter_options
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "es-bulk"]), default="jsonl", show_default=True,
    help="JSON Lines, or the Elasticsearch/OpenSearch _bulk format.",
)  # fmt: skip
@click.option("--index", "index_name", default="posts", show_default=True, help="Index name for --format es-bulk.")
def export_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    since: str | None,
    until: str | None,
    fmt: str,
    index_name: str,
) -> None:
    """Stream one document per post (metadata plus the plain text a reader sees) for a search
    engine: JSON Lines, or Elasticsearch/OpenSearch `_bulk` lines to POST as they are.

    PATHS are files or folders (default: the current folder); the filters select posts as
    `list` does. Exits 1 if any post failed.
    """
    from functools import partial

    from newsctl.export import bulk_lines, export_one
    from newsctl.jekyll.discovery import discover, posts_only
    from newsctl.output.progress import progress
    from newsctl.parallel import parallel_map

    wanted = selection(categories, tags, since, until)
    reporter = Reporter()
    index = index_name if fmt == "es-bulk" else None
    results: Iterator[tuple[str, str] | PostError | Found] = parallel_map(
        partial(export_one, wanted=wanted), posts_only(discover(paths or (".",), drafts=drafts)), jobs=jobs
    )
    documents: Iterator[tuple[str, str]] = reporter.report(results if quiet() else progress(results, "Exporting"))
    exported = 0
    doing(lambda: f"exported {exported} posts")
    for doc_id, doc in documents:
        sys.stdout.write("".join(bulk_lines(doc_id, doc, index=index)))  # one write: a pair stays whole
        exported += 1
    sys.exit(reporter.exit_code())
