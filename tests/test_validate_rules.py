"""Every rule of ``newsctl validate`` (newsctl/rules.py) on small posts: what trips it, what
does not, where it points; config-driven rules, selection, inline and per-path ignores; ``--fix``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from newsctl.jekyll.discovery import discover
from newsctl.validate.checks import run_validation, validate
from newsctl.validate.config import ValidateConfig, load_config
from newsctl.validate.diagnostics import Diagnostic
from newsctl.validate.rules import RULES
from tests.conftest import WritePost

DEFAULT = ValidateConfig()
# The house rule many archives opt into (NC301 is opt-in: Jekyll needs neither field).
REQUIRED = ValidateConfig(required=("title", "date"))
REQUIRE_DATES = 'required = ["title", "date"]\n'
POST = "site/_posts/2022-01-05-a.md"
OTHER = "site/_posts/2022-01-05-b.md"
DATE = "2022-01-05 10:00:00 +0800"


def post(front: str = "", body: str = "正文\n", *, title: str = "标题", date: str = DATE) -> str:
    """A clean post (title, date, body) with ``front`` lines added to its front matter."""
    return f"---\ntitle: {title}\ndate: {date}\n{front}---\n{body}"


def run(*paths: Path, config: ValidateConfig = DEFAULT) -> list[Diagnostic]:
    return validate(discover([str(p) for p in paths]), config, jobs=1).diagnostics


def codes(*paths: Path, config: ValidateConfig = DEFAULT) -> list[str]:
    """The sorted codes ``validate`` reports for ``paths``."""
    return sorted(d.code for d in run(*paths, config=config))


def diagnostic(code: str, *paths: Path, config: ValidateConfig = DEFAULT) -> Diagnostic:
    """The one diagnostic with ``code``."""
    found = [d for d in run(*paths, config=config) if d.code == code]
    assert len(found) == 1, found
    return found[0]


def toml_config(write: WritePost, text: str) -> ValidateConfig:
    return load_config(write("newsctl.toml", text))


# --- every rule: a post that trips it, a post that does not -------------------------------------

GBK_TITLE = "---\ntitle: 中文\ndate: 2022-01-05\n---\n正文\n"
CONFIG = """\
[allowed]
categories = ["emnews", "wire"]
[pattern]
source = "^https://"
"""
SCHEMA_CONFIG = 'schema = "schema.json"\n'
SCHEMA = '{"type": "object", "properties": {"author": {"type": "string"}}}'

# (code, files to write below tmp_path, newsctl.toml or None)
TRIPS = [
    pytest.param("NC101", {POST: GBK_TITLE.encode("gbk")}, None, id="NC101-gbk-bytes"),
    pytest.param("NC102", {POST: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, None, id="NC102-png-saved-as-post"),
    pytest.param("NC103", {POST: b""}, None, id="NC103-zero-bytes"),
    pytest.param("NC104", {POST: "\ufeff" + post()}, None, id="NC104-bom"),
    pytest.param("NC105", {POST: "Just a body line\n"}, None, id="NC105-body-only"),
    pytest.param("NC106", {POST: f"---\ntitle: x\ndate: {DATE}\nbody\n"}, None, id="NC106-no-closing-line"),
    pytest.param("NC107", {POST: '---\ntitle: "unbalanced\n---\nbody\n'}, None, id="NC107-open-quote"),
    pytest.param("NC108", {POST: "---\n- title\n- date\n---\nbody\n"}, None, id="NC108-yaml-list"),
    pytest.param("NC109", {POST: post("title: 又一个\n")}, None, id="NC109-title-twice"),
    pytest.param("NC110", {POST: "\n" + post()}, None, id="NC110-blank-line-first"),
    pytest.param("NC111", {POST: post().replace("\n", "\r\n")}, None, id="NC111-crlf"),
    # A Latin-1 é in the file's name (os.fsencode gives back the byte 0xe9).
    pytest.param("NC112", {"site/_posts/2022-01-05-caf\udce9.md": post()}, None, id="NC112-latin1-name"),
    pytest.param("NC201", {"site/_posts/-202205262391921712.md": post()}, None, id="NC201-undated-name"),
    pytest.param("NC202", {POST: post(date="+0800")}, None, id="NC202-offset-only"),
    pytest.param(
        "NC203", {"site/_posts/2099-01-01-a.md": post(date="2099-01-01 10:00:00 +0800")}, None, id="NC203-2099"
    ),
    pytest.param("NC204", {POST: post("published: false\n")}, None, id="NC204-published-false"),
    pytest.param("NC205", {"site/_posts/2022-01-06-a.md": post()}, None, id="NC205-name-says-next-day"),
    pytest.param("NC206", {POST: post(date="2022-01-05 10:00:00")}, None, id="NC206-naive-timestamp"),
    pytest.param("NC207", {POST: post("categories: 宏观 经济\n")}, None, id="NC207-spaced-string"),
    pytest.param("NC208", {POST: post("layout: artcle\n")}, None, id="NC208-typo-layout"),
    pytest.param(
        "NC209",
        {POST: post("permalink: /a/\n"), OTHER: post("permalink: /a/\n", title="别的")},
        None,
        id="NC209-same-permalink",
    ),
    pytest.param("NC210", {POST: post("categories: {a: 1}\n")}, None, id="NC210-categories-mapping"),
    pytest.param("NC301", {POST: post(title='""')}, None, id="NC301-empty-title"),
    pytest.param("NC302", {POST: post(title="2024")}, None, id="NC302-numeric-title"),
    pytest.param("NC303", {POST: post("categories: emnwes\n")}, CONFIG, id="NC303-typo-category"),
    pytest.param("NC304", {POST: post("source: ftp://x\n")}, CONFIG, id="NC304-ftp-source"),
    pytest.param("NC305", {POST: post(title='" 标题 "')}, None, id="NC305-padded-title"),
    pytest.param("NC306", {POST: post(title="《人民日报》评论：坚持“")}, None, id="NC306-cut-title"),
    pytest.param("NC307", {POST: post("author: 7\n"), "schema.json": SCHEMA}, SCHEMA_CONFIG, id="NC307-author-number"),
    pytest.param("NC401", {POST: post(body="\n")}, None, id="NC401-blank-body"),
    pytest.param("NC402", {POST: post(body='<a href="">原文</a>\n')}, None, id="NC402-empty-href"),
    pytest.param("NC403", {POST: post(body='<a href="javascript:alert(1)">x</a>\n')}, None, id="NC403-javascript-href"),
    pytest.param(
        "NC404", {POST: post(body='<script src="https://tracker.example/t.js"></script>\n')}, None, id="NC404-script"
    ),
    pytest.param("NC405", {POST: post(body='<img alt="图">\n')}, None, id="NC405-img-without-src"),
    pytest.param(
        "NC501", {POST: post(), OTHER: post(date="2022-01-05 18:00:00 +0800")}, None, id="NC501-same-title-same-day"
    ),
    pytest.param(
        "NC502",
        {POST: post(body="<https://example.com/n/1>\n"), OTHER: post(body="<https://example.com/n/1>\n", title="别的")},
        None,
        id="NC502-same-source",
    ),
    pytest.param(
        "NC503",
        {
            POST: post(body="<p>离岸人民币兑美元升至6.3512，为2018年以来最高水平。</p>\n<https://example.com/n/1>\n"),
            OTHER: post(body="离岸人民币兑美元升至6.3512，为2018年以来最高水平。\n\n[返回](../)\n", title="别的标题"),
        },
        None,
        id="NC503-same-opening-other-title-and-link",
    ),
]

PASSES = [
    pytest.param("NC101", {POST: GBK_TITLE.encode("utf-8")}, None, id="NC101-utf8"),
    pytest.param("NC102", {POST: post(body="PNG 图片说明\n")}, None, id="NC102-text"),
    pytest.param("NC103", {POST: post()}, None, id="NC103-non-empty"),
    pytest.param("NC104", {POST: post()}, None, id="NC104-no-bom"),
    pytest.param("NC105", {POST: post()}, None, id="NC105-front-matter"),
    pytest.param("NC106", {POST: f"---\ntitle: x\ndate: {DATE}\n...\nbody\n"}, None, id="NC106-closed-by-dots"),
    pytest.param("NC107", {POST: '---\ntitle: "balanced"\n---\nbody\n'}, None, id="NC107-balanced-quote"),
    pytest.param("NC108", {POST: post()}, None, id="NC108-mapping"),
    pytest.param("NC109", {POST: post("author:\n  title: 记者\n")}, None, id="NC109-same-key-nested"),
    pytest.param("NC110", {POST: post()}, None, id="NC110-first-byte"),
    pytest.param("NC111", {POST: post()}, None, id="NC111-lf"),
    pytest.param("NC112", {"site/_posts/2022-01-05-café.md": post()}, None, id="NC112-utf8-name"),
    pytest.param("NC201", {"site/_posts/2022-05-26-202205262391921712.md": post()}, None, id="NC201-dated-name"),
    pytest.param("NC202", {POST: post()}, None, id="NC202-full-date"),
    pytest.param("NC203", {POST: post()}, None, id="NC203-past"),
    pytest.param("NC204", {POST: post("published: true\n")}, None, id="NC204-published-true"),
    pytest.param("NC205", {POST: post()}, None, id="NC205-same-day"),
    pytest.param("NC206", {POST: post(date="'2022-01-05 10:00:00'")}, None, id="NC206-quoted-timestamp"),
    pytest.param("NC207", {POST: post("category: 宏观 经济\n")}, None, id="NC207-singular-category"),
    pytest.param(
        "NC208",
        {POST: post("layout: post\n"), "site/_layouts/post.html": "{{ content }}\n"},
        None,
        id="NC208-existing-layout",
    ),
    pytest.param(
        "NC209",
        {POST: post("permalink: /a/\n"), OTHER: post("permalink: /b/\n", title="别的")},
        None,
        id="NC209-distinct-permalinks",
    ),
    pytest.param("NC210", {POST: post("categories: [a]\n")}, None, id="NC210-categories-list"),
    pytest.param("NC301", {POST: post()}, None, id="NC301-title-and-date"),
    pytest.param("NC302", {POST: post(title='"2024"')}, None, id="NC302-quoted-title"),
    pytest.param("NC303", {POST: post("categories: emnews wire\n")}, CONFIG, id="NC303-allowed-categories"),
    pytest.param("NC304", {POST: post("source: https://example.com/x\n")}, CONFIG, id="NC304-https-source"),
    pytest.param("NC305", {POST: post(title='"标题"')}, None, id="NC305-trimmed-title"),
    pytest.param("NC306", {POST: post(title="《人民日报》评论")}, None, id="NC306-balanced-title"),
    pytest.param(
        "NC307", {POST: post("author: 张三\n"), "schema.json": SCHEMA}, SCHEMA_CONFIG, id="NC307-author-string"
    ),
    pytest.param("NC401", {POST: post(body="Text.\n")}, None, id="NC401-text"),
    pytest.param(
        "NC402",
        {POST: post(body='<a href="https://example.com/a">原文</a> [x](https://example.com/b)\n')},
        None,
        id="NC402-real-links",
    ),
    pytest.param(
        "NC403",
        {POST: post(body='<a href="https://example.com">javascript: 入门</a>\n')},
        None,
        id="NC403-word-in-text",
    ),
    pytest.param(
        "NC404", {POST: post(body="<p>no script here, only a description of scripts</p>\n")}, None, id="NC404-no-script"
    ),
    pytest.param(
        "NC405", {POST: post(body='<img src="https://example.com/a.png" alt="图">\n')}, None, id="NC405-img-with-src"
    ),
    pytest.param(
        "NC501",
        {POST: post(), "site/_posts/2022-01-06-b.md": post(date="2022-01-06 10:00:00 +0800")},
        None,
        id="NC501-same-title-next-day",
    ),
    pytest.param(
        "NC502",
        {POST: post(body="<https://example.com/n/1>\n"), OTHER: post(body="<https://example.com/n/2>\n", title="别的")},
        None,
        id="NC502-different-sources",
    ),
    pytest.param(
        "NC503",
        {
            POST: post(body="离岸人民币兑美元升至6.3512，为2018年以来最高水平。\n"),
            OTHER: post(body="在岸人民币兑美元升至2018年5月以来新高，现报6.3565。\n", title="别的标题"),
        },
        None,
        id="NC503-different-openings",
    ),
]


def _setup(write: WritePost, files: dict[str, str | bytes], toml: str | None) -> ValidateConfig:
    for relative, content in files.items():
        write(relative, content)
    return toml_config(write, toml) if toml is not None else DEFAULT


def test_every_rule_has_a_tripping_and_a_clean_case() -> None:
    assert [p.values[0] for p in TRIPS] == list(RULES)
    assert [p.values[0] for p in PASSES] == list(RULES)


def test_a_clean_post_has_no_diagnostics(site: Path, write: WritePost) -> None:
    assert codes(write(POST, post())) == []


@pytest.mark.parametrize(("code", "files", "toml"), TRIPS)
def test_rule_is_reported(
    site: Path, write: WritePost, code: str, files: dict[str, str | bytes], toml: str | None
) -> None:
    config = _setup(write, files, toml)
    found = [d for d in run(site, config=config) if d.code == code]
    assert found, f"{code} not reported"
    assert {d.severity for d in found} == {RULES[code].severity}


@pytest.mark.parametrize(("code", "files", "toml"), PASSES)
def test_rule_is_not_reported(
    site: Path, write: WritePost, code: str, files: dict[str, str | bytes], toml: str | None
) -> None:
    config = _setup(write, files, toml)
    assert code not in codes(site, config=config)


# --- NC1: where the file's problems are -----------------------------------------------------------


def test_not_utf8_points_at_the_first_bad_byte_with_a_byte_column(site: Path, write: WritePost) -> None:
    path = write(POST, b"---\ntitle: \xe6\x96\xb0\xff\xfe\ndate: 2022-01-05\n---\nx\n")
    found = diagnostic("NC101", path)
    # "title: " is 7 bytes and 新 is 3: the bad byte is the 11th of line 2.
    assert (found.line, found.column) == (2, 11)
    assert "offset 14" in found.message
    assert codes(path) == ["NC101"]


def test_a_file_name_that_is_not_utf8_is_an_error_and_the_post_is_still_checked(site: Path, write: WritePost) -> None:
    """Jekyll 4.3 stops the whole build on such a name ("invalid byte sequence in UTF-8", in its
    entry filter), so one scraped name breaks every post's publication; the rest of the post is
    still checked."""
    path = write("site/_posts/2022-01-05-caf\udce9.md", "---\r\ntitle: x\r\n---\r\nx\r\n")
    found = diagnostic("NC112", path)
    assert "0xe9" in found.message and "stops the whole build" in found.message
    assert sorted(codes(path)) == ["NC111", "NC112"]


def test_binary_file_is_reported_alone(site: Path, write: WritePost) -> None:
    path = write(POST, b"---\ntitle: x\x00\n---\n")
    assert codes(path) == ["NC102"]


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: a: b\n", (3, 9)),  # mapping values are not allowed here
        ('title: "unbalanced\n', (4, 1)),  # end of stream inside the quoted scalar
        ("tags: [a, b\n", (4, 1)),
        ("title: x\n  bad: indent\n", (4, 6)),
    ],
)
def test_yaml_syntax_error_is_where_pyyaml_reports_it(
    site: Path, write: WritePost, front: str, expected: tuple[int, int]
) -> None:
    yaml_text = f"---\ndate: {DATE}\n{front}"
    with pytest.raises(yaml.MarkedYAMLError) as error:
        yaml.safe_load(yaml_text)
    mark = error.value.problem_mark
    assert mark is not None
    found = diagnostic("NC107", write(POST, yaml_text + "---\nbody\n"))
    assert (found.line, found.column) == (mark.line + 1, mark.column + 1) == expected


def test_duplicate_key_points_at_the_second_occurrence(site: Path, write: WritePost) -> None:
    path = write(POST, f"---\ntitle: A\ndate: {DATE}\nlayout: none\ntitle: B\n---\nbody\n")
    found = diagnostic("NC109", path)
    assert (found.line, found.column) == (5, 1)
    assert "'title'" in found.message and "line 2" in found.message


def test_duplicate_quoted_key_counts_as_the_same_key(site: Path, write: WritePost) -> None:
    found = diagnostic("NC109", write(POST, post('"title": B\n')))
    assert found.line == 4


def test_duplicate_key_with_block_values_is_found_in_a_crlf_file(site: Path, write: WritePost) -> None:
    text = f"---\ntitle: A\ndate: {DATE}\ntags:\n  - a\ntags:\n  - b\n---\nbody\n"
    assert diagnostic("NC109", write(POST, text)).line == 6  # LF: found
    crlf = write("site/_posts/2022-01-05-crlf.md", text.replace("\n", "\r\n"))
    assert diagnostic("NC109", crlf).line == 6


@pytest.mark.parametrize(
    ("text", "expected"), [("\n\n---\ntitle: x\n---\n", (3, 1)), ("  ---\ntitle: x\n---\n", (1, 3))]
)
def test_front_matter_not_at_start_points_at_its_opening_line(
    site: Path, write: WritePost, text: str, expected: tuple[int, int]
) -> None:
    found = diagnostic("NC110", write(POST, text))
    assert (found.line, found.column) == expected
    assert "NC105" not in codes(write(POST, text))


def test_crlf_points_at_the_first_crlf(site: Path, write: WritePost) -> None:
    found = diagnostic("NC111", write(POST, f"---\ntitle: x\ndate: {DATE}\r\n---\nbody\n"))
    assert (found.line, found.column) == (3, len(f"date: {DATE}") + 1)


def test_bom_does_not_hide_the_front_matter(site: Path, write: WritePost) -> None:
    assert codes(write(POST, "\ufeff" + post())) == ["NC104"]


def test_empty_file_is_reported_alone(site: Path, write: WritePost) -> None:
    assert codes(write(POST, b"")) == ["NC103"]


# --- NC2: what Jekyll does -------------------------------------------------------------------------


def test_ignored_file_in_posts_is_still_checked_as_a_post(site: Path, write: WritePost) -> None:
    path = write("site/_posts/notes.md", post(title='" 标题 "'))
    assert codes(path) == ["NC201", "NC305"]


def test_yml_in_posts_is_reported_but_not_checked_as_a_post(site: Path, write: WritePost) -> None:
    assert codes(write("site/_posts/2022-01-05-a.yml", "title: x\n")) == ["NC201"]


DATE_ON_LINE_4 = "---\ntitle: 标题\nlayout: none\ndate: {date}\n---\n正文\n"


@pytest.mark.parametrize(
    ("name", "date", "code"),
    [
        ("2022-01-05-a.md", "+0800", "NC202"),
        ("2022-01-05-a.md", "'2022-13-45'", "NC202"),
        ("2022-01-05-a.md", "2022-01-05 25:00 +0800", "NC202"),
        ("2022-01-06-a.md", DATE, "NC205"),
        ("2022-01-05-a.md", "2022-01-05 10:00:00", "NC206"),
        ("2099-01-01-a.md", "2099-01-01 10:00:00 +0800", "NC203"),
    ],
)
def test_date_rules_point_at_the_date_line(site: Path, write: WritePost, name: str, date: str, code: str) -> None:
    found = diagnostic(code, write(f"site/_posts/{name}", DATE_ON_LINE_4.format(date=date)))
    assert (found.line, found.column) == (4, 1)


def test_unquoted_impossible_date_is_reported_not_a_crash(site: Path, write: WritePost) -> None:
    # Psych's date pattern refuses month 13, so Jekyll gets the string and Time.parse fails on it.
    found = diagnostic("NC202", write(POST, DATE_ON_LINE_4.format(date="2022-13-45")))
    assert (found.line, found.column) == (4, 1)


def test_empty_date_is_invalid_and_missing(site: Path, write: WritePost) -> None:
    path = write(POST, "---\ntitle: A\ndate:\n---\nbody\n")
    assert codes(path) == ["NC202"]
    assert codes(path, config=REQUIRED) == ["NC202", "NC301"]


def test_invalid_date_in_the_file_name_without_a_date_field(site: Path, write: WritePost) -> None:
    path = write("site/_posts/2022-13-45-a.md", "---\ntitle: A\n---\nbody\n")
    assert "NC202" in codes(path)


def test_filename_date_is_compared_in_the_sites_zone(site: Path, write: WritePost) -> None:
    # 20:00 in Los Angeles on the 5th is noon on the 6th in Shanghai.
    path = write("site/_posts/2022-01-06-a.md", post(date="2022-01-05 20:00:00 -0800"))
    assert "NC205" not in codes(path)
    found = diagnostic(
        "NC205", write("site/_posts/2022-01-05-b.md", post(date="2022-01-05 20:00:00 -0800", title="别的"))
    )
    assert "2022-01-06" in found.message


def test_naive_timestamp_also_moves_the_post_to_the_next_day(site: Path, write: WritePost) -> None:
    path = write("site/_posts/2022-01-18-a.md", post(date="2022-01-18 19:10:33"))
    assert codes(path) == ["NC205", "NC206"]
    assert "2022-01-19 03:10 +0800" in diagnostic("NC206", path).message


def test_date_without_time_is_not_a_naive_timestamp(site: Path, write: WritePost) -> None:
    assert codes(write(POST, post(date="2022-01-05"))) == []


def test_future_post_is_not_reported_when_the_site_builds_future_posts(tmp_path: Path, write: WritePost) -> None:
    write("site/_config.yml", "timezone: Asia/Shanghai\nfuture: true\n")
    path = write("site/_posts/2099-01-01-a.md", post(date="2099-01-01 10:00:00 +0800"))
    assert codes(path) == []


def test_future_is_measured_against_now(site: Path, write: WritePost) -> None:
    path = write("site/_posts/2030-01-01-a.md", post(date="2030-01-01 10:00:00 +0800"))
    found = discover([str(path)])
    earlier = dt.datetime(2029, 12, 31, tzinfo=dt.timezone.utc)
    assert [d.code for d in validate(found, DEFAULT, jobs=1, now=earlier).diagnostics] == ["NC203"]
    later = dt.datetime(2030, 1, 2, tzinfo=dt.timezone.utc)
    assert validate(discover([str(path)]), DEFAULT, jobs=1, now=later).diagnostics == []


def test_unpublished_post_is_info_at_the_published_line(site: Path, write: WritePost) -> None:
    found = diagnostic("NC204", write(POST, post("published: false\n")))
    assert (found.line, found.severity) == (4, "info")


def test_categories_string_with_spaces_is_a_warning(site: Path, write: WritePost) -> None:
    found = diagnostic("NC207", write(POST, post("categories: 宏观 经济\n")))
    assert (found.line, found.severity) == (4, "warning")
    assert "declares" not in found.message


def test_categories_string_is_an_error_when_a_site_page_declares_the_whole_string(site: Path, write: WritePost) -> None:
    write("site/categories/macro.md", "---\nlayout: page\ncategory: 宏观 经济\n---\n")
    found = diagnostic("NC207", write(POST, post("categories: 宏观 经济\n")))
    assert (found.line, found.severity) == (4, "error")
    assert "declares it as one category" in found.message


def test_site_page_declaring_one_part_only_keeps_it_a_warning(site: Path, write: WritePost) -> None:
    write("site/categories/macro.md", "---\nlayout: page\ncategory: 宏观\n---\n")
    assert diagnostic("NC207", write(POST, post("categories: 宏观 经济\n"))).severity == "warning"


def test_missing_layout_points_at_the_layout_line(site: Path, write: WritePost) -> None:
    found = diagnostic("NC208", write(POST, post("layout: artcle\n")))
    assert found.line == 4 and "'artcle'" in found.message


def test_missing_layout_is_not_reported_when_the_site_has_a_theme(tmp_path: Path, write: WritePost) -> None:
    write("site/_config.yml", "timezone: Asia/Shanghai\ntheme: minima\n")
    assert codes(write(POST, post("layout: artcle\n"))) == []


def test_layout_none_is_never_missing(site: Path, write: WritePost) -> None:
    assert codes(write(POST, post("layout: none\n"))) == []


def test_same_url_is_reported_on_both_posts(site: Path, write: WritePost) -> None:
    first = write(POST, post("permalink: /same/\n"))
    second = write(
        "site/_posts/2022-01-06-b.md", post("permalink: /same/\n", title="别的", date="2022-01-06 10:00:00 +0800")
    )
    found = [d for d in run(site) if d.code == "NC209"]
    assert sorted(d.path for d in found) == sorted([str(first), str(second)])
    assert all("/same/" in d.message for d in found)


def test_unpublished_post_does_not_collide(site: Path, write: WritePost) -> None:
    write(POST, post("permalink: /same/\n"))
    write(
        "site/_posts/2022-01-06-b.md",
        post("permalink: /same/\npublished: false\n", title="别的", date="2022-01-06 10:00:00 +0800"),
    )
    assert codes(site) == ["NC204"]


def test_same_default_url_from_the_same_slug_in_two_folders(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-05-a.md", post("permalink: /:year/:title/\n"))
    write("site/_posts/old/2022-01-05-a.md", post("permalink: /:year/:title/\n", title="别的"))
    assert codes(site) == ["NC209", "NC209"]


@pytest.mark.parametrize(
    "front",
    ["categories: 2022\n", "slug: 7\n", "permalink: /:nope/\n"],
    ids=["numeric-categories", "numeric-slug", "unknown-placeholder"],
)
def test_front_matter_jekyll_cannot_apply(site: Path, write: WritePost, front: str) -> None:
    found = diagnostic("NC210", write(POST, post(front)))
    assert found.line == 4


# --- NC3: metadata, with and without config -----------------------------------------------------


def test_missing_title_and_date_when_required(site: Path, write: WritePost) -> None:
    path = write(POST, "---\nlayout: none\n---\nbody\n")
    found = [d for d in run(path, config=REQUIRED) if d.code == "NC301"]
    assert sorted(d.message.split("'")[1] for d in found) == ["date", "title"]


def test_required_comes_from_config(site: Path, write: WritePost) -> None:
    config = toml_config(write, 'required = ["title", "author"]\n')
    path = write(POST, "---\ntitle: A\n---\nbody\n")  # no date: not required any more
    found = diagnostic("NC301", path, config=config)
    assert "'author' is missing" in found.message
    assert "NC301" not in codes(write(OTHER, "---\ntitle: B\nauthor: 张三\n---\nbody\n"), config=config)


def test_empty_required_field_points_at_its_line(site: Path, write: WritePost) -> None:
    config = toml_config(write, 'required = ["title", "author"]\n')
    found = diagnostic("NC301", write(POST, "---\ntitle: A\nauthor: ''\n---\nbody\n"), config=config)
    assert found.line == 3 and "'author' is empty" in found.message


def test_default_types_are_checked(site: Path, write: WritePost) -> None:
    path = write(POST, post('published: "false"\ntags: [1, 2]\n'))
    found = [d for d in run(path) if d.code == "NC302"]
    assert [(d.line, d.message.split("'")[1]) for d in found] == [(4, "published"), (5, "tags")]


def test_config_types_are_checked(site: Path, write: WritePost) -> None:
    config = toml_config(write, '[types]\npriority = "integer"\n')
    found = diagnostic("NC302", write(POST, post("priority: high\n")), config=config)
    assert found.line == 4 and "integer" in found.message
    assert "NC302" not in codes(write(OTHER, post("priority: 3\n", title="别的")), config=config)


def test_config_types_override_the_default_ones(site: Path, write: WritePost) -> None:
    config = toml_config(write, '[types]\ntitle = "integer"\n')
    assert "NC302" not in codes(write(POST, post(title="2024")), config=config)


def test_allowed_values_split_a_categories_string(site: Path, write: WritePost) -> None:
    config = toml_config(write, CONFIG)
    found = diagnostic("NC303", write(POST, post("categories: emnews emnwes\n")), config=config)
    assert found.line == 4 and "'emnwes'" in found.message and "'emnews'" not in found.message


def test_allowed_values_check_every_list_item(site: Path, write: WritePost) -> None:
    config = toml_config(write, CONFIG)
    assert "NC303" in codes(write(POST, post("categories: [wire, other]\n")), config=config)
    assert "NC303" not in codes(write(OTHER, post("categories: [wire, emnews]\n", title="别的")), config=config)


def test_allowed_values_ignore_an_absent_field(site: Path, write: WritePost) -> None:
    assert codes(write(POST, post()), config=toml_config(write, CONFIG)) == []


def test_pattern_is_searched_in_the_value(site: Path, write: WritePost) -> None:
    config = toml_config(write, CONFIG)
    found = diagnostic("NC304", write(POST, post("source: ftp://x\n")), config=config)
    assert found.line == 4 and "'ftp://x'" in found.message
    assert "NC304" not in codes(write(OTHER, post(title="别的")), config=config)


def test_schema_violation_points_at_the_key(site: Path, write: WritePost) -> None:
    write("schema.json", SCHEMA)
    config = toml_config(write, SCHEMA_CONFIG)
    found = diagnostic("NC307", write(POST, post("author: 7\n")), config=config)
    assert found.line == 4 and found.message.startswith("author: ")


def test_schema_sees_dates_as_iso_strings(site: Path, write: WritePost) -> None:
    write("schema.json", '{"properties": {"date": {"type": "string", "format": "date-time"}}, "required": ["date"]}')
    config = toml_config(write, SCHEMA_CONFIG)
    assert codes(write(POST, post()), config=config) == []
    assert "NC307" in codes(write(OTHER, "---\ntitle: x\n---\nbody\n"), config=config)


def test_title_whitespace_points_at_the_title(site: Path, write: WritePost) -> None:
    found = diagnostic("NC305", write(POST, f"---\ndate: {DATE}\ntitle: ' 标题'\n---\nbody\n"))
    assert (found.line, found.column) == (3, 1)


@pytest.mark.parametrize("title", ["“引语", "《人民日报》评论：坚持“", "（完", '"半个引号'])
def test_unbalanced_title(site: Path, write: WritePost, title: str) -> None:
    assert "NC306" in codes(write(POST, post(title=repr(title))))


# --- NC4: the body ------------------------------------------------------------------------------


def test_empty_body_points_at_where_the_body_starts(site: Path, write: WritePost) -> None:
    found = diagnostic("NC401", write(POST, post(body="")[:-1]))  # no newline after the closing ---
    assert (found.line, found.column) == (4, 1)


@pytest.mark.parametrize("body", ["", "\n", "\n  \n"])
def test_empty_body_points_at_a_line_of_the_file(site: Path, write: WritePost, body: str) -> None:
    text = post(body=body)
    found = diagnostic("NC401", write(POST, text))
    assert 1 <= found.line <= len(text.splitlines())


def test_body_rules_point_at_the_line_and_column_in_the_file(site: Path, write: WritePost) -> None:
    body = '第一行\n<a href="">原文</a> [x]() <>\n  <a href="javascript:alert(1)">x</a>\n<script src=x></script>\n<p><img alt="图"></p>\n'
    path = write(POST, post(body=body))
    found = [(d.code, d.line, d.column) for d in run(path)]
    assert found == [
        ("NC402", 6, 1),
        ("NC402", 6, 19),
        ("NC402", 6, 25),
        ("NC403", 7, 6),
        ("NC404", 8, 1),
        ("NC405", 9, 4),
    ]


def test_javascript_url_in_a_markdown_link(site: Path, write: WritePost) -> None:
    found = diagnostic("NC403", write(POST, post(body="see [this](javascript:void(0))\n")))
    assert (found.line, found.column) == (5, 10)


def test_javascript_url_in_any_case_is_found(site: Path, write: WritePost) -> None:
    # The body is searched for the word first (cheap), in any case, as the full pattern is.
    found = diagnostic("NC403", write(POST, post(body='<A HREF = "JavaScript:go()">x</A>\n')))
    assert (found.line, found.column) == (5, 4)


def test_image_with_an_empty_src_has_no_source(site: Path, write: WritePost) -> None:
    assert "NC405" in codes(write(POST, post(body='<img src="" alt="图">\n')))


# --- NC5: the archive -----------------------------------------------------------------------------


def test_duplicate_title_is_reported_on_the_later_path_only(site: Path, write: WritePost) -> None:
    write(POST, post())
    later = write(OTHER, post(date="2022-01-05 18:00:00 +0800"))
    found = diagnostic("NC501", site)
    assert found.path == str(later) and POST.split("/")[-1] in found.message


def test_duplicate_title_ignores_surrounding_whitespace(site: Path, write: WritePost) -> None:
    write(POST, post())
    write(OTHER, post(title='" 标题 "'))
    assert codes(site) == ["NC305", "NC501"]


def test_duplicate_source_is_reported_on_the_later_path_only(site: Path, write: WritePost) -> None:
    write(POST, post(body="原文：\n<https://example.com/n/1>\n"))
    later = write(
        "site/_posts/2022-01-07-z.md",
        post(body="https://example.com/n/1\n", title="另一篇", date="2022-01-07 10:00:00 +0800"),
    )
    found = diagnostic("NC502", site)
    assert found.path == str(later) and "https://example.com/n/1" in found.message


def test_duplicate_source_uses_the_configured_field(site: Path, write: WritePost) -> None:
    config = toml_config(write, 'duplicate-key = "source"\n')
    write(POST, post("source: https://example.com/n/1\n", body="<https://example.com/a>\n"))
    write(OTHER, post("source: https://example.com/n/1\n", body="<https://example.com/b>\n", title="别的"))
    write(
        "site/_posts/2022-01-05-c.md",
        post("source: https://example.com/n/2\n", body="<https://example.com/a>\n", title="第三"),
    )
    found = [d for d in run(site, config=config) if d.code == "NC502"]
    assert [d.path.rsplit("/", 1)[-1] for d in found] == ["2022-01-05-b.md"]


def test_three_duplicates_are_reported_twice(site: Path, write: WritePost) -> None:
    for name in ("a", "b", "c"):
        write(f"site/_posts/2022-01-05-{name}.md", post(body="<https://example.com/n/1>\n", title=name))
    found = [d for d in run(site) if d.code == "NC502"]
    assert [d.path.rsplit("/", 1)[-1] for d in found] == ["2022-01-05-b.md", "2022-01-05-c.md"]
    assert all("2022-01-05-a.md" in d.message for d in found)


# --- silencing: inline comments, select/ignore, per-path-ignores -----------------------------------


def test_inline_ignore_comment_silences_the_named_code(site: Path, write: WritePost) -> None:
    path = write(POST, "---\ntitle: A # newsctl: ignore[NC301]\n---\n<script></script>\n")
    assert codes(path) == ["NC404"]


def test_inline_ignore_takes_several_codes_and_prefixes(site: Path, write: WritePost) -> None:
    path = write(POST, "---\n# newsctl: ignore[NC301, NC40]\ntitle: A\n---\n<script></script>\n")
    assert codes(path) == []


def test_inline_ignore_applies_to_its_own_file_only(site: Path, write: WritePost) -> None:
    write(POST, "---\ntitle: A # newsctl: ignore[NC301]\n---\nbody\n")
    other = write(OTHER, "---\ntitle: B\n---\nbody\n")
    assert [(d.path, d.code) for d in run(site, config=REQUIRED)] == [(str(other), "NC301")]


def test_inline_ignore_silences_archive_wide_codes_too(site: Path, write: WritePost) -> None:
    write(POST, post())
    write(OTHER, post("# newsctl: ignore[NC501]\n", date="2022-01-05 18:00:00 +0800"))
    assert codes(site) == []


def test_inline_ignore_with_a_trailing_comma_silences_only_the_named_code(site: Path, write: WritePost) -> None:
    path = write(POST, "---\ntitle: A # newsctl: ignore[NC301,]\n---\n<script></script>\n")
    assert codes(path) == ["NC404"]


def test_a_comment_without_the_marker_silences_nothing(site: Path, write: WritePost) -> None:
    path = write(POST, "---\ntitle: A # ignore[NC301]\n---\nbody\n")
    assert codes(path, config=REQUIRED) == ["NC301"]


BUSY = "---\ntitle: ' A'\n---\n<script></script>\n"  # NC301 (date, when required), NC305, NC404


def test_select_a_prefix(site: Path, write: WritePost) -> None:
    path = write(POST, BUSY)
    assert codes(path, config=REQUIRED) == ["NC301", "NC305", "NC404"]
    assert codes(path, config=REQUIRED.with_cli(select=["NC3"])) == ["NC301", "NC305"]
    assert codes(path, config=REQUIRED.with_cli(select=["NC404", "NC305"])) == ["NC305", "NC404"]


def test_ignore_a_prefix(site: Path, write: WritePost) -> None:
    path = write(POST, BUSY)
    assert codes(path, config=DEFAULT.with_cli(ignore=["NC30"])) == ["NC404"]
    assert codes(path, config=DEFAULT.with_cli(ignore=["NC3", "NC4"])) == []


def test_ignore_wins_over_a_more_specific_select(site: Path, write: WritePost) -> None:
    path = write(POST, BUSY)
    assert codes(path, config=DEFAULT.with_cli(select=["NC301", "NC4"], ignore=["NC3"])) == ["NC404"]


def test_cli_select_replaces_the_files_select(site: Path, write: WritePost) -> None:
    config = toml_config(write, 'select = ["NC4"]\n' + REQUIRE_DATES)
    path = write(POST, BUSY)
    assert codes(path, config=config) == ["NC404"]
    assert codes(path, config=config.with_cli(select=["NC3"])) == ["NC301", "NC305"]


def test_per_path_ignores_match_paths_relative_to_the_config(site: Path, write: WritePost) -> None:
    config = toml_config(write, REQUIRE_DATES + '[per-path-ignores]\n"site/_posts/old/*" = ["NC3"]\n')
    write("site/_posts/old/2022-01-05-a.md", BUSY)
    kept = write(OTHER, BUSY)
    found = run(site, config=config)
    assert sorted((d.path, d.code) for d in found if d.code.startswith("NC3")) == [
        (str(kept), "NC301"),
        (str(kept), "NC305"),
    ]
    assert sum(d.code == "NC404" for d in found) == 2


def test_per_path_ignores_glob_without_a_slash_matches_any_part(site: Path, write: WritePost) -> None:
    config = toml_config(write, '[per-path-ignores]\n"*-a.md" = ["NC301", "NC404"]\n')
    path = write(POST, BUSY)
    assert codes(path, config=config) == ["NC305"]


# --- --fix --------------------------------------------------------------------------------------


def fix(path: Path, *, unsafe: bool = False) -> tuple[list[str], list[str]]:
    """Run ``validate --fix`` on one file: (codes fixed, codes still reported)."""
    outcome = run_validation([str(path)], jobs=1, use_cache=False, fix=True, unsafe_fixes=unsafe)
    return [a.code for a in outcome.fixes], sorted(d.code for d in outcome.run.diagnostics)


def test_fix_removes_the_bom_and_nothing_else(site: Path, write: WritePost) -> None:
    original = ("\ufeff" + post(body="正文\r\n  末尾  \n")).encode("utf-8")
    path = write(POST, original)
    assert fix(path) == (["NC104"], ["NC111"])
    assert path.read_bytes() == original[3:]


def test_fix_adds_the_missing_date_from_the_file_name_before_the_closing_line(site: Path, write: WritePost) -> None:
    write("newsctl.toml", REQUIRE_DATES)  # filling a date fixes NC301, a house rule
    path = write("site/_posts/2022-1-5-a.md", "---\ntitle: A   # 标题\ntags: [x,  y]\n---\nbody\n")
    assert fix(path) == (["NC301"], [])
    assert path.read_text(encoding="utf-8") == "---\ntitle: A   # 标题\ntags: [x,  y]\ndate: 2022-01-05\n---\nbody\n"


def test_fix_fills_an_empty_date_line_in_place(site: Path, write: WritePost) -> None:
    write("newsctl.toml", REQUIRE_DATES)  # filling a date fixes NC301, a house rule
    path = write(POST, "---\ntitle: A\ndate:\nlayout: none\n---\nbody\n")
    assert fix(path) == (["NC301"], [])
    assert path.read_text(encoding="utf-8") == "---\ntitle: A\ndate: 2022-01-05\nlayout: none\n---\nbody\n"


@pytest.mark.parametrize("empty", ['""', "''", "~", "null"])
def test_fix_fills_an_explicitly_empty_date(site: Path, write: WritePost, empty: str) -> None:
    write("newsctl.toml", REQUIRE_DATES)  # filling a date fixes NC301, a house rule
    path = write(POST, f"---\ntitle: A\ndate: {empty}\n---\nbody\n")
    assert fix(path) == (["NC301"], [])
    assert path.read_text(encoding="utf-8") == "---\ntitle: A\ndate: 2022-01-05\n---\nbody\n"


def test_fix_does_not_add_a_missing_title(site: Path, write: WritePost) -> None:
    write("newsctl.toml", REQUIRE_DATES)  # filling a date fixes NC301, a house rule
    path = write(POST, f"---\ndate: {DATE}\n---\nbody\n")
    assert fix(path) == ([], ["NC301"])
    assert path.read_text(encoding="utf-8") == f"---\ndate: {DATE}\n---\nbody\n"


@pytest.mark.parametrize(("title", "trimmed"), [('" 标题  "', '"标题"'), ("'\t标题 '", "'标题'")])
def test_fix_trims_the_title(site: Path, write: WritePost, title: str, trimmed: str) -> None:
    path = write(POST, post("tags: [a]\n", title=title))
    assert fix(path) == (["NC305"], [])
    assert path.read_text(encoding="utf-8") == post("tags: [a]\n", title=trimmed)


def test_naive_timestamp_is_not_fixed_without_unsafe_fixes(site: Path, write: WritePost) -> None:
    text = post(date="2022-01-05 10:00:00")
    path = write(POST, text)
    assert fix(path) == ([], ["NC206"])
    assert path.read_text(encoding="utf-8") == text


def test_unsafe_fix_adds_the_sites_offset(site: Path, write: WritePost) -> None:
    path = write("site/_posts/2022-01-18-a.md", post(date="2022-01-18 19:10:33"))
    assert fix(path, unsafe=True) == (["NC206"], [])  # NC205 goes too: the post stays on the 18th
    assert path.read_text(encoding="utf-8") == post(date="2022-01-18 19:10:33 +0800")


def test_unsafe_fix_uses_the_config_timezone_first(site: Path, write: WritePost) -> None:
    write("newsctl.toml", 'timezone = "Europe/Berlin"\n')
    path = write(POST, post(date="2022-01-05 10:00:00"))
    fixed, _ = fix(path, unsafe=True)
    assert fixed == ["NC206"]
    assert path.read_text(encoding="utf-8") == post(date="2022-01-05 10:00:00 +0100")


def test_fix_several_codes_in_one_file(site: Path, write: WritePost) -> None:
    write("newsctl.toml", REQUIRE_DATES)  # filling a date fixes NC301, a house rule
    path = write(POST, "\ufeff---\ntitle: ' A '\n---\nbody\n")
    fixed, left = fix(path)
    assert sorted(fixed) == ["NC104", "NC301", "NC305"] and left == []
    assert path.read_bytes() == b"---\ntitle: 'A'\ndate: 2022-01-05\n---\nbody\n"


def test_fix_respects_ignored_codes(site: Path, write: WritePost) -> None:
    text = "\ufeff" + post()
    path = write(POST, text)
    outcome = run_validation([str(path)], ignore=["NC104"], jobs=1, use_cache=False, fix=True)
    assert outcome.fixes == [] and outcome.run.diagnostics == []
    assert path.read_text(encoding="utf-8") == text


def test_fix_keeps_crlf_when_adding_a_date(site: Path, write: WritePost) -> None:
    write("newsctl.toml", REQUIRE_DATES)  # filling a date fixes NC301, a house rule
    path = write(POST, "---\r\ntitle: A\r\n---\r\nbody\r\n")
    assert fix(path) == (["NC301"], ["NC111"])
    assert path.read_bytes() == b"---\r\ntitle: A\r\ndate: 2022-01-05\r\n---\r\nbody\r\n"


def test_fix_keeps_crlf_when_removing_the_bom(site: Path, write: WritePost) -> None:
    path = write(POST, "\ufeff" + post().replace("\n", "\r\n"))
    assert fix(path) == (["NC104"], ["NC111"])
    assert path.read_bytes() == post().replace("\n", "\r\n").encode("utf-8")


def test_fix_trims_the_title_in_a_crlf_file(site: Path, write: WritePost) -> None:
    path = write(POST, post(title='" 标题 "').replace("\n", "\r\n"))
    assert fix(path) == (["NC305"], ["NC111"])
    assert path.read_bytes() == post(title='"标题"').replace("\n", "\r\n").encode("utf-8")


def test_unsafe_fix_adds_the_offset_in_a_crlf_file(site: Path, write: WritePost) -> None:
    path = write(POST, post(date="2022-01-05 10:00:00").replace("\n", "\r\n"))
    assert fix(path, unsafe=True) == (["NC206"], ["NC111"])
    assert path.read_bytes() == post(date="2022-01-05 10:00:00 +0800").replace("\n", "\r\n").encode("utf-8")


def test_fix_fills_an_empty_date_line_in_a_crlf_file(site: Path, write: WritePost) -> None:
    write("newsctl.toml", REQUIRE_DATES)  # filling a date fixes NC301, a house rule
    path = write(POST, "---\r\ntitle: A\r\ndate:\r\n---\r\nbody\r\n")
    assert fix(path) == (["NC301"], ["NC111"])
    assert path.read_bytes() == b"---\r\ntitle: A\r\ndate: 2022-01-05\r\n---\r\nbody\r\n"


def test_fix_leaves_files_without_fixable_problems_untouched(site: Path, write: WritePost) -> None:
    path = write(POST, post("layout: artcle\n"))
    before = path.stat().st_mtime_ns
    assert fix(path) == ([], ["NC208"])
    assert path.stat().st_mtime_ns == before
