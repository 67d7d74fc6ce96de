"""Post bodies as a reader sees them, written out as Markdown or plain text.

A body is first rendered the way Jekyll renders it (``body_html``: Markdown posts through
newsctl.markdown's kramdown, or CommonMark when the site asks for it, HTML posts as they are),
then walked as an HTML tree. What the reader does not see is dropped (comments, scripts,
styles, hidden elements); what they see is written out with its structure (headings,
paragraphs, lists, quotes, tables, code, links, images).

Whitespace follows HTML's rules, plus one for Chinese and Japanese: a line break between two
CJK characters is not a space (a browser shows none), while a real space between them is kept.
Lines are never wrapped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from html import escape as html_escape
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import lxml.etree
    import lxml.html
    from lxml.etree import _Element as HtmlElement
    from markdown_it import MarkdownIt

    from newsctl.jekyll.post import Post
    from newsctl.jekyll.site import Site
    from newsctl.markdown.options import KramdownOptions

Target = Literal["markdown", "text"]

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "ul",
        "caption",
    ]
)
SKIPPED_TAGS = frozenset(["script", "style", "template", "head", "title", "meta", "link", "noembed"])
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Embedded media a reader sees as a player or a box: kept as HTML in Markdown (Markdown has no
# form for them), their address in text. Other scripts stay hidden.
EMBED_TAGS = frozenset(["iframe", "video", "audio", "object", "embed"])
_EMBEDDED_SCRIPT = re.compile(r"^https?://gist\.github\.com/", re.I)
# Wrappers that carry no structure of their own: below MAX_DEPTH they are unwrapped so the
# writer's recursion stays bounded (text and real blocks are kept).
CONTAINER_TAGS = frozenset(
    ["div", "span", "section", "article", "main", "header", "footer", "aside", "nav", "font", "center",
     "b", "i", "u", "em", "strong", "small", "big", "sup", "sub", "mark", "abbr", "cite", "q", "s", "del",
     "ins", "label"]
)  # fmt: skip
MAX_DEPTH = 100
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u9fff\ua960-\ua97f"
    "\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)
_LIQUID = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})", re.S)


@dataclass(frozen=True, slots=True)
class ConvertOptions:
    """How to write a body. ``images``: keep (Markdown images), alt (their alt text) or drop.
    ``links`` (text only): drop the URL (default), inline after the text, or footnotes."""

    to: Target = "markdown"
    images: Literal["keep", "alt", "drop"] | None = None
    links: Literal["inline", "footnotes", "drop"] = "drop"

    @property
    def image_mode(self) -> str:
        return self.images or ("keep" if self.to == "markdown" else "drop")


# kramdown (Jekyll's renderer) turns these into typographic symbols in Markdown text.
_TYPOGRAPHIC = re.compile(r"---|--|\.\.\.|<<|>>")
_SYMBOLS = {"---": "\u2014", "--": "\u2013", "...": "\u2026", "<<": "\u00ab", ">>": "\u00bb"}


def _kramdown_typography(state: object) -> None:
    for token in state.tokens:  # type: ignore[attr-defined]
        for child in token.children or ():
            if child.type == "text" and _TYPOGRAPHIC.search(child.content):
                child.content = _TYPOGRAPHIC.sub(lambda m: _SYMBOLS[m.group(0)], child.content)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # As Jekyll's kramdown does: smart quotes and typographic dashes and ellipses, no linkify.
    md = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(["table", "strikethrough"])
    md.enable("smartquotes")
    md.core.ruler.after("smartquotes", "kramdown_typography", _kramdown_typography)
    return md


def markdown_to_html(text: str) -> str:
    """CommonMark (with GFM tables and strikethrough, raw HTML kept) to HTML."""
    return str(_markdown().render(text))


def render_markdown(text: str, site: Site | None = None) -> str:
    """Markdown to HTML with the engine the site names, as Jekyll does: kramdown (the default,
    with the site's ``kramdown:`` options over Jekyll's) or, for ``CommonMark`` and
    ``CommonMarkGhPages``, a CommonMark renderer."""
    engine = (site.markdown if site is not None else "kramdown").lower()
    if engine in ("commonmark", "commonmarkghpages"):
        return markdown_to_html(text)
    from newsctl.markdown import render

    return render(text, _kramdown_options(site))


# Each site's kramdown options, converted once (a bulk convert renders thousands of posts of one
# site): by id, with the site kept so that an id is not reused while its entry stands.
_KRAMDOWN_OPTIONS: dict[int, tuple[Site | None, KramdownOptions]] = {}


def _kramdown_options(site: Site | None) -> KramdownOptions:
    cached = _KRAMDOWN_OPTIONS.get(id(site))
    if cached is None or cached[0] is not site:
        from newsctl.markdown import options_from

        if len(_KRAMDOWN_OPTIONS) > 64:
            _KRAMDOWN_OPTIONS.clear()
        cached = _KRAMDOWN_OPTIONS[id(site)] = (site, options_from(dict(site.kramdown) if site is not None else None))
    return cached[1]


def body_html(post: Post) -> str:
    """The body as Jekyll renders it: Markdown posts rendered, HTML posts as they are."""
    import os

    from newsctl.jekyll.names import MARKDOWN_EXTS

    ext = os.path.splitext(post.path)[1].lower().lstrip(".")
    if ext in MARKDOWN_EXTS:
        site = None
        if post.site_root is not None:
            from newsctl.jekyll.site import load_site

            site = load_site(post.site_root)
        return render_markdown(post.body, site)
    return post.body


def convert_body(post: Post, options: ConvertOptions) -> str:
    return convert_html(body_html(post), options)


def convert_html(html: str, options: ConvertOptions) -> str:
    """The visible content of ``html`` as Markdown or plain text (ends with one newline, or is
    empty). No visible word is lost to the parser's limits: a body nested deeper than libxml2
    goes is read again without its wrappers, and one the writer cannot walk is written as its
    plain text."""
    if not html.strip():
        return ""
    root = _parse(html)
    try:
        writer = _Writer(options)
        blocks = writer.blocks(root)
    except RecursionError:
        # Nesting of real blocks (lists in lists, quotes in quotes) thousands deep.
        return _plain_text(root)
    text = "\n\n".join(block for block in blocks if block.strip())
    if writer.footnotes:
        text += "\n\n" + "\n".join(f"[{i}] {url}" for i, url in enumerate(writer.footnotes, 1))
    return text + "\n" if text else ""


def _parse(html: str) -> HtmlElement:
    """``html`` as a tree under one ``div``. huge_tree lifts libxml2's 10 MB limit on a text
    node (a larger one was dropped, leaving an empty body); past its depth limit (2048) libxml2
    drops the rest of the document, so such a body is parsed again without its wrappers."""
    parser = _parser()
    root = _fragment(html, parser)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        unwrapped = _WRAPPER_TAG.sub(" ", html)
        root = _fragment(unwrapped, parser)
        if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
            text = _fragment(_ANY_TAG.sub(" ", html), parser)
            root = text
    # An element MAX_DEPTH levels down needs as many start tags above it; most bodies have fewer
    # (a "<" not followed by "/"), and the XPath was a fixed cost on every post (issue 16).
    if html.count("<") - html.count("</") >= MAX_DEPTH:
        _unwrap_deep(root)
    return root


_FULL_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.I)


def _fragment(html: str, parser: lxml.etree.HTMLParser) -> HtmlElement:
    """``lxml.html.fragment_fromstring(html, create_parent="div", parser=parser)`` with plain
    lxml.etree elements: lxml.html's parser calls a Python lookup for every element it makes
    (issue 16: a first build's walk spent 7 % of its time there), and the walk needs nothing
    of its classes (``_text_content``, ``_drop_tag``). Same steps, same errors, same tree."""
    import lxml.etree

    if not _FULL_DOCUMENT.match(html):
        html = f"<html><body>{html}</body></html>"
    doc = lxml.etree.fromstring(html, parser)
    if doc is None:
        raise lxml.etree.ParserError("Document is empty")
    bodies = [e for e in doc if e.tag == "body"]
    if len(bodies) != 1:
        raise AssertionError(f"too many bodies: {bodies!r} in {html!r}")
    body = bodies[0]
    root = lxml.etree.Element("div")
    if body.text and body.text.strip():
        root.text = body.text
    root.extend(list(body))
    return root


@lru_cache(maxsize=1)
def _parser() -> lxml.etree.HTMLParser:
    # One per process: its error log is reset by every parse.
    import lxml.etree

    # collect_ids off: libxml2 would hash every id attribute for lookups the walk never makes.
    return lxml.etree.HTMLParser(huge_tree=True, collect_ids=False)


@lru_cache(maxsize=1)
def _at_max_depth() -> lxml.etree.XPath:
    import lxml.etree

    return lxml.etree.XPath("/".join(["*"] * MAX_DEPTH))


_WRAPPER_TAG = re.compile(r"</?(?:" + "|".join(sorted(CONTAINER_TAGS)) + r")\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")


def _unwrap_deep(root: HtmlElement) -> None:
    """Unwrap the wrappers below MAX_DEPTH, so the writer never recurses deeper than that
    through them. XPath finds the elements at that depth in C; most bodies have none."""
    for parent in _at_max_depth()(root):
        for element in list(parent.iterdescendants()):
            if isinstance(element.tag, str) and element.tag.lower() in CONTAINER_TAGS:
                _drop_tag(element)


@lru_cache(maxsize=1)
def _string_of() -> lxml.etree.XPath:
    import lxml.etree

    return lxml.etree.XPath("string()", smart_strings=False)


def _text_content(element: HtmlElement) -> str:
    """lxml.html's ``text_content()``: the text of ``element`` and all inside it."""
    return str(_string_of()(element))


def _drop_tag(element: HtmlElement) -> None:
    """lxml.html's ``drop_tag()``: ``element`` removed, its text and children kept in its place."""
    parent = element.getparent()
    assert parent is not None
    previous = element.getprevious()
    if element.text and isinstance(element.tag, str):
        if previous is None:
            parent.text = (parent.text or "") + element.text
        else:
            previous.tail = (previous.tail or "") + element.text
    if element.tail:
        if len(element):
            last = element[-1]
            last.tail = (last.tail or "") + element.tail
        elif previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    index = parent.index(element)
    parent[index : index + 1] = element[:]


# What the plain-text walk (dropping links and images) does more with than write its text:
# blocks, line breaks, embedded players, what is hidden by its tag (its text must not be read).
_NOT_ORDINARY = frozenset(BLOCK_TAGS | EMBED_TAGS | SKIPPED_TAGS | {"br", "script"})
_INSIDE_DEPTH = 8


@lru_cache(maxsize=1)
def _too_deep() -> lxml.etree.XPath:
    import lxml.etree

    return lxml.etree.XPath("./" + "/".join(["*"] * _INSIDE_DEPTH), smart_strings=False)


def _ordinary_inside(element: HtmlElement) -> bool:
    """Whether everything inside ``element`` is ordinary inline markup for the plain-text walk
    that drops links and images: then its text is its string value, joined and collapsed at
    once as ``finish`` would join the walk's pieces (issue 16: most paragraphs of a first build;
    a typical one in 5 us instead of 12). Comments and processing instructions are hidden, and
    their text is not in the string value either. Not below ``_INSIDE_DEPTH`` levels (the walk
    would recurse there, and may give up: RecursionError)."""
    count = 0
    for found in element.iterdescendants():
        tag = found.tag
        if not isinstance(tag, str):
            continue
        if tag.lower() in _NOT_ORDINARY or found.get("hidden") is not None or found.get("role") is not None:
            return False
        style = found.get("style")
        if style and _HIDDEN_STYLE.search(style):
            return False
        count += 1
    return count < _INSIDE_DEPTH or not _too_deep()(element)


def _plain_text(root: HtmlElement) -> str:
    text = " ".join(_text_content(root).split())
    return text + "\n" if text else ""


def _shown_tag(element: HtmlElement) -> str | None:
    """The lower-case tag of an element the reader sees; None for comments, processing
    instructions and what is hidden (scripts but embedded ones, styles, ``hidden``,
    ``display: none``). The walk asks it once per element (issue 16)."""
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        return None
    tag = tag.lower()
    if tag == "script" and _EMBEDDED_SCRIPT.match(element.get("src") or ""):
        return tag
    if tag in SKIPPED_TAGS or element.get("hidden") is not None:
        return None
    style = element.get("style")
    return None if style and _HIDDEN_STYLE.search(style) else tag


def _hidden(element: HtmlElement) -> bool:
    return _shown_tag(element) is None


# The tags of shown elements that are embedded players or gists (a script shown is a gist).
_EMBEDDED_TAGS = EMBED_TAGS | {"script"}


def _embed_address(element: HtmlElement) -> str:
    """Where an embedded player or script takes its content from."""
    address = element.get("src") or element.get("data") or ""
    if not address:
        source = element.find(".//source")
        address = (source.get("src") or "") if source is not None else ""
    return address


def _embed_html(element: HtmlElement) -> str:
    import lxml.html

    return str(lxml.html.tostring(element, encoding="unicode", with_tail=False))


# An inline run is a list of pieces: visible text, or markup that opens or closes around it.
Piece = tuple[Literal["text", "open", "close", "raw"], str]


class _Writer:
    # Whether a block of ordinary inline markup is read at once (``_ordinary_inside``); the tests turn
    # it off to compare with the walk.
    read_at_once = True

    def __init__(self, options: ConvertOptions) -> None:
        self.options = options
        self.markdown = options.to == "markdown"
        self.footnotes: list[str] = []
        self.at_once = (
            self.read_at_once and not self.markdown and options.image_mode == "drop" and options.links == "drop"
        )

    # --- blocks ----------------------------------------------------------------------------
    def blocks(self, element: HtmlElement) -> list[str]:
        """The blocks inside ``element``: inline runs become paragraphs, block children their own."""
        if self.at_once and _ordinary_inside(element):
            text = _collapse(_text_content(element).strip(_WHITESPACE))
            return [text] if text.strip() else []
        out: list[str] = []
        run: list[Piece] = []

        def flush() -> None:
            if run:
                text = self.finish(run)
                if text.strip():
                    out.append(text)
                run.clear()

        if element.text:
            run.append(("text", element.text))
        for child in element:
            tag = _shown_tag(child)
            if tag is not None:
                if tag in _EMBEDDED_TAGS:
                    # A block of its own: an HTML block in Markdown (CommonMark ends a
                    # paragraph at a line starting with <script, leaving a stray "\").
                    flush()
                    out.append("".join(value for _, value in self.embed(child)).strip("\n"))
                elif tag == "p":  # what ``block`` does with one, without its tests of the tag
                    flush()
                    out.extend(self.blocks(child))
                elif tag in BLOCK_TAGS:
                    flush()
                    out.extend(self.block(child, tag))
                else:
                    run.extend(self.inline(child, tag))
            if child.tail:
                run.append(("text", child.tail))
        flush()
        return out

    def block(self, element: HtmlElement, tag: str) -> list[str]:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = self.finish(list(self.inline_children(element)))
            text = text.replace("\\\n" if self.markdown else "\n", " ").replace("\n", " ")
            if not text.strip():
                return []
            if self.markdown and text.endswith("#"):
                text = text[:-1] + "\\#"  # else read back as the heading's closing sequence
            return [("#" * int(tag[1]) + " " + text) if self.markdown else text]
        if tag in ("ul", "ol"):
            return self.list_block(element, ordered=tag == "ol")
        if tag == "blockquote":
            inner = self.blocks(element)
            if not self.markdown:
                return inner
            body = "\n\n".join(inner)
            return ["\n".join(("> " + line) if line else ">" for line in body.split("\n"))] if inner else []
        if tag == "pre":
            return self.pre_block(element)
        if tag == "table":
            return self.table_block(element)
        if tag == "hr":
            return ["---"] if self.markdown else []
        if tag == "div" and not self.markdown and element.get("role") == "doc-endnotes":
            return self.text_footnotes(element)
        return self.blocks(element)

    def text_footnotes(self, element: HtmlElement) -> list[str]:
        """kramdown's footnotes in plain text: ``[1] the note`` (the back-links go, see inline)."""
        out: list[str] = []
        for ol in element.iter("ol"):
            start = ol.get("start") or "1"
            number = int(start) if start.isdigit() else 1
            for li in ol:
                if not isinstance(li.tag, str) or li.tag.lower() != "li" or _hidden(li):
                    continue
                out.append(" ".join([f"[{number}]", "\n\n".join(self.blocks(li))]).rstrip())
                number += 1
        return out

    def list_block(self, element: HtmlElement, *, ordered: bool) -> list[str]:
        items: list[str] = []
        number = int(element.get("start") or 1) if ordered and (element.get("start") or "").isdigit() else 1
        for child in element:
            tag = _shown_tag(child)
            if tag is None:
                continue
            if tag in ("ul", "ol"):  # a list directly inside a list (invalid, but common)
                items.extend(self.list_block(child, ordered=tag == "ol"))
                continue
            inner = self.blocks(child) if tag == "li" else self.blocks(_wrap(child))
            if not inner:
                continue
            if not self.markdown:
                items.extend(inner)
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            pad = " " * len(marker)
            # A nested list follows its item's text directly (a blank line would make it loose).
            body = inner[0]
            for block in inner[1:]:
                body += ("\n" if _LIST_START.match(block) else "\n\n") + block
            lines = body.split("\n")
            items.append(marker + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:]))
        if not items:
            return []
        return ["\n".join(items)]

    def pre_block(self, element: HtmlElement) -> list[str]:
        code = _text_content(element)
        if not code.strip():
            return []
        if not self.markdown:
            return [code.rstrip("\n")]
        language = ""
        inner = element.find("code")
        classes = ((inner.get("class") if inner is not None else None) or element.get("class") or "").split()
        for name in classes:
            if name.startswith("language-"):
                language = name[len("language-") :]
        fence = "```"
        while fence in code:
            fence += "`"
        return [f"{fence}{language}\n{code.rstrip(chr(10))}\n{fence}"]

    def table_block(self, element: HtmlElement) -> list[str]:
        rows: list[list[str]] = []
        for row in element.iter("tr"):
            if _hidden(row):
                continue
            cells = [
                self.finish(list(self.inline_children(cell)))
                .replace("\\\n", "<br>" if self.markdown else " ")
                .replace("\n", " ")
                .strip()
                for cell in row
                if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th") and not _hidden(cell)
            ]
            if cells:
                rows.append(cells)
        if not rows:
            return []
        if not self.markdown:
            return ["\n".join("\t".join(cells) for cells in rows)]
        width = max(len(cells) for cells in rows)
        lines = []
        for index, cells in enumerate(rows):
            cells = [cell.replace("|", "\\|") for cell in cells] + [""] * (width - len(cells))
            lines.append("| " + " | ".join(cells) + " |")
            if index == 0:
                lines.append("|" + " --- |" * width)
        return ["\n".join(lines)]

    # --- inline ----------------------------------------------------------------------------
    def inline_children(self, element: HtmlElement) -> Iterator[Piece]:
        if element.text:
            yield ("text", element.text)
        for child in element:
            tag = _shown_tag(child)
            if tag is not None:
                if tag in BLOCK_TAGS:  # a block inside an inline context: a line break around it
                    yield ("raw", "\n")
                    yield from self.inline_children(child)
                    yield ("raw", "\n")
                else:
                    yield from self.inline(child, tag)
            if child.tail:
                yield ("text", child.tail)

    def inline(self, element: HtmlElement, tag: str) -> list[Piece]:
        """An element shown inline; ``tag`` its lower-case tag (``_shown_tag``)."""
        if tag == "br":
            return [("raw", "\n")]
        if tag == "img":
            return self.image(element)
        if tag in _EMBEDDED_TAGS:
            return self.embed(element)
        if not self.markdown and tag == "sup" and element.get("role") == "doc-noteref":
            return [("text", f"[{_text_content(element).strip()}]")]  # a footnote reference: [1]
        if not self.markdown and tag == "a" and element.get("role") == "doc-backlink":
            return []  # the arrow back from a footnote
        inner = list(self.inline_children(element))
        if not self.markdown:
            if tag == "a":
                return self.text_link(element, inner)
            return inner
        if tag in ("strong", "b"):
            return self.emphasis(inner, "**", "strong")
        if tag in ("em", "i"):
            return self.emphasis(inner, "*", "em")
        if tag in ("del", "s", "strike"):
            return self.emphasis(inner, "~~", "del")
        if tag == "code":
            return self.code(element)
        if tag == "a":
            return self.link(element, inner)
        return inner

    def image(self, element: HtmlElement) -> list[Piece]:
        mode = self.options.image_mode
        alt = element.get("alt") or ""
        if mode == "drop":
            return []
        if mode == "alt" or not self.markdown:
            return [("text", alt)] if mode == "alt" else []
        src = element.get("src") or ""
        title = element.get("title")
        return [("raw", f"![{_escape(alt)}]({_destination(src)}{_title(title)})")]

    def embed(self, element: HtmlElement) -> list[Piece]:
        if self.markdown:
            return [("raw", _embed_html(element))]
        address = _embed_address(element)
        return [("raw", "\n"), ("text", address), ("raw", "\n")] if address else []

    def text_link(self, element: HtmlElement, inner: list[Piece]) -> list[Piece]:
        href = element.get("href") or ""
        mode = self.options.links
        shown = "".join(value for kind, value in inner if kind == "text").strip()
        if mode == "drop" or not href or href.startswith("#") or shown == href:
            return inner
        if mode == "inline":
            return [*inner, ("text", f" ({href})")]
        self.footnotes.append(href)
        return [*inner, ("raw", f"[{len(self.footnotes)}]")]

    def link(self, element: HtmlElement, inner: list[Piece]) -> list[Piece]:
        href = element.get("href")
        if href is None:
            return inner
        title = element.get("title")
        text = "".join(value for kind, value in inner if kind == "text").strip()
        # (Not with %XX in it: an autolink shows its text percent-decoded.)
        if text == href and not title and _AUTOLINKABLE.fullmatch(href) and "%" not in href:
            return [("raw", f"<{href}>")]  # the form the post used, and stable on a second run
        if any(piece == ("raw", "\n") for piece in inner) or "\n" in href or "\r" in href:
            # (A line break inside the target, which kramdown keeps: a Markdown destination cannot.)
            # A link around line breaks or blocks (an unclosed <a> swallows what follows):
            # Markdown link text cannot hold those, inline HTML can.
            attributes = f' href="{html_escape(href)}"' + (f' title="{html_escape(title)}"' if title else "")
            return [("open", f"<a{attributes}>"), *inner, ("close", "</a>")]
        return [("open", "["), *inner, ("close", f"]({_destination(href)}{_title(title)})")]

    def emphasis(self, inner: list[Piece], marker: str, html_tag: str) -> list[Piece]:
        text = "".join(value for kind, value in inner if kind == "text")
        if not text.strip():
            return inner
        # CommonMark only opens/closes `**` next to punctuation when a space or punctuation is on
        # the other side; "**“引号”**后" would show its asterisks. Inline HTML always works.
        stripped = text.strip()
        visible = [piece for piece in inner if piece[0] != "text" or piece[1].strip()]
        edges_markup = visible[0][0] != "text" or visible[-1][0] != "text"  # e.g. a link: `[`, `)`
        if edges_markup or _PUNCT.match(stripped[0]) or _PUNCT.match(stripped[-1]) or marker == "~~":
            return [("open", f"<{html_tag}>"), *inner, ("close", f"</{html_tag}>")]
        return [("open", marker), *inner, ("close", marker)]

    def code(self, element: HtmlElement) -> list[Piece]:
        if element.find(".//br") is not None:
            # Line breaks inside inline code: a code span cannot hold them, inline HTML can.
            lines = "".join(self._code_text(element)).split("\n")
            inner = "<br>".join(_inert_html(line) for line in lines)
            return [("raw", f"<code>{inner}</code>")]
        code = _text_content(element).replace("\r\n", " ").replace("\n", " ")  # as a code span shows them
        if not code:
            return []
        ticks = "`"
        while ticks in code:
            ticks += "`"
        # CommonMark strips one space from each end when both have one: add it back.
        both_spaced = code.startswith(" ") and code.endswith(" ") and bool(code.strip(" "))
        pad = " " if code.startswith("`") or code.endswith("`") or both_spaced else ""
        return [("raw", f"{ticks}{pad}{code}{pad}{ticks}")]

    def _code_text(self, element: HtmlElement) -> Iterator[str]:
        if element.text:
            yield element.text
        for child in element:
            if isinstance(child.tag, str) and not _hidden(child):
                yield "\n" if child.tag.lower() == "br" else ""
                yield from self._code_text(child)
            if child.tail:
                yield child.tail

    # --- one inline run into text ------------------------------------------------------------
    def finish(self, pieces: list[Piece]) -> str:
        """Join an inline run, collapsing whitespace as a browser does, except that a line break
        between two CJK characters disappears. A space that falls just inside closing markup
        moves after it, and one just before opening markup stays before it."""
        if not self.markdown:
            # Plain text, and every piece visible text (most paragraphs): the pieces joined and
            # collapsed at once give what ``finish_pieces`` gives them one by one (issue 16: a
            # first build's walk spent a fifth of its time there). Not with an empty piece: an
            # image's empty alt text is a gap of its own.
            for kind, value in pieces:
                if kind != "text" or not value:
                    return self.finish_pieces(pieces)
            text = "".join([value for _, value in pieces]).strip(_WHITESPACE)
            # Most runs of a scraped body are the line breaks between its paragraphs: nothing.
            return _collapse(text) if text else ""
        return self.finish_pieces(pieces)

    def finish_pieces(self, pieces: list[Piece]) -> str:
        """``finish``, piece by piece."""
        pieces = _separate_adjacent_emphasis(pieces)
        out: list[str] = []
        pending = ""  # whitespace not written yet: "" none, " " a space, "\n" a source line break
        pending_at = 0  # where in ``out`` it goes
        last = ""  # the last visible character written
        breaker = "\\\n" if self.markdown else "\n"
        opened_at: int | None = None  # where a run of opening markup not yet followed by text began

        def flush(next_char: str) -> None:
            nonlocal pending
            if pending and last and not (pending == "\n" and _CJK.match(last) and _CJK.match(next_char)):
                out.insert(pending_at, " ")
            pending = ""

        def note_gap(gap: str) -> None:
            nonlocal pending, pending_at
            if not pending:
                # Whitespace right after opening markup goes before it: "中文 **中文**".
                pending_at = len(out) if opened_at is None else opened_at
            pending = "\n" if ("\n" in gap or pending == "\n") else " "

        for kind, value in pieces:
            if kind == "open":
                if opened_at is None:
                    opened_at = len(out)
                out.append(value)
                continue
            if kind == "close":
                out.append(value)
                if pending:
                    pending_at = len(out)
            elif kind == "raw":
                if value == "\n":  # a hard line break
                    pending = ""
                    if last:
                        out.append(breaker)
                        last = ""
                    continue
                flush(value[:1])
                if value.startswith("`") and out and out[-1].endswith("`"):
                    value = _code_as_html(value)  # two code spans in a row would run together
                out.append(value)
                last = value[-1:]
            else:
                # A text piece at once, not word by word: a one-paragraph post of 50 MB would
                # otherwise be millions of list items.
                body = value.strip(_WHITESPACE)
                if not body:
                    note_gap(value)
                    continue
                if body is not value and value[0] in _WHITESPACE:
                    note_gap(value[: len(value) - len(value.lstrip(_WHITESPACE))])
                flush(body[0])
                body = _collapse(body)
                out.append(_escape_text(body) if self.markdown else body)
                last = body[-1]
                opened_at = None
                if value[-1] in _WHITESPACE:
                    note_gap(value[len(value.rstrip(_WHITESPACE)) :])
                continue
            opened_at = None
        text = "".join(out)
        while text.endswith(breaker):  # a break at the end of a paragraph shows nothing
            text = text[: -len(breaker)]
        if self.markdown:
            # Text that would start a list, heading, quote or rule at the start of a line.
            text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        return text


# HTML's special characters and the ones Markdown would still act on inside inline HTML.
_INERT = {ord(c): f"&#{ord(c)};" for c in "&<>\"'`*_[]\\~!|{}#+-.:"}


def _inert_html(text: str) -> str:
    """Text for inside inline HTML, every significant character a character reference."""
    return text.translate(_INERT)


def _code_as_html(span: str) -> str:
    ticks = len(span) - len(span.lstrip("`"))
    code = span[ticks:-ticks]
    if code.startswith(" ") and code.endswith(" ") and code.strip(" "):
        code = code[1:-1]
    return f"<code>{_inert_html(code)}</code>"


_EMPHASIS_TAGS = {"**": "strong", "*": "em", "~~": "del"}


def _separate_adjacent_emphasis(pieces: list[Piece]) -> list[Piece]:
    """`**a****b**` and `*a***b**` do not read back as two spans; when a span opens right where
    another closed, write the new one as inline HTML."""
    result = list(pieces)
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for index, (kind, _) in enumerate(result):
        if kind == "open":
            stack.append(index)
        elif kind == "close" and stack:
            pairs[stack.pop()] = index
    for opening, closing in pairs.items():
        marker = result[opening][1]
        if marker in _EMPHASIS_TAGS and opening > 0 and result[opening - 1][0] == "close":
            tag = _EMPHASIS_TAGS[marker]
            result[opening] = ("open", f"<{tag}>")
            result[closing] = ("close", f"</{tag}>")
    return result


def _wrap(element: HtmlElement) -> HtmlElement:
    return element


_PUNCT = re.compile(r"[\W_]")
_LIST_START = re.compile(r"(?:[-*+]|\d{1,9}[.)]) ")
_BLOCK_START = re.compile(r"^(\d{0,9})((?<=\d)[.)]|(?<!\d)(?:#{1,6}|=+|-+|\+|>))(?=[ \t]|$)", re.M)
_AUTOLINKABLE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\x00-\x1f]*")
_WHITESPACE = " \t\n\r\f\v\u00a0"
_GAP = re.compile(r"[ \t\r\f\v\u00a0]+")
_LINE_GAP = re.compile(r"[ \t\r\f\v\u00a0]*\n[ \t\n\r\f\v\u00a0]*")


def _collapse(text: str) -> str:
    """Whitespace inside a run of text (no whitespace at its ends) as a browser shows it: one
    space, or nothing for a line break between two CJK characters."""
    if "\n" in text:

        def line_gap(match: re.Match[str]) -> str:
            before, after = text[match.start() - 1], text[match.end()]
            return "" if _CJK.match(before) and _CJK.match(after) else " "

        text = _LINE_GAP.sub(line_gap, text)
    return _GAP.sub(" ", text)


def _escape(text: str) -> str:
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", text)


def _escape_text(text: str) -> str:
    # Liquid is kept verbatim; everything else has its Markdown-significant characters escaped.
    parts = _LIQUID.split(text)
    return "".join(part if index % 2 else _escape_plain(part) for index, part in enumerate(parts))


def _escape_plain(text: str) -> str:
    # Quotes, dashes and dots are escaped too: kramdown and other typographic renderers would
    # otherwise turn a straight quote or "--" from the source into something else.
    text = re.sub(r"([\\`*_\[\]\"'])", r"\\\1", text)
    text = text.replace("--", "-\\-").replace("...", ".\\..").replace(">>", "\\>>")
    text = text.replace("<", "\\<")
    text = re.sub(r"&(?=#?\w+;)", r"\\&", text)
    text = text.replace("~~", "\\~\\~")
    return text


def _destination(url: str) -> str:
    if url == "" or re.search(r"[\s<>()]", url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def _title(title: str | None) -> str:
    if not title:
        return ""
    return ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
