"""The ``newsctl`` command line: click commands that parse options, call the core, render.

Layout: this module holds the group (``cli``), ``main()`` (the entry point) and the list of
commands; each command is a module of its own (``parse``, ``listing`` for ``list``, ``stats``,
``index``, ``search``, ``export``, ``validate``, ``rules``, ``convert``, ``show``,
``completion``), and
``options`` holds what they share: the option decorators and the ``Reporter`` (the messages
about failed, skipped and missing files, and the exit code). No command runs SQL or reads a
post: ``newsctl.index.archive`` decides between the index and the files, and the features
do the reading; output is written by ``newsctl.output``.

Start-up stays fast: only click is imported at module level; the core (PyYAML, SQLite) and
rich are imported inside the commands that use them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import click

from newsctl import __version__
from newsctl.cli import completion, convert, export, index, listing, parse, rules, search, show, stats, validate
from newsctl.errors import ERROR, INTERRUPTED, OK


class _Commands(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader (head, fzf) went away: not an error of ours, but no reason to hide
            # one either: exit with the code the command would have returned, as far as known
            # (what it noted before writing, else what its Reporter counted so far). Caught
            # here because click's own handler would exit 1.
            _silence_stdout()
            raise click.exceptions.Exit(_known_exit_code(ctx)) from None
        except (KeyboardInterrupt, click.exceptions.Abort):
            # Ctrl-C: one line, saying what was done, and 130 (128 + SIGINT) as shells do;
            # caught here because click would print "Aborted!" and exit 1, the code for
            # posts that failed.
            raise click.exceptions.Exit(_interrupted(ctx)) from None


def _leave(code: int) -> None:
    """Exit at once after Ctrl-C, once the command has said what it did and cleaned up (its
    ``finally`` blocks have run by now): a worker pool's feeder thread can be blocked writing
    to a pipe its stopped workers no longer read, and the interpreter's exit would wait for it
    forever (seen once in a terminal: "interrupted", then a hang)."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def _silence_stdout() -> None:
    """Point stdout at /dev/null: what is left in its buffer cannot raise at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _interrupted(ctx: click.Context) -> int:
    from newsctl.cli.options import PROGRESS

    done = ctx.meta.get(PROGRESS)
    click.echo("newsctl: interrupted" + (f"; {done()}" if done is not None else ""), err=True)
    return INTERRUPTED


def _known_exit_code(ctx: click.Context) -> int:
    from newsctl.cli.options import EXIT_CODE, REPORTER

    code = ctx.meta.get(EXIT_CODE)
    if isinstance(code, int):
        return code
    reporter = ctx.meta.get(REPORTER)
    return reporter.exit_code() if reporter is not None else OK


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="newsctl")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
def cli(debug: bool) -> None:
    """Parse, list and check archives of Jekyll news posts, exactly as Jekyll 4 reads them.

    Exit codes: 0 success, 1 findings (no match, posts that failed), 2 usage or internal error,
    130 interrupted (Ctrl-C).
    """


# In the order the commands were written; ``newsctl --help`` lists them by name.
for _command in (
    parse.parse_command,
    listing.list_command,
    stats.stats_command,
    index.index_command,
    search.search_command,
    export.export_command,
    validate.validate_command,
    rules.rules_command,
    convert.convert_command,
    show.show_command,
    completion.completion_command,
):
    cli.add_command(_command)


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
    except SystemExit as exc:
        # The command's output may still sit in stdout's buffer: flush it now, so a reader
        # gone by then costs neither the exit code nor an "Exception ignored" at shutdown.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
        if exc.code == INTERRUPTED:
            _leave(INTERRUPTED)
        raise
    except KeyboardInterrupt:  # before a command started (those are caught in _Commands.invoke)
        click.echo("newsctl: interrupted", err=True)
        _leave(INTERRUPTED)
    except Exception as exc:
        from newsctl.errors import NewsctlError

        if isinstance(exc, NewsctlError):
            click.echo(f"newsctl: error: {exc}", err=True)
            sys.exit(ERROR)
        if debug:
            raise
        click.echo(f"newsctl: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)", err=True)
        sys.exit(ERROR)
