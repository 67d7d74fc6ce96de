"""``newsctl export``: one search-engine document per post."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from newsctl.cli.options import (
    Reporter,
    doing,
    filter_options,
    first,
    found_posts,
    limit_options,
    quiet,
    reading_options,
)

if TYPE_CHECKING:
    from newsctl.errors import PostError
    from newsctl.filters import PostFilter
    from newsctl.jekyll.discovery import Found


@click.command("export")
@reading_options
@filter_options
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "es-bulk"]), default="jsonl", show_default=True,
    help="JSON Lines, or the Elasticsearch/OpenSearch _bulk format.",
)  # fmt: skip
@click.option("--index", "index_name", default="posts", show_default=True, help="Index name for --format es-bulk.")
@click.option(
    "--id-prefix", metavar="PREFIX",
    help="_id is PREFIX + the post's path in its site (default: the site's url + the post's URL when"
    " _config.yml sets url, else the post's absolute path).",
)  # fmt: skip
@click.option(
    "--mapping", is_flag=True,
    help="Print the Elasticsearch/OpenSearch index definition (settings and mappings) for the documents, and exit.",
)  # fmt: skip
@click.option(
    "--analyzer", default="cjk", show_default=True, metavar="NAME",
    help="The text analyzer --mapping names (cjk is built in; smartcn, ik_max_word need plugins).",
)  # fmt: skip
@limit_options
def export_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    wanted: PostFilter,
    fmt: str,
    index_name: str,
    id_prefix: str | None,
    mapping: bool,
    analyzer: str,
    limit: int | None,
    reverse: bool,
) -> None:
    """Stream one document per post (metadata, every front-matter field and the plain text a
    reader sees) for a search engine: JSON Lines, or Elasticsearch/OpenSearch `_bulk` lines to
    POST as they are. `--mapping` prints the index definition to create first.

    PATHS are files or folders (default: the current folder); the filters select posts as
    `list` does. Posts come in the order their files are found (names sorted, folder by
    folder); -n counts in that order, --reverse turns it round. Exits 1 if any post failed.
    """
    import functools

    from newsctl.export import bulk_lines, export_one, index_definition
    from newsctl.output.progress import progress
    from newsctl.parallel import parallel_map

    if mapping:
        import json

        sys.stdout.write(json.dumps(index_definition(analyzer), ensure_ascii=False, indent=2) + "\n")
        return
    reporter = Reporter()
    index = index_name if fmt == "es-bulk" else None
    results: Iterator[tuple[str, str] | PostError | Found] = parallel_map(
        functools.partial(export_one, id_prefix=id_prefix, wanted=wanted),
        found_posts(paths, drafts, reverse=reverse),
        jobs=jobs,
    )
    documents: Iterator[tuple[str, str]] = first(
        reporter.report(results if quiet() else progress(results, "Exporting")), limit
    )
    exported = 0
    doing(lambda: f"exported {exported} posts")
    for doc_id, doc in documents:
        sys.stdout.write("".join(bulk_lines(doc_id, doc, index=index)))  # one write: a pair stays whole
        exported += 1
    sys.exit(reporter.exit_code())
