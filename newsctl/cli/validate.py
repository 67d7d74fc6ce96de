"""``newsctl validate``: the checks CI should run."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from newsctl.cli.options import (
    FormatChoice,
    Reporter,
    filter_options,
    matching_files,
    reading_options,
    will_exit,
)

if TYPE_CHECKING:
    from newsctl.filters import PostFilter


def _split_codes(values: tuple[str, ...]) -> list[str] | None:
    codes = [code.strip().upper() for value in values for code in value.split(",") if code.strip()]
    return codes or None


def _stdin_paths() -> list[str]:
    # `git diff --name-only | newsctl validate -`: files the diff deleted are not errors.
    return [line for line in (raw.strip() for raw in sys.stdin) if line and os.path.exists(line)]


def _targets(
    paths: tuple[str, ...],
    drafts: bool,
    jobs: int | None,
    wanted: PostFilter,
) -> list[str]:
    """What to check: PATHS (`-`: the paths on stdin); with filters, only the matching posts,
    each named, so that checks across posts still compare them with the whole archive."""
    from newsctl.filters import PostFilter

    # With `-` and an empty list on stdin (a diff with no changes) there is nothing to check.
    targets = [p for p in paths if p != "-"] + (_stdin_paths() if "-" in paths else []) if paths else ["."]
    return matching_files(targets, drafts, jobs, wanted) if wanted != PostFilter() else targets


@click.command("validate")
@reading_options
@filter_options
@click.option(
    "--format", "fmt", type=FormatChoice(["text", "json", "github", "junit", "sarif"]), default="text",
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
    wanted: PostFilter,
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
    `git diff --name-only origin/main | newsctl validate -` checks what changed. The filters
    choose the posts checked; checks across posts (duplicate URLs) still compare them with the
    whole archive, as for changed files.
    Exit codes: 0 clean (warnings allowed), 1 findings, 2 usage, config or internal error.
    """
    import time
    from pathlib import Path

    from newsctl.output.progress import progress
    from newsctl.validate.checks import run_validation

    started = time.perf_counter()
    targets = _targets(paths, drafts, jobs, wanted)
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
        progress=lambda found: progress(found, "Checking"),
        keep_files=fmt == "junit",  # only JUnit lists the clean files too
    )
    reporter = Reporter()
    for path in outcome.run.missing:
        reporter.absent(path)
    for problem in outcome.unfixed:
        reporter.failure(problem)  # --fix could not write it: the run fails, the others are fixed
    for path in outcome.run.not_posts:
        # A changed _config.yml or README in `git diff --name-only | newsctl validate -`: not a failure.
        reporter.skip(path, "not a post (a file of the site outside _posts/); not checked")
    from newsctl.output.formats import stdout_is_tty
    from newsctl.validate.diagnostics import Summary
    from newsctl.validate.fixes import fix_hint
    from newsctl.validate.report import render

    run = outcome.run
    summary = Summary.of(run.diagnostics, run.posts_checked, time.perf_counter() - started, len(outcome.fixes))
    strict = strict or outcome.config.strict
    terminal = fmt == "text" and stdout_is_tty()
    color = terminal and not os.environ.get("NO_COLOR")
    hint = fix_hint(run.diagnostics, fix_asked=fix, unsafe_asked=unsafe_fixes)
    failing = summary.errors + (summary.warnings if strict else 0)
    # Known before a word is written: a reader that goes away (`| head -1`) cannot make it 0.
    will_exit(reporter.exit_code(findings=bool(failing)))
    if fmt != "text":  # the text report says it; the machine formats stay exact
        for line in hint.lines(len(outcome.fixes)):
            if not line.startswith("[*]"):
                click.echo(f"newsctl: {line}", err=True)
    render(
        fmt, run.diagnostics, summary, sys.stdout, color=color, statistics=statistics,
        fixes=[str(f) for f in outcome.fixes], files=run.files, strict=strict, group=terminal, hint=hint,
    )  # fmt: skip
    sys.exit(reporter.exit_code(findings=bool(failing)))
