"""A file named on the command line that Jekyll would not read as a post is one warning,
``path: warning: not a post: why``, whichever command is given it (issue 13, item 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import WritePost, run


@pytest.fixture
def pages(site: Path, write: WritePost) -> Path:
    write("site/_posts/2023-01-04-b.md", "---\ntitle: B\n---\nb\n")
    write("site/about.md", "---\ntitle: About\n---\nabout\n")
    write("site/_posts/2023-01-05-data.yml", "a: 1\n")
    return site


@pytest.mark.parametrize("name", ["_config.yml", "about.md", "_posts/2023-01-05-data.yml"])
@pytest.mark.parametrize("command", [["parse"], ["list", "--no-index"], ["export"], ["stats", "--no-index"]])
def test_a_file_jekyll_does_not_read_as_a_post_is_a_warning(pages: Path, name: str, command: list[str]) -> None:
    _, out, err = run(*command, str(pages / name))
    # in _posts/, the reason a walk gives (validate's rule codes go by it), saying as much
    expected = "Jekyll reads .yml/.yaml files in _posts as data" if name.endswith("data.yml") else "not a post: "
    assert err.startswith(f"{pages / name}: warning: {expected}")
    assert len(err.splitlines()) == 1
    assert "About" not in out and "_config" not in out


@pytest.mark.parametrize("name", ["_config.yml", "about.md"])
def test_show_of_a_file_that_is_not_a_post_exits_1_with_that_line(pages: Path, name: str) -> None:
    code, out, err = run("show", str(pages / name))
    assert (code, out) == (1, "")
    assert err.startswith(f"{pages / name}: warning: not a post: ") and len(err.splitlines()) == 1


def test_convert_out_writes_an_html_post_as_md(site: Path, write: WritePost, tmp_path: Path) -> None:
    write("site/_posts/2023-01-04-b.html", "---\ntitle: B\n---\n<p>b</p>\n")
    write("site/_posts/2023-01-05-c.md", "---\ntitle: C\n---\nc\n")
    code, _, _ = run("convert", str(site), "--out", str(tmp_path / "md"))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "md/_posts").iterdir()) == ["2023-01-04-b.md", "2023-01-05-c.md"]


@pytest.mark.parametrize("body", ["<hr>\n<p>after</p>\n", "<p>a</p>\n"])
def test_a_converted_body_never_starts_with_a_front_matter_line(site: Path, write: WritePost, body: str) -> None:
    path = write("site/_posts/2023-01-04-rule.html", body)
    code, out, _ = run("convert", str(path))
    assert code == 0 and not out.startswith(("---", "+++"))
