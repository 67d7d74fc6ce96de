from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsctl import __version__
from newsctl.cli import main
from tests.conftest import EXAMPLES, WritePost, run


@pytest.fixture
def archive(site: Path, write: WritePost) -> Path:
    write(
        "site/_posts/2022-05-26-a.md",
        "---\ntitle: 蔚来 A\ndate: 2022-05-26 09:00:00 +0800\ncategories: emnews\ntags: 新能源\n---\nbody A\n",
    )
    write(
        "site/_posts/2023-01-04-b.html",
        "---\ntitle: Bank B\ncategories: [markets, world]\ntags: [银行]\n---\n<p>B</p>\n",
    )
    write("site/_posts/2023-06-30-c.md", "---\ntitle: Chips C\ncategory: tech\ntag: AI\n---\nC\n")
    write("site/_posts/2024-02-29-d.md", "---\ntitle: Leap D\ncategories: emnews\n---\nD\n")
    return site


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out


def test_parse_prints_a_json_array_with_keys_in_order(archive: Path) -> None:
    code, out, _ = run("parse", str(archive))
    records = json.loads(out)
    assert code == 0 and len(records) == 4
    assert list(records[0]) == [
        "path", "title", "date", "categories", "tags", "slug", "url", "layout", "published", "front_matter", "body"
    ]  # fmt: skip
    first = next(r for r in records if r["slug"] == "a")
    assert first["date"] == "2022-05-26T09:00:00+08:00" and first["body"] == "body A\n"
    assert first["front_matter"]["date"] == "2022-05-26 09:00:00 +0800"


def test_parse_jsonl_without_body(archive: Path) -> None:
    code, out, _ = run("parse", "--format", "jsonl", "--no-body", str(archive))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 4 and all("body" not in line for line in lines)


def test_parse_output_is_utf8_not_escaped(archive: Path) -> None:
    assert "蔚来" in run("parse", str(archive))[1]


def test_a_bad_post_is_one_line_on_stderr_and_the_rest_still_print(archive: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-bad.md", "---\ntitle: x\ndate: nonsense\n---\n")
    code, out, err = run("parse", "--format", "jsonl", str(archive))
    assert code == 1
    assert len(out.splitlines()) == 4
    assert err.strip().splitlines() == [
        f"{archive}/_posts/2022-01-01-bad.md:3: error: invalid date: not a date Jekyll can read: 'nonsense'; Jekyll's build fails on it"
    ]


def test_skipped_files_are_warned_about_but_do_not_fail(archive: Path, write: WritePost) -> None:
    write("site/_posts/undated.md", "---\n---\n")
    code, _, err = run("list", "--format", "paths", str(archive))
    assert code == 0 and "undated.md: warning:" in err


def test_missing_path_exits_2_after_the_rest(archive: Path) -> None:
    code, out, err = run("list", "--format", "paths", str(archive), "no/such/dir")
    assert code == 2 and len(out.splitlines()) == 4 and "no/such/dir: error: no such file or directory" in err


def test_list_is_newest_first(archive: Path) -> None:
    _, out, _ = run("list", "--format", "paths", str(archive))
    assert [Path(p).name for p in out.splitlines()] == [
        "2024-02-29-d.md",
        "2023-06-30-c.md",
        "2023-01-04-b.html",
        "2022-05-26-a.md",
    ]


def test_list_sort_title_and_reverse(archive: Path) -> None:
    _, out, _ = run("list", "--format", "paths", "--sort", "title", "--reverse", str(archive))
    assert [Path(p).name[:13] for p in out.splitlines()] == [
        "2022-05-26-a.",
        "2024-02-29-d.",
        "2023-06-30-c.",
        "2023-01-04-b.",
    ]


def test_list_limit(archive: Path) -> None:
    _, out, _ = run("list", "--format", "paths", "-n", "2", str(archive))
    assert len(out.splitlines()) == 2


def test_several_categories_match_any(archive: Path) -> None:
    _, out, _ = run("list", "--format", "paths", "-c", "tech", "-c", "markets", str(archive))
    assert sorted(Path(p).name for p in out.splitlines()) == ["2023-01-04-b.html", "2023-06-30-c.md"]


def test_different_filters_must_all_match(archive: Path) -> None:
    _, out, _ = run("list", "--format", "paths", "-c", "emnews", "--tag", "新能源", str(archive))
    assert [Path(p).name for p in out.splitlines()] == ["2022-05-26-a.md"]


def test_category_match_ignores_case(archive: Path) -> None:
    assert run("list", "--format", "paths", "-c", "EMNEWS", str(archive))[0] == 0


@pytest.mark.parametrize(
    ("since", "until", "names"),
    [
        ("2023", None, ["2024-02-29-d.md", "2023-06-30-c.md", "2023-01-04-b.html"]),
        (None, "2023", ["2023-06-30-c.md", "2023-01-04-b.html", "2022-05-26-a.md"]),
        ("2023-01", "2023-06", ["2023-06-30-c.md", "2023-01-04-b.html"]),
        ("2023-01-05", "2023-06-30", ["2023-06-30-c.md"]),
        ("2022-05-26T09:00:00+08:00", "2022-05-26T09:00:00+08:00", ["2022-05-26-a.md"]),
        ("2022-05-26T01:00:01Z", None, ["2024-02-29-d.md", "2023-06-30-c.md", "2023-01-04-b.html"]),
    ],
)
def test_since_and_until_are_inclusive(archive: Path, since: str | None, until: str | None, names: list[str]) -> None:
    args = ["list", "--format", "paths", str(archive)]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    assert [Path(p).name for p in run(*args)[1].splitlines()] == names


def test_bad_since_is_a_usage_error(archive: Path) -> None:
    code, _, err = run("list", "--since", "last week", str(archive))
    assert code == 2 and "--since: cannot read" in err


def test_no_match_exits_1_with_no_output(archive: Path) -> None:
    code, out, _ = run("list", "--format", "paths", "--tag", "nothing", str(archive))
    assert code == 1 and out == ""


def test_null_separated_paths(archive: Path) -> None:
    code, out, _ = run("list", "-0", str(archive))
    assert code == 0 and out.count("\0") == 4 and "\n" not in out


def test_null_with_another_format_is_a_usage_error(archive: Path) -> None:
    assert run("list", "-0", "--format", "json", str(archive))[0] == 2


def test_list_json_and_jsonl_records(archive: Path) -> None:
    records = json.loads(run("list", "--format", "json", str(archive))[1])
    assert list(records[0]) == ["path", "title", "date", "categories", "tags", "slug", "url", "layout", "published"]
    lines = run("list", "--format", "jsonl", str(archive))[1].splitlines()
    assert [json.loads(line) for line in lines] == records


def test_list_csv_has_a_header_and_joined_lists(archive: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("list", "--format", "csv", str(archive))[1])))
    assert len(rows) == 4
    b = next(row for row in rows if row["title"] == "Bank B")
    assert b["categories"] == "markets;world" and b["published"] == "true"


def test_table_on_a_pipe_is_tab_separated(archive: Path) -> None:
    out = run("list", str(archive))[1]
    first = out.splitlines()[0].split("\t")
    assert first[0] == "2024-02-29 00:00" and first[1] == "emnews" and first[3] == "Leap D"


def test_table_on_a_terminal_uses_rich(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsctl.output.formats.stdout_is_tty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    out = run("list", str(archive))[1]
    assert "date" in out.splitlines()[0] and "title" in out.splitlines()[0] and "\t" not in out
    assert "\x1b[" not in out


def test_examples_site_lists_every_post() -> None:
    code, out, _ = run("list", "--format", "json", str(EXAMPLES))
    records = json.loads(out)
    assert code == 0 and len(records) >= 15
    assert all(r["path"].startswith(str(EXAMPLES)) and "/broken/" not in r["path"] for r in records)


def test_examples_broken_posts_are_reported_with_lines() -> None:
    code, _, err = run("parse", str(EXAMPLES / "broken"))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) >= 4
    assert all(": error: " in line and str(EXAMPLES / "broken") in line for line in lines)


def test_parallel_and_serial_runs_agree(tmp_path: Path, write: WritePost) -> None:
    write("big/_config.yml", "timezone: Asia/Shanghai\n")
    for i in range(600):
        write(
            f"big/_posts/2022-01-{i % 28 + 1:02d}-p{i}.md", f"---\ntitle: post {i}\ncategories: c{i % 7}\n---\nbody\n"
        )
    serial = run("parse", "-j", "1", "--format", "jsonl", str(tmp_path / "big"))[1]
    parallel = run("parse", "-j", "2", "--format", "jsonl", str(tmp_path / "big"))[1]
    assert serial == parallel and len(serial.splitlines()) == 600


def test_internal_error_is_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], archive: Path
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr("newsctl.jekyll.discovery.discover", boom)
    with pytest.raises(SystemExit) as info:
        main(["list", str(archive)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == "newsctl: internal error: RuntimeError: kaput (run with --debug for a traceback)"


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, archive: Path) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr("newsctl.jekyll.discovery.discover", boom)
    with pytest.raises(RuntimeError):
        main(["--debug", "list", str(archive)])


def test_broken_site_config_is_a_clear_error(archive: Path) -> None:
    from newsctl.jekyll.site import load_site

    (archive / "_config.yml").write_text("timezone: [unclosed\n")
    load_site.cache_clear()
    proc = subprocess.run([sys.executable, "-m", "newsctl", "list", str(archive)], capture_output=True, text=True)
    load_site.cache_clear()
    assert proc.returncode == 2
    assert proc.stderr.startswith("newsctl: error: cannot read site config") and "Traceback" not in proc.stderr


def test_python_dash_m_works_and_pipes_close_quietly(archive: Path) -> None:
    proc = subprocess.run(
        f"{sys.executable} -m newsctl list --format paths {archive} | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert proc.stdout.count("\n") == 1 and proc.stderr == ""


def test_a_reader_that_goes_away_ends_newsctl_with_0(tmp_path: Path) -> None:
    """README: "A reader that goes away (| head) ends newsctl quietly with 0". The output must
    outgrow the pipe's buffer so that the write fails inside the command (click alone would
    exit 1 there)."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    for number in range(3000):
        (posts / f"2022-01-01-post-with-a-long-name-{number:05d}.md").write_text("---\ntitle: t\n---\nx\n")
    proc = subprocess.run(
        [
            "bash",
            "-c",
            f"set -o pipefail; {sys.executable} -m newsctl list --no-index --format paths {tmp_path} | head -n 1",
        ],
        capture_output=True,
        text=True,
    )
    assert (proc.returncode, proc.stdout.count("\n"), proc.stderr) == (0, 1, "")
