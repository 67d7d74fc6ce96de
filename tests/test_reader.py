"""The one reader of posts (``newsctl.jekyll.post.read``): every command reads a post through
it, and validate decodes, splits and parses each file once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import newsctl.jekyll.frontmatter as frontmatter
from newsctl.jekyll.discovery import Candidate, classify_file, discover
from newsctl.jekyll.post import read
from newsctl.validate.checks import validate
from newsctl.validate.config import ValidateConfig
from tests.conftest import WritePost

POSTS = 5


def _count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count calls to ``frontmatter.NAME`` however a module imported it (by module or by name)."""
    calls: list[int] = []
    real = getattr(frontmatter, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(frontmatter, name, counting)
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("newsctl.") and getattr(module, name, None) is real:
            monkeypatch.setattr(module, name, counting)
    return calls


@pytest.fixture
def archive(site: Path, write: WritePost) -> Path:
    for day in range(1, POSTS + 1):
        # Nested front matter, so PyYAML (not the flat fast path) reads it: both are counted.
        write(f"site/_posts/2022-01-0{day}-a.md", f"---\ntitle: Post {day}\nextra: {{a: 1}}\n---\nBody {day}\n")
    return site


def test_validate_splits_and_parses_each_file_once(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses = _count_calls(monkeypatch, "_parse_yaml")
    splits = _count_calls(monkeypatch, "split")
    run = validate(discover([str(archive)]), ValidateConfig(), jobs=1)
    assert run.posts_checked == POSTS
    assert (len(parses), len(splits)) == (POSTS, POSTS)


def _candidate(path: Path) -> Candidate:
    found = classify_file(str(path))
    assert isinstance(found, Candidate)
    return found


def test_a_read_holds_the_post_and_the_parts_it_was_read_from(site: Path, write: WritePost) -> None:
    path = write("site/_posts/2022-01-01-a.md", "\ufeff---\ntitle: A\n---\nBody\n")
    result = read(_candidate(path))
    assert result.error is None and result.post is not None and result.post.title == "A"
    assert result.split is not None and result.split.bom and result.split.body == "Body\n"
    assert result.front == {"title": "A"} and result.text == "---\ntitle: A\n---\nBody\n"
    assert result.size == path.stat().st_size


def test_collected_problems_do_not_stop_the_reading(site: Path, write: WritePost) -> None:
    path = write("site/_posts/2022-01-01-a.md", "---\ndate: not a date\nslug: [1]\n---\n")
    result = read(_candidate(path), collect=True)
    assert result.post is not None and [p.kind for p in result.problems] == ["date", "slug"]
    strict = read(_candidate(path))
    assert strict.post is None and strict.error is not None and strict.error.kind == "date"


def test_an_unreadable_file_is_an_error_with_the_systems_reason(site: Path, write: WritePost) -> None:
    path = write("site/_posts/2022-01-01-a.md", "---\n---\n")
    candidate = _candidate(path)
    path.unlink()
    result = read(candidate)
    assert result.unreadable and result.error is not None and result.error.message.startswith("cannot read: ")


def test_light_reads_leave_the_text_out_of_the_post(site: Path, write: WritePost) -> None:
    path = write("site/_posts/2022-01-01-a.md", "---\ntitle: A\n---\nBody\n")
    post = read(_candidate(path), light=True).post
    assert post is not None and (post.body, post.front_matter_raw, post.front_matter) == ("", "", {})


def test_the_parallel_base_knows_nothing_of_posts() -> None:
    import ast

    import newsctl.parallel

    tree = ast.parse(Path(newsctl.parallel.__file__).read_text(encoding="utf-8"))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [name for name in imported if name and name.startswith("newsctl.jekyll")]
