from __future__ import annotations

from pathlib import Path

from newsctl.jekyll.discovery import Candidate, Missing, Skipped, discover
from tests.conftest import WritePost


def _names(found: list[object]) -> list[str]:
    return [Path(item.path).name for item in found if isinstance(item, Candidate)]  # type: ignore[attr-defined]


def test_posts_are_the_dated_files_in_posts_folders(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", "---\n---\n")
    write("site/_posts/2022-01-02-no-front-matter.txt", "plain\n")
    write("site/news/_posts/2022-01-03-b.html", "---\n---\n")
    write("site/about.md", "---\ntitle: a page, not a post\n---\n")
    write("site/_drafts/draft.md", "---\n---\n")
    found = list(discover([str(site)]))
    assert sorted(_names(found)) == ["2022-01-01-a.md", "2022-01-02-no-front-matter.txt", "2022-01-03-b.html"]


def test_drafts_are_read_only_when_asked(site: Path, write: WritePost) -> None:
    write("site/_drafts/draft.md", "---\n---\n")
    assert _names(list(discover([str(site)]))) == []
    assert _names(list(discover([str(site)], drafts=True))) == ["draft.md"]


def test_files_jekyll_skips_silently_are_reported(site: Path, write: WritePost) -> None:
    write("site/_posts/no-date.md", "---\n---\n")
    write("site/_posts/_underscore-2022-01-01-x.md", "---\n---\n")
    write("site/_posts/2022-01-01-data.yml", "a: 1\n")
    write("site/_posts/2022-01-01-backup.md~", "---\n---\n")
    write("site/_posts/.gitkeep", "")
    skipped = {Path(item.path).name: item.reason for item in discover([str(site)]) if isinstance(item, Skipped)}
    assert set(skipped) == {"no-date.md", "_underscore-2022-01-01-x.md", "2022-01-01-data.yml", "2022-01-01-backup.md~"}
    assert "YYYY-MM-DD" in skipped["no-date.md"]


def test_special_folders_outside_posts_are_not_searched(site: Path, write: WritePost) -> None:
    write("site/_site/_posts/2022-01-01-built.md", "---\n---\n")
    write("site/.git/_posts/2022-01-01-hidden.md", "---\n---\n")
    write("site/_posts/2022-01-01-real.md", "---\n---\n")
    assert _names(list(discover([str(site)]))) == ["2022-01-01-real.md"]


def test_site_exclude_is_honoured(site: Path, write: WritePost) -> None:
    (site / "_config.yml").write_text("exclude: [old]\n")
    write("site/old/_posts/2022-01-01-old.md", "---\n---\n")
    write("site/_posts/2022-01-01-new.md", "---\n---\n")
    assert _names(list(discover([str(site)]))) == ["2022-01-01-new.md"]


def test_site_without_config_is_rooted_at_the_outermost_posts_folder(tmp_path: Path, write: WritePost) -> None:
    write("blog/_posts/2022-01-01-top.md", "---\n---\n")
    write("blog/tech/_posts/2022-01-02-deep.md", "---\n---\n")
    found = [item for item in discover([str(tmp_path / "blog" / "tech")]) if isinstance(item, Candidate)]
    assert [item.relative for item in found] == ["tech/_posts/2022-01-02-deep.md"]


def test_loose_files_need_front_matter_and_a_post_extension(tmp_path: Path, write: WritePost) -> None:
    write("notes/a.md", "---\ntitle: A\n---\n")
    write("notes/b.txt", "---\ntitle: B\n---\n")
    write("notes/c.html", "<p>no front matter</p>")
    found = [item for item in discover([str(tmp_path / "notes")]) if isinstance(item, Candidate)]
    assert [Path(item.path).name for item in found] == ["a.md", "c.html"]  # c.html is dropped when loaded
    assert all(item.kind == "loose" for item in found)


def test_a_site_below_a_plain_folder_is_read_with_site_rules(tmp_path: Path, write: WritePost) -> None:
    write("work/blog/_config.yml", "timezone: UTC\n")
    write("work/blog/_posts/2022-01-01-post.md", "---\n---\n")
    write("work/blog/about.md", "---\ntitle: page\n---\n")
    found = [item for item in discover([str(tmp_path / "work")]) if isinstance(item, Candidate)]
    assert [(Path(item.path).name, item.kind) for item in found] == [("2022-01-01-post.md", "post")]


def test_a_site_folder_without_posts_is_read_as_loose_files(site: Path, write: WritePost) -> None:
    write("site/broken/bad.md", "---\ntitle: x\n---\n")
    found = [item for item in discover([str(site / "broken")]) if isinstance(item, Candidate)]
    assert [(Path(item.path).name, item.kind, item.site.timezone) for item in found] == [
        ("bad.md", "loose", "Asia/Shanghai")
    ]


def test_a_file_given_by_path_uses_its_site_rules(site: Path, write: WritePost) -> None:
    post = write("site/_posts/2022-01-01-a.md", "---\n---\n")
    (item,) = discover([str(post)])
    assert isinstance(item, Candidate) and item.kind == "post" and item.relative == "_posts/2022-01-01-a.md"


def test_a_skipped_file_given_by_path_is_reported(site: Path, write: WritePost) -> None:
    post = write("site/_posts/undated.md", "---\n---\n")
    (item,) = discover([str(post)])
    assert isinstance(item, Skipped)


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    assert list(discover([str(tmp_path / "nope")])) == [Missing(str(tmp_path / "nope"))]


def test_each_file_is_listed_once(site: Path, write: WritePost) -> None:
    post = write("site/_posts/2022-01-01-a.md", "---\n---\n")
    assert len(list(discover([str(site), str(post)]))) == 1
