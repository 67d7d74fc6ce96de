"""Output for a person at a terminal (issue 15): tables by display width with whole paths,
search hits in two lines, --count, the "20 of 659" footer, the pager."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from newsctl.output.pager import paged
from newsctl.output.terminal import Styler, cut_around, fit, hit_lines, table_lines
from tests.conftest import WritePost, run

PLAIN = Styler(False)
LONG_TITLE = "上半年跨境电商出口同比增长超一成，海外仓数量再创新高并带动物流行业扩张"


@pytest.fixture
def archive(site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(site.parent)
    write("site/_posts/2022-05-26-a.md", "---\ntitle: 蔚来发布新车\ncategories: emnews\n---\n蔚来汽车今日发布。\n")
    write(
        "site/_posts/2023-01-04-bank-rates.md",
        f"---\ntitle: {LONG_TITLE}\ncategories: [markets]\ntags: [银行]\n---\n多家银行下调利率 "
        "详见 https://example.com/a/very/long/path/to/the/announcement/of/the/bank.html 全文\n",
    )
    write("site/_posts/2024-02-29-c.md", "---\ntitle: 银行分红\ncategories: emnews\n---\n中期分红，银行。\n")
    return site


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout counts as a terminal of 60 columns, without colour."""
    monkeypatch.setattr("newsctl.output.formats.stdout_is_tty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "60")


def test_fit_cuts_by_display_width_never_half_a_wide_character() -> None:
    assert fit("银行分红", 5) == "银行…"
    assert cell_len(fit("银行分红", 5)) == 5
    assert fit("银行", 6) == "银行  "
    assert fit("abc", 6, pad=False) == "abc"


@pytest.mark.parametrize("columns", [60, 120])
def test_table_lines_fit_the_width_and_keep_paths_whole(columns: int) -> None:
    path = "site/_posts/2023-01-04-202301041408876543.md"
    rows = [("2023-01-04 14:05", "markets", "银行, 利率", LONG_TITLE, path)] * 3
    lines = list(table_lines(rows, columns, PLAIN))
    assert all(cell_len(line) <= columns for line in lines)
    assert sum(path in line for line in lines) == 3


def test_table_at_120_columns_has_one_line_per_post_and_a_readable_title() -> None:
    path = "site/_posts/2023-01-04-202301041408876543.md"
    lines = list(table_lines([("2023-01-04 14:05", "markets", "银行", LONG_TITLE, path)], 120, PLAIN))
    assert len(lines) == 2 and lines[0].split() == ["date", "categories", "tags", "title", "path"]
    assert "上半年跨境电商出口同比增长" in lines[1] and lines[1].endswith(path)


def test_table_too_narrow_for_a_title_puts_the_path_under_it() -> None:
    path = "/tmp/archive/_posts/2023-01-04-202301041408876543.md"
    lines = list(table_lines([("2023-01-04 14:05", "markets", "", LONG_TITLE, path)], 60, PLAIN))
    assert lines[1].startswith("2023-01-04  上半年") and lines[2].strip() == path


def test_control_characters_in_a_title_never_reach_the_terminal() -> None:
    lines = list(table_lines([("", "", "", "a\x1b[31mb\tc", "p.md")], 80, PLAIN))
    assert "\x1b" not in lines[1] and "\t" not in lines[1]


def test_snippet_keeps_the_match_in_view_and_never_ends_in_half_a_url() -> None:
    text = "多家银行下调利率 详见 https://example.com/a/very/long/path/to/the/announcement.html 全文"
    at = text.index("利率")
    line = cut_around(text, at, at + 2, 40, PLAIN)
    assert "利率" in line and cell_len(line) <= 40
    assert "https" not in line and line.endswith("…")


def test_snippet_match_is_highlighted_in_colour() -> None:
    line = cut_around("abc 银行 def", 4, 6, 40, Styler(True))
    assert "\x1b[1;33m银行\x1b[0m" in line


@pytest.mark.parametrize("columns", [60, 120])
def test_a_hit_is_a_line_and_a_snippet_line(columns: int) -> None:
    head = ("2023-01-04", "markets", LONG_TITLE, "site/_posts/2023-01-04-b.md")
    lines = list(hit_lines([(head, "…多家银行下调利率 NIO", 3, 5)], columns, PLAIN))
    assert len(lines) == 2 and lines[0].startswith("2023-01-04") and lines[0].endswith(head[3])
    assert lines[1].startswith("  …多家银行") and all(cell_len(line) <= columns for line in lines)


def test_list_on_a_terminal_is_a_table_by_display_width(archive: Path, terminal: None) -> None:
    out = run("list", "site")[1]
    assert out.splitlines()[0].split() == ["date", "title"]
    assert "site/_posts/2023-01-04-bank-rates.md" in out.split()
    assert all(cell_len(line) <= 60 for line in out.splitlines())


def test_list_footer_says_how_many_matched_when_n_cuts(archive: Path, terminal: None) -> None:
    assert run("list", "site", "-n", "1")[1].splitlines()[-1] == "1 of 3 · -n to show more"
    assert "show more" not in run("list", "site", "-n", "3")[1]


def test_no_footer_on_a_pipe(archive: Path) -> None:
    assert "show more" not in run("list", "site", "-n", "1")[1]


def test_search_on_a_terminal_two_lines_a_hit_and_a_footer(archive: Path, terminal: None) -> None:
    lines = run("search", "银行", "site", "-n", "1")[1].splitlines()
    assert lines[0].startswith("2024-02-29") and lines[0].endswith("site/_posts/2024-02-29-c.md")
    assert "银行" in lines[1] and lines[2] == "1 of 2 · -n to show more"


@pytest.mark.parametrize("command", [["list", "site", "-c", "emnews"], ["search", "银行", "site"]])
def test_count_prints_the_number_of_matches(archive: Path, command: list[str]) -> None:
    assert run(*command, "--count") == (0, "2\n", "")


@pytest.mark.parametrize("command", [["list", "site", "-c", "none"], ["search", "没有", "site"]])
def test_count_of_nothing_is_0_and_exit_1(archive: Path, command: list[str]) -> None:
    assert run(*command, "--count")[:2] == (1, "0\n")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _pager_output(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lines: int, *, ci: bool = False) -> tuple[str, str]:
    """(what reached the terminal, what the pager got) for ``lines`` lines on a 10-row screen,
    outside CI (``.ci/run`` sets ``CI``) or in it."""
    seen = tmp_path / "paged"
    monkeypatch.setenv(
        "NEWSCTL_PAGER", f"{sys.executable} -c \"import sys; open({str(seen)!r}, 'w').write(sys.stdin.read())\""
    )
    monkeypatch.setenv("LINES", "10")
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    screen = _Terminal()
    with paged(screen) as out:
        out.write_lines(f"line {n}" for n in range(lines))
    return screen.getvalue(), seen.read_text() if seen.exists() else ""


def test_output_that_fits_the_screen_is_not_paged(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _pager_output(monkeypatch, tmp_path, 5) == ("".join(f"line {n}\n" for n in range(5)), "")


def test_output_longer_than_the_screen_goes_through_the_pager(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _pager_output(monkeypatch, tmp_path, 50) == ("", "".join(f"line {n}\n" for n in range(50)))


def test_no_pager_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCTL_PAGER", "false")
    out = io.StringIO()
    with paged(out) as writer:
        writer.write_lines(str(n) for n in range(1000))
    assert out.getvalue().count("\n") == 1000


def test_a_pager_quit_early_ends_the_output_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCTL_PAGER", f'{sys.executable} -c "import sys; sys.stdin.readline()"')
    monkeypatch.setenv("LINES", "10")
    with paged(_Terminal()) as out:
        out.write_lines("x" * 100 for _ in range(100_000))


def test_search_snippet_on_a_terminal_says_where_the_text_goes_on(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch, terminal: None
) -> None:
    monkeypatch.chdir(site.parent)
    monkeypatch.setenv("COLUMNS", "120")
    write("site/_posts/2024-01-01-long.md", "---\ntitle: t\n---\n" + "甲乙丙丁" * 10 + "银行" + "戊己庚辛" * 40 + "\n")
    snippet = run("search", "银行", "site")[1].splitlines()[1]
    assert "银行" in snippet and snippet.endswith("…") and 100 < cell_len(snippet) <= 120


def test_no_pager_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    screen, paged_text = _pager_output(monkeypatch, tmp_path, 50, ci=True)
    assert paged_text == "" and screen.count("\n") == 50


def test_files_skipped_for_one_reason_are_said_once_with_a_count(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site.parent)
    write("site/_posts/2024-01-01-a.md", "---\ntitle: a\n---\nx\n")
    for name in ("-1.md", "-2.md", "-3.md", "-4.md"):
        write(f"site/_posts/{name}", "---\ntitle: b\n---\nx\n")
    for command in ("list", "stats"):
        err = run(command, "site", "--no-index")[2]
        assert err.count("warning") == 1, err
        assert err.startswith("newsctl: warning: 4 files skipped: file name is not YYYY-MM-DD-title.ext")
        assert err.rstrip().endswith(f"({Path('site/_posts/-1.md')} and 3 more)")


def test_a_few_skipped_files_are_each_named(site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site.parent)
    write("site/_posts/2024-01-01-a.md", "---\ntitle: a\n---\nx\n")
    for name in ("-1.md", "-2.md", "-3.md"):
        write(f"site/_posts/{name}", "---\ntitle: b\n---\nx\n")
    lines = run("list", "site", "--no-index")[2].splitlines()
    assert [line.split(": warning: ")[0] for line in lines] == [str(Path(f"site/_posts/-{n}.md")) for n in (1, 2, 3)]
