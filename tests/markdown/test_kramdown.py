"""newsctl.markdown against kramdown: a few constructs inline, then kramdown's own test cases
(../shared/corpus/kramdown-testcases, rendered by the installed kramdown as Jekyll configures it;
skipped when the corpus or ruby is absent)."""

from __future__ import annotations

import shutil
from functools import cache
from typing import Any

import pytest

from newsctl.markdown import options_from, render
from tests.visible_text import visible_text

SAMPLE = """# Title {#t}

A [link](http://x.com){:target="_blank"} and *em*{: .c} "quotes" -- ok[^1].
{: .lead}

[^1]: The note.

| a | b |
|---|---|
| 1 | `x|y` |

Term
: definition

*[HTML]: Hyper Text
"""


def test_kramdown_syntax_leaves_no_marks_in_the_text() -> None:
    html = render(SAMPLE)
    text = visible_text(html)
    assert "{:" not in text and "[^1]" not in text and "*[HTML]" not in text
    assert 'target="_blank"' in html and 'class="lead"' in html
    assert "\u201cquotes\u201d \u2013 ok1." in text
    assert "The note.\u00a0\u21a9" in text or "The note. \u21a9" in text
    assert "<dt>Term</dt>" in html and "<code>x|y</code>" in html


def test_site_options_are_honoured() -> None:
    assert 'id="p-title"' in render("# Title\n", options_from({"auto_id_prefix": "p-"}))
    assert "<br />" not in render("a\nb\n", options_from({"hard_wrap": False}))
    assert "<br />" in render("a\nb\n", options_from({"hard_wrap": True}))
    assert '<ol start="5">' in render("x[^a]\n\n[^a]: n\n", options_from({"footnote_nr": 5}))


@pytest.mark.parametrize(
    "text",
    ["- " * 10000 + "x\n", "> " * 10000 + "x\n", "[" * 100000 + "\n", "*" * 100000 + "\n"],
    ids=["lists", "quotes", "brackets", "stars"],
)
def test_hostile_input_does_not_recurse_without_bound(text: str) -> None:
    render(text)


# Cases whose visible text still differs from kramdown's, and why.
KNOWN = {
    "block/06_codeblock/highlighting-minted-with-opts.text": "the minted (LaTeX) highlighter is not ported",
    "block/06_codeblock/highlighting-minted.text": "the minted (LaTeX) highlighter is not ported",
    "span/03_codespan/highlighting-minted.text": "the minted (LaTeX) highlighter is not ported",
}


@cache
def _cases() -> tuple[list[tuple[str, str, str]], list[str | None]]:
    from benchmarks.kramdown_fidelity import CASES, case_sources, references

    if not CASES.is_dir() or shutil.which("ruby") is None:
        return [], []
    sources = case_sources()
    return sources, references(sources)


def _names() -> list[str]:
    from benchmarks.kramdown_fidelity import CASES

    return sorted(p.relative_to(CASES).as_posix() for p in CASES.glob("*/**/*.text")) if CASES.is_dir() else []


@pytest.mark.parametrize("name", _names())
def test_kramdown_case(name: str) -> None:
    from benchmarks.kramdown_fidelity import case_options, check

    sources, refs = _cases()
    if not sources:
        pytest.skip("ruby is not installed")
    index = [s[0] for s in sources].index(name)
    reference: Any = refs[index]
    if reference is None:
        pytest.skip("kramdown itself fails on this case")
    if name in KNOWN:
        pytest.xfail(KNOWN[name])
    _, text, yaml_text = sources[index]
    problem = check(name, render(text, case_options(yaml_text)), reference)
    assert problem is None, problem


def test_the_site_chooses_the_engine_and_its_options(tmp_path: Any) -> None:
    from newsctl.convert.body import render_markdown
    from newsctl.jekyll.site import load_site

    (tmp_path / "_config.yml").write_text("kramdown:\n  auto_id_prefix: p-\n  hard_wrap: true\n", encoding="utf-8")
    site = load_site(str(tmp_path))
    assert site.markdown == "kramdown"
    html = render_markdown("# A title\n\nline\nbreak {: .x}\n", site)
    assert 'id="p-a-title"' in html and "<br />" in html
    commonmark = tmp_path / "cm"
    commonmark.mkdir()
    (commonmark / "_config.yml").write_text("markdown: CommonMarkGhPages\n", encoding="utf-8")
    html = render_markdown("a [^1]\n\n[^1]: note\n", load_site(str(commonmark)))
    assert "doc-noteref" not in html  # markdown-it: no kramdown footnotes


_SPAN_ATOMS = [
    *[
        "*",
        "**",
        "_",
        "`",
        "[",
        "]",
        "(",
        ")",
        "{:",
        "}",
        ".cls",
        "#id",
        '"',
        "'",
        "--",
        "...",
        "<<",
        ">>",
        "\\",
        "|",
        "$$",
        "^",
        ":",
        "~~",
        "![",
        "[^1]",
    ],
    *["> ", "- ", "1. ", "# ", "\n", "\n\n", "    ", " ", "<b>", "</b>", "<div>", "</div>", "&amp;"],
    *["&copy;", "word", "中文", "http://x.com", "[^1]: n\n"],
]
_BLOCK_LINES = [
    *["", "", "para text", "* item", "  * nested", "1. one", "    code", "> quote", "# H", "Head\n===", "---"],
    *["| a | b |", "|---|---|", "|===|", "a | b", "Term", ": def", "<div>", "</div>", "<p>x</p>", "```", "~~~"],
    *["{: .c}", "{:toc}", "[^1]: note", "see[^1]", "[l]: http://l.com", "[l] ref", "*[AB]: abbrev", "AB here"],
    *["$$", "x=1", "^", "{::comment}", "{:/}", "\tcode", "   - three", "<!-- c -->", "  lazy", "\\* esc"],
]


def _random_sources() -> list[tuple[str, str, str]]:
    import random

    rng = random.Random(2024)
    spans = ["".join(rng.choice(_SPAN_ATOMS) for _ in range(rng.randint(3, 25))) + "\n" for _ in range(300)]
    blocks = ["\n".join(rng.choice(_BLOCK_LINES) for _ in range(rng.randint(2, 14))) + "\n" for _ in range(300)]
    return [(f"random-{i}", text, "") for i, text in enumerate(spans + blocks)]


@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby (kramdown) is not installed")
def test_random_snippets_render_as_kramdown_renders_them() -> None:
    """Differential: 600 seeded random snippets of kramdown syntax, same visible text and link
    targets as the installed kramdown (Jekyll's options)."""
    from benchmarks.kramdown_fidelity import references
    from tests.visible_text import link_targets

    sources = _random_sources()
    differences = []
    for (name, text, _), reference in zip(sources, references(sources), strict=True):
        if reference is None:
            continue
        html = render(text)
        if visible_text(html) != visible_text(reference) or link_targets(html) != link_targets(reference):
            differences.append(f"{name}: {text!r}")
    assert not differences, "\n".join(differences[:10])


def test_site_kramdown_options_are_read_once_per_site(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bulk convert renders thousands of posts of one site: its ``kramdown:`` options are
    converted once, not per post (that was 2 % of the renderer's time on short posts)."""
    import newsctl.markdown
    from newsctl.convert.body import render_markdown
    from newsctl.jekyll.site import load_site

    (tmp_path / "_config.yml").write_text("kramdown:\n  auto_ids: false\n", encoding="utf-8")
    site = load_site(str(tmp_path))
    calls: list[object] = []
    options_from = newsctl.markdown.options_from
    monkeypatch.setattr(newsctl.markdown, "options_from", lambda *a: calls.append(a) or options_from(*a))
    assert [render_markdown("# T\n", site) for _ in range(3)] == ["<h1>T</h1>\n"] * 3
    assert [render_markdown("# T\n") for _ in range(2)] == ['<h1 id="t">T</h1>\n'] * 2
    assert len(calls) <= 2
