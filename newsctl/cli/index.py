"""``newsctl index``: build or refresh the index, report on it, or keep it current."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from newsctl.cli.options import Reporter, counter, jobs_option, open_archive, quiet, quiet_option
from newsctl.errors import FINDINGS, INTERRUPTED, OK

if TYPE_CHECKING:
    from newsctl.index.archive import Archive
    from newsctl.index.refresh import Refresh


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@jobs_option
@quiet_option
@click.option("--rebuild", is_flag=True, help="Start the index over.")
@click.option("--status", is_flag=True, help="Report counts, size and staleness without refreshing.")
@click.option(
    "--watch", is_flag=True,
    help="Keep running and keep the index current as files change (Linux): commands then skip their own check.",
)  # fmt: skip
@click.option(
    "--check", is_flag=True,
    help="Also run SQLite's quick check of every page (about 15 ms per 1,000 posts); rebuild a damaged index.",
)  # fmt: skip
def index_command(
    paths: tuple[str, ...], jobs: int | None, rebuild: bool, status: bool, watch: bool, check: bool
) -> None:
    """Bring the index in .newsctl/index.sqlite at the archive root up to date (search, list
    and stats refresh it themselves; this makes the first build explicit). Exits 1 when some
    posts could not be read; with --status, 1 when the index is out of date.

    With --watch it stays in the foreground (stop it with Ctrl-C or SIGTERM), told of every
    change by the kernel (inotify), and search, list and stats ask it instead of checking
    every file themselves: at a million posts that check is seconds, the question a millisecond.
    -q says no progress (the refresh's counts, what the watcher does) and no warnings; the
    summary on stdout and errors are still written.
    """
    from newsctl.index.archive import check_integrity, index_location, recorded_problems

    if watch and status:
        raise click.UsageError("--watch and --status cannot be combined")
    if status and not rebuild:
        where = index_location(paths)
        if not where.is_file():
            click.echo(f"{where}: no index yet (newsctl index builds it)")
            sys.exit(FINDINGS)
    if watch:
        _watch(paths, jobs, rebuild)
        return
    archive = _open(paths, jobs, refresh=not status, rebuild=rebuild)
    if check and not status:
        # Opt-in: a damaged page is found anyway by the query or refresh that reads it, and the
        # whole-file check would make a no-change `index` of 100,000 posts 0.36 -> 1.0 s.
        check_integrity(archive, jobs=jobs, progress=counter("Indexing"))
    if archive.refreshed is not None and not quiet():
        click.echo(_refreshed(archive.refreshed), err=True)
    state = archive.status(check=status)
    click.echo(
        f"{archive.path}: {state.posts} posts, {state.drafts} drafts, {state.errors} that could not be "
        f"read, {state.skipped} files Jekyll skips; {state.size / 1e6:.1f} MB"
    )
    if status:
        import datetime as dt

        when = dt.datetime.fromtimestamp(state.refreshed).isoformat(" ", "seconds") if state.refreshed else "never"
        fresh = {True: "out of date", False: "up to date", None: "unknown until the next refresh"}[state.stale]
        if state.watched:
            fresh += " (kept current by newsctl index --watch)"
        click.echo(f"last refreshed {when}; {fresh}")
        sys.exit(FINDINGS if state.stale else OK)
    reporter = Reporter()
    for problem in recorded_problems(archive, drafts=True):
        reporter.note(problem)
    sys.exit(reporter.exit_code())


def _open(paths: tuple[str, ...], jobs: int | None, *, refresh: bool, rebuild: bool) -> Archive:
    """The archive's index, refreshed; on Ctrl-C, what was done is said before exiting 130."""
    from newsctl.index.refresh import RefreshInterrupted

    try:
        return open_archive(paths, jobs, refresh=refresh, rebuild=rebuild)
    except RefreshInterrupted as exc:
        done = exc.stats.added + exc.stats.changed
        click.echo(
            f"newsctl: interrupted: indexed {done} new or changed post{'' if done == 1 else 's'}; the index is"
            " consistent, run newsctl index to finish",
            err=True,
        )
        # Said here, with what was done: exit 130 without the general "interrupted" line.
        raise click.exceptions.Exit(INTERRUPTED) from None


def _refreshed(stats: Refresh) -> str:
    how = "no change (snapshot)" if stats.quick else (
        f"added {stats.added}, changed {stats.changed}, removed {stats.removed}, unchanged {stats.unchanged}"
    )  # fmt: skip
    return f"{how} in {stats.seconds:.2f} s"


def _watch(paths: tuple[str, ...], jobs: int | None, rebuild: bool) -> None:
    from newsctl.index.archive import keep_current

    archive = open_archive(paths, jobs, refresh=False, rebuild=rebuild)

    def report(line: str) -> None:
        if not quiet():
            click.echo(f"newsctl: {line}", err=True)

    keep_current(archive, jobs=jobs, report=report)
    report("stopped watching")
