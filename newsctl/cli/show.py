"""``newsctl show``: one post for reading."""

from __future__ import annotations

import sys

import click

from newsctl.cli.options import Reporter, no_pager_option, quiet_option
from newsctl.errors import FINDINGS


@click.command("show")
@click.argument("post_path", metavar="POST", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--text", "as_text", is_flag=True, help="Show the body as plain text, not Markdown.")
@no_pager_option
@quiet_option
def show_command(post_path: str, as_text: bool, no_pager: bool) -> None:
    """Show one post for reading: its metadata, then its body rendered as Markdown.

    At a terminal the output goes through a pager when it is longer than the screen; on a pipe
    it is plain `key: value` lines, a blank line and the converted body.
    """
    from newsctl.convert.bulk import read_post, show_post
    from newsctl.errors import PostError
    from newsctl.jekyll.discovery import Skipped, classify_file, posts_only
    from newsctl.output.formats import stdout_is_tty

    found = next(posts_only([classify_file(post_path)]))
    if isinstance(found, Skipped):  # not a post (a page, _config.yml) or not a regular file
        reporter = Reporter()
        reporter.skip(found.path, found.reason)
        sys.exit(FINDINGS)
    try:
        post = read_post(post_path)
        show_post(post, sys.stdout, text=as_text, terminal=stdout_is_tty(), pager=not no_pager)
    except PostError as exc:
        reporter = Reporter()
        reporter.failure(exc)
        sys.exit(reporter.exit_code())
