"""``newsctl convert``: post bodies to Markdown or plain text."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Literal

import click

from newsctl.cli.options import Reporter, doing, filter_options, quiet, reading_options

if TYPE_CHECKING:
    from newsctl.convert.body import ConvertOptions, Target
    from newsctl.filters import PostFilter


@click.command("convert")
@reading_options
@filter_options
@click.option("--to", "to", type=click.Choice(["markdown", "text"]), default="markdown", show_default=True,
              help="Write the body as Markdown or as plain text.")  # fmt: skip
@click.option("--out", "out_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=str),
              help="Write the outputs below DIR, mirroring the input paths.")  # fmt: skip
@click.option("--in-place", is_flag=True, help="Rewrite the posts (Markdown only; .html posts need --ext md).")
@click.option("--body-only", is_flag=True, help="Leave the front matter out of the output.")
@click.option("--ext", metavar="EXT", help="Extension of the outputs (default: the post's for Markdown, txt for text).")
@click.option("--images", type=click.Choice(["keep", "alt", "drop"]), default=None,
              help="Images: keep them (Markdown), their alt text, or drop them (default: keep for Markdown, "
                   "drop for text).")  # fmt: skip
@click.option("--links", type=click.Choice(["inline", "footnotes", "drop"]), default=None,
              help="Text only: link URLs after the link text, as footnotes, or dropped (default).")  # fmt: skip
@click.option("--force", is_flag=True, help="Convert again posts whose output is newer than the post.")
@click.option("--stdin-filename", metavar="NAME", default="stdin.md",
              help="With `-` (one post on stdin): the post's file name, for Jekyll's date, slug and site rules "
                   "(default: stdin.md).")  # fmt: skip
def convert_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    wanted: PostFilter,
    to: Target,  # click.Choice gives exactly these values, and so for images and links
    out_dir: str | None,
    in_place: bool,
    body_only: bool,
    ext: str | None,
    images: Literal["keep", "alt", "drop"] | None,
    links: Literal["inline", "footnotes", "drop"] | None,
    force: bool,
    stdin_filename: str,
) -> None:
    """Convert post bodies to Markdown or plain text, keeping the front matter byte for byte.

    PATHS are files or folders (default: the current folder); the filters select posts as
    `list` does. One post goes to stdout; several need --out DIR or --in-place. Posts whose
    output is newer than the post are skipped (--force converts them again). A post that
    another process changes while it is converted is read again, never overwritten. Exit
    codes: 0 done, 1 some posts failed or were left as they were (changed meanwhile, a link
    out of the archive), 2 usage error.
    """
    import dataclasses

    from newsctl.convert.body import ConvertOptions
    from newsctl.convert.bulk import Tally, convert_all, count_posts, peek_posts, plan
    from newsctl.errors import UsageError
    from newsctl.filters import PostFilter
    from newsctl.jekyll.discovery import discover, posts_only

    if links is not None and to == "markdown":
        raise click.UsageError("--links applies to --to text only (Markdown keeps its links)")
    targets = paths or (".",)
    options = ConvertOptions(to=to, images=images, links=links or "drop")
    if "-" in paths:
        _convert_stdin(paths, options, wanted, stdin_filename, out_dir=out_dir, in_place=in_place, body_only=body_only)
    try:
        job = plan(targets, options, out_dir=out_dir, in_place=in_place, body_only=body_only, ext=ext, force=force)
        job = dataclasses.replace(job, wanted=None if wanted == PostFilter() else wanted)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    found = posts_only(discover(targets, drafts=drafts))
    if job.to_stdout:
        count, found = peek_posts(found, 2)
        if count > 1:
            raise click.UsageError("several posts found: give --out DIR or --in-place (stdout takes one post)")

    tally = Tally()
    doing(tally.done)
    results = convert_all(found, job, jobs=jobs)
    if not job.to_stdout and sys.stderr.isatty() and not quiet():
        from newsctl.convert.bulk import with_progress

        results = with_progress(results, tally, lambda: tally.count(count_posts(targets, drafts=drafts)))
    stdout = sys.stdout.buffer
    reporter = Reporter()  # writes to sys.stderr as it is: under the progress bar, rich's proxy
    for outcome in reporter.report(results):
        tally.add(outcome)
        if outcome.error is not None:
            reporter.failure(outcome.error)
        elif outcome.output is None and outcome.data is not None:
            stdout.write(outcome.data)
    stdout.flush()
    if not job.to_stdout and not quiet():
        click.echo(tally.summary(), err=True)
    sys.exit(reporter.exit_code())


def _convert_stdin(
    paths: tuple[str, ...],
    options: ConvertOptions,
    wanted: PostFilter,
    name: str,
    *,
    out_dir: str | None,
    in_place: bool,
    body_only: bool,
) -> None:
    """``convert -``: the one post on stdin, converted to stdout; exits."""
    from newsctl.convert.bulk import ConvertJob, convert_data
    from newsctl.errors import PostError
    from newsctl.filters import PostFilter

    if len(paths) > 1:
        raise click.UsageError("`-` (one post on stdin) goes alone; to convert files listed on stdin use xargs")
    if out_dir is not None or in_place:
        raise click.UsageError("a post on stdin is written to stdout: --out and --in-place do not apply")
    if wanted != PostFilter():
        raise click.UsageError("the filters select among files; a post on stdin is converted as it is")
    reporter = Reporter()
    try:
        text = convert_data(sys.stdin.buffer.read(), name, ConvertJob(options=options, body_only=body_only))
    except PostError as exc:
        reporter.failure(exc)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    sys.exit(reporter.exit_code())
