"""`newsctl stats`: counts by time, category or tag, with list's filters, and totals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import WritePost, run


@pytest.fixture
def archive(site: Path, write: WritePost) -> Path:
    write(
        "site/_posts/2022-05-26-a.md",
        "---\ntitle: A\ndate: 2022-05-26 09:00:00 +0800\ncategories: emnews\ntags: 新能源\n---\nbody\n",
    )
    write(
        "site/_posts/2022-05-30-b.md", "---\ntitle: B\ncategories: [markets, world]\ntags: [银行, 新能源]\n---\nbody\n"
    )
    write("site/_posts/2023-06-30-c.md", "---\ntitle: C\ncategory: tech\n---\nbody\n")
    write("site/_posts/2024-02-29-d.md", "---\ncategories: emnews\n---\nbody\n")
    return site


def test_counts_by_month_in_time_order_on_a_pipe(archive: Path) -> None:
    code, out, _ = run("stats", str(archive))
    assert code == 0 and out == "2022-05\t2\n2023-06\t1\n2024-02\t1\n"


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("year", [("2022", 2), ("2023", 1), ("2024", 1)]),
        ("day", [("2022-05-26", 1), ("2022-05-30", 1), ("2023-06-30", 1), ("2024-02-29", 1)]),
        ("category", [("emnews", 2), ("markets", 1), ("tech", 1), ("world", 1)]),
        ("tag", [("(none)", 2), ("新能源", 2), ("银行", 1)]),
    ],
)
def test_counts_by(archive: Path, by: str, expected: list[tuple[str, int]]) -> None:
    rows = list(csv.reader(io.StringIO(run("stats", "--by", by, "--format", "csv", str(archive))[1])))
    assert rows[0] == [by, "posts"] and [(k, int(n)) for k, n in rows[1:]] == expected


def test_filters_are_the_ones_of_list(archive: Path) -> None:
    out = run("stats", "--by", "year", "-c", "emnews", "--since", "2023", str(archive))[1]
    assert out == "2024\t1\n"


def test_json_has_totals(archive: Path) -> None:
    data = json.loads(run("stats", "--format", "json", str(archive))[1])
    totals = data["totals"]
    assert data["by"] == "month" and totals["posts"] == 4 and totals["size"] > 0
    assert totals["first"] == "2022-05-26T09:00:00+08:00" and totals["last"] == "2024-02-29T00:00:00+08:00"
    assert totals["categories"] == {"emnews": 2, "markets": 1, "tech": 1, "world": 1}
    assert totals["posts_with_errors"] is None  # no validation cache yet


def test_posts_with_errors_come_from_the_validation_cache(archive: Path, write: WritePost) -> None:
    write("site/_posts/2024-03-01-e.md", '---\ntitle: ""\n---\nbody\n')
    write("site/_posts/2024-03-02-f.md", '---\n# newsctl: ignore[NC301]\ntitle: ""\n---\nbody\n')
    run("validate", str(archive))
    totals = json.loads(run("stats", "--format", "json", str(archive))[1])["totals"]
    # e has an empty title (NC301, an error without config); f silences NC301 for itself;
    # the posts without a date in their front matter are fine (Jekyll takes the file name's).
    assert totals["posts_with_errors"] == 1


def test_no_match_exits_1(archive: Path) -> None:
    assert run("stats", "--tag", "nothing", str(archive))[0] == 1


def test_table_on_a_terminal_draws_bars(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsctl.output.formats.stdout_is_tty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    out = run("stats", "--by", "year", str(archive))[1]
    assert "2022" in out and "█" in out and "4 posts" in out
