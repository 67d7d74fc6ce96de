"""What the commands share: the option decorators (how posts are found and read, the filters,
the index options, the listing formats), and the Reporter, the one place that words the
messages about posts that failed, files skipped and paths missing, and turns them into the
exit code.

Only click is imported at module level; everything else is imported when a command runs.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from newsctl.errors import ERROR, FINDINGS, OK

if TYPE_CHECKING:
    from newsctl.errors import PostError
    from newsctl.filters import PostFilter
    from newsctl.index.archive import Archive, Progress
    from newsctl.jekyll.discovery import Found, Missing, Skipped
    from newsctl.jekyll.post import Post, Result

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: ``ctx.meta`` key: the exit code a command will return, set before it writes its output, so
#: that a reader closing the pipe early (``| head -1``) never turns it into 0 (see
#: ``cli._Commands``). Without it, the Reporter's counts so far decide.
EXIT_CODE = "newsctl.exit_code"
REPORTER = "newsctl.reporter"
#: ``ctx.meta`` key: what a command has done so far, for the line Ctrl-C prints
#: (``converted 3 of 10``), as a function called when the interrupt comes.
PROGRESS = "newsctl.progress"
#: ``ctx.meta`` key: -q/--quiet was given (warnings and progress are not shown; errors are).
QUIET = "newsctl.quiet"


def quiet() -> bool:
    """Whether the running command was given -q/--quiet."""
    context = click.get_current_context(silent=True)
    return context is not None and bool(context.meta.get(QUIET))


def _set_quiet(context: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        context.meta[QUIET] = True


def quiet_option(function: F) -> F:
    """-q/--quiet: no warnings and no progress; errors are still shown, the exit code is the same."""
    return click.option(
        "-q", "--quiet", is_flag=True, expose_value=False, callback=_set_quiet,
        help="Show no warnings and no progress (errors still; same exit code).",
    )(function)  # fmt: skip


class FormatChoice(click.Choice[str]):
    """--format's values, the same on every command: ``text`` is the output for people (``table``
    is accepted as its other name, not shown); ``text_as`` is the name the command uses for it."""

    def __init__(self, choices: list[str], text_as: str = "text") -> None:
        super().__init__(choices)
        self.text_as = text_as

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        result = super().convert("text" if value == "table" else value, param, ctx)
        return self.text_as if result == "text" else result


def doing(what: Callable[[], str]) -> None:
    """Note how to say what the running command has done so far, for Ctrl-C's line."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[PROGRESS] = what


def will_exit(code: int) -> int:
    """Note the exit code the running command will return (call it before writing output);
    returns ``code``."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[EXIT_CODE] = code
    return code


#: Up to this many files skipped for one reason are each named; more make one line with a count.
SAY_EACH = 3


class Reporter:
    """What a command saw while reading posts: what failed, what was skipped, what was missing.

    Messages go to ``sys.stderr`` as it is when they are written: under a progress counter that
    is rich's proxy, which prints them above the counter. Skipped files are held and said
    once per reason when the command is done reading (``say_skipped``).
    """

    def __init__(self) -> None:
        self.failed = 0
        self.skipped = 0
        self.missing = 0
        #: Files skipped, by reason: (the first few paths, how many), said at the end.
        self._skips: dict[str, tuple[list[str], int]] = {}
        self.quiet = quiet()
        context = click.get_current_context(silent=True)
        self._held = context is not None
        if context is not None:  # what a closed pipe's exit code goes by
            context.meta.setdefault(REPORTER, self)
            context.call_on_close(self.say_skipped)

    def _say(self, message: str) -> None:
        click.echo(message, file=sys.stderr)

    def failure(self, error: PostError) -> None:
        self.failed += 1
        self._say(str(error))

    def skip(self, path: str, reason: str) -> None:
        """A file skipped for ``reason``: said once per reason, when the command's reading is
        over (out of the way of the progress counter), with a count when many files share it;
        at once when there is no command around (a script's own Reporter)."""
        self.skipped += 1
        paths, count = self._skips.setdefault(reason, ([], 0))
        if count < SAY_EACH:
            paths.append(path)
        self._skips[reason] = (paths, count + 1)
        if not self._held:
            self.say_skipped()

    def say_skipped(self) -> None:
        """Say the skipped files not said yet: ``path: warning: reason`` for each file of a
        reason up to ``SAY_EACH`` files have, ``newsctl: warning: N files skipped: reason (path
        and N-1 more)`` for a reason more have."""
        if self.quiet:
            self._skips.clear()
            return
        for reason, (paths, count) in self._skips.items():
            if count <= SAY_EACH:
                for path in paths:
                    self._say(f"{path}: warning: {reason}")
            else:
                self._say(f"newsctl: warning: {count} files skipped: {reason} ({paths[0]} and {count - 1} more)")
        self._skips.clear()

    def absent(self, path: str) -> None:
        self.missing += 1
        self._say(f"{path}: error: no such file or directory")

    def reading_files(self, warning: str) -> None:
        """The index could not be used (``warning`` says why), so the files are read instead."""
        if not self.quiet:
            self._say(f"newsctl: warning: {warning}; reading the files")

    def note(self, problem: PostError | Skipped | Missing) -> None:
        """Report one failure, skipped file or missing path."""
        from newsctl.errors import PostError
        from newsctl.jekyll.discovery import Skipped

        if isinstance(problem, PostError):
            self.failure(problem)
        elif isinstance(problem, Skipped):
            self.skip(problem.path, problem.reason)
        else:
            self.absent(problem.path)

    def report(self, results: Iterable[T | PostError | Found]) -> Iterator[T]:
        """Report failures, skipped and missing files as they come; pass the rest on."""
        from newsctl.errors import PostError
        from newsctl.jekyll.discovery import Candidate, Missing, Skipped

        for result in results:
            if isinstance(result, PostError | Skipped | Missing):
                self.note(result)
            elif not isinstance(result, Candidate):
                yield result

    def posts(self, results: Iterable[Result]) -> Iterator[Post]:
        """The posts among ``results``; every other result is reported as it comes."""
        from newsctl.jekyll.post import Post

        for result in self.report(results):
            if isinstance(result, Post):
                yield result

    def exit_code(self, *, matched: bool = True, findings: bool = False) -> int:
        """2 when a path was missing; 1 when a post failed, nothing matched or there were
        ``findings``; else 0. The skipped files are said first."""
        self.say_skipped()
        if self.missing:
            return ERROR
        if self.failed or not matched or findings:
            return FINDINGS
        return OK


#: Commands that read ``-`` themselves: validate (its report is written even for no paths, for
#: CI) and convert (``-`` is one post on stdin).
_OWN_STDIN = ("validate", "convert")


def _paths_from_stdin(context: click.Context, _: click.Parameter, paths: tuple[str, ...]) -> tuple[str, ...]:
    """``-`` among PATHS: the paths on stdin, one a line (``git diff --name-only | newsctl list -``).
    Blank lines and paths that do not exist (files a diff deleted) are left out; with none
    left there is nothing to read, and the command ends at once (exit 0, no output)."""
    if "-" not in paths or (context.command.name in _OWN_STDIN):
        return paths
    import os

    listed = [line for line in (raw.strip() for raw in sys.stdin) if line and os.path.exists(line)]
    expanded = tuple(path for given in paths for path in (listed if given == "-" else [given]))
    if not expanded:
        context.exit(OK)
    return expanded


def reading_options(function: F) -> F:
    """PATHS (``-``: paths from stdin), --drafts and --jobs: how posts are found and read,
    shared by every command."""
    function = quiet_option(jobs_option(function))
    function = click.option("--drafts", is_flag=True, help="Also read _drafts/, as `jekyll build --drafts`.")(function)
    return click.argument("paths", nargs=-1, type=click.Path(path_type=str), callback=_paths_from_stdin)(function)


def jobs_option(function: F) -> F:
    return click.option(
        "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores)."
    )(function)


def filter_options(function: F) -> F:
    """-c/--category, -t/--tag, --since, --until: the filters every command that reads posts
    shares, handed to the command as one ``wanted: PostFilter`` (see ``selection``)."""

    @functools.wraps(function)
    def with_selection(
        *args: Any,
        categories: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
        since: str | None = None,
        until: str | None = None,
        **kwargs: Any,
    ) -> Any:
        return function(*args, wanted=selection(categories, tags, since, until), **kwargs)

    options = [
        click.option("--until", metavar="DATE",
                     help="Only posts on or before DATE (a whole year, month or day is included)."),
        click.option("--since", metavar="DATE",
                     help="Only posts on or after DATE: YYYY-MM-DD, YYYY-MM, YYYY, an ISO date-time, or a day "
                          "counted back from today: 7d, 2w, 3m (months), 1y, yesterday, today."),
        click.option("-t", "--tag", "tags", multiple=True, help="Only posts with this tag (repeatable: any of them)."),
        click.option("-c", "--category", "categories", multiple=True,
                     help="Only posts in this category (repeatable: any of them)."),
    ]  # fmt: skip
    decorated: Any = with_selection
    for option in options:
        decorated = option(decorated)
    return cast(F, decorated)


LIMIT_HELP = "Show at most N, counted in the command's order (after --reverse)."


def limit_option(function: F) -> F:
    """-n/--limit N: the first N posts (rows) of the command's order, the same on every command."""
    return click.option("-n", "--limit", type=click.IntRange(min=0), default=None, metavar="N", help=LIMIT_HELP)(
        function
    )


def limit_options(function: F) -> F:
    """-n/--limit and --reverse, for every command whose output is a list of posts or rows:
    --reverse turns the order round first, so ``--reverse -n 5`` is the last 5 (``tac | head -5``)."""
    function = limit_option(function)
    return click.option("--reverse", is_flag=True, help="Reverse the order (-n then counts from the other end).")(
        function
    )


def first(items: Iterator[T], limit: int | None) -> Iterator[T]:
    """The first ``limit`` of ``items`` (all when None); the rest is never read: ``items`` is
    closed once the limit is reached (a process pool behind it stops)."""
    if limit is None:
        yield from items
        return
    try:
        if limit:
            for number, item in enumerate(items, 1):
                yield item
                if number >= limit:
                    break
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def listing_format_options(function: F) -> F:
    """--format (table, json, jsonl, csv, paths) and -0/--null, for list and search."""
    function = click.option(
        "-0", "--null", is_flag=True, help="Paths separated by NUL, for xargs -0 (implies --format paths)."
    )(function)
    return click.option(
        "--format", "fmt", type=FormatChoice(["text", "json", "jsonl", "csv", "paths"], text_as="table"),
        default=None, help="Output format (default: text, a table; tab-separated on a pipe).",
    )(function)  # fmt: skip


def no_pager_option(function: F) -> F:
    """--no-pager, for the commands that page long output on a terminal (list, search, show)."""
    return click.option("--no-pager", is_flag=True, help="On a terminal, never page long output (see $NEWSCTL_PAGER).")(
        function
    )


NO_REFRESH_HELP = "Use the index as it is, without looking for changed files."


def index_options(function: F) -> F:
    """--no-refresh and --no-index for the commands that read from the index when it exists."""
    function = click.option("--no-index", is_flag=True, help="Read the files even when the archive has an index.")(
        function
    )
    return click.option("--no-refresh", is_flag=True, help=NO_REFRESH_HELP)(function)


def selection(categories: tuple[str, ...], tags: tuple[str, ...], since: str | None, until: str | None) -> PostFilter:
    """The PostFilter for the filter options; a bad date is a usage error (exit 2) that names
    its option. Relative dates count back from today in the zone of the archive (the command's
    PATHS)."""
    from newsctl.errors import UsageError
    from newsctl.filters import PostFilter, archive_today, is_relative, parse_bound

    today = None
    if any(value and is_relative(value) for value in (since, until)):
        context = click.get_current_context(silent=True)
        today = archive_today(tuple(context.params.get("paths") or ()) if context else ())
    bounds = []
    for option, value in (("--since", since), ("--until", until)):
        try:
            bounds.append(parse_bound(value, end=option == "--until", today=today) if value else None)
        except UsageError as exc:
            raise click.UsageError(f"{option}: {exc}") from None
    return PostFilter(categories=categories, tags=tags, since=bounds[0], until=bounds[1])


def matching_files(paths: list[str], drafts: bool, jobs: int | None, wanted: PostFilter) -> list[str]:
    """The files among ``paths`` whose posts ``wanted`` selects (front matter read, bodies
    not), in the order found; a file that cannot be read is kept (its reader reports it), a
    file that is not a post left out. For ``validate``, which then checks only these files."""
    from newsctl.errors import PostError
    from newsctl.jekyll.discovery import Missing
    from newsctl.jekyll.post import Post

    kept = []
    for result in read_posts(tuple(paths), drafts, jobs, light=True):
        if (isinstance(result, Post) and wanted.matches(result)) or isinstance(result, PostError | Missing):
            kept.append(result.path)
    return kept


def paths_format(fmt: str | None, null: bool) -> str:
    """The output format once -0 is taken into account (it implies, and only goes with, paths)."""
    if null and fmt not in (None, "paths"):
        raise click.UsageError("-0/--null goes with --format paths only")
    return "paths" if null else (fmt or "table")


def counter(label: str) -> Progress:
    """The live counter (on a terminal) for a read of files the index or a check does."""
    from newsctl.output.progress import progress

    return lambda found: found if quiet() else progress(found, label)


def found_posts(paths: tuple[str, ...], drafts: bool, *, reverse: bool = False) -> Iterator[Found]:
    """The files under PATHS (default: the current folder) in the order they are found (names
    sorted, folder by folder), or the other way round."""
    from newsctl.jekyll.discovery import discover, posts_only

    found = posts_only(discover(paths or (".",), drafts=drafts))
    return reversed(list(found)) if reverse else found


def read_posts(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    *,
    light: bool,
    reverse: bool = False,
    shape: Callable[[Post], Any] | None = None,
) -> Iterator[Result]:
    """Every post under PATHS (default: the current folder), read on every core, in the order
    of ``found_posts``; with ``shape``, ``shape(post)`` instead of each post (see ``load_all``)."""
    from newsctl.jekyll.post import load_all
    from newsctl.output.progress import progress

    found = found_posts(paths, drafts, reverse=reverse)
    results = load_all(found, jobs=jobs, light=light, shape=shape)
    return results if quiet() else progress(results, "Reading")


def indexed(
    reporter: Reporter,
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    *,
    no_index: bool,
    no_refresh: bool,
    check_beside: bool = False,
) -> Archive | None:
    """The archive's index for ``list`` and ``stats``, its recorded problems reported; None
    when the files are to be read instead (with a warning when the index could not be used).
    ``check_beside``: opened without the no-change check and without reporting its problems,
    for a caller that asks for both with its query (``index.archive.ask_or_read_files``)."""
    if no_index:
        return None
    from newsctl.index.archive import ReadFiles, ask, open_if_indexed, recorded_problems

    refresh = not no_refresh and not check_beside
    found = open_if_indexed(paths, jobs=jobs, refresh=refresh, progress=counter("Indexing"))
    if isinstance(found, ReadFiles):
        if found.warning is not None:
            reporter.reading_files(found.warning)
        return None
    if check_beside:
        return found
    for problem in ask(found, lambda: recorded_problems(found, drafts=drafts), check=False, jobs=jobs):
        reporter.note(problem)
    return found


def open_archive(paths: tuple[str, ...], jobs: int | None, *, refresh: bool, rebuild: bool = False) -> Archive:
    """The index, opened (and refreshed unless ``refresh`` is False) for ``index`` and
    ``search``, which need it; a PATH that does not exist is a usage error."""
    from newsctl.index.archive import PathMissing, open_index

    try:
        return open_index(paths, jobs=jobs, refresh=refresh, rebuild=rebuild, progress=counter("Indexing"))
    except PathMissing as exc:
        raise click.UsageError(str(exc)) from None
