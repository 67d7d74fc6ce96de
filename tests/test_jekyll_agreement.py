"""Acceptance: newsctl computes what Jekyll 4 itself computes for every post Jekyll publishes.

Runs only where Debian's ``jekyll`` is installed (``.ci/run`` installs it). The reference values
come from Jekyll's own ``site.posts``, dumped through a Liquid template (tests/jekyll_reference.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from newsctl.jekyll.dates import zone_for
from newsctl.jekyll.discovery import discover
from newsctl.jekyll.post import Post, load_all
from tests.conftest import CORPUS
from tests.jekyll_reference import jekyll_available, jekyll_posts

pytestmark = pytest.mark.skipif(not jekyll_available(), reason="jekyll is not installed")

FIELDS = ("title", "date", "categories", "tags", "slug", "url")


def _jekyll_value(field: str, value: Any) -> Any:
    # newsctl reports every category and tag as a string, de-duplicated for categories (Jekyll
    # keeps e.g. both 1 and "1"); titles that YAML reads as numbers or booleans as Ruby's to_s.
    if field == "categories":
        seen: list[str] = []
        for item in value:
            text = _to_s(item)
            if text not in seen:
                seen.append(text)
        return seen
    if field == "tags":
        return [_to_s(item) for item in value]
    if field == "title":
        return _to_s(value)
    return value


def _to_s(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # Ruby's Array#to_s, for a nested list of strings
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return value if isinstance(value, str) else str(value)


def _ours(root: Path) -> dict[str, Post]:
    posts = {}
    for result in load_all(discover([str(root)]), jobs=1):
        if isinstance(result, Post):
            posts[str(Path(result.path).resolve().relative_to(root.resolve()))] = result
    return posts


def _compare(root: Path, reference: list[dict[str, Any]]) -> list[str]:
    ours = _ours(root)
    problems = []
    for expected in reference:
        path = str(expected["path"])
        post = ours.get(path)
        if post is None:
            problems.append(f"{path}: Jekyll publishes it, newsctl did not read it")
            continue
        assert post.date is not None
        got = {
            "title": post.title,
            "date": post.date.isoformat(),
            "categories": list(post.categories),
            "tags": list(post.tags),
            "slug": post.slug,
            "url": post.url,
        }
        for field in FIELDS:
            want = _jekyll_value(field, expected[field])
            if got[field] != want:
                problems.append(f"{path}: {field}: jekyll {want!r}, newsctl {got[field]!r}")
    return problems


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("name", ["finews", "jekyll-tests"])
def test_shared_corpus_agrees_with_jekyll(name: str, tmp_path: Path) -> None:
    source = CORPUS / name
    reference = jekyll_posts(source)
    assert reference, "Jekyll published no posts"
    assert _compare(source, reference) == []


def test_examples_agree_with_jekyll() -> None:
    root = Path(__file__).resolve().parent.parent / "examples"
    reference = jekyll_posts(root)
    assert len(reference) >= 10
    assert _compare(root, reference) == []


# Tricky but valid posts, written here so the rules (not the corpus) are what is tested.
EDGE_POSTS: dict[str, str] = {
    "_posts/2022-01-18-unquoted-utc.md": "---\ndate: 2022-01-18 19:10:33\n---\n",
    "_posts/2022-01-18-quoted-local.md": '---\ndate: "2022-01-18 19:10:33"\n---\n',
    "_posts/2022-01-18-offset-compact.md": "---\ndate: 2022-01-18 19:10:33 +0800\n---\n",
    "_posts/2022-01-18-offset-colon.md": "---\ndate: '2022-01-18T19:10:33-05:00'\n---\n",
    "_posts/2022-01-18-zulu.md": "---\ndate: 2022-01-18T23:10:33Z\n---\n",
    "_posts/2022-01-18-fraction.md": "---\ndate: 2022-01-18 19:10:33.987\n---\n",
    "_posts/2022-01-18-fraction-quoted.md": '---\ndate: "2022-01-18 19:10:33.999"\n---\n',
    "_posts/2022-01-18-date-only.md": "---\ndate: 2022-01-19\n---\n",
    "_posts/2022-01-18-no-seconds.md": "---\ndate: 2022-01-18 19:10\n---\n",
    "_posts/2022-01-18-slashes.md": "---\ndate: 2022/01/18 08:00\n---\n",
    "_posts/2022-01-18-month-name.md": "---\ndate: Jan 18 2022 10:00\n---\n",
    "_posts/2022-01-18-us-central.md": "---\ndate: 2022-01-18 19:10:33 CST\n---\n",
    "_posts/2022-02-30-rollover.md": "---\ntitle: Rolls over\n---\n",
    "_posts/2017-2-5-no-zero-padding.md": "no front matter at all\n",
    "_posts/22-03-04-short-year.md": "---\n---\n",
    "_posts/sub/2022-01-05-nested.md": "---\ncategories: Inner\n---\n",
    "_posts/2022-01-06-tar.tar.gz": "---\ntitle: archive\n---\n",
    "_posts/2022-01-07-trailing-dots...markdown": "---\n---\n",
    "_posts/2022-01-08-HELLO-wORLD.md": "---\npermalink: /:title/:slug/\n---\n",
    "_posts/2022-01-09-a b+c&d.md": "---\n---\n",
    "_posts/2022-01-10-新闻-标题.html": "---\n---\n",
    "_posts/2022-01-11--lead.md": "---\n---\n",
    "_posts/2022-01-12-crlf.md": "---\r\ntitle: Windows\r\ntags: [a, b]\r\n---\r\nbody\r\n",
    "_posts/2022-01-13-dots.md": "---\ntitle: Dots\n...\nbody\n",
    "_posts/2022-01-14-space-first.md": " ---\ntitle: ignored\n---\n",
    "_posts/2022-01-15-bom.md": "\ufeff---\ntitle: With BOM\n---\n",
    "_posts/2022-01-16-cats.md": "---\ncategories: 'A b  c'\ncategory: Foo Bar\ntags: 'x, y'\n---\n",
    "_posts/2022-01-17-cat-list.md": "---\ncategories: [1, 2, 2, a, a, true]\ntag: one tag\ntags: [ignored]\n---\n",
    "_posts/2022-01-19-nested-cats.md": "---\ncategories: [[a, b], c]\ntags: [[a, b], c, [d, [e]]]\n---\n",
    "_posts/2022-01-20-empty-category.md": '---\ncategory: ""\ntags: 2022\n---\n',
    "_posts/2022-01-21-slug.md": "---\nslug: My Custom Slug\n---\n",
    "_posts/2022-01-22-empty-slug.md": "---\nslug: ''\n---\n",
    "_posts/2022-01-23-slug-dots.md": "---\nslug: a.b..\npermalink: /x/:year/:month/:day/:slug.html\n---\n",
    "_posts/2022-01-24-titles.md": "---\ntitle: yes\n---\n",
    "_posts/2022-01-25-title-no.md": "---\ntitle: no\n---\n",
    "_posts/2022-01-26-title-number.md": "---\ntitle: 0123\n---\n",
    "_posts/2022-01-27-permalink.md": "---\npermalink: foo/bar\n---\n",
    "_posts/2022-01-28-placeholders.md": (
        "---\npermalink: /:year/:i_month/:i_day/:short_year/:hour/:minute/:second/:y_day/:week/:w_year/"
        ":short_month/:long_month/:name/:path/:collection/:title\ndate: 2022-01-28 09:05:03 +0800\n---\n"
    ),
    "_posts/2022-01-29-literal.md": "---\npermalink: /中文/a b/:title/\n---\n",
    "_posts/2022-01-30-published-string.md": "---\npublished: 'false'\n---\n",
    "_posts/2022-01-31-dupe.md": "---\ntitle: A\ntitle: B\n---\n",
    "_posts/2022-02-01-alias.md": "---\na: &x hi\ntitle: *x\n---\n",
    "_posts/2022-02-02-binary.md": "---\ntitle: !binary 5Lit5paH\ndate: !binary MjAxMC0wMS0yNiAxNzozMDoyNCArMDgwMA==\n---\n",
    "_posts/2022-02-03-hash-#1.md": "---\ncategories: ['#x', 'a+b', '%20', ' a ']\n---\n",
    "新闻/_posts/2022-02-04-folder.md": "---\ncategories: [b, 新闻, A]\n---\n",
    "A/B c/_posts/2022-02-05-upper.md": "---\ncategory: Foo Bar\n---\n",
    "x/_posts/2022-02-06-null-cats.md": "---\ncategories:\ncategory: y\n---\n",
    "_posts/2022-02-07-future-ish.md": "---\ndate: 2022-02-07 00:30:00 +0800\n---\n",
    "_posts/2022-02-08-unquoted-rollover.md": "---\ndate: 2022-02-30 10:00:00\n---\n",
    "_posts/2022-02-09-unquoted-rollover-offset.md": "---\ndate: 2022-04-31 23:30:00 +08:00\n---\n",
}


@pytest.mark.parametrize(
    ("config", "env"),
    [
        ("timezone: Asia/Shanghai\n", {}),
        ("", {"TZ": "America/New_York"}),
        ("timezone: Europe/London\npermalink: pretty\n", {}),
        ("timezone: Asia/Tokyo\npermalink: /:categories/:title:output_ext\n", {}),
    ],
    ids=["shanghai", "tz-env", "pretty", "custom"],
)
def test_edge_cases_agree_with_jekyll(
    config: str, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    for relative, text in EDGE_POSTS.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    (root / "_config.yml").write_text(config, encoding="utf-8")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    zone_for.cache_clear()
    reference = jekyll_posts(root, env=env)
    assert len(reference) >= len(EDGE_POSTS) - 2
    assert _compare(root, reference) == []
    shutil.rmtree(root)
