"""``newsctl parse``: every post as JSON."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from newsctl.cli.options import Reporter, filter_options, first, limit_options, read_posts, reading_options

if TYPE_CHECKING:
    from newsctl.filters import PostFilter


@click.command("parse")
@reading_options
@filter_options
@click.option(
    "--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True,
    help="A JSON array, or one JSON object per line.",
)  # fmt: skip
@click.option("--no-body", is_flag=True, help="Leave the body out of each object.")
@limit_options
def parse_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    wanted: PostFilter,
    fmt: str,
    no_body: bool,
    limit: int | None,
    reverse: bool,
) -> None:
    """Print each post as JSON: path, title, date, categories, tags, slug, url, layout,
    published, front_matter, body.

    PATHS are files or folders (default: the current folder). The filters select posts as
    `list` does. Posts come in the order their files are found (names sorted, folder by
    folder); -n counts in that order, --reverse turns it round (-n 5 --reverse: the last 5).
    """
    from newsctl.output.formats import records, write_json, write_jsonl

    reporter = Reporter()
    read = reporter.posts(read_posts(paths, drafts, jobs, light=False, reverse=reverse))
    posts = first((post for post in read if wanted.matches(post)), limit)
    writer = write_json if fmt == "json" else write_jsonl
    writer(records(posts, full=True, body=not no_body), sys.stdout)
    sys.exit(reporter.exit_code())
