from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsctl.jekyll import names as jekyll


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("_posts/2022-01-01-hello.md", ("2022-01-01", "hello", ".md")),
        ("_posts/2017-2-5-no-zeroes.md", ("2017-2-5", "no-zeroes", ".md")),
        ("_posts/sub/2022-01-01-nested.md", ("2022-01-01", "nested", ".md")),
        ("2022-01-01-tar.tar.gz", ("2022-01-01", "tar.tar", ".gz")),
        ("2022-01-01-.md", ("2022-01-01", "", ".md")),
        ("22-01-01-short.md", ("22-01-01", "short", ".md")),
    ],
)
def test_dated_file_names_jekyll_accepts(path: str, expected: tuple[str, str, str]) -> None:
    assert jekyll.match_dated_name(path) == expected


@pytest.mark.parametrize(
    "path", ["2019-05-05.md", "2022-01-01-noext", "a2022-01-01-x.md", "12345-01-01-x.md", "２０２２-01-01-x.md"]
)
def test_file_names_jekyll_rejects(path: str) -> None:
    assert jekyll.match_dated_name(path) is None


@pytest.mark.parametrize(
    ("slug", "title"),
    [("hello-world", "Hello World"), ("HELLO-wORLD", "Hello World"), ("hello--world", "Hello  World"),
     ("-lead", " Lead"), ("a_b-c", "A_b C"), ("ünïcode-ñame", "Ünïcode Ñame"), ("新闻-标题", "新闻 标题"), ("x-", "X")],
)  # fmt: skip
def test_titleize_slug_matches_ruby(slug: str, title: str) -> None:
    assert jekyll.titleize_slug(slug) == title


@pytest.mark.parametrize(
    ("value", "mode", "cased", "expected"),
    [
        ("Hello World!", "default", False, "hello-world"),
        ("Hello World!", "pretty", True, "Hello-World!"),
        ("a[1]", "pretty", True, "a-1"),
        ("a+b&c", "pretty", True, "a+b&c"),
        ("9.3.2015", "default", False, "9-3-2015"),
        ("新闻 标题", "default", False, "新闻-标题"),
        ("  spaced  ", "raw", False, "spaced"),
        ("Ünï", "ascii", False, "n"),
    ],
)
def test_slugify_modes(value: str, mode: str, cased: bool, expected: str) -> None:
    assert jekyll.slugify(value, mode, cased=cased) == expected


def test_slugify_of_none_is_none() -> None:
    assert jekyll.slugify(None) is None


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("abc/def", "abc/def"), ("a b", "a%20b"), ("新闻", "%E6%96%B0%E9%97%BB"), ("hash-#1", "hash-%231"),
     ("a%20b", "a%2520b"), ("a?b", "a?b"), ("", "")],
)  # fmt: skip
def test_escape_path_follows_addressable(value: str, escaped: str) -> None:
    assert jekyll.escape_path(value) == escaped


@pytest.mark.parametrize(("raw", "clean"), [("a//b/", "/a/b/"), ("../x/", "/x/"), ("x/./y", "/x/y"), ("", "/")])
def test_sanitize_url(raw: str, clean: str) -> None:
    assert jekyll.sanitize_url(raw) == clean


def test_categories_join_folders_list_and_singular_category() -> None:
    merged = jekyll.merge_categories(["news"], "a b  a")
    assert merged == ["news", "a", "b"]
    assert jekyll.categories({"categories": merged, "category": "Foo Bar"}) == ["news", "a", "b", "Foo Bar"]


def test_categories_are_strings_as_ruby_writes_them() -> None:
    assert jekyll.categories({"categories": [1, 1.5, True, None]}) == ["1", "1.5", "true", ""]


def test_merge_categories_refuses_a_number() -> None:
    assert jekyll.merge_categories([], 2022) is None


def test_tag_wins_over_tags_and_is_not_split() -> None:
    assert jekyll.tags({"tag": "x y", "tags": ["a"]}) == ["x y"]
    assert jekyll.tags({"tags": "x, y"}) == ["x,", "y"]
    assert jekyll.tags({"tags": 2022}) == []
    assert jekyll.tags({"tags": [["a", "b"], "c", ["d", ["e"]]]}) == ["a", "b", "c", "d", "e"]
    assert jekyll.tags({"tags": ["a", "A", "a"]}) == ["a", "A", "a"]


def test_categories_from_path() -> None:
    assert jekyll.categories_from_path("a/b/_posts/x.md") == ["a", "b"]
    assert jekyll.categories_from_path("_posts/sub/x.md") == []
    assert jekyll.categories_from_path("a/_posts/sub/x.md") == ["a"]


def test_output_ext() -> None:
    assert jekyll.output_ext(".md", None) == ".html"
    assert jekyll.output_ext(".MD", None) == ".html"
    assert jekyll.output_ext(".textile", None) == ".textile"
    assert jekyll.output_ext(".md", "/x/y.php") == ".php"
    assert jekyll.output_ext(".md", "/x/y/") == ".html"


def test_unknown_placeholder_is_an_error() -> None:
    with pytest.raises(jekyll.PermalinkError, match=":unknown"):
        jekyll.expand_permalink("/:unknown/", {"title": "x"})


def test_permalink_styles_from_config() -> None:
    assert jekyll.posts_permalink_template({}) == jekyll.PERMALINK_STYLES["date"]
    assert jekyll.posts_permalink_template({"permalink": "pretty"}) == jekyll.PERMALINK_STYLES["pretty"]
    assert jekyll.posts_permalink_template({"permalink": "/:title/"}) == "/:title/"
    assert jekyll.posts_permalink_template({"collections": {"posts": {"permalink": "/p/:title/"}}}) == "/p/:title/"


@given(st.text(max_size=40))
def test_slugs_never_start_or_end_with_a_hyphen(value: str) -> None:
    for mode in ("default", "pretty"):
        slug = jekyll.slugify(value, mode)
        assert slug is not None and not slug.startswith("-") and not slug.endswith("-")


@given(st.text(max_size=40))
def test_urls_are_absolute_without_double_slashes(value: str) -> None:
    url = jekyll.sanitize_url(jekyll.escape_path(value))
    assert url.startswith("/") and "//" not in url


def _reference_slug(value: str, pretty: bool) -> str:
    import unicodedata

    keep = "._~!$&'()+,;=@" if pretty else ""
    out = "".join(
        c if unicodedata.category(c)[0] in "LM" or unicodedata.category(c) == "Nd" or c in keep else "\0" for c in value
    )
    return "-".join(part for part in out.split("\0") if part) if out else ""


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_ascii_fast_path_matches_the_unicode_rules(value: str) -> None:
    assert jekyll.slugify(value, "default", cased=True) == _reference_slug(value, False)
    assert jekyll.slugify(value, "pretty", cased=True) == _reference_slug(value, True)


_words = st.sampled_from(["news", "News", "a b", "", " x ", "科技", "a", "b"])
_plain_or_odd = st.one_of(st.none(), _words, st.booleans(), st.integers(0, 3), st.lists(_words, max_size=3),
                          st.lists(st.one_of(_words, st.none(), st.integers(0, 2)), max_size=3))  # fmt: skip


@given(st.lists(_words, max_size=3), _plain_or_odd, _plain_or_odd, _plain_or_odd, st.booleans())
def test_remembered_categories_and_tags_are_the_rules_results(
    merged: list[str], category: object, tag: object, tags: object, absent: bool
) -> None:
    data: dict[str, object] = {"categories": merged}
    if not absent:
        data.update(category=category, tag=tag, tags=tags)
    for _ in range(2):  # the second time from memory
        assert jekyll.post_categories(data) == tuple(jekyll.categories(data))
        assert jekyll.post_tags(data) == tuple(jekyll.tags(data))
