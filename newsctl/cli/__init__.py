"""The ``newsctl`` command line: click commands that parse options, call the core, render.

Start-up stays fast: only click is imported here at module level; the core (PyYAML) and rich
are imported inside the commands that use them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from newsctl import __version__
from newsctl.errors import ERROR, FINDINGS, OK

if TYPE_CHECKING:
    from newsctl.jekyll.post import Post
    from newsctl.parallel import Result

F = TypeVar("F", bound=Callable[..., Any])


class Run:
    """What a command saw while reading posts: what failed, what was skipped, what was missing."""

    def __init__(self) -> None:
        self.failed = 0
        self.skipped = 0
        self.missing = 0

    def posts(self, results: Iterable[Result]) -> Iterator[Post]:
        """The posts among ``results``; every other result is reported on stderr as it comes."""
        from newsctl.jekyll.post import Post

        for result in self.report(results):
            if isinstance(result, Post):
                yield result

    def report(self, results: Iterable[Any]) -> Iterator[Any]:
        """Report failures, skipped and missing files on stderr as they come; pass the rest on."""
        from newsctl.errors import PostError
        from newsctl.jekyll.discovery import Missing, Skipped

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
            else:
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


def filter_options(function: F) -> F:
    """-c/--category, -t/--tag, --since, --until: the filters list, search and stats share."""
    options = [
        click.option("--until", metavar="DATE",
                     help="Only posts on or before DATE (a whole year, month or day is included)."),
        click.option("--since", metavar="DATE",
                     help="Only posts on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD or ISO date-time)."),
        click.option("-t", "--tag", "tags", multiple=True, help="Only posts with this tag (repeatable: any of them)."),
        click.option("-c", "--category", "categories", multiple=True,
                     help="Only posts in this category (repeatable: any of them)."),
    ]  # fmt: skip
    for option in options:
        function = option(function)
    return function


def _selection(categories: tuple[str, ...], tags: tuple[str, ...], since: str | None, until: str | None) -> Any:
    """The PostFilter for the filter options; a bad date is a usage error (exit 2)."""
    from newsctl.errors import UsageError
    from newsctl.filters import PostFilter, parse_bound

    try:
        return PostFilter(
            categories=categories,
            tags=tags,
            since=parse_bound(since, end=False) if since else None,
            until=parse_bound(until, end=True) if until else None,
        )
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


def _paths_format(fmt: str | None, null: bool) -> str:
    """The output format once -0 is taken into account (it implies, and only goes with, paths)."""
    if null and fmt not in (None, "paths"):
        raise click.UsageError("-0/--null goes with --format paths only")
    return "paths" if null else (fmt or "table")


def _read(paths: tuple[str, ...], drafts: bool, jobs: int | None, *, light: bool) -> Iterator[Result]:
    from newsctl.jekyll.discovery import discover
    from newsctl.parallel import load_all

    return _progress(load_all(discover(paths or (".",), drafts=drafts), jobs=jobs, light=light), "Reading")


class _Commands(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader (head, fzf) went away: not an error of ours. Caught here because
            # click's own handler would exit 1.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(OK) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    from newsctl.output.formats import records, write_json, write_jsonl

    run = Run()
    posts = run.posts(_read(paths, drafts, jobs, light=False))
    writer = write_json if fmt == "json" else write_jsonl
    writer(records(posts, full=True, body=not no_body), sys.stdout)
    sys.exit(run.exit_code())


def index_options(function: F) -> F:
    """--no-refresh and --no-index for the commands that read from the index when it exists."""
    function = click.option("--no-index", is_flag=True, help="Read the files even when the archive has an index.")(
        function
    )
    return click.option(
        "--no-refresh", is_flag=True, help="Use the index as it is, without looking for changed files."
    )(function)


class Indexed:
    """An open, refreshed index and the PATHs as scopes in it."""

    def __init__(self, root: Path, db: Any, scopes: list[Any], refreshed: Any) -> None:
        self.root, self.db, self.scopes, self.refreshed = root, db, scopes, refreshed
        # Closed with the command, not whenever the garbage collector gets to it: SQLite shares
        # one open file per process, and an old connection would hide a rebuilt index file.
        click.get_current_context().call_on_close(db.close)

    def report(self, run: Run, drafts: bool) -> None:
        """Posts of the scopes that could not be read, and files Jekyll skips, on stderr (as the
        commands that read files report them)."""
        for path, error, line in self.db.execute(
            "SELECT path, error, error_line FROM posts"
            " WHERE error IS NOT NULL AND (? OR kind != 'draft') ORDER BY path",
            (drafts,),
        ):
            scope = next((s for s in self.scopes if s.contains(path)), None)
            if scope is not None:
                run.failed += 1
                where = f"{scope.display(path)}:{line}" if line else scope.display(path)
                click.echo(f"{where}: error: {error}", err=True)
        for path, reason in self.db.execute("SELECT path, reason FROM skipped ORDER BY path"):
            scope = next((s for s in self.scopes if s.contains(path)), None)
            if scope is not None and (drafts or "_drafts" not in path.split(os.sep)):
                run.skipped += 1
                click.echo(f"{scope.display(path)}: warning: {reason}", err=True)


def _watched(root: Path) -> bool:
    from newsctl.index.watch import fresh

    return fresh(root)


def _open_index(
    paths: tuple[str, ...], jobs: int | None, *, refresh: bool, rebuild: bool = False, must_exist: bool = False
) -> Indexed | None:
    """Open and refresh the index of the archive PATHS are in. With ``must_exist`` (``list``,
    ``stats``), None when there is no index yet, PATHS are not all inside the archive, or the
    index cannot be opened (with a warning): the caller reads the files instead."""
    from newsctl.index.schema import IndexUnusable, connect, index_path
    from newsctl.index.search import OutsideIndex, scopes_for
    from newsctl.project import archive_root

    root = archive_root(list(paths))
    if must_exist:
        if not index_path(root).is_file() or not all(os.path.exists(p) for p in paths):
            return None
        try:
            scopes = scopes_for(root, list(paths))
        except OutsideIndex:
            return None
    else:
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise click.UsageError(f"{missing[0]}: no such file or directory")
        scopes = scopes_for(root, list(paths))
    if rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{index_path(root)}{suffix}").unlink(missing_ok=True)
    import sqlite3

    try:
        db = connect(root)
        stats = None
        # A new (or just rebuilt) index knows nothing yet: --no-refresh cannot mean "answer from it".
        if _never_refreshed(db) or (refresh and not _watched(root)):
            from newsctl.index.refresh import refresh as refresh_index

            # The whole archive is refreshed, whatever PATHS narrow the command to.
            stats = refresh_index(db, root, jobs=jobs, progress=lambda found: _progress(found, "Indexing"))  # type: ignore[arg-type,return-value]
    except (IndexUnusable, sqlite3.Error) as exc:
        if isinstance(exc, sqlite3.Error):
            exc = IndexUnusable(f"cannot update the index {index_path(root)}: {exc}")
        if not must_exist:
            raise exc from None
        click.echo(f"newsctl: warning: {exc}; reading the files", err=True)
        return None
    return Indexed(root, db, scopes, stats)


def _never_refreshed(db: Any) -> bool:
    return db.execute("SELECT 1 FROM meta WHERE key = 'refreshed'").fetchone() is None


@cli.command("list")
@reading_options
@filter_options
@click.option("--sort", type=click.Choice(["date", "title", "path"]), default="date", show_default=True,
              help="Order: date is newest first.")  # fmt: skip
@click.option("--reverse", is_flag=True, help="Reverse the order.")
@click.option("-n", "--limit", type=click.IntRange(min=0), default=None, help="Show at most N posts.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv", "paths"]), default=None,
    help="Output format (default: table; on a pipe the table is tab-separated).",
)  # fmt: skip
@click.option("-0", "--null", is_flag=True, help="Paths separated by NUL, for xargs -0 (implies --format paths).")
@index_options
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
    no_refresh: bool,
    no_index: bool,
) -> None:
    """List posts, newest first, filtered by category, tag and date.

    PATHS are files or folders (default: the current folder). When the archive has an index
    (`newsctl index`), it is refreshed and read instead of every file. Exits 1 when no post
    matches.
    """
    from newsctl.filters import sort_posts
    from newsctl.output.formats import (
        records,
        stdout_is_tty,
        write_csv,
        write_json,
        write_jsonl,
        write_paths,
        write_table,
        write_tsv,
    )

    fmt = _paths_format(fmt, null)
    selection = _selection(categories, tags, since, until)
    run = Run()
    out = sys.stdout
    indexed = None if no_index else _open_index(paths, jobs, refresh=not no_refresh, must_exist=True)
    if indexed is not None:
        from newsctl.index.search import select

        indexed.report(run, drafts)
        paths_only = fmt == "paths" and sort != "title"
        found = select(
            indexed.db,
            selection,
            indexed.scopes,
            drafts,
            sort=sort,
            reverse=reverse,
            limit=limit,
            paths_only=paths_only,
        )
        if fmt == "paths":
            write_paths((row.path for row in found), out, null=null)
        elif fmt in ("json", "jsonl"):
            if fmt == "jsonl":
                out.writelines(row.json() + "\n" for row in found)
            else:
                out.write("[\n  " + ",\n  ".join(row.json() for row in found) + "\n]\n" if found else "[]\n")
        elif fmt == "csv":
            write_csv((row.record_dict() for row in found), out)
        else:
            (write_table if stdout_is_tty() else write_tsv)([row.post() for row in found], out)
        sys.exit(run.exit_code(matched=bool(found)))
    matched = [post for post in run.posts(_read(paths, drafts, jobs, light=True)) if selection.matches(post)]
    rows = sort_posts(matched, sort, reverse=reverse)
    if limit is not None:
        rows = rows[:limit]
    if fmt == "table":
        (write_table if stdout_is_tty() else write_tsv)(rows, out)
    elif fmt == "paths":
        write_paths((post.path for post in rows), out, null=null)
    elif fmt == "csv":
        write_csv(records(rows), out)
    else:
        (write_json if fmt == "json" else write_jsonl)(records(rows), out)
    sys.exit(run.exit_code(matched=bool(rows)))


@cli.command("stats")
@reading_options
@filter_options
@click.option(
    "--by", type=click.Choice(["category", "tag", "year", "month", "day"]), default="month", show_default=True,
    help="What to count posts by.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
    help="A table (with bars on a terminal; tab-separated on a pipe), JSON or CSV.",
)  # fmt: skip
@index_options
def stats_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    since: str | None,
    until: str | None,
    by: str,
    fmt: str,
    no_refresh: bool,
    no_index: bool,
) -> None:
    """Count posts by month (or year, day, category, tag), with the filters of `list`, and the
    totals: posts, size, date range, posts per category, posts with validation errors (when a
    `newsctl validate` cache knows them). Reads the index when the archive has one. Exits 1
    when no post matches.
    """
    import csv
    import json

    from newsctl.output.formats import stdout_is_tty
    from newsctl.stats import collect, from_index, posts_with_errors

    selection = _selection(categories, tags, since, until)
    run = Run()
    indexed = None if no_index else _open_index(paths, jobs, refresh=not no_refresh, must_exist=True)
    if indexed is not None:
        indexed.report(run, drafts)
        stats, matched_paths = from_index(indexed.db, indexed.root, selection, indexed.scopes, drafts, by)  # type: ignore[arg-type]
    else:
        matched = [post for post in run.posts(_read(paths, drafts, jobs, light=True)) if selection.matches(post)]
        stats = collect(matched, by)  # type: ignore[arg-type]
        matched_paths = [post.path for post in matched]
    stats.with_errors = posts_with_errors(list(paths or (".",)), matched_paths)
    rows = stats.rows()
    if fmt == "json":
        payload = {"by": by, "totals": stats.totals(), "counts": [{"key": k, "posts": n} for k, n in rows]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([by, "posts"])
        writer.writerows(rows)
    elif stdout_is_tty():
        _stats_table(stats, rows, by)
    else:
        sys.stdout.writelines(f"{key}\t{count}\n" for key, count in rows)
    sys.exit(run.exit_code(matched=bool(stats.posts)))


def _stats_table(stats: Any, rows: list[tuple[str, int]], by: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    widest = max((count for _, count in rows), default=1)
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column(by, style="cyan", no_wrap=True)
    table.add_column("posts", justify="right")
    table.add_column("", ratio=1)
    for key, count in rows:
        table.add_row(key, str(count), "█" * max(1, round(count / widest * 40)))
    console.print(table)
    totals = stats.totals()
    errors = "unknown (run newsctl validate)" if totals["posts_with_errors"] is None else totals["posts_with_errors"]
    span = f"{totals['first'] or '-'} to {totals['last'] or '-'}"
    console.print(
        f"\n{totals['posts']} posts, {totals['size'] / 1e6:.1f} MB, {span}; "
        f"{len(totals['categories'])} categories; posts with validation errors: {errors}",
        highlight=False,
    )


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--rebuild", is_flag=True, help="Start the index over.")
@click.option("--status", is_flag=True, help="Report counts, size and staleness without refreshing.")
@click.option(
    "--watch", is_flag=True,
    help="Keep running and keep the index current as files change (Linux): commands then skip their own check.",
)  # fmt: skip
def index_command(paths: tuple[str, ...], jobs: int | None, rebuild: bool, status: bool, watch: bool) -> None:
    """Bring the index in .newsctl/index.sqlite at the archive root up to date (search, list
    and stats refresh it themselves; this makes the first build explicit). Exits 1 when some
    posts could not be read; with --status, 1 when the index is out of date.

    With --watch it stays in the foreground (stop it with Ctrl-C or SIGTERM), told of every
    change by the kernel (inotify), and search, list and stats ask it instead of checking
    every file themselves: at a million posts that check is seconds, the question a millisecond.
    """
    import datetime as dt

    from newsctl.index.schema import index_path
    from newsctl.index.schema import status as index_status

    if watch and status:
        raise click.UsageError("--watch and --status cannot be combined")
    if status and not rebuild:
        from newsctl.project import archive_root

        where = index_path(archive_root(list(paths)))
        if not where.is_file():
            click.echo(f"{where}: no index yet (newsctl index builds it)")
            sys.exit(FINDINGS)
    if watch:
        _watch(paths, jobs, rebuild)
        return
    indexed = _open_index(paths, jobs, refresh=not status, rebuild=rebuild)
    assert indexed is not None
    stats = indexed.refreshed
    if stats is not None:
        how = "no change (snapshot)" if stats.quick else (
            f"added {stats.added}, changed {stats.changed}, removed {stats.removed}, unchanged {stats.unchanged}"
        )  # fmt: skip
        click.echo(f"{how} in {stats.seconds:.2f} s", err=True)
    state = index_status(indexed.db, indexed.root, check=status)
    click.echo(
        f"{index_path(indexed.root)}: {state.posts} posts, {state.drafts} drafts, {state.errors} that could not be "
        f"read, {state.skipped} files Jekyll skips; {state.size / 1e6:.1f} MB"
    )
    if status:
        when = dt.datetime.fromtimestamp(state.refreshed).isoformat(" ", "seconds") if state.refreshed else "never"
        fresh = {True: "out of date", False: "up to date", None: "unknown until the next refresh"}[state.stale]
        if state.watched:
            fresh += " (kept current by newsctl index --watch)"
        click.echo(f"last refreshed {when}; {fresh}")
        sys.exit(FINDINGS if state.stale else OK)
    run = Run()
    indexed.report(run, drafts=True)
    sys.exit(run.exit_code())


def _watch(paths: tuple[str, ...], jobs: int | None, rebuild: bool) -> None:
    from newsctl.index.watch import run_until_interrupted, watch

    indexed = _open_index(paths, jobs, refresh=False, rebuild=rebuild)
    assert indexed is not None

    def report(line: str) -> None:
        click.echo(f"newsctl: {line}", err=True)

    run_until_interrupted(lambda: watch(indexed.db, indexed.root, jobs=jobs, report=report))
    report("stopped watching")


@cli.command("search")
@click.argument("query_text", metavar="QUERY")
@reading_options
@filter_options
@click.option(
    "--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
    help="bm25: title matches above body matches, more matches higher (newest first on ties); or newest first.",
)  # fmt: skip
@click.option(
    "-n", "--limit", type=click.IntRange(min=0), default=None, help="At most N posts (default: 20 on a terminal)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv", "paths"]), default=None,
    help="Output format (default: table; on a pipe the table is tab-separated).",
)  # fmt: skip
@click.option("-0", "--null", is_flag=True, help="Paths separated by NUL (implies --format paths).")
@click.option("--no-refresh", is_flag=True, help="Search the index as it is, without looking for changed files.")
def search_command(
    query_text: str,
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    since: str | None,
    until: str | None,
    sort: str,
    limit: int | None,
    fmt: str | None,
    null: bool,
    no_refresh: bool,
) -> None:
    """Find posts by words: several terms must all match, "a phrase", -excluded, a OR b,
    title:term. Any term length works, Chinese included. Exits 0 when something matched, 1 when
    nothing did, 2 on errors (like grep).
    """
    import json

    from newsctl.index.query import parse_query
    from newsctl.index.search import body_of, search, search_paths, snippet
    from newsctl.output.formats import stdout_is_tty, write_csv

    fmt = _paths_format(fmt, null)
    query = parse_query(query_text)
    selection = _selection(categories, tags, since, until)
    if limit is None and stdout_is_tty():
        limit = 20
    # The no-change check runs beside the query (on two cores); the answer is kept only if
    # nothing changed, else the index is refreshed and asked again.
    indexed = _open_index(paths, jobs, refresh=False)
    assert indexed is not None
    from newsctl.index.schema import begin_check
    from newsctl.index.watch import fresh as watched

    pending = None
    if not no_refresh and indexed.refreshed is None and not watched(indexed.root):
        pending = begin_check(indexed.db, indexed.root)
    out = sys.stdout
    options = {"selection": selection, "scopes": indexed.scopes, "drafts": drafts, "sort": sort, "limit": limit}

    def answer() -> Any:
        if fmt == "paths":
            return search_paths(indexed.db, query, **options, end="\0" if null else "\n", jobs=jobs)
        return list(search(indexed.db, query, **options))

    result = answer()
    if pending is not None and not pending.unchanged():
        from newsctl.index.refresh import refresh as refresh_index

        progress = lambda found: _progress(found, "Indexing")  # noqa: E731
        refresh_index(indexed.db, indexed.root, jobs=jobs, progress=progress, full=True)  # type: ignore[arg-type]
        result = answer()
    if fmt == "paths":
        out.flush()
        out.buffer.write(result)
        sys.exit(OK if result else FINDINGS)
    rows = result
    found = []
    for row in rows:
        record = row.record_dict()
        for key in ("slug", "layout", "published"):
            del record[key]
        record["score"] = round(row.score, 4) + 0.0  # no -0.0
        text = body_of(indexed.db, row.id)  # the text is read only for what is shown
        record["snippet"] = snippet(query, row.title, text)[0]
        found.append((row, record, text))
    records = [record for _, record, _ in found]
    if fmt in ("json", "jsonl"):
        if fmt == "json":
            click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        else:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif fmt == "csv":
        write_csv(records, out, ("path", "title", "date", "categories", "tags", "url", "score", "snippet"))
    elif stdout_is_tty():
        _search_table(found, query)
    else:
        for r in records:
            cells = [(r["date"] or "")[:16].replace("T", " "), ", ".join(r["categories"]), r["title"], r["path"]]
            out.write("\t".join(cell.replace("\t", " ") for cell in [*cells, r["snippet"]]) + "\n")
    sys.exit(OK if records else FINDINGS)


def _search_table(found: list[Any], query: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from newsctl.index.search import snippet

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, style in (("date", "cyan"), ("categories", "magenta"), ("title", ""), ("path", "dim"), ("match", "")):
        table.add_column(name, style=style or None, overflow="fold")
    for row, record, body in found:
        text, start, end = snippet(query, row.title, body)
        match = Text(text)
        if end > start:
            match.stylize("bold yellow", start, end)
        date = (record["date"] or "")[:16].replace("T", " ")
        table.add_row(date, ", ".join(record["categories"]), row.title, row.path, match)
    Console().print(table)


@cli.command("export")
@reading_options
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "es-bulk"]), default="jsonl", show_default=True,
    help="JSON Lines, or the Elasticsearch/OpenSearch _bulk format.",
)  # fmt: skip
@click.option("--index", "index_name", default="posts", show_default=True, help="Index name for --format es-bulk.")
def export_command(paths: tuple[str, ...], drafts: bool, jobs: int | None, fmt: str, index_name: str) -> None:
    """Stream one document per post (metadata plus the plain text a reader sees) for a search
    engine: JSON Lines, or Elasticsearch/OpenSearch `_bulk` lines to POST as they are.

    PATHS are files or folders (default: the current folder). Exits 1 if any post failed.
    """
    from newsctl.export import bulk_lines, export_one
    from newsctl.jekyll.discovery import discover
    from newsctl.parallel import parallel_map

    run = Run()
    index = index_name if fmt == "es-bulk" else None
    results = parallel_map(export_one, discover(paths or (".",), drafts=drafts), jobs=jobs)
    for doc_id, doc in run.report(_progress(results, "Exporting")):  # type: ignore[arg-type]
        sys.stdout.writelines(bulk_lines(doc_id, doc, index=index))
    sys.exit(run.exit_code())


def _split_codes(values: tuple[str, ...]) -> list[str] | None:
    codes = [code.strip().upper() for value in values for code in value.split(",") if code.strip()]
    return codes or None


def _stdin_paths() -> list[str]:
    # `git diff --name-only | newsctl validate -`: files the diff deleted are not errors.
    return [line for line in (raw.strip() for raw in sys.stdin) if line and os.path.exists(line)]


@cli.command("validate")
@reading_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "github", "junit", "sarif"]), default="text",
    show_default=True, help="Report format: text for people, the others for CI systems.",
)  # fmt: skip
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules (codes or prefixes, comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (codes or prefixes, comma-separated).")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="Config file (default: the nearest one)."
)
@click.option("--fix", is_flag=True, help="Fix what is unambiguous (BOM, missing date, title whitespace).")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, also make fixes that change what Jekyll publishes.")
@click.option("--no-cache", is_flag=True, help="Check every file again; do not read or write .newsctl/.")
@click.option("--statistics", is_flag=True, help="Also count the findings per rule.")
def validate_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    fmt: str,
    strict: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: str | None,
    fix: bool,
    unsafe_fixes: bool,
    no_cache: bool,
    statistics: bool,
) -> None:
    """Check posts the way CI should: everything that would break the Jekyll build, be dropped
    silently by Jekyll, or publish wrong metadata.

    PATHS are files or folders (default: the current folder); `-` reads paths from stdin, so
    `git diff --name-only origin/main | newsctl validate -` checks what changed.
    Exit codes: 0 clean (warnings allowed), 1 findings, 2 usage, config or internal error.
    """
    import time
    from pathlib import Path

    from newsctl.validate.checks import run_validation

    started = time.perf_counter()
    # With `-` and an empty list on stdin (a diff with no changes) there is nothing to check.
    targets = [p for p in paths if p != "-"] + (_stdin_paths() if "-" in paths else []) if paths else ["."]
    outcome = run_validation(
        targets,
        config_file=Path(config_file) if config_file else None,
        select=_split_codes(select),
        ignore=_split_codes(ignore),
        drafts=drafts,
        jobs=jobs,
        use_cache=not no_cache,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        progress=lambda items: _progress(items, "Checking"),  # type: ignore[arg-type,return-value]
        keep_files=fmt == "junit",  # only JUnit lists the clean files too
    )
    for path in outcome.run.missing:
        click.echo(f"{path}: error: no such file or directory", err=True)
    from newsctl.output.formats import stdout_is_tty
    from newsctl.validate.diagnostics import Summary
    from newsctl.validate.report import render

    run = outcome.run
    summary = Summary.of(run.diagnostics, run.posts_checked, time.perf_counter() - started, len(outcome.fixes))
    strict = strict or outcome.config.strict
    color = fmt == "text" and stdout_is_tty() and not os.environ.get("NO_COLOR")
    render(
        fmt, run.diagnostics, summary, sys.stdout, color=color, statistics=statistics,
        fixes=[str(f) for f in outcome.fixes], files=run.files, strict=strict,
    )  # fmt: skip
    if run.missing:
        sys.exit(ERROR)
    failing = summary.errors + (summary.warnings if strict else 0)
    sys.exit(FINDINGS if failing else OK)


@cli.command("rules")
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(code: str | None, fmt: str) -> None:
    """List the rules of `newsctl validate`, or explain one (`newsctl rules NC206`)."""
    import json

    from newsctl.validate.rules import RULES

    if code is not None:
        rule = RULES.get(code.upper())
        if rule is None:
            raise click.BadParameter(f"no rule {code!r}; `newsctl rules` lists them", param_hint="CODE")
        if fmt == "json":
            click.echo(json.dumps(_rule_record(rule), ensure_ascii=False, indent=2))
            return
        fixable = {"safe": "yes (--fix)", "unsafe": "yes (--fix --unsafe-fixes)", None: "no"}[rule.fix]
        click.echo(f"{rule.code} ({rule.name}): {rule.summary}\n")
        click.echo(f"Severity: {rule.severity}. Fixable: {fixable}.\n")
        click.echo(rule.explanation + "\n")
        click.echo("Bad:\n" + _indent(rule.bad) + "\nGood:\n" + _indent(rule.good))
        return
    if fmt == "json":
        click.echo(json.dumps([_rule_record(r) for r in RULES.values()], ensure_ascii=False, indent=2))
        return
    for rule in RULES.values():
        fix = {"safe": "fix", "unsafe": "unsafe-fix", None: ""}[rule.fix]
        click.echo(f"{rule.code}\t{rule.severity}\t{fix}\t{rule.name}\t{rule.summary}")


@cli.command("convert")
@reading_options
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
def convert_command(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    to: str,
    out_dir: str | None,
    in_place: bool,
    body_only: bool,
    ext: str | None,
    images: str | None,
    links: str | None,
    force: bool,
) -> None:
    """Convert post bodies to Markdown or plain text, keeping the front matter byte for byte.

    PATHS are files or folders (default: the current folder). One post goes to stdout; several
    need --out DIR or --in-place. Posts whose output is newer than the post are skipped (--force
    converts them again). Exit codes: 0 done, 1 some posts failed, 2 usage error.
    """
    from newsctl.convert.body import ConvertOptions
    from newsctl.convert.bulk import Outcome, Tally, convert_all, count_posts, peek_posts, plan
    from newsctl.errors import UsageError
    from newsctl.jekyll.discovery import Missing, Skipped, discover

    if links is not None and to == "markdown":
        raise click.UsageError("--links applies to --to text only (Markdown keeps its links)")
    targets = paths or (".",)
    options = ConvertOptions(to=to, images=images, links=links or "drop")  # type: ignore[arg-type]
    try:
        job = plan(targets, options, out_dir=out_dir, in_place=in_place, body_only=body_only, ext=ext, force=force)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    found = discover(targets, drafts=drafts)
    if job.to_stdout:
        count, found = peek_posts(found, 2)
        if count > 1:
            raise click.UsageError("several posts found: give --out DIR or --in-place (stdout takes one post)")

    tally = Tally()
    results = convert_all(found, job, jobs=jobs)
    if not job.to_stdout and sys.stderr.isatty():
        from newsctl.convert.bulk import with_progress

        results = with_progress(results, tally, lambda: count_posts(targets, drafts=drafts))
    stdout = sys.stdout.buffer
    missing = False
    # Messages go to sys.stderr itself: under the progress bar it is rich's proxy, which prints
    # them above the bar.
    for result in results:
        if isinstance(result, Outcome):
            tally.add(result)
            if result.error is not None:
                click.echo(str(result.error), file=sys.stderr)
            elif result.output is None and result.data is not None:
                stdout.write(result.data)
        elif isinstance(result, Skipped):
            click.echo(f"{result.path}: warning: {result.reason}", file=sys.stderr)
        elif isinstance(result, Missing):
            missing = True
            click.echo(f"{result.path}: error: no such file or directory", file=sys.stderr)
    stdout.flush()
    if not job.to_stdout:
        click.echo(tally.summary(), err=True)
    sys.exit(ERROR if missing else FINDINGS if tally.failed else OK)


@cli.command("show")
@click.argument("post_path", metavar="POST", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--text", "as_text", is_flag=True, help="Show the body as plain text, not Markdown.")
@click.option("--no-pager", is_flag=True, help="Never page, even when the post is longer than the screen.")
def show_command(post_path: str, as_text: bool, no_pager: bool) -> None:
    """Show one post for reading: its metadata, then its body rendered as Markdown.

    At a terminal the output goes through a pager when it is longer than the screen; on a pipe
    it is plain `key: value` lines, a blank line and the converted body.
    """
    from newsctl.convert.bulk import read_post, show_post
    from newsctl.errors import PostError
    from newsctl.output.formats import stdout_is_tty

    try:
        post = read_post(post_path)
        show_post(post, sys.stdout, text=as_text, terminal=stdout_is_tty(), pager=not no_pager)
    except PostError as exc:
        click.echo(str(exc), err=True)
        sys.exit(FINDINGS)


def _rule_record(rule: Any) -> dict[str, Any]:
    return {
        "code": rule.code, "name": rule.name, "severity": rule.severity, "fix": rule.fix,
        "summary": rule.summary, "explanation": rule.explanation, "bad": rule.bad, "good": rule.good,
    }  # fmt: skip


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.splitlines())


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
        cli.main(args=args, prog_name="newsctl")  # a reader that goes away: _Commands.invoke
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
