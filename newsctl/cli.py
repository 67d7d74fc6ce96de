"""The ``newsctl`` command line: click commands that parse options, call the core, render.

Start-up stays fast: only click is imported here at module level; the core (PyYAML) and rich
are imported inside the commands that use them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

from newsctl import __version__
from newsctl.exitcodes import ERROR, FINDINGS, OK

if TYPE_CHECKING:
    from newsctl.batch import Result
    from newsctl.post import Post

F = TypeVar("F", bound=Callable[..., Any])


class Run:
    """What a command saw while reading posts: what failed, what was skipped, what was missing."""

    def __init__(self) -> None:
        self.failed = 0
        self.skipped = 0
        self.missing = 0

    def posts(self, results: Iterable[Result]) -> Iterator[Post]:
        """The posts among ``results``; every other result is reported on stderr as it comes."""
        from newsctl.discovery import Missing, Skipped
        from newsctl.errors import PostError
        from newsctl.post import Post

        for result in results:
            if isinstance(result, PostError):
                self.failed += 1
                click.echo(str(result), err=True)
            elif isinstance(result, Skipped):
                self.skipped += 1
                click.echo(f"{result.path}: warning: {result.reason}", err=True)
            elif isinstance(result, Missing):
                self.missing += 1
                click.echo(f"{result.path}: error: no such file or directory", err=True)
            elif isinstance(result, Post):
                yield result

    def exit_code(self, *, matched: bool = True) -> int:
        if self.missing:
            return ERROR
        if self.failed or not matched:
            return FINDINGS
        return OK


def _progress(items: Iterable[Result], label: str) -> Iterator[Result]:
    """A live counter on stderr for long reads, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description} {task.completed} files"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None)
        for count, item in enumerate(items, 1):
            if count % 200 == 0:
                progress.update(task, completed=count)
            yield item


def reading_options(function: F) -> F:
    """PATHS, --drafts and --jobs: how posts are found and read, shared by every command."""
    function = click.option(
        "-j", "--jobs", type=click.IntRange(min=1), default=None,
        help="Worker processes (default: all cores).",
    )(function)  # fmt: skip
    function = click.option("--drafts", is_flag=True, help="Also read _drafts/, as `jekyll build --drafts`.")(function)
    return click.argument("paths", nargs=-1, type=click.Path(path_type=str))(function)


def _read(paths: tuple[str, ...], drafts: bool, jobs: int | None, *, light: bool) -> Iterator[Result]:
    from newsctl.batch import load_all
    from newsctl.discovery import discover

    return _progress(load_all(discover(paths or (".",), drafts=drafts), jobs=jobs, light=light), "Reading")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="newsctl")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
def cli(debug: bool) -> None:
    """Parse, list and check archives of Jekyll news posts, exactly as Jekyll 4 reads them.

    Exit codes: 0 success, 1 findings (no match, posts that failed), 2 usage or internal error.
    """


@cli.command("parse")
@reading_options
@click.option(
    "--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True,
    help="A JSON array, or one JSON object per line.",
)  # fmt: skip
@click.option("--no-body", is_flag=True, help="Leave the body out of each object.")
def parse_command(paths: tuple[str, ...], drafts: bool, jobs: int | None, fmt: str, no_body: bool) -> None:
    """Print each post as JSON: path, title, date, categories, tags, slug, url, layout,
    published, front_matter, body.

    PATHS are files or folders (default: the current folder).
    """
    from newsctl.render import records, write_json, write_jsonl

    run = Run()
    posts = run.posts(_read(paths, drafts, jobs, light=False))
    writer = write_json if fmt == "json" else write_jsonl
    writer(records(posts, full=True, body=not no_body), sys.stdout)
    sys.exit(run.exit_code())


@cli.command("list")
@reading_options
@click.option(
    "-c", "--category", "categories", multiple=True, help="Only posts in this category (repeatable: any of them)."
)
@click.option("-t", "--tag", "tags", multiple=True, help="Only posts with this tag (repeatable: any of them).")
@click.option(
    "--since", metavar="DATE", help="Only posts on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD or ISO date-time)."
)
@click.option("--until", metavar="DATE", help="Only posts on or before DATE (a whole year, month or day is included).")
@click.option("--sort", type=click.Choice(["date", "title", "path"]), default="date", show_default=True,
              help="Order: date is newest first.")  # fmt: skip
@click.option("--reverse", is_flag=True, help="Reverse the order.")
@click.option("-n", "--limit", type=click.IntRange(min=0), default=None, help="Show at most N posts.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv", "paths"]), default=None,
    help="Output format (default: table; on a pipe the table is tab-separated).",
)  # fmt: skip
@click.option("-0", "--null", is_flag=True, help="Paths separated by NUL, for xargs -0 (implies --format paths).")
def list_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    since: str | None,
    until: str | None,
    sort: str,
    reverse: bool,
    limit: int | None,
    fmt: str | None,
    null: bool,
) -> None:
    """List posts, newest first, filtered by category, tag and date.

    PATHS are files or folders (default: the current folder). Exits 1 when no post matches.
    """
    from newsctl.errors import UsageError
    from newsctl.filters import PostFilter, parse_bound, sort_posts
    from newsctl.render import (
        records,
        stdout_is_tty,
        write_csv,
        write_json,
        write_jsonl,
        write_paths,
        write_table,
        write_tsv,
    )

    if null and fmt not in (None, "paths"):
        raise click.UsageError("-0/--null goes with --format paths only")
    fmt = "paths" if null else (fmt or "table")
    try:
        selection = PostFilter(
            categories=categories,
            tags=tags,
            since=parse_bound(since, end=False) if since else None,
            until=parse_bound(until, end=True) if until else None,
        )
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None

    run = Run()
    matched = [post for post in run.posts(_read(paths, drafts, jobs, light=True)) if selection.matches(post)]
    rows = sort_posts(matched, sort, reverse=reverse)
    if limit is not None:
        rows = rows[:limit]
    out = sys.stdout
    if fmt == "table":
        (write_table if stdout_is_tty() else write_tsv)(rows, out)
    elif fmt == "paths":
        write_paths((post.path for post in rows), out, null=null)
    elif fmt == "csv":
        write_csv(records(rows), out)
    else:
        (write_json if fmt == "json" else write_jsonl)(records(rows), out)
    sys.exit(run.exit_code(matched=bool(rows)))


def main(argv: list[str] | None = None) -> None:
    """Entry point: no traceback reaches a user unless --debug asks for it."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # Paths that are not valid UTF-8 are written back as the same bytes.
            reconfigure(encoding="utf-8", errors="surrogateescape")
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="newsctl")
    except BrokenPipeError:
        # The reader (head, fzf) went away: that is not an error of ours.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(OK)
    except KeyboardInterrupt:
        click.echo("newsctl: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        from newsctl.errors import NewsctlError

        if isinstance(exc, NewsctlError):
            click.echo(f"newsctl: error: {exc}", err=True)
            sys.exit(ERROR)
        if debug:
            raise
        click.echo(f"newsctl: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)", err=True)
        sys.exit(ERROR)
