from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from newsctl.errors import PostError
from newsctl.jekyll.dates import iso
from newsctl.jekyll.post import load_path
from tests.conftest import WritePost


def test_a_post_has_jekylls_fields(site: Path, write: WritePost) -> None:
    path = write(
        "site/news/_posts/2022-05-26-nio-deal.md",
        "---\nlayout: post\ntitle: 蔚来签约\ndate: 2022-05-26 09:30:00 +0800\ncategories: emnews\ntags: 新能源 汽车\n---\n<p>正文</p>\n",
    )
    post = load_path(str(path))
    assert post.title == "蔚来签约"
    assert post.date is not None and iso(post.date) == "2022-05-26T09:30:00+08:00"
    assert post.categories == ("news", "emnews")
    assert post.tags == ("新能源", "汽车")
    assert post.slug == "nio-deal"
    assert post.url == "/news/emnews/2022/05/26/nio-deal.html"
    assert post.layout == "post" and post.published
    assert post.body == "<p>正文</p>\n" and post.body_line == 8


def test_post_is_immutable(site: Path, write: WritePost) -> None:
    post = load_path(str(write("site/_posts/2022-01-01-a.md", "---\n---\n")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        post.title = "changed"  # type: ignore[misc]


def test_raw_parts_rebuild_the_file_exactly(site: Path, write: WritePost) -> None:
    text = "\ufeff---\r\ntitle: x\r\n---\r\n\r\nbody\r\n"
    post = load_path(str(write("site/_posts/2022-01-01-a.md", text)))
    assert ("\ufeff" if post.bom else "") + post.front_matter_raw + post.body == text


def test_filename_date_is_used_without_a_front_matter_date(site: Path, write: WritePost) -> None:
    post = load_path(str(write("site/_posts/2017-2-5-no-zeroes.md", "no front matter\n")))
    assert post.date is not None and iso(post.date) == "2017-02-05T00:00:00+08:00"
    assert post.title == "No Zeroes" and post.front_matter_format is None


def test_unquoted_timestamp_without_offset_is_read_as_utc(site: Path, write: WritePost) -> None:
    post = load_path(str(write("site/_posts/2022-01-18-a.md", "---\ndate: 2022-01-18 19:10:33\n---\n")))
    assert post.date is not None and iso(post.date) == "2022-01-19T03:10:33+08:00"
    assert post.url == "/2022/01/19/a.html"


def test_quoted_timestamp_is_read_in_the_site_zone(site: Path, write: WritePost) -> None:
    post = load_path(str(write("site/_posts/2022-01-18-a.md", "---\ndate: '2022-01-18 19:10:33'\n---\n")))
    assert post.date is not None and iso(post.date) == "2022-01-18T19:10:33+08:00"


@pytest.mark.parametrize(
    ("value", "published"), [("false", False), ("no", False), ("", False), ("'false'", True), ("0", True)]
)
def test_published_follows_jekylls_publisher(site: Path, write: WritePost, value: str, published: bool) -> None:
    post = load_path(str(write("site/_posts/2022-01-01-a.md", f"---\npublished: {value}\n---\n")))
    assert post.published is published


def test_config_defaults_apply_under_the_front_matter(site: Path, write: WritePost) -> None:
    (site / "_config.yml").write_text(
        "timezone: UTC\ndefaults:\n  - scope: {path: '', type: posts}\n    values: {layout: post, categories: [wire]}\n"
    )
    from newsctl.jekyll.site import load_site

    load_site.cache_clear()
    post = load_path(str(write("site/_posts/2022-01-01-a.md", "---\ncategories: extra\n---\n")))
    assert post.layout == "post" and post.categories == ("wire", "extra")
    load_site.cache_clear()


def test_drafts_take_their_date_from_the_file_time(site: Path, write: WritePost) -> None:
    path = write("site/_drafts/idea.md", "---\ntitle: Idea\n---\n")
    os.utime(path, (1_650_000_000, 1_650_000_000))
    post = load_path(str(path))
    assert post.date is not None and iso(post.date) == "2022-04-15T13:20:00+08:00"
    assert post.kind == "draft"


def test_hugo_toml_post_outside_a_site(tmp_path: Path, write: WritePost) -> None:
    path = write("content/post.md", '+++\ntitle = "Hugo"\ndate = 2022-01-18T19:10:33\ntags = ["a"]\n+++\nbody\n')
    post = load_path(str(path))
    assert post.title == "Hugo" and post.tags == ("a",) and post.front_matter_format == "toml"
    assert post.date is not None and post.date.hour == 19  # a TOML local time is a wall time


def _error(path: Path) -> PostError:
    with pytest.raises(PostError) as info:
        load_path(str(path))
    return info.value


def test_not_utf8_names_the_byte_offset_and_line(site: Path, write: WritePost) -> None:
    error = _error(write("site/_posts/2022-01-01-gbk.md", b"---\ntitle: x\n---\n" + "中文".encode("gbk")))
    assert "offset 17" in error.message and error.line == 4
    assert str(error).startswith(f"{error.path}:4: error: not valid UTF-8")


def test_binary_file_is_an_error(site: Path, write: WritePost) -> None:
    assert "binary" in _error(write("site/_posts/2022-01-01-bin.md", b"\x89PNG\x00\x00")).message


def test_unterminated_front_matter_is_an_error(site: Path, write: WritePost) -> None:
    error = _error(write("site/_posts/2022-01-01-a.md", "---\ntitle: x\nbody\n"))
    assert "not closed" in error.message and error.line == 1


def test_yaml_error_has_the_line(site: Path, write: WritePost) -> None:
    error = _error(write("site/_posts/2022-01-01-a.md", '---\nlayout: post\ntitle: "open\n---\n'))
    assert "YAML" in error.message and error.line is not None


def test_bad_date_names_the_date_line(site: Path, write: WritePost) -> None:
    error = _error(write("site/_posts/2022-01-01-a.md", "---\ntitle: x\ndate: 2022-13-45 99:00\n---\n"))
    assert "invalid date" in error.message and error.line == 3


def test_empty_date_is_an_error_as_it_fails_jekylls_build(site: Path, write: WritePost) -> None:
    assert "invalid date" in _error(write("site/_posts/2022-01-01-a.md", "---\ndate:\n---\n")).message


def test_invalid_file_name_date_is_an_error(site: Path, write: WritePost) -> None:
    assert "file name" in _error(write("site/_posts/2022-13-45-a.md", "---\n---\n")).message


def test_numeric_categories_are_an_error(site: Path, write: WritePost) -> None:
    error = _error(write("site/_posts/2022-01-01-a.md", "---\ntitle: x\ncategories: 2022\n---\n"))
    assert "categories" in error.message and error.line == 3


def test_numeric_slug_is_an_error(site: Path, write: WritePost) -> None:
    assert "slug" in _error(write("site/_posts/2022-01-01-a.md", "---\nslug: 123\n---\n")).message


def test_unknown_permalink_placeholder_is_an_error(site: Path, write: WritePost) -> None:
    error = _error(write("site/_posts/2022-01-01-a.md", "---\npermalink: /:nope/\n---\n"))
    assert ":nope" in error.message and error.line == 2


def test_front_matter_list_is_an_error(site: Path, write: WritePost) -> None:
    assert "not a mapping" in _error(write("site/_posts/2022-01-01-a.md", "---\n- a\n---\n")).message


def test_unreadable_file_is_an_error(site: Path, write: WritePost) -> None:
    path = write("site/_posts/2022-01-01-a.md", "---\n---\n")
    path.unlink()
    path.mkdir()
    assert "cannot read" in _error(path).message
