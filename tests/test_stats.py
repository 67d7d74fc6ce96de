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
    code, out, _ = run("stats", "--since", "2023-06", "--until", "2023-08", str(archive))
    assert code == 0 and out == "2023-06\t1\n"


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("year", [("2022", 2)]),
        ("day", [("2022-05-26", 1), ("2022-05-27", 0), ("2022-05-28", 0), ("2022-05-29", 0), ("2022-05-30", 1)]),
        ("week", [("2022-W21", 1), ("2022-W22", 1)]),
        ("category", [("emnews", 1), ("markets", 1), ("world", 1)]),
        ("tag", [("新能源", 2), ("银行", 1)]),
    ],
)
def test_counts_by(archive: Path, by: str, expected: list[tuple[str, int]]) -> None:
    out = run("stats", "--by", by, "--format", "csv", "--until", "2022-12-31", str(archive))[1]
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [by, "posts"] and [(k, int(n)) for k, n in rows[1:]] == expected


def test_filters_are_the_ones_of_list(archive: Path) -> None:
    out = run("stats", "--by", "year", "-c", "emnews", "--since", "2023", str(archive))[1]
    assert out == "2024\t1\n"


def test_json_has_totals(archive: Path) -> None:
    data = json.loads(run("stats", "--format", "json", str(archive))[1])
    totals = data["totals"]
    assert data["by"] == "month" and totals["posts"] == 4 and totals["size"] > 0
    assert totals["first"] == "2022-05-26T09:00:00+08:00" and totals["last"] == "2024-02-29T00:00:00+08:00"
    assert totals["categories"] == [
        {"key": "emnews", "posts": 2}, {"key": "markets", "posts": 1}, {"key": "tech", "posts": 1},
        {"key": "world", "posts": 1},
    ]  # fmt: skip
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


def test_empty_months_between_the_first_and_last_post_are_zero_rows(archive: Path) -> None:
    out = run("stats", "--by", "month", "--format", "csv", "--since", "2022", "--until", "2022-12-31", str(archive))[1]
    assert out == "month,posts\n2022-05,2\n"  # only the span of the posts, not the filter's
    rows = dict(line.split("\t") for line in run("stats", str(archive))[1].splitlines())
    assert len(rows) == 22 and rows["2022-05"] == "2" and rows["2022-06"] == "0" and rows["2024-01"] == "0"
    assert list(rows) == sorted(rows) and rows["2024-02"] == "1"


def test_empty_days_and_years_are_zero_rows(archive: Path) -> None:
    days = run("stats", "--by", "day", "--until", "2022-06-30", str(archive))[1].splitlines()
    assert days == ["2022-05-26\t1", "2022-05-27\t0", "2022-05-28\t0", "2022-05-29\t0", "2022-05-30\t1"]
    assert run("stats", "--by", "year", "-c", "emnews", str(archive))[1] == "2022\t1\n2023\t0\n2024\t1\n"


def test_by_week_uses_iso_weeks(site: Path, write: WritePost) -> None:
    # 2021-01-03 is a Sunday in ISO week 2020-W53; 2021-01-04 starts 2021-W01.
    write("site/_posts/2020-12-28-a.md", "---\ntitle: A\n---\n")
    write("site/_posts/2021-01-03-b.md", "---\ntitle: B\n---\n")
    write("site/_posts/2021-01-18-c.md", "---\ntitle: C\n---\n")
    out = run("stats", "--by", "week", str(site))[1]
    assert out == "2020-W53\t2\n2021-W01\t0\n2021-W02\t0\n2021-W03\t1\n"


def test_stats_library_fills_gaps_and_keeps_undated_posts_last() -> None:
    from newsctl.stats import Stats

    stats = Stats("month")
    stats.counts.update({"2023-11": 2, "2024-02": 1, None: 3})
    assert stats.rows() == [("2023-11", 2), ("2023-12", 0), ("2024-01", 0), ("2024-02", 1), (None, 3)]


def test_posts_without_a_tag_come_last_among_equal_counts(archive: Path) -> None:
    assert run("stats", "--by", "tag", str(archive))[1] == "新能源\t2\n(none)\t2\n银行\t1\n"


def test_top_keeps_the_largest_rows_largest_first(archive: Path) -> None:
    assert run("stats", "--by", "category", "--top", "2", str(archive))[1] == "emnews\t2\nmarkets\t1\n"
    # Time buckets too: the busiest periods, busiest first (then in time order).
    assert run("stats", "--by", "year", "--top", "2", str(archive))[1] == "2022\t2\n2023\t1\n"


def test_top_applies_to_json_and_csv_counts_not_to_the_totals(archive: Path) -> None:
    data = json.loads(run("stats", "--by", "day", "--top", "1", "--format", "json", str(archive))[1])
    assert data["counts"] == [{"key": "2022-05-26", "posts": 1}] and data["totals"]["posts"] == 4
    assert run("stats", "--by", "tag", "--top", "1", "--format", "csv", str(archive))[1] == "tag,posts\n新能源,2\n"


def test_top_must_be_positive(archive: Path) -> None:
    code, _, err = run("stats", "--top", "0", str(archive))
    assert code == 2 and "--top" in err


def test_bars_fit_the_terminal_and_scale_to_the_largest_row(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsctl.output.formats.stdout_is_tty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "60")
    out = run("stats", "--by", "day", "--until", "2022-12-31", str(archive))[1]
    assert "\x1b" not in out
    table = out.split("\n\n")[0].splitlines()
    assert all(len(line) <= 60 for line in out.splitlines())
    bars = {line.split()[0]: line.count("█") for line in table[1:]}
    assert bars["2022-05-27"] == 0 and bars["2022-05-26"] == bars["2022-05-30"] > 30  # the widest fills the line


def test_json_says_null_for_no_category_tag_or_date(archive: Path, write: WritePost) -> None:
    write("site/_posts/2024-03-01-e.md", "---\ntitle: E\n---\nbody\n")
    data = json.loads(run("stats", "--by", "tag", "--format", "json", str(archive))[1])
    assert {"key": None, "posts": 3} in data["counts"] and "(none)" not in json.dumps(data)
    assert data["totals"]["categories"][-1] == {"key": None, "posts": 1}
    # The labels are for people: a pipe and CSV still say (none).
    assert "(none)\t3" in run("stats", "--by", "tag", str(archive))[1]
