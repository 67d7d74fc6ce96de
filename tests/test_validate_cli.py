"""``newsctl validate`` and ``newsctl rules`` as users see them: exit codes, paths from stdin,
every report format, rule selection, --fix, the cache, and files built to break a validator."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from newsctl.cli import main
from newsctl.validate.rules import RULES
from tests.conftest import WritePost

GOOD = "---\ntitle: Good\ndate: 2022-01-01 09:00:00 +0800\nlayout: post\n---\nA good post.\n"
# NC301 error on 2:1, NC402 warning on 6:10.
EMPTY_TITLE = '---\ntitle: ""\ndate: 2022-01-02 09:00:00 +0800\nlayout: post\n---\nNo title [x]()\n'
# NC206 warning on 3:1.
NAIVE_DATE = "---\ntitle: Naive\ndate: 2022-01-03 09:00:00\nlayout: post\n---\nA naive date.\n"
LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<column>\d+): (?P<code>NC\d{3}) (?P<message>.+)$")
SUMMARY = re.compile(
    r"^(Found .+ in \d+ files? \(\d+ posts? checked in [\d.]+ s\)|All checks passed: .+|No posts checked .+)\.$"
)


class _Newsctl(click.Command):
    """The installed ``newsctl`` entry point (``newsctl.cli:main``) as CliRunner wants it, so
    errors newsctl turns into exit code 2 (config, unknown codes) go through the same path."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        main(list(args or ()))


NEWSCTL = _Newsctl("newsctl")


def run(*args: str | Path, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(NEWSCTL, [str(a) for a in args], input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def records(out: str) -> list[dict[str, Any]]:
    return json.loads(out)


def codes_by_file(out: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for record in records(out):
        found.setdefault(Path(record["path"]).name, set()).add(record["code"])
    return found


@pytest.fixture
def layouts(site: Path, write: WritePost) -> Path:
    write("site/_layouts/post.html", "{{ content }}\n")
    return site


@pytest.fixture
def clean(layouts: Path, write: WritePost) -> Path:
    """A site with one post and nothing to report."""
    write("site/_posts/2022-01-01-good.md", GOOD)
    return layouts


@pytest.fixture
def mixed(clean: Path, write: WritePost) -> Path:
    """One clean post, one with an error and a warning, one with a warning only."""
    write("site/_posts/2022-01-02-empty-title.md", EMPTY_TITLE)
    write("site/_posts/2022-01-03-naive.md", NAIVE_DATE)
    return clean


@pytest.fixture
def warned(clean: Path, write: WritePost) -> Path:
    """Warnings only."""
    write("site/_posts/2022-01-03-naive.md", NAIVE_DATE)
    return clean


# --- exit codes -------------------------------------------------------------------------------


def test_clean_archive_exits_0(clean: Path) -> None:
    code, out, err = run("validate", "--no-cache", clean)
    assert code == 0 and out.strip().startswith("All checks passed: 1 post") and err == ""


def test_warnings_alone_exit_0(warned: Path) -> None:
    code, out, _ = run("validate", "--no-cache", warned)
    assert code == 0 and "NC206" in out


def test_errors_exit_1(mixed: Path) -> None:
    assert run("validate", "--no-cache", mixed)[0] == 1


def test_strict_makes_warnings_exit_1(warned: Path) -> None:
    assert run("validate", "--no-cache", "--strict", warned)[0] == 1


def test_strict_true_in_newsctl_toml_makes_warnings_exit_1(warned: Path, write: WritePost) -> None:
    write("site/newsctl.toml", "strict = true\n")
    assert run("validate", "--no-cache", warned)[0] == 1


def test_unknown_rule_code_in_select_exits_2(clean: Path) -> None:
    code, out, err = run("validate", "--no-cache", "--select", "NC999", clean)
    assert code == 2 and out == "" and "NC999" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "text",
    [
        "strict = [unclosed\n",  # not TOML
        "strcit = true\n",  # unknown key
        'strict = "yes"\n',  # wrong type
        'select = ["NC999"]\n',  # unknown rule
    ],
)
def test_invalid_config_file_exits_2_naming_the_file(
    clean: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    write("site/newsctl.toml", text)
    monkeypatch.chdir(clean.parent)
    code, out, err = run("validate", "--no-cache", "site")
    assert code == 2 and out == ""
    assert err.startswith("newsctl: error: ") and "newsctl.toml" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_invalid_config_given_with_config_option_exits_2(clean: Path, write: WritePost) -> None:
    config = write("elsewhere/custom.toml", "required = 3\n")
    code, _, err = run("validate", "--no-cache", "--config", config, clean)
    assert code == 2 and "custom.toml" in err and "'required'" in err and "Traceback" not in err


def test_missing_path_exits_2_after_reporting_the_rest(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed.parent)
    code, out, err = run("validate", "--no-cache", "site", "no/such/post.md")
    assert code == 2
    assert "NC301" in out and "3 posts checked" in out
    assert err.strip() == "no/such/post.md: error: no such file or directory"


def test_missing_path_given_first_still_reports_the_rest(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed.parent)
    code, out, err = run("validate", "--no-cache", "gone.md", "site")
    assert code == 2 and "NC301" in out and "gone.md: error: no such file or directory" in err


# --- paths from stdin -------------------------------------------------------------------------


def test_dash_reads_paths_from_stdin(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed)
    changed = "_posts/2022-01-01-good.md\n_posts/2022-01-03-naive.md\n"
    code, out, err = run("validate", "--no-cache", "--format", "json", "-", input=changed)
    assert code == 0 and err == ""
    assert {r["path"] for r in records(out)} == {"_posts/2022-01-03-naive.md"}


def test_stdin_paths_are_the_only_ones_checked(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed)
    _, out, _ = run("validate", "--no-cache", "-", input="_posts/2022-01-01-good.md\n")
    assert out.strip().startswith("All checks passed: 1 post ")


def test_stdin_paths_deleted_in_the_diff_are_skipped_silently(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed)
    code, out, err = run(
        "validate", "--no-cache", "-", input="_posts/2022-01-01-good.md\n_posts/2021-01-01-deleted.md\n\n"
    )
    assert code == 0 and err == "" and "1 post " in out


def test_stdin_with_only_deleted_paths_checks_nothing_and_passes(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(clean)
    code, out, err = run("validate", "--no-cache", "-", input="_posts/2021-01-01-deleted.md\n")
    assert code == 0 and err == "" and out.strip().startswith("No posts checked")


def test_site_pages_from_stdin_are_not_checked(clean: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch) -> None:
    # A page has no date and maybe no title: as a post it would fail NC301.
    write("site/about.md", "---\nlayout: page\n---\nAbout us.\n")
    write("site/docs/index.md", "---\n---\nNo title.\n")
    monkeypatch.chdir(clean)
    code, out, err = run("validate", "--no-cache", "-", input="about.md\ndocs/index.md\n_posts/2022-01-01-good.md\n")
    assert code == 0 and out.strip().startswith("All checks passed: 1 post ")
    assert err.splitlines() == [
        f"{name}: warning: not a post (a file of the site outside _posts/); not checked"
        for name in ("about.md", "docs/index.md")
    ]


# --- report formats ---------------------------------------------------------------------------


def test_text_format_groups_lines_by_file_and_ends_with_the_summary(mixed: Path) -> None:
    code, out, _ = run("validate", "--no-cache", mixed)
    lines = out.splitlines()
    assert code == 1 and lines.pop() == "[*] 1 fixable with `--fix --unsafe-fixes` (they change what Jekyll publishes)."
    findings = [LINE.match(line) for line in lines[:-2] if line]
    assert all(findings), lines
    assert [(Path(m["path"]).name, m["line"], m["column"], m["code"]) for m in findings if m] == [
        ("2022-01-02-empty-title.md", "2", "1", "NC301"),
        ("2022-01-02-empty-title.md", "6", "10", "NC402"),
        ("2022-01-03-naive.md", "3", "1", "NC206"),
    ]
    # A blank line between files and before the summary, none inside a file's group.
    assert [i for i, line in enumerate(lines) if not line] == [2, 4]
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert lines[-1].startswith("Found 1 error, 2 warnings in 2 files (3 posts checked in ")


def test_json_format_is_an_array_with_keys_in_order(mixed: Path) -> None:
    code, out, _ = run("validate", "--no-cache", "--format", "json", mixed)
    found = records(out)
    assert code == 1 and isinstance(found, list) and len(found) == 3
    assert all(list(r) == ["path", "line", "column", "code", "severity", "message"] for r in found)
    first = found[0]
    assert first["path"] == str(mixed / "_posts/2022-01-02-empty-title.md")
    assert (first["line"], first["column"], first["code"], first["severity"]) == (2, 1, "NC301", "error")


def test_json_format_of_a_clean_archive_is_an_empty_array(clean: Path) -> None:
    code, out, _ = run("validate", "--no-cache", "--format", "json", clean)
    assert code == 0 and records(out) == []


def test_github_format_writes_workflow_commands(mixed: Path) -> None:
    code, out, _ = run("validate", "--no-cache", "--format", "github", mixed)
    lines = out.splitlines()
    path = str(mixed / "_posts/2022-01-02-empty-title.md").replace(":", "%3A").replace(",", "%2C")
    assert code == 1 and len(lines) == 3
    assert (
        lines[0]
        == f"::error file={path},line=2,col=1,title=NC301::'title' is empty: Jekyll publishes the post with a blank title"
    )
    assert lines[1].startswith(f"::warning file={path},line=6,col=10,title=NC402::")
    assert lines[2].startswith("::warning file=") and "title=NC206::" in lines[2]


def test_junit_format_is_xml_with_one_testcase_per_checked_file(mixed: Path) -> None:
    code, out, _ = run("validate", "--no-cache", "--format", "junit", mixed)
    root = ET.fromstring(out)
    cases = root.findall(".//testcase")
    assert code == 1 and root.tag == "testsuites"
    assert sorted(Path(c.get("file", "")).name for c in cases) == [
        "2022-01-01-good.md",
        "2022-01-02-empty-title.md",
        "2022-01-03-naive.md",
    ]
    failed = {Path(c.get("file", "")).name: c.find("failure") for c in cases}
    assert failed["2022-01-01-good.md"] is None and failed["2022-01-03-naive.md"] is None
    failure = failed["2022-01-02-empty-title.md"]
    assert failure is not None and failure.get("type") == "NC301"
    assert root.get("tests") == "3" and root.get("failures") == "1"


def test_junit_with_strict_fails_files_with_warnings(mixed: Path) -> None:
    _, out, _ = run("validate", "--no-cache", "--strict", "--format", "junit", mixed)
    assert ET.fromstring(out).get("failures") == "2"


def test_sarif_format_is_version_2_1_0_with_one_result_per_finding(mixed: Path) -> None:
    code, out, _ = run("validate", "--no-cache", "--format", "sarif", mixed)
    log = json.loads(out)
    assert code == 1 and log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    assert len(sarif_run["results"]) == 3
    assert [r["ruleId"] for r in sarif_run["results"]] == ["NC301", "NC402", "NC206"]
    assert [r["level"] for r in sarif_run["results"]] == ["error", "warning", "warning"]
    assert {rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]} == set(RULES)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "junit", "sarif"])
def test_every_format_keeps_the_exit_code(mixed: Path, fmt: str) -> None:
    assert run("validate", "--no-cache", "--format", fmt, mixed)[0] == 1


# --- selecting rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--select", "NC301"], {"NC301"}),
        (["--select", "nc301"], {"NC301"}),
        (["--select", "NC3"], {"NC301"}),
        (["--select", "NC3,NC4"], {"NC301", "NC402"}),
        (["--select", "NC3", "--select", "NC206"], {"NC301", "NC206"}),
        (["--select", " NC3 , NC206 "], {"NC301", "NC206"}),
        (["--ignore", "NC301"], {"NC402", "NC206"}),
        (["--ignore", "NC4,NC2"], {"NC301"}),
        (["--ignore", "NC4", "--ignore", "NC206"], {"NC301"}),
        (["--select", "NC2,NC3", "--ignore", "NC206"], {"NC301"}),
        (["--select", "ALL", "--ignore", "NC"], set()),
    ],
)
def test_select_and_ignore_take_codes_and_prefixes(mixed: Path, options: list[str], expected: set[str]) -> None:
    code, out, _ = run("validate", "--no-cache", "--format", "json", *options, mixed)
    assert {r["code"] for r in records(out)} == expected
    assert code == (1 if "NC301" in expected else 0)


def test_unknown_prefix_in_ignore_exits_2(clean: Path) -> None:
    code, _, err = run("validate", "--no-cache", "--ignore", "NC301,XY", clean)
    assert code == 2 and "XY" in err


def test_statistics_prints_a_count_per_rule(mixed: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-03-naive-too.md", NAIVE_DATE.replace("Naive", "Naive too"))
    _, out, _ = run("validate", "--no-cache", "--statistics", mixed)
    rows = [line.split() for line in out.splitlines() if re.match(r"^\s+\d+\s+NC\d{3}\s", line)]
    assert rows == [
        ["2", "NC206", "timestamp-without-offset", "warning"],
        ["1", "NC301", "missing-field", "error"],
        ["1", "NC402", "empty-link", "warning"],
    ]
    assert SUMMARY.match(out.splitlines()[-2]) and out.splitlines()[-1].startswith("[*] 2 fixable")


def test_no_statistics_without_the_option(mixed: Path) -> None:
    _, out, _ = run("validate", "--no-cache", mixed)
    assert not any(re.match(r"^\s+\d+\s+NC\d{3}\s", line) for line in out.splitlines())


# --- fix ------------------------------------------------------------------------------------------


def test_fix_removes_a_bom_and_says_so(clean: Path, write: WritePost) -> None:
    post = write("site/_posts/2022-01-01-bom.md", "\ufeff" + GOOD.replace("Good", "Bom"))
    assert run("validate", "--no-cache", "--strict", clean)[0] == 1
    code, out, _ = run("validate", "--no-cache", "--strict", "--fix", clean)
    assert code == 0
    assert f"{post}: fixed NC104 (removed the byte-order mark)" in out.splitlines()
    assert "Fixed 1 problem." in out and "NC104 the file" not in out
    assert post.read_bytes() == GOOD.replace("Good", "Bom").encode()


def test_fix_exit_code_reflects_what_remains(clean: Path, write: WritePost) -> None:
    post = write("site/_posts/2022-01-02-bom.md", "\ufeff" + EMPTY_TITLE)
    code, out, _ = run("validate", "--no-cache", "--fix", "--format", "json", clean)
    assert code == 1
    assert {r["code"] for r in records(out)} == {"NC301", "NC402"}
    assert not post.read_bytes().startswith(b"\xef\xbb\xbf")


def test_text_says_the_findings_unsafe_fixes_would_fix(warned: Path) -> None:
    out = run("validate", "--no-cache", warned)[1]
    assert "[*] 1 fixable with `--fix --unsafe-fixes`" in out


def test_fix_that_fixes_nothing_because_the_fixes_are_unsafe_says_so(warned: Path) -> None:
    code, out, _ = run("validate", "--no-cache", "--fix", warned)
    assert code == 0 and "--fix fixed nothing: 1 finding is fixed only with `--fix --unsafe-fixes`" in out


def test_fix_that_fixes_nothing_says_so_on_stderr_in_machine_formats(warned: Path) -> None:
    _, out, err = run("validate", "--no-cache", "--fix", "--format", "json", warned)
    assert [r["code"] for r in records(out)] == ["NC206"]
    assert "--fix fixed nothing: 1 finding is fixed only with `--fix --unsafe-fixes`" in err


def test_on_a_terminal_a_repeated_finding_is_counted_not_repeated(
    clean: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(3, 12):
        write(f"site/_posts/2022-01-{day:02d}-naive.md", NAIVE_DATE.replace("01-03", f"01-{day:02d}"))
    monkeypatch.setattr("newsctl.output.formats.stdout_is_tty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    out = run("validate", "--no-cache", clean)[1]
    assert out.count(": NC206 ") == 5 and "… 4 more NC206" in out and "[*] 9 fixable" in out
    monkeypatch.setattr("newsctl.output.formats.stdout_is_tty", lambda: False)
    assert run("validate", "--no-cache", clean)[1].count(": NC206 ") == 9  # piped: every one


def test_without_fix_nothing_is_written(clean: Path, write: WritePost) -> None:
    post = write("site/_posts/2022-01-01-bom.md", "\ufeff" + GOOD.replace("Good", "Bom"))
    run("validate", "--no-cache", clean)
    assert post.read_bytes().startswith(b"\xef\xbb\xbf")


# --- cache --------------------------------------------------------------------------------------


def _normal(out: str) -> str:
    return re.sub(r"in [\d.]+ s\b", "in T s", out)


def test_second_run_gives_identical_output_from_the_cache(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run("validate", mixed)
    first_json = run("validate", "--format", "json", mixed)
    assert (mixed / ".newsctl" / "cache.sqlite").is_file()

    import newsctl.validate.checks

    checked: list[str] = []
    real = newsctl.validate.checks.check_file

    def counting(item: Any, config: Any) -> Any:
        checked.append(item.path)
        return real(item, config)

    monkeypatch.setattr(newsctl.validate.checks, "check_file", counting)
    second = run("validate", mixed)
    second_json = run("validate", "--format", "json", mixed)
    assert checked == []  # every post came from the cache
    assert (second[0], _normal(second[1]), second[2]) == (first[0], _normal(first[1]), first[2])
    assert second_json == first_json


def test_rewritten_file_with_a_new_problem_is_noticed(clean: Path, write: WritePost) -> None:
    assert run("validate", clean)[0] == 0
    write("site/_posts/2022-01-01-good.md", GOOD.replace("title: Good", "title: ''"))
    code, out, _ = run("validate", "--format", "json", clean)
    assert code == 1 and [r["code"] for r in records(out)] == ["NC301"]


def test_fixed_file_is_noticed_too(clean: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-02-empty-title.md", EMPTY_TITLE)
    assert run("validate", clean)[0] == 1
    write("site/_posts/2022-01-02-empty-title.md", GOOD.replace("Good", "Now titled"))
    assert run("validate", clean)[0] == 0


def test_archive_wide_checks_see_cached_posts(clean: Path, write: WritePost) -> None:
    # The first post comes from the cache, the second is new: they still collide.
    assert run("validate", clean)[0] == 0
    write("site/_posts/2022-01-01-good-copy.md", GOOD)
    _, out, _ = run("validate", "--format", "json", clean)
    assert "NC501" in {r["code"] for r in records(out)}


def test_no_cache_leaves_no_cache_folder(mixed: Path) -> None:
    run("validate", "--no-cache", mixed)
    assert not (mixed / ".newsctl").exists()


def test_cache_folder_ignores_itself_for_git(clean: Path) -> None:
    run("validate", clean)
    assert (clean / ".newsctl" / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_corrupt_cache_file_does_not_break_the_run(mixed: Path) -> None:
    expected = run("validate", "--no-cache", "--format", "json", mixed)
    (mixed / ".newsctl").mkdir()
    (mixed / ".newsctl" / "cache.sqlite").write_bytes(random.Random(3).randbytes(8192))
    assert run("validate", "--format", "json", mixed) == expected
    assert run("validate", "--format", "json", mixed) == expected  # and the rebuilt cache works


def test_cache_folder_that_is_a_file_does_not_break_the_run(mixed: Path) -> None:
    (mixed / ".newsctl").write_text("not a folder\n")
    assert run("validate", "--format", "json", mixed) == run("validate", "--no-cache", "--format", "json", mixed)


# --- rules ----------------------------------------------------------------------------------------


def test_rules_lists_every_code() -> None:
    code, out, _ = run("rules")
    listed = [line.split("\t")[0] for line in out.splitlines()]
    assert code == 0 and listed == list(RULES)


def test_rules_piped_is_tab_separated_with_five_columns() -> None:
    lines = run("rules")[1].splitlines()
    assert all(len(line.split("\t")) == 5 for line in lines)
    assert run("rules", "--format", "tsv")[1] == run("rules")[1]


def test_rules_on_a_terminal_is_an_aligned_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsctl.output.formats.stdout_is_tty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run("rules")
    lines = out.splitlines()
    assert code == 0 and "\t" not in out
    assert lines[0].split() == ["code", "severity", "fix", "name", "summary"]
    rows = [line for line in lines[1:] if line.startswith("NC")]
    assert [row.split()[0] for row in rows] == list(RULES)
    name_at = lines[0].index("name")
    assert all(row[name_at - 1] == " " and row[name_at] != " " for row in rows)  # one column for names
    assert run("rules", "--format", "tsv")[1].count("\t") == 4 * len(RULES)  # asked for: TSV anyway


def test_rules_explains_one_rule_with_bad_and_good_examples() -> None:
    code, out, _ = run("rules", "NC206")
    rule = RULES["NC206"]
    assert code == 0 and out.startswith(f"NC206 ({rule.name}): {rule.summary}")
    assert "\nBad:\n" in out and "\nGood:\n" in out
    assert out.index("Bad:") < out.index("Good:")
    assert "Severity: warning." in out


def test_rules_code_is_case_insensitive() -> None:
    assert run("rules", "nc206")[1] == run("rules", "NC206")[1]


def test_rules_unknown_code_exits_2() -> None:
    code, out, err = run("rules", "NC999")
    assert code == 2 and out == "" and "NC999" in err and "Traceback" not in err


def test_rules_json_is_valid_json() -> None:
    code, out, _ = run("rules", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and [r["code"] for r in listed] == list(RULES)
    assert set(listed[0]) >= {"code", "name", "severity", "summary", "explanation", "bad", "good", "fix"}
    one = json.loads(run("rules", "NC104", "--format", "json")[1])
    assert one["code"] == "NC104" and one["fix"] == "safe"


# --- robustness -----------------------------------------------------------------------------------


def run_subprocess(args: Sequence[str | Path], timeout: float) -> tuple[subprocess.CompletedProcess[str], float]:
    """``python -m newsctl ARGS`` in its own process group (killed whole on timeout), with
    its address space capped at 2 GiB so a runaway cannot take the machine down."""

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    command = [sys.executable, "-m", "newsctl", *map(str, args)]
    started = time.monotonic()
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=limit
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"newsctl {' '.join(map(str, args))} did not finish within {timeout} s")
    return subprocess.CompletedProcess(command, process.returncode, out, err), time.monotonic() - started


def _bomb(use: str) -> str:
    """Billion laughs: 9 levels of 9 references each (9**9 strings once expanded)."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "---\n" + "\n".join(lines) + f"\n{use}\n---\nbody\n"


# name -> bytes; each must get at least one diagnostic.
NASTY: dict[str, bytes] = {
    "2022-01-01-random.md": random.Random(1).randbytes(4096),
    "2022-01-02-long-line.md": b"x" * 5_000_000,
    "2022-01-03-truncated-utf8.md": "---\ntitle: 新闻\n---\n正文".encode()[:-1],
    "2022-01-04-utf16.md": "---\ntitle: 新闻\n---\n正文\n".encode("utf-16"),
    "2022-01-05-gbk.md": "---\ntitle: 新闻标题\n---\n正文\n".encode("gbk"),
    "2022-01-06-tabs.md": b"---\ntitle: tabs\n\tdate: 2022-01-06\n---\nbody\n",
    "2022-01-07-python-tag.md": b'---\ntitle: !!python/object/apply:os.system ["touch PWNED"]\n---\nbody\n',
    "2022-01-08-python-object.md": b"---\ntitle: !!python/object:collections.OrderedDict {}\n---\nbody\n",
    "2022-01-09-empty.md": b"",
    "2022-01-10-only-dashes.md": b"---\n",
}
# The same tree also holds these, which need no diagnostic of their own.
UNREADABLE = "2022-01-11-unreadable.md"
DIRECTORY = "2022-01-12-dir.md"


@pytest.fixture
def nasty(tmp_path: Path, write: WritePost) -> Iterator[Path]:
    write("nasty/_config.yml", "timezone: Asia/Shanghai\n")
    write("nasty/_layouts/post.html", "{{ content }}\n")
    for name, data in NASTY.items():
        write(f"nasty/_posts/{name}", data)
    unreadable = write(f"nasty/_posts/{UNREADABLE}", GOOD)
    unreadable.chmod(0)
    (tmp_path / "nasty/_posts" / DIRECTORY).mkdir()
    yield tmp_path / "nasty"
    unreadable.chmod(0o644)


def test_nasty_files_each_get_a_diagnostic_and_no_traceback(nasty: Path, tmp_path: Path) -> None:
    proc, _ = run_subprocess(["validate", "--no-cache", "--format", "json", nasty], timeout=60)
    assert "Traceback" not in proc.stderr and proc.returncode == 1, proc.stderr
    found = codes_by_file(proc.stdout)
    assert {name for name in NASTY if not found.get(name)} == set()
    assert found["2022-01-01-random.md"] == {"NC102"}
    assert found["2022-01-02-long-line.md"] == {"NC105"}
    assert found["2022-01-03-truncated-utf8.md"] == {"NC101"}
    assert found["2022-01-05-gbk.md"] == {"NC101"}
    assert found["2022-01-06-tabs.md"] == {"NC107"}
    assert found["2022-01-07-python-tag.md"] == {"NC107"}
    assert found["2022-01-09-empty.md"] == {"NC103"}
    assert found["2022-01-10-only-dashes.md"] == {"NC106"}
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()
    assert DIRECTORY not in found
    if os.geteuid() != 0:  # root reads a chmod 000 file anyway
        assert found[UNREADABLE] == {"NC102"}


def test_symlink_loop_in_posts_is_reported_and_does_not_hide_the_other_posts(clean: Path) -> None:
    os.symlink("2022-01-02-loop.md", clean / "_posts" / "2022-01-02-loop.md")
    code, out, _ = run("validate", "--no-cache", "--format", "json", clean)
    # Jekyll: "could not read file ...: Too many levels of symbolic links"; the good post is still checked.
    assert code == 1
    assert list(codes_by_file(out)) == ["2022-01-02-loop.md"]
    assert any(r["severity"] == "error" for r in records(out))
    assert "All checks passed: 0 posts" not in run("validate", "--no-cache", clean)[1]


def test_symlinked_folder_loop_in_posts_reads_each_post_once(clean: Path) -> None:
    os.symlink(".", clean / "_posts" / "loop")
    code, out, _ = run("validate", "--no-cache", clean)
    assert code == 0 and "1 post " in out


def test_yaml_alias_bomb_that_no_field_uses_finishes_quickly(tmp_path: Path, write: WritePost) -> None:
    write("bomb/_config.yml", "timezone: UTC\n")
    write("bomb/_posts/2022-01-01-unused.md", _bomb("title: Bomb\ndate: 2022-01-01"))
    proc, seconds = run_subprocess(["validate", "--no-cache", tmp_path / "bomb"], timeout=10)
    assert seconds < 10 and "Traceback" not in proc.stderr and proc.returncode in (0, 1)


def test_yaml_alias_bombs_are_reported_quickly(tmp_path: Path, write: WritePost) -> None:
    write("bomb/_config.yml", "timezone: UTC\n")
    write("bomb/_posts/2022-01-01-unused.md", _bomb("title: Bomb\ndate: 2022-01-01"))
    write("bomb/_posts/2022-01-02-title.md", _bomb("title: *i\ndate: 2022-01-02"))
    write("bomb/_posts/2022-01-03-tags.md", _bomb("title: Bomb\ndate: 2022-01-03\ntags: *i"))
    proc, seconds = run_subprocess(["validate", "--no-cache", "--format", "json", tmp_path / "bomb"], timeout=6)
    assert seconds < 6 and "Traceback" not in proc.stderr
    found = codes_by_file(proc.stdout)
    assert all(found.get(name) for name in ("2022-01-01-unused.md", "2022-01-02-title.md", "2022-01-03-tags.md"))


def test_long_lines_of_unclosed_brackets_are_checked_in_linear_time(tmp_path: Path, write: WritePost) -> None:
    write("long/_config.yml", "timezone: UTC\n")
    head = "---\ntitle: Long\ndate: 2022-01-01\n---\n"
    write("long/_posts/2022-01-01-brackets.md", head + "[" * 1_000_000)
    write("long/_posts/2022-01-02-anchors.md", head + "<a " * 300_000)
    write("long/_posts/2022-01-03-images.md", head + "<img " * 200_000)
    proc, seconds = run_subprocess(["validate", "--no-cache", tmp_path / "long"], timeout=6)
    assert seconds < 6 and "Traceback" not in proc.stderr and proc.returncode in (0, 1)


def test_a_same_size_edit_with_its_mtime_put_back_is_checked_again(layouts: Path, write: WritePost) -> None:
    """touch -d, cp -p and rsync -t restore the mtime; only the ctime tells the file changed."""
    site = layouts
    post = write(
        "site/_posts/2022-01-01-a.md",
        "---\ntitle: A good title\nlayout: post\ndate: 2022-01-01 10:00:00 +0800\n---\nbody\n",
    )
    assert run("validate", str(site))[0] == 0
    before = os.stat(post)
    post.write_text(
        "---\ntitle: 'A good titl\nlayout: post\ndate: 2022-01-01 10:00:00 +0800\n---\nbody\n", encoding="utf-8"
    )  # same size
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(post).st_size == before.st_size and os.stat(post).st_mtime_ns == before.st_mtime_ns
    code, out, _ = run("validate", str(site))
    assert code == 1, out
    assert "NC103" in out or "YAML" in out
