"""`newsctl index` and `newsctl search` as a user sees them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsctl.cli import main
from tests.conftest import WritePost, run


@pytest.fixture
def archive(site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(site.parent)
    write(
        "site/_posts/2022-05-26-a.md",
        "---\ntitle: 蔚来发布新车\ndate: 2022-05-26 09:00:00 +0800\ncategories: emnews\n---\n蔚来汽车今日发布。\n",
    )
    write(
        "site/_posts/2023-01-04-b.html",
        "---\ntitle: Bank rates\ncategories: [markets]\n---\n<p>多家银行下调利率 NIO</p>\n",
    )
    write("site/_posts/2024-02-29-c.md", "---\ntitle: 银行分红\ncategories: emnews\n---\n中期分红。\n")
    return site


def test_search_finds_two_character_chinese_words(archive: Path) -> None:
    code, out, _ = run("search", "银行", "site", "--format", "paths")
    assert code == 0 and sorted(out.split()) == ["site/_posts/2023-01-04-b.html", "site/_posts/2024-02-29-c.md"]


def test_title_matches_rank_first(archive: Path) -> None:
    out = run("search", "银行", "site", "--format", "paths")[1].split()
    assert out[0] == "site/_posts/2024-02-29-c.md"


def test_relevance_is_title_weighted_match_count_then_newest(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bm25 without length normalization (README, "Relevance"): a title match counts as ten
    body matches, more matches rank higher however long the post, equal counts newest first."""
    monkeypatch.chdir(site.parent)
    filler = "其他消息。" * 400  # a long post: with length normalization it would sink
    posts = {
        "2020-01-01-title.md": ("新能源汽车周报", "无关内容。"),
        "2021-01-01-twice-long.md": ("周报", f"新能源汽车销量。{filler}新能源汽车出口。"),
        "2022-01-01-once-long.md": ("周报", f"{filler}新能源汽车。"),
        "2023-01-01-once-short.md": ("周报", "新能源汽车。"),
        "2019-01-01-nine.md": ("周报", "新能源汽车。" * 9),
    }
    for name, (title, body) in posts.items():
        write(f"site/_posts/{name}", f"---\ntitle: {title}\n---\n{body}\n")
    for day in range(1, 11):  # posts without the term: bm25's idf is positive only for a rarer term
        write(f"site/_posts/2018-01-{day:02}-other.md", "---\ntitle: 周报\n---\n其他消息。\n")
    out = run("search", "新能源汽车", "site", "--format", "paths")[1].split()
    assert [Path(p).name for p in out] == [
        "2020-01-01-title.md",
        "2019-01-01-nine.md",
        "2021-01-01-twice-long.md",
        "2023-01-01-once-short.md",
        "2022-01-01-once-long.md",
    ]
    scores = [r["score"] for r in json.loads(run("search", "新能源汽车", "site", "--format", "json")[1])]
    assert scores[0] > scores[1] > scores[2] > scores[3] == scores[4] > 0


def test_search_filters_sort_and_limit(archive: Path) -> None:
    assert run("search", "银行", "site", "-c", "markets", "--format", "paths")[1] == "site/_posts/2023-01-04-b.html\n"
    assert (
        run("search", "银行 OR 蔚来", "site", "--sort", "date", "-n", "1", "--format", "paths")[1]
        == "site/_posts/2024-02-29-c.md\n"
    )
    assert run("search", "蔚来", "site", "--since", "2023", "--format", "paths")[0] == 1


def test_json_records(archive: Path) -> None:
    records = json.loads(run("search", "nio", "site", "--format", "json")[1])
    assert [list(r) for r in records] == [["path", "title", "date", "categories", "tags", "url", "score", "snippet"]]
    assert "NIO" in records[0]["snippet"]


def test_no_match_exits_1_and_a_bad_query_exits_2(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("search", "不存在的词", "site")[0] == 1
    with pytest.raises(SystemExit) as info:
        main(["search", '"unclosed', "site"])
    assert info.value.code == 2 and "unbalanced quote" in capsys.readouterr().err


def test_search_sees_a_file_changed_in_place(archive: Path) -> None:
    run("index", "site")
    post = archive / "_posts" / "2022-05-26-a.md"
    post.write_text(post.read_text(encoding="utf-8").replace("今日发布", "今日召回"), encoding="utf-8")
    assert run("search", "召回", "site", "--format", "paths")[1] == "site/_posts/2022-05-26-a.md\n"
    assert run("search", "今日发布", "site", "--no-refresh")[0] == 1  # the index already knows


def test_index_status_and_rebuild(archive: Path) -> None:
    code, out, err = run("index", "site")
    assert code == 0 and "3 posts" in out and "added 3" in err
    assert "unchanged 3" in run("index", "site")[2]
    assert "3 posts" in run("index", "--status", "site")[1]
    assert "added 3" in run("index", "--rebuild", "site")[2]
    assert (archive / ".newsctl" / ".gitignore").read_text() == "*\n"


def test_index_reports_posts_it_cannot_read(archive: Path, write: WritePost) -> None:
    write("site/_posts/2024-03-01-bad.md", "---\ntitle: x\ndate: nonsense\n---\n")
    code, _, err = run("index", "site")
    assert code == 1 and "2024-03-01-bad.md:3: error: invalid date" in err


def test_a_query_starting_with_a_dash_is_hinted_to_go_after_double_dash(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsctl.cli import cli

    result = CliRunner().invoke(cli, ["search", "-银行", str(tmp_path)])
    assert result.exit_code == 2
    assert "put -- before the query" in result.output


@pytest.mark.parametrize("term", ["白酒", "酒", "贵州白酒"])
def test_every_term_length_ranks_title_then_mentions_then_newest(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch, term: str
) -> None:
    """Issue 15: one relevance model for 1-, 2- and 3+-character terms (a title match counts as
    ten body matches, more mentions above fewer, newest first on ties)."""
    monkeypatch.chdir(site.parent)
    posts = {
        "2020-01-01-title.md": ("贵州白酒周报", "无关内容。"),
        "2021-01-01-twice.md": ("周报", "贵州白酒销量。其他消息。贵州白酒出口。"),
        "2023-01-01-once-new.md": ("周报", "贵州白酒。"),
        "2022-01-01-once-old.md": ("周报", "其他消息。贵州白酒。"),
        "2019-01-01-none.md": ("周报", "其他消息。"),
    }
    for name, (title, body) in posts.items():
        write(f"site/_posts/{name}", f"---\ntitle: {title}\n---\n{body}\n")
    out = run("search", term, "site", "--format", "paths")[1].split()
    assert [Path(p).name for p in out] == [
        "2020-01-01-title.md",
        "2021-01-01-twice.md",
        "2023-01-01-once-new.md",
        "2022-01-01-once-old.md",
    ]
    scores = [r["score"] for r in json.loads(run("search", term, "site", "--format", "json")[1])]
    assert scores == [1.0, 0.6667, 0.5, 0.5]  # shown to 4 places
    assert run("search", term, "site", "--sort", "date", "--format", "paths")[1].split()[0].endswith("once-new.md")


def test_counting_matches_ranks_nothing(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--count and the terminal's "20 of 659" need how many posts match, not their order:
    asked newest first, no post's text is counted in (ranking every match cost 240 ms for a
    common word at 20,000 posts)."""
    from newsctl.index import search as search_module

    sorts: list[str] = []
    real = search_module.search_paths
    monkeypatch.setattr(search_module, "search_paths", lambda *a, **k: (sorts.append(k["sort"]), real(*a, **k))[1])
    assert run("search", "银行", "site", "--count")[1] == "2\n"
    assert sorts == ["date"]
