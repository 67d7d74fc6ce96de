"""The Python API (``newsctl.api``) gives scripts what the commands give people, by the same functions."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from newsctl.api import Archive, Hit, body_markdown, body_text
from newsctl.errors import NewsctlError
from tests.conftest import EXAMPLES, WritePost, run


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of examples/ as the current folder's ``examples``: an index or a cache built there
    leaves the repository as it was."""
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns(".newsctl"))
    monkeypatch.chdir(tmp_path)
    return Path("examples")


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_posts_are_the_posts_list_shows_in_its_order(examples: Path) -> None:
    posts = list(Archive(examples).posts())
    assert [p.path for p in posts] == _lines(run("list", str(examples), "--no-index", "--format", "paths")[1])
    assert all(p.body for p in posts)  # whole posts, not list's metadata-only reading


def test_posts_carry_jekylls_metadata(examples: Path) -> None:
    post = next(p for p in Archive(examples).posts() if p.path.endswith("rate-decision.md"))
    assert post.title == "Central bank of Freedonia slows pace of rate hikes"
    assert post.date == dt.datetime(2022, 12, 20, 3, 0, tzinfo=post.date.tzinfo) if post.date else False
    assert post.categories == ("markets", "world")
    assert post.tags == ("rates", "bonds")
    assert post.url == "/markets/world/2022/12/20/rate-decision.html"


def test_posts_filter_as_list_does(examples: Path) -> None:
    archive = Archive(examples)
    found = [p.path for p in archive.posts(category="markets", since="2023", until=dt.date(2024, 2, 29))]
    shown = run("list", str(examples), "-c", "markets", "--since", "2023", "--until", "2024-02-29", "--format", "paths")
    assert found == _lines(shown[1])
    assert len(found) == 3


def test_several_tags_match_any_of_them(examples: Path) -> None:
    found = [p.path for p in Archive(examples).posts(tag=["AI", "rates"])]
    assert found == _lines(run("list", str(examples), "-t", "AI", "-t", "rates", "--format", "paths")[1])


def test_posts_sort_none_streams_in_file_order(examples: Path) -> None:
    archive = Archive(examples)
    assert sorted(p.path for p in archive.posts(sort=None)) == sorted(p.path for p in archive.posts())


def test_a_bad_date_bound_is_an_error_naming_it(examples: Path) -> None:
    with pytest.raises(NewsctlError, match="cannot read 'last week' as a date"):
        list(Archive(examples).posts(since="last week"))


def test_a_missing_archive_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NewsctlError, match="no such file or directory"):
        Archive(tmp_path / "nowhere")


def test_posts_that_cannot_be_read_are_skipped_and_noted(write: WritePost, tmp_path: Path) -> None:
    write("site/_posts/2024-01-01-good.md", "---\ntitle: Good\n---\nbody\n")
    write("site/_posts/2024-01-02-bad.md", "---\ntitle: [unclosed\n---\nbody\n")
    archive = Archive(tmp_path / "site")
    assert [p.title for p in archive.posts()] == ["Good"]
    assert [Path(e.path).name for e in archive.errors] == ["2024-01-02-bad.md"]


def test_bodies_are_what_convert_writes(examples: Path) -> None:
    post = next(p for p in Archive(examples).posts() if p.path.endswith("bank-dividend.html"))
    assert body_text(post) == run("convert", post.path, "--to", "text", "--body-only")[1]
    assert body_markdown(post) == run("convert", post.path, "--to", "markdown", "--body-only")[1]


def test_search_finds_what_search_finds(examples: Path) -> None:
    hits = Archive(examples).search("银行 -分红")
    shown = [json.loads(line) for line in _lines(run("search", "银行 -分红", str(examples), "--format", "jsonl")[1])]
    assert [hit.path for hit in hits] == [record["path"] for record in shown]
    first, record = hits[0], shown[0]
    assert isinstance(first, Hit)
    assert (first.title, first.score, first.snippet, first.url) == (
        record["title"],
        record["score"],
        record["snippet"],
        record["url"],
    )
    assert first.date is not None and first.date.isoformat() == record["date"]
    assert first.read().path == first.path


def test_search_limit_and_filters(examples: Path) -> None:
    archive = Archive(examples)
    assert len(archive.search("银行", limit=1)) == 1
    assert archive.search("银行", category="no-such-category") == []


def test_search_sees_a_post_written_after_the_index(examples: Path, write: WritePost) -> None:
    archive = Archive(examples)
    assert archive.search("zyxwvut") == []
    write("examples/_posts/2024-08-01-new.md", "---\ntitle: zyxwvut news\n---\nbody\n")
    assert [hit.path for hit in archive.search("zyxwvut")] == ["examples/_posts/2024-08-01-new.md"]


def test_a_bad_query_is_an_error(examples: Path) -> None:
    with pytest.raises(NewsctlError):
        Archive(examples).search('"unclosed')


def test_validate_gives_the_diagnostics_validate_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES / "broken", tmp_path / "broken")
    monkeypatch.chdir(tmp_path)
    diagnostics = Archive("broken").validate()
    printed = json.loads(run("validate", "broken", "--format", "json", "--no-cache")[1])
    assert [d.to_dict() for d in diagnostics] == printed
    assert {d.code for d in Archive("broken").validate(select=["NC1"])} <= {d.code for d in diagnostics}
    assert all(d.code.startswith("NC1") for d in Archive("broken").validate(select=["NC1"]))


def test_validate_of_a_clean_post_is_empty(write: WritePost, tmp_path: Path) -> None:
    write("site/_posts/2024-01-01-good.md", "---\ntitle: Good\n---\nbody\n")
    assert Archive(tmp_path / "site").validate(cache=False) == []
    assert not (tmp_path / "site" / ".newsctl").exists()


def test_to_frontmatter_is_what_python_frontmatter_reads(examples: Path) -> None:
    import frontmatter

    for post in Archive(examples).posts():
        converted = post.to_frontmatter()
        assert isinstance(converted, frontmatter.Post)
        assert (converted.metadata, converted.content) == (post.front_matter, post.body.strip())
        read = frontmatter.load(post.path)
        assert (read.metadata, read.content) == (converted.metadata, converted.content), post.path


def test_to_frontmatter_round_trips_through_dumps(examples: Path) -> None:
    import frontmatter

    for post in Archive(examples).posts():
        again = frontmatter.loads(frontmatter.dumps(post.to_frontmatter()))
        assert (again.metadata, again.content) == (post.front_matter, post.body.strip()), post.path


def test_to_frontmatter_leaves_the_post_alone(examples: Path) -> None:
    post = next(iter(Archive(examples).posts()))
    converted = post.to_frontmatter()
    converted["title"] = "changed"
    converted["categories"].append("more") if isinstance(converted.get("categories"), list) else None
    assert post.front_matter["title"] != "changed"
    assert "more" not in (post.front_matter.get("categories") or [])


def test_json_front_matter_is_written_back_as_json(write: WritePost, tmp_path: Path) -> None:
    import frontmatter

    from newsctl.jekyll.post import load_path

    path = write("notes/hello.md", '{\n  "title": "Hello",\n  "date": "2024-01-01"\n}\n\nBody.\n')
    post = load_path(str(path))
    converted = post.to_frontmatter()
    assert frontmatter.dumps(converted).startswith("{")
    assert frontmatter.loads(frontmatter.dumps(converted)).metadata == {"title": "Hello", "date": "2024-01-01"}
