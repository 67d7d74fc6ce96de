"""Reference definition of the *visible text* of a rendered post body (for the convert tests).

Deliberately independent of ``newsctl.convert.body``: the converter is judged against this, so it
must not share code with it.  Needs BeautifulSoup + lxml and markdown-it-py (all installed with
newsctl).

Visible text of an HTML fragment
    The text nodes in document order, entities decoded, skipping comments (and doctypes,
    CDATA, processing instructions), ``<head>``, ``<script>``, ``<style>``, ``<template>``,
    and every element with a ``hidden`` attribute (any value) or an inline
    ``style`` with ``display: none`` or ``visibility: hidden`` (case-insensitive, any spacing,
    optional ``!important``), together with everything inside them.  Embedded media
    (``<iframe>``, ``<video>``, ``<audio>``, ``<object>``, ``<embed>``, and a ``<script>``
    embedding a GitHub gist) show a box, not text: each counts as its address (``src``,
    ``data``, or the first ``<source>``'s ``src``) as a block of its own, and nothing inside it
    counts.  ``<br>`` and the start and end of every block-level
    element (``BLOCK_TAGS``) count as whitespace; inline elements (``<a>``, ``<em>``, ``<img>``,
    ...) do not separate the text around them.  Image ``alt`` text, ``title`` attributes and
    CSS-generated content (list bullets and numbers) are not text and are not included.
    ``aria-hidden`` and ``<noscript>`` are not treated as hidden.

Normalisation (``normalise_text``, applied to every visible text)
    * Whitespace is every character Python's ``str.isspace`` accepts (ASCII whitespace, NBSP
      U+00A0, the U+2000-U+200A spaces, U+202F, U+205F, line/paragraph separators, ...)
      **except U+3000 IDEOGRAPHIC SPACE**, which is kept as an ordinary character: it is
      visible, full-width spacing in CJK text, not a separator a browser collapses.
    * Every run of whitespace becomes one ASCII space; spaces at both ends are removed.
    * A space whose neighbours are both CJK characters (``CJK_RANGES``: Han, Hiragana,
      Katakana, Hangul, CJK symbols and punctuation U+3000-U+303F, half/full-width forms
      U+FF00-U+FFEF) is removed, so that a line break inside a Chinese paragraph (which
      Markdown turns into a space) does not count as a difference.  Zero-width characters
      (U+200B, U+FEFF, ...) are not whitespace and are kept.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import lru_cache

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, PreformattedString, Tag
from markdown_it import MarkdownIt

__all__ = [
    "BLOCK_TAGS",
    "CJK_RANGES",
    "DROPPED_TAGS",
    "describe_difference",
    "link_targets",
    "markdown_html",
    "markdown_visible_text",
    "normalise_text",
    "visible_text",
]

# Elements removed with their content.
DROPPED_TAGS = frozenset({"head", "script", "style", "template"})

# Elements whose boundaries separate words (HTML's block-level and table/list elements, plus
# replaced/embedded elements that sit on their own box).  <br> is handled separately.
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "col",
        "colgroup",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "iframe",
        "legend",
        "li",
        "listing",
        "main",
        "menu",
        "nav",
        "noscript",
        "ol",
        "optgroup",
        "option",
        "p",
        "plaintext",
        "pre",
        "section",
        "select",
        "summary",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "video",
        "audio",
        "xmp",
    }
)

CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3000-\u303f"  # CJK symbols and punctuation (incl. U+3000)
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # Han extension A
    "\u4e00-\u9fff"  # Han
    "\ua960-\ua97f"  # Hangul Jamo extended A
    "\uac00-\ud7af"  # Hangul syllables
    "\ud7b0-\ud7ff"  # Hangul Jamo extended B
    "\uf900-\ufaff"  # Han compatibility ideographs
    "\uff00-\uffef"  # half-width and full-width forms
    "\U00020000-\U0002fa1f"  # Han extensions B-F, compatibility supplement
    "\U00030000-\U000323af"  # Han extensions G-H
)

# Every Unicode whitespace character except U+3000.
_WHITESPACE = re.compile(r"[^\S\u3000]+")
_CJK_SPACE = re.compile(f"(?<=[{CJK_RANGES}]) (?=[{CJK_RANGES}])")
_DISPLAY_NONE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!\s*important\s*)?(?:;|$)", re.IGNORECASE
)
EMBED_TAGS = frozenset({"iframe", "video", "audio", "object", "embed"})
_GIST = re.compile(r"^https?://gist\.github\.com/", re.IGNORECASE)
# What browsers strip from both ends of a URL attribute.
_URL_STRIP = " \t\n\r\f"


def normalise_text(text: str) -> str:
    """Collapse whitespace runs to one space, strip the ends, drop spaces between CJK characters."""
    text = _WHITESPACE.sub(" ", text).strip(" ")
    return _CJK_SPACE.sub("", text)


def _embed_address(tag: Tag) -> str | None:
    """The address an embedded player or gist shows, or None for any other element."""
    if tag.name == "script":
        src = str(tag.get("src") or "")
        return src if _GIST.match(src) else None
    if tag.name not in EMBED_TAGS:
        return None
    address = tag.get("src") or tag.get("data")
    if not address:
        source = tag.find("source")
        address = source.get("src") if source is not None else ""
    return str(address or "")


def _hidden(tag: Tag) -> bool:
    if tag.name == "script" and _embed_address(tag):
        return False
    if tag.name in DROPPED_TAGS or tag.has_attr("hidden"):
        return True
    style = tag.get("style")
    if isinstance(style, list):  # never multi-valued in practice, but be safe
        style = " ".join(style)
    return bool(style) and _DISPLAY_NONE.search(str(style)) is not None


def _parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def _walk(root: Tag) -> Iterator[tuple[str, Tag | NavigableString]]:
    """Yield ("start"|"end"|"embed", tag) and ("text", string) for visible nodes, in document order.

    Iterative (no recursion limit on deeply nested broken markup).
    """
    stack: list[tuple[bool, PageElement]] = [(False, root)]
    while stack:
        closing, node = stack.pop()
        if isinstance(node, Tag):
            if closing:
                yield "end", node
                continue
            if _hidden(node):
                continue
            address = _embed_address(node)
            if address is not None:
                yield "embed", node
                continue
            yield "start", node
            stack.append((True, node))
            stack.extend((False, child) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            yield "text", node


def _tag_text(root: Tag) -> str:
    parts: list[str] = []
    for event, node in _walk(root):
        if event == "text":
            parts.append(str(node))
        elif event == "embed" and isinstance(node, Tag):
            parts.append(f"\n{_embed_address(node)}\n")
        elif isinstance(node, Tag) and (node.name == "br" or node.name in BLOCK_TAGS):
            parts.append("\n")
    return normalise_text("".join(parts))


def visible_text(html: str) -> str:
    """The normalised visible text of an HTML fragment or document (see the module docstring)."""
    return _tag_text(_parse(html))


def link_targets(html: str, *, images: bool = True) -> set[str]:
    """``href`` of every visible ``<a>`` and ``src`` of every visible ``<img>``.

    Values are as written after entity decoding, with leading/trailing ASCII whitespace removed
    (browsers ignore it); empty values and in-page ``#fragment`` links are left out.

    ``images=False`` is the set a conversion that drops images must keep: no ``<img>`` sources,
    and no links without visible text (e.g. a link around an image, which has nothing left to
    click once the image is gone).
    """
    targets: set[str] = set()
    for event, node in _walk(_parse(html)):
        if event != "start" or not isinstance(node, Tag):
            continue
        attribute = {"a": "href", "img": "src"}.get(node.name)
        if attribute is None or (not images and (node.name == "img" or not _tag_text(node))):
            continue
        value = node.get(attribute)
        if isinstance(value, list):
            value = " ".join(value)
        target = (value or "").strip(_URL_STRIP)
        if target and not target.startswith("#"):
            targets.add(target)
    return targets


@lru_cache(maxsize=1)
def _markdown_it() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def markdown_html(markdown: str) -> str:
    """Render Markdown with markdown-it-py (CommonMark + raw HTML + GFM tables + strikethrough)."""
    return str(_markdown_it().render(markdown))


def markdown_visible_text(markdown: str) -> str:
    """``visible_text`` of markdown-it-py's rendering of ``markdown``."""
    return visible_text(markdown_html(markdown))


# Where a normalised text is cut into lines for a readable diff: at spaces and after sentence
# punctuation (CJK text has no spaces).
_DIFF_BREAK = re.compile(r" |(?<=[。！？；：，、.!?;:])")


def _diff_lines(text: str) -> list[str]:
    return [piece for piece in _DIFF_BREAK.split(text) if piece]


def describe_difference(
    expected: str, got: str, *, expected_label: str = "expected", got_label: str = "got", max_lines: int = 40
) -> str:
    """Where two (normalised) texts first differ, with 40 characters around it, followed by a
    unified diff of the texts cut at spaces and sentence punctuation (first ``max_lines`` lines)."""
    index = next(
        (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b), min(len(expected), len(got))
    )
    start = max(0, index - 40)
    lines = [
        f"first difference at character {index} (lengths {len(expected)} vs {len(got)}):",
        f"  {expected_label}: {expected[start : index + 40]!r}",
        f"  {got_label}: {got[start : index + 40]!r}",
    ]
    diff = difflib.unified_diff(
        _diff_lines(expected), _diff_lines(got), fromfile=expected_label, tofile=got_label, lineterm="", n=2
    )
    lines.extend(list(diff)[:max_lines])
    return "\n".join(lines)
