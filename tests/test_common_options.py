"""The options every command shares (issue 15): the filters with relative dates, `-` for paths
on stdin, one `--format` vocabulary, `-q/--quiet`, `-n/--limit` and `--reverse`."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsctl.errors import UsageError
from newsctl.filters import parse_bound
from tests.conftest import WritePost, run

TODAY = dt.date(2024, 3, 31)


@pytest.mark.parametrize(
    ("text", "end", "value", "inclusive"),
    [
        ("today", False, dt.datetime(2024, 3, 31), True),
        ("today", True, dt.datetime(2024, 4, 1), False),
        ("yesterday", False, dt.datetime(2024, 3, 30), True),
        ("yesterday", True, dt.datetime(2024, 3, 31), False),  # through the end of yesterday
        ("7d", False, dt.datetime(2024, 3, 24), True),
        ("2w", False, dt.datetime(2024, 3, 17), True),
        ("1m", False, dt.datetime(2024, 2, 29), True),  # calendar months, clamped to the month's end
        ("3m", True, dt.datetime(2024, 1, 1), False),
        ("1y", False, dt.datetime(2023, 3, 31), True),
        ("0d", False, dt.datetime(2024, 3, 31), True),
    ],
)
def test_relative_dates_name_a_day_counted_back_from_today(
    text: str, end: bool, value: dt.datetime, inclusive: bool
) -> None:
    bound = parse_bound(text, end=end, today=TODAY)
    assert (bound.value, bound.inclusive) == (value, inclusive)


@pytest.mark.parametrize("text", ["7x", "last week", "d", "-3d", "2024-13-01"])
def test_a_value_that_is_not_a_date_says_what_is(text: str) -> None:
    with pytest.raises(UsageError, match=r"cannot read .* as a date; use YYYY-MM-DD.*7d/2w/3m/yesterday"):
        parse_bound(text, end=False, today=TODAY)


def _shanghai_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def recent(site: Path, write: WritePost) -> Path:
    """Posts from yesterday, 10 days ago and 40 days ago, in the site's zone (Asia/Shanghai)."""
    for days in (1, 10, 40):
        day = _shanghai_today() - dt.timedelta(days=days)
        write(f"site/_posts/{day.isoformat()}-d{days}.md", f"---\ntitle: {days} days ago\ncategories: news\n---\nx\n")
    return site


def _names(out: str) -> list[str]:
    return [Path(line).stem.split("-")[-1] for line in out.splitlines()]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--since", "7d"], ["d1"]),
        (["--since", "2w"], ["d1", "d10"]),
        (["--since", "yesterday"], ["d1"]),
        (["--until", "yesterday"], ["d1", "d10", "d40"]),
        (["--until", "2d"], ["d10", "d40"]),
        (["--since", "3m", "--until", "1w"], ["d10", "d40"]),
    ],
)
def test_list_takes_relative_dates_in_the_archives_zone(recent: Path, args: list[str], names: list[str]) -> None:
    code, out, err = run("list", "--no-index", "--format", "paths", str(recent), *args)
    assert (code, _names(out)) == (0, names), err


def test_since_today_matches_nothing_when_nothing_is_from_today(recent: Path) -> None:
    assert run("list", "--format", "paths", str(recent), "--since", "today")[0] == 1


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_a_bad_date_names_the_option(recent: Path, option: str) -> None:
    code, out, err = run("list", str(recent), option, "7x")
    assert code == 2 and out == ""
    assert f"{option}: cannot read '7x' as a date" in err


@pytest.fixture
def two(site: Path, write: WritePost) -> Path:
    """A tech post of 2023 and a finance post of 2024."""
    write("site/_posts/2023-05-01-a.md", "---\ntitle: A\ncategories: tech\ntags: [ai]\n---\nalpha\n")
    write("site/_posts/2024-05-01-b.md", "---\ntitle: B\ncategories: finance\n---\nbeta\n")
    return site


@pytest.mark.parametrize(
    "filters", [["-c", "TECH"], ["-t", "ai"], ["--until", "2023"], ["--since", "2023-01", "--until", "2023-12-31"]]
)
@pytest.mark.parametrize("command", [["parse", "--format", "jsonl"], ["export"], ["list", "--format", "jsonl"]])
def test_commands_that_read_posts_take_the_filters(two: Path, command: list[str], filters: list[str]) -> None:
    code, out, err = run(*command, str(two), *filters)
    assert code == 0, err
    assert [json.loads(line)["title"] for line in out.splitlines()] == ["A"]


def test_convert_takes_the_filters(two: Path, tmp_path: Path) -> None:
    code, _, err = run("convert", "--to", "text", "--out", str(tmp_path / "out"), str(two), "-c", "finance")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.txt")) == ["2024-05-01-b.txt"]


def test_a_filter_that_matches_nothing_in_parse_is_an_empty_array(two: Path) -> None:
    code, out, _ = run("parse", str(two), "-c", "sports")
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.parametrize("command", ["parse", "export", "convert", "stats", "list", "search"])
def test_a_bad_date_is_a_usage_error_on_every_command(two: Path, command: str) -> None:
    args = [command, "x"] if command == "search" else [command]
    code, _, err = run(*args, str(two), "--since", "7x")
    assert code == 2 and "--since: cannot read '7x'" in err


def run_with(stdin: str, *args: str) -> tuple[int, str, str]:
    """``newsctl ARGS`` with ``stdin`` on standard input."""
    from click.testing import CliRunner

    from newsctl.cli import cli

    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "command",
    [["list", "--no-index", "--format", "jsonl"], ["parse", "--format", "jsonl"], ["export"], ["validate"],
     ["stats", "--no-index", "--format", "json"]],
)  # fmt: skip
def test_a_dash_reads_paths_from_stdin(two: Path, command: list[str]) -> None:
    a, gone = two / "_posts" / "2023-05-01-a.md", two / "_posts" / "2020-01-01-deleted.md"
    code, out, err = run_with(f"{a}\n\n{gone}\n", *command, "-")
    assert code == 0, err
    assert str(gone) not in out + err  # a path the diff deleted is no error
    if command[0] == "stats":
        assert json.loads(out)["totals"]["posts"] == 1
    elif command[0] != "validate":
        assert [json.loads(line)["title"] for line in out.splitlines()] == ["A"]


def test_search_reads_paths_from_stdin(two: Path) -> None:
    code, out, err = run_with(f"{two}\n", "search", "beta", "--format", "paths", "-")
    assert (code, out) == (0, f"{two / '_posts' / '2024-05-01-b.md'}\n"), err


@pytest.mark.parametrize("command", ["list", "parse", "export", "stats"])
def test_a_dash_with_nothing_on_stdin_reads_nothing(two: Path, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(two)  # not the current folder either
    code, out, _ = run_with("", command, "-")
    assert (code, out) == (0, "")


def test_convert_dash_converts_one_post_from_stdin_to_stdout() -> None:
    post = "---\ntitle: T\n---\n<p>Hello <b>world</b></p>\n"
    code, out, err = run_with(post, "convert", "--to", "text", "-")
    assert (code, out) == (0, "---\ntitle: T\n---\nHello world\n"), err


def test_stdin_filename_gives_the_post_from_stdin_its_name(two: Path) -> None:
    post = "---\n---\n<p>x</p>\n"
    name = str(two / "_posts" / "2024-06-01-named.html")
    code, out, err = run_with(post, "convert", "--body-only", "--stdin-filename", name, "-")
    assert (code, out) == (0, "x\n"), err


def test_a_broken_post_on_stdin_is_named_by_its_stdin_filename() -> None:
    code, out, err = run_with("---\ntitle: [\n---\nx\n", "convert", "--stdin-filename", "news.md", "-")
    assert code == 1 and out == "" and err.startswith("news.md")


def test_convert_dash_goes_alone(two: Path) -> None:
    code, _, err = run_with("x", "convert", "-", str(two))
    assert code == 2 and "alone" in err


@pytest.mark.parametrize("command", [["list"], ["search", "beta"], ["stats"], ["validate"], ["rules"]])
def test_text_and_table_name_the_same_format_everywhere(two: Path, command: list[str]) -> None:
    paths = [] if command == ["rules"] else [str(two)]
    outputs = [run(*command, *paths, "--format", name) for name in ("text", "table")]
    outputs = [(code, re.sub(r"in \d+\.\d+ s", "", out), err) for code, out, err in outputs]
    assert outputs[0] == outputs[1] and outputs[0][0] in (0, 1), outputs[0]


def test_help_shows_text_and_not_its_alias() -> None:
    _, out, _ = run("list", "--help")
    assert "[text|json" in out and "table|" not in out


@pytest.fixture
def skipping(two: Path, write: WritePost) -> Path:
    """An archive with a file of _posts/ Jekyll skips (a warning on every read)."""
    write("site/_posts/notes.md", "---\n---\nno date in the name\n")
    return two


@pytest.mark.parametrize(
    "command", [["list", "--no-index"], ["parse"], ["export"], ["stats", "--no-index"], ["convert", "--to", "text"]]
)
def test_quiet_silences_warnings_and_keeps_exit_code(skipping: Path, command: list[str], tmp_path: Path) -> None:
    extra = ["--out", str(tmp_path / "out")] if command[0] == "convert" else []
    loud = run(*command, *extra, str(skipping))
    quiet = run(*command, *extra, "-q", str(skipping))
    assert "warning" in loud[2]
    assert quiet[2] == "" and quiet[0] == loud[0]


def test_quiet_still_shows_errors(two: Path) -> None:
    code, _, err = run("list", "--no-index", "--quiet", str(two), str(two / "missing"))
    assert code == 2 and "missing: error: no such file" in err


@pytest.fixture
def three(two: Path, write: WritePost) -> Path:
    """Posts of 2022 (finance), 2023 (tech) and 2024 (finance)."""
    write("site/_posts/2022-05-01-c.md", "---\ntitle: C\ncategories: finance\n---\ngamma\n")
    return two


def _titles(out: str) -> list[str]:
    return [json.loads(line)["title"] for line in out.splitlines()]


@pytest.mark.parametrize("command", [["parse", "--format", "jsonl"], ["export"]])
@pytest.mark.parametrize(
    ("options", "titles"),
    [([], ["C", "A", "B"]), (["-n", "2"], ["C", "A"]), (["--reverse"], ["B", "A", "C"]),
     (["--reverse", "-n", "1"], ["B"]), (["-n", "0"], []), (["-c", "finance", "--reverse", "-n", "1"], ["B"])],
)  # fmt: skip
def test_parse_and_export_take_limit_and_reverse_in_the_order_files_are_found(
    three: Path, command: list[str], options: list[str], titles: list[str]
) -> None:
    code, out, err = run(*command, str(three), *options)
    assert code == 0, err
    assert _titles(out) == titles


@pytest.mark.parametrize(
    ("options", "titles"),
    [(["-n", "2"], ["B", "A"]), (["--reverse"], ["C", "A", "B"]), (["--reverse", "-n", "1"], ["C"])],
)  # fmt: skip
def test_list_counts_limit_after_reverse_as_the_other_commands(
    three: Path, options: list[str], titles: list[str]
) -> None:
    code, out, err = run("list", "--no-index", "--format", "jsonl", str(three), *options)
    assert code == 0, err
    assert _titles(out) == titles


@pytest.mark.parametrize(
    ("options", "keys"),
    [([], ["2022", "2023", "2024"]), (["-n", "2"], ["2022", "2023"]), (["--reverse"], ["2024", "2023", "2022"]),
     (["--reverse", "-n", "1"], ["2024"]), (["--top", "2", "-n", "1"], ["2022"])],
)  # fmt: skip
def test_stats_takes_limit_and_reverse_on_its_rows_and_still_counts_every_post(
    three: Path, options: list[str], keys: list[str]
) -> None:
    code, out, err = run("stats", "--no-index", "--by", "year", "--format", "json", str(three), *options)
    assert code == 0, err
    payload = json.loads(out)
    assert [row["key"] for row in payload["counts"]] == keys
    assert payload["totals"]["posts"] == 3


def test_stats_limit_and_reverse_apply_to_its_csv_and_tsv_rows(three: Path) -> None:
    assert run("stats", "--no-index", "--by", "year", "--reverse", "-n", "2", str(three))[1] == "2024\t1\n2023\t1\n"
    csv_out = run("stats", "--no-index", "--by", "year", "--format", "csv", "-n", "1", str(three))[1]
    assert csv_out == "year,posts\n2022,1\n"


def test_every_command_takes_quiet() -> None:
    import click

    from newsctl.cli import cli

    context = click.Context(cli)
    missing = [
        name
        for name in cli.list_commands(context)
        if not any(p.opts == ["-q", "--quiet"] for p in cli.get_command(context, name).params)  # type: ignore[union-attr]
    ]
    assert missing == []


def test_index_quiet_says_no_progress_and_no_warnings(skipping: Path) -> None:
    loud = run("index", str(skipping))
    quiet = run("index", "-q", str(skipping))
    assert "added" in loud[2] and "warning" in loud[2]
    assert quiet[2] == "" and quiet[0] == loud[0] and quiet[1] == loud[1]


def test_show_quiet_keeps_the_exit_code_of_a_file_that_is_not_a_post(skipping: Path) -> None:
    loud = run("show", str(skipping / "_posts" / "notes.md"))
    quiet = run("show", "-q", str(skipping / "_posts" / "notes.md"))
    assert loud[0] == quiet[0] == 1 and "warning" in loud[2] and quiet[2] == ""


def test_show_quiet_still_shows_errors(write: WritePost) -> None:
    broken = write("site/_posts/2024-01-01-x.md", "---\ntitle: [\n---\nx\n")
    code, _, err = run("show", "-q", str(broken))
    assert code == 1 and str(broken) in err


@pytest.mark.parametrize("command", [["rules"], ["rules", "NC206"], ["completion", "bash"]])
def test_quiet_changes_nothing_where_there_is_nothing_to_silence(command: list[str]) -> None:
    assert run(*command, "-q") == run(*command)


@pytest.fixture
def colliding(site: Path, write: WritePost) -> Path:
    """A tech post of 2024 and a finance post of 2023 with the same URL, and a finance post of
    2024 with no title."""
    write("site/_posts/2024-05-01-a.md", "---\ntitle: A\ncategories: tech\npermalink: /same/\n---\nalpha\n")
    write("site/_posts/2023-05-01-b.md", "---\ntitle: B\ncategories: finance\npermalink: /same/\n---\nbeta\n")
    write("site/_posts/2024-06-01-c.md", "---\ntitle: ''\ncategories: finance\n---\ngamma\n")
    return site


def _validated(site: Path, *options: str) -> tuple[int, dict[str, list[str]]]:
    code, out, err = run("validate", "--format", "json", "--no-cache", str(site), *options)
    assert code in (0, 1), err
    codes: dict[str, list[str]] = {}
    for finding in json.loads(out):
        codes.setdefault(Path(finding["path"]).name, []).append(finding["code"])
    return code, codes


def test_validate_filters_check_only_matching_posts(colliding: Path) -> None:
    code, codes = _validated(colliding, "-c", "finance", "--since", "2024")
    assert (code, codes) == (1, {"2024-06-01-c.md": ["NC301"]})


def test_validate_filters_still_compare_with_the_whole_archive(colliding: Path) -> None:
    code, codes = _validated(colliding, "-c", "tech")
    assert (code, codes) == (1, {"2024-05-01-a.md": ["NC209"]})  # b is not checked, but compared with


def test_validate_filters_that_match_nothing_check_nothing(colliding: Path) -> None:
    code, out, _ = run("validate", "--format", "json", "--no-cache", str(colliding), "-c", "sports")
    assert (code, json.loads(out)) == (0, [])


def test_validate_filters_and_paths_on_stdin_go_together(colliding: Path) -> None:
    listed = f"{colliding / '_posts' / '2024-05-01-a.md'}\n{colliding / '_posts' / '2024-06-01-c.md'}\n"
    code, out, err = run_with(listed, "validate", "--format", "json", "--no-cache", "-", "--until", "2024-05")
    assert code == 1, err
    assert [Path(d["path"]).name for d in json.loads(out)] == ["2024-05-01-a.md"]


def test_an_option_reads_the_same_in_every_commands_help() -> None:
    """Same flags, same help text and metavar everywhere (--format and --sort list each
    command's own values)."""
    import click

    from newsctl.cli import cli

    context = click.Context(cli)
    records: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        assert command is not None
        for param in command.params:
            record = param.get_help_record(click.Context(command)) if isinstance(param, click.Option) else None
            if record is not None and param.opts[0] not in ("--format", "--sort"):
                records.setdefault(tuple(param.opts), set()).add(record)
    assert {opts: texts for opts, texts in records.items() if len(texts) > 1} == {}
    assert records[("-n", "--limit")] == {
        ("-n, --limit N", "Show at most N, counted in the command's order (after --reverse).  [x>=0]")
    }
