"""Acceptance ("newsctl convert"): converting a post body loses nothing a reader sees.

For every post file of the shared corpus (``finews/_posts``, ``jekyll-tests/_posts``,
``jekyll-html/*/_posts``; skipped when ../shared is absent) and of the bundled examples
(``examples/_posts``, ``examples/markets/_posts``):

(a) newsctl renders like Jekyll: ``visible_text(body_html(post))`` equals the visible text of
    the body Jekyll renders (only where Debian's ``jekyll`` is installed);
(b) the ``text`` output, whitespace-normalised, equals the visible text of the reference body;
(c) the ``markdown`` output, rendered with markdown-it-py, has the same visible text;
(d) every link target (and, when images are kept, image source) of the reference body appears
    verbatim in the Markdown.

The reference body is Jekyll's own rendering (tests/jekyll_render.py) when Jekyll is installed,
otherwise newsctl's ``body_html``.  "Visible text" is defined in tests/visible_text.py.
Only files Jekyll publishes are checked (with Jekyll: the ones in ``site.posts``; without it:
the ones newsctl reads as published posts).  Overall figures: ``benchmarks/fidelity.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from newsctl.errors import PostError
from newsctl.jekyll.post import Post, load_path
from tests.conftest import CORPUS, EXAMPLES
from tests.jekyll_render import jekyll_available, jekyll_rendered
from tests.visible_text import (
    describe_difference,
    link_targets,
    markdown_visible_text,
    normalise_text,
    visible_text,
)

convert: Any = pytest.importorskip("newsctl.convert.body", reason="newsctl.convert.body is not written yet")
if not all(hasattr(convert, name) for name in ("ConvertOptions", "convert_body", "body_html")):
    pytest.skip("newsctl.convert.body lacks ConvertOptions/convert_body/body_html", allow_module_level=True)

JEKYLL = jekyll_available()

# Options whose output must have exactly the visible text of the body: plain text keeps no URLs
# (they would be extra text), Markdown keeps links and images (both invisible once rendered).
TEXT_OPTIONS = {"to": "text", "images": "drop", "links": "drop"}
MARKDOWN_OPTIONS = {"to": "markdown", "images": "keep", "links": "inline"}
# Markdown outputs that must keep every target: (images, links) -> are image sources required?
TARGET_VARIANTS = {
    "keep-inline": ("keep", "inline"),
    "keep-footnotes": ("keep", "footnotes"),
    "drop-inline": ("drop", "inline"),
}


def _site_roots() -> list[Path]:
    roots: list[Path] = []
    if CORPUS.is_dir():
        roots += [CORPUS / "finews", CORPUS / "jekyll-tests"]
        roots += sorted(p for p in (CORPUS / "jekyll-html").glob("*") if (p / "_posts").is_dir())
    roots.append(EXAMPLES)
    return roots


def _post_files() -> list[Any]:
    """pytest params (site root, path relative to it) for every file directly in a _posts folder."""
    params = []
    for root in _site_roots():
        folders = [root / "_posts"] + ([root / "markets" / "_posts"] if root == EXAMPLES else [])
        for folder in folders:
            for path in sorted(folder.glob("*")):
                if path.is_file():
                    relative = path.relative_to(root).as_posix()
                    base = CORPUS if root.is_relative_to(CORPUS) else EXAMPLES.parent
                    params.append(pytest.param(str(root), relative, id=path.relative_to(base).as_posix()))
    return params


POST_FILES = _post_files()

# Where newsctl's rendering is known to differ from kramdown's (what Jekyll uses): none since
# newsctl.markdown follows kramdown. The converter is still checked on such posts, against
# newsctl's own rendering.
KRAMDOWN_DIVERGENCES: dict[str, str] = {}


def _divergence(case_path: str) -> str | None:
    for suffix, reason in KRAMDOWN_DIVERGENCES.items():
        if case_path.endswith(suffix):
            return reason
    return None


@dataclass(frozen=True)
class Case:
    path: str
    post: Post
    reference: str  # the body HTML the outputs are compared with
    reference_name: str


@cache
def _case(root: str, relative: str) -> Case:
    path = str(Path(root) / relative)
    if JEKYLL:
        rendered = jekyll_rendered(Path(root))
        if relative not in rendered:
            pytest.skip("Jekyll does not publish this file")
        post = load_path(path)  # Jekyll publishes it: newsctl must read it
        return Case(path, post, rendered[relative], "jekyll")
    try:
        post = load_path(path)
    except PostError as error:
        pytest.skip(f"not a post: {error}")
    if not post.published:
        pytest.skip("published: false")
    return Case(path, post, convert.body_html(post), "newsctl body_html")


def _converter_case(root: str, relative: str) -> Case:
    """The case for checking the converter: against newsctl's own rendering where that is
    known to differ from kramdown's, so the converter is still held to every character."""
    case = _case(root, relative)
    if _divergence(case.path):
        return Case(case.path, case.post, convert.body_html(case.post), "newsctl body_html")
    return case


def _options(**values: str) -> Any:
    return convert.ConvertOptions(**values)


def _assert_same(expected: str, got: str, case: Case, expected_label: str, got_label: str) -> None:
    if expected != got:
        detail = describe_difference(expected, got, expected_label=expected_label, got_label=got_label)
        pytest.fail(f"{case.path}: visible text differs\n{detail}", pytrace=False)


@pytest.mark.skipif(not JEKYLL, reason="jekyll is not installed")
@pytest.mark.parametrize(("root", "relative"), POST_FILES)
def test_body_html_renders_like_jekyll(root: str, relative: str) -> None:
    case = _case(root, relative)
    reason = _divergence(case.path)
    if reason:
        pytest.xfail(f"known difference from kramdown: {reason}")
    got = visible_text(convert.body_html(case.post))
    _assert_same(visible_text(case.reference), got, case, "jekyll", "newsctl body_html")


@pytest.mark.parametrize(("root", "relative"), POST_FILES)
def test_text_output_keeps_visible_text(root: str, relative: str) -> None:
    case = _converter_case(root, relative)
    got = normalise_text(convert.convert_body(case.post, _options(**TEXT_OPTIONS)))
    _assert_same(visible_text(case.reference), got, case, case.reference_name, "newsctl text")


@pytest.mark.parametrize(("root", "relative"), POST_FILES)
def test_markdown_output_keeps_visible_text(root: str, relative: str) -> None:
    case = _converter_case(root, relative)
    got = markdown_visible_text(convert.convert_body(case.post, _options(**MARKDOWN_OPTIONS)))
    _assert_same(visible_text(case.reference), got, case, case.reference_name, "newsctl markdown")


@pytest.mark.parametrize("variant", list(TARGET_VARIANTS))
@pytest.mark.parametrize(("root", "relative"), POST_FILES)
def test_markdown_output_keeps_link_targets(root: str, relative: str, variant: str) -> None:
    case = _converter_case(root, relative)
    images, links = TARGET_VARIANTS[variant]
    markdown = convert.convert_body(case.post, _options(to="markdown", images=images, links=links))
    missing = sorted(t for t in link_targets(case.reference, images=images == "keep") if t not in markdown)
    if missing:
        excerpt = markdown if len(markdown) <= 1500 else markdown[:1500] + "\n[...]"
        pytest.fail(
            f"{case.path}: {len(missing)} target(s) of the {case.reference_name} body are not in the Markdown "
            f"(images={images}, links={links}):\n"
            + "\n".join(f"  {t}" for t in missing[:20])
            + f"\n--- markdown ---\n{excerpt}",
            pytrace=False,
        )
