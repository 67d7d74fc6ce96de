"""kramdown 2.4's parser (with kramdown-parser-gfm 1.1's changes), ported method by method.

The names follow kramdown's (``parse_paragraph`` is ``Kramdown::Parser::Kramdown#parse_paragraph``)
so a difference from Jekyll can be traced to the Ruby source. Two additions keep hostile input
cheap: nesting (lists, quotes, spans) stops at ``MAX_DEPTH``, where the rest is read as text, and
a link start with no ``]`` after it is text at once (kramdown would rescan to the end).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from newsctl.markdown import blocks, spans
from newsctl.markdown import patterns as P
from newsctl.markdown.options import KramdownOptions
from newsctl.markdown.tree import MAX_DEPTH, Element, Scanner, StopBlockParsing, _anchored

_BLOCK_PARSERS = [
    "blank_line",
    "codeblock",
    "codeblock_fenced",
    "blockquote",
    "atx_header",
    "horizontal_rule",
    "list",
    "definition_list",
    "block_html",
    "setext_header",
    "block_math",
    "table",
    "footnote_definition",
    "link_definition",
    "abbrev_definition",
    "block_extensions",
    "eob_marker",
    "paragraph",
]
_PLAIN_LINE_PARSERS = ["setext_header", "table", "paragraph"]
# A line starting with "<" (an HTML block, most lines of scraped posts) can only start these.
_TAG_LINE_PARSERS = ["block_html", "setext_header", "table", "paragraph"]
# A line starting with "[" (links, the navigation lines of scraped posts) can only start these.
_BRACKET_LINE_PARSERS = ["setext_header", "table", "footnote_definition", "link_definition", "paragraph"]
# The first characters of a line that take a table of their own above (tests empty it to
# compare with the table of all block parsers).
_FIRST_CHAR_BLOCK_PARSERS = frozenset("[")
_BLOCK_CHARS = frozenset(" \t\n\r\f\v`~>#*-_+:<$\\[{^|!=")
_SPAN_PARSERS = [
    "emphasis",
    "codespan",
    "autolink",
    "span_html",
    "footnote_marker",
    "link",
    "smart_quotes",
    "inline_math",
    "span_extensions",
    "html_entity",
    "typographic_syms",
    "line_break",
    "escaped_chars",
]


# The characters each span parser's start pattern can begin with (smart quotes: any).
_FIRST_CHARS = {
    "emphasis": "*_",
    "codespan": "`",
    "autolink": "<",
    "span_html": "<",
    "footnote_marker": "[",
    "link": "![",
    "smart_quotes": "\"'",
    "inline_math": "$",
    "span_extensions": "{",
    "html_entity": "&",
    "typographic_syms": "-.\\<> ",
    "line_break": " \\",
    "escaped_chars": "\\",
    "strikethrough": "~",
}


# Parser tables shared by all parsers: by (gfm, span parser names), by gfm, by (stop, names).
_BlockTable = list[tuple[re.Pattern[str], Callable[["Parser"], bool | None]]]
_Tables = tuple[_BlockTable, _BlockTable, _BlockTable, _BlockTable, re.Pattern[str], _BlockTable]
_TABLES: dict[tuple[bool, tuple[str, ...]], _Tables] = {}
_DISPATCH: dict[bool, dict[tuple[str, ...], tuple[dict[str, list[Any]], list[Any]]]] = {}
_UNTIL: dict[tuple[str, tuple[str, ...]], re.Pattern[str]] = {}


def _normalize_link_id(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


class Parser:
    def __init__(self, options: KramdownOptions) -> None:
        self.options = options
        self.gfm = options.gfm
        self.root = Element("root", None, None, {"abbrev_defs": {}, "abbrev_attr": {}})
        self.alds: dict[str, dict[str, Any]] = {}
        self.footnotes: dict[str, dict[str, Any]] = {}
        self.link_defs: dict[str, list[Any]] = {
            _normalize_link_id(k): [v[0], v[1], None] for k, v in options.link_defs.items()
        }
        self.src = Scanner("")
        self.tree: Element = self.root
        self.block_ial: dict[str, Any] | None = None
        self.stack: list[tuple[Any, ...]] = []
        self.text_type = "raw_text"
        self.depth = 0
        self.id_counter: dict[str, int] = {}
        span = list(_SPAN_PARSERS)
        if self.gfm:
            if options.hard_wrap:
                span.remove("line_break")
            span.append("strikethrough")
            self.hard_line_break = "\n" if options.hard_wrap else "\\\n"
        tables = _TABLES.get((self.gfm, tuple(span)))
        if tables is None:
            block_parsers = [(self._block_start(name), getattr(Parser, "parse_" + name)) for name in _BLOCK_PARSERS]
            # A line starting with a letter (most lines) can only start these (kramdown's order).
            plain = [block_parsers[_BLOCK_PARSERS.index(n)] for n in _PLAIN_LINE_PARSERS]
            digit = [block_parsers[_BLOCK_PARSERS.index("list")], *plain]
            tag = [block_parsers[_BLOCK_PARSERS.index(n)] for n in _TAG_LINE_PARSERS]
            bracket = [block_parsers[_BLOCK_PARSERS.index(n)] for n in _BRACKET_LINE_PARSERS]
            start_re = re.compile("(?=" + "|".join(P.SPAN_STARTS[n] for n in span) + ")", re.A | re.M)
            tables = _TABLES[(self.gfm, tuple(span))] = (block_parsers, plain, digit, tag, start_re, bracket)
        # Built once per option set and shared: the parsers are plain functions, called with self.
        self.block_parsers: _BlockTable = tables[0]
        self.plain_block_parsers: _BlockTable = tables[1]
        self.digit_block_parsers: _BlockTable = tables[2]
        self.tag_block_parsers: _BlockTable = tables[3]
        self.span_start_re = tables[4]
        self.bracket_block_parsers: _BlockTable = tables[5]
        self.span_names = span
        self.link_text_re: re.Pattern[str] | None = None  # where a link's text may end or hold a span
        self._dispatch_cache = _DISPATCH.setdefault(self.gfm, {})
        self.failed: set[tuple[Any, ...]] = set()
        self.no_closer: dict[tuple[int, str, str, str], int] = {}
        self.paragraph_end = P.PARAGRAPH_END_GFM if self.gfm else P.PARAGRAPH_END

    def _block_start(self, name: str) -> re.Pattern[str]:
        starts: dict[str, re.Pattern[str]] = {
            "blank_line": P.BLANK_LINE,
            "codeblock": P.INDENT,
            "codeblock_fenced": P.FENCED_START_GFM if self.gfm else P.FENCED_START_KD,
            "blockquote": P.BLOCKQUOTE_START,
            "atx_header": P.ATX_HEADER_START if self.gfm else P.ATX_HEADER_START_KD,
            "horizontal_rule": P.HR_START,
            "list": P.LIST_START,
            "definition_list": P.DEFINITION_LIST_START,
            "block_html": P.HTML_BLOCK_START,
            "setext_header": P.SETEXT_HEADER_START,
            "block_math": P.BLOCK_MATH_START,
            "table": P.TABLE_START,
            "footnote_definition": P.FOOTNOTE_DEFINITION_START,
            "link_definition": P.LINK_DEFINITION_START,
            "abbrev_definition": P.ABBREV_DEFINITION_START,
            "block_extensions": P.BLOCK_EXTENSIONS_START,
            "eob_marker": P.EOB_MARKER,
            "paragraph": P.PARAGRAPH_START,
        }
        return starts[name]

    def _span_table(self, names: list[str]) -> list[tuple[re.Pattern[str], Callable[[Parser], Any]]]:
        starts: dict[str, re.Pattern[str]] = {
            "emphasis": P.EMPHASIS_START,
            "codespan": P.CODESPAN_DELIMITER,
            "autolink": P.AUTOLINK_START,
            "span_html": P.HTML_SPAN_START,
            "footnote_marker": P.FOOTNOTE_MARKER_START,
            "link": P.LINK_START,
            "smart_quotes": P.SMART_QUOTES_RE,
            "inline_math": P.INLINE_MATH_START,
            "span_extensions": re.compile(r"\{:"),
            "html_entity": P.HTML_ENTITY_RE,
            "typographic_syms": P.TYPOGRAPHIC_SYMS_RE,
            "line_break": P.LINE_BREAK,
            "escaped_chars": P.ESCAPED_CHARS_GFM if self.gfm else P.ESCAPED_CHARS,
            "strikethrough": P.STRIKETHROUGH_MATCH,
        }
        return [(starts[n], getattr(Parser, "parse_" + n)) for n in names]

    # --- driver ----------------------------------------------------------------------------
    def parse(self, source: str) -> Element:
        source = source.replace("\r\n", "\n").replace("\r", "\n")
        source = (source[:-1] if source.endswith("\n") else source) + "\n"  # Ruby's chomp, then "\n"
        self.parse_blocks(self.root, source)
        self.update_tree(self.root)
        for data in self.footnotes.values():
            self.update_tree(data["content"])
        if self.gfm:
            self.update_elements(self.root)
            for data in self.footnotes.values():
                self.update_elements(data["content"])
        return self.root

    def parse_blocks(self, el: Element, text: str | None = None) -> bool:
        """Parse block-level text into ``el``; True when an HTML end tag stopped it."""
        self.stack.append((self.tree, self.src, self.block_ial))
        self.tree, self.block_ial = el, None
        if text is not None:
            self.src = Scanner(text)
        found = False
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                rest = self.src.rest()
                self.src.terminate()
                para = Element("p")
                para.children.append(Element("raw_text", rest.strip()))
                el.children.append(para)
            src = self.src
            string = src.string
            while src.pos < len(string):
                pos = src.pos
                char = string[pos]
                if char == "<":
                    parsers = self.tag_block_parsers
                elif char in _BLOCK_CHARS:
                    if char == "[" and char in _FIRST_CHAR_BLOCK_PARSERS:
                        parsers = self.bracket_block_parsers
                    else:
                        parsers = self.block_parsers
                elif char.isdigit():
                    parsers = self.digit_block_parsers
                else:
                    parsers = self.plain_block_parsers
                # src.at(pattern), inline (tried for each block parser at each block start)
                inside = pos and string[pos - 1] != "\n"
                for pattern, method in parsers:
                    if inside and pattern.pattern[:1] in "^(":
                        pattern = _anchored(pattern)
                    if pattern.match(string, pos):
                        if method(self):
                            break
                        pos = src.pos  # a parser that declines may have moved on
                        inside = pos and string[pos - 1] != "\n"
                else:
                    self.add_text(self.src.scan(P.PARAGRAPH_MATCH) or self.src.getch())
        except StopBlockParsing:
            found = True
        finally:
            self.depth -= 1
            self.tree, self.src, self.block_ial = self.stack.pop()
        return found

    def update_tree(self, element: Element) -> None:
        last_blank: Element | None = None
        out: list[Element] = []
        for child in element.children:
            if child.type == "raw_text":
                last_blank = None
                if not self.span_start_re.search(child.value):  # plain text: no span to parse
                    out.append(Element("text", child.value))
                    continue
                saved = self._save_env()
                self.src, self.tree, self.block_ial, self.stack, self.text_type = (
                    Scanner(child.value),
                    None,  # type: ignore[assignment]
                    None,
                    [],
                    "text",
                )
                self.parse_spans(child)
                self._restore_env(saved)
                out.extend(child.children)
            elif child.type == "eob":
                continue
            elif child.type == "blank":
                if last_blank is not None:
                    last_blank.value += child.value
                else:
                    last_blank = child
                    out.append(child)
            else:
                last_blank = None
                if child.children:  # a leaf (raw HTML, say) has nothing to update
                    self.update_tree(child)
                if child.options.get("ial"):
                    self.update_attr_with_ial(child.attr, child.options["ial"])
                if child.type == "dt" or (child.type == "header" and self.gfm):
                    self.update_raw_text(child)
                out.append(child)
        element.children = out

    def update_raw_text(self, item: Element) -> None:
        parts: list[str] = []

        def walk(child: Element) -> None:
            if child.type in ("text", "codespan", "math") or child.type == "entity":
                parts.append(child.value)
            elif child.type in ("smart_quote", "typographic_sym"):
                parts.append("")
            else:
                for c in child.children:
                    walk(c)

        walk(item)
        item.options["raw_text"] = "".join(parts)

    def update_elements(self, element: Element) -> None:
        """GFM: hard line breaks in text, and GitHub-style header ids."""
        out: list[Element] = []
        changed = False
        for child in element.children:
            kind = child.type
            if kind == "text":
                if self.hard_line_break in child.value:
                    out.extend(self._split_hard_breaks(element, child))
                    changed = True
                else:
                    out.append(child)
            elif kind == "header" and self.options.auto_ids and "id" not in child.attr:
                child.attr["id"] = self._gfm_header_id(child.options.get("raw_text", ""))
                out.append(child)
            else:
                if kind != "html_element" and child.children:
                    self.update_elements(child)
                out.append(child)
        if changed:
            element.children = out

    def _split_hard_breaks(self, element: Element, child: Element) -> list[Element]:
        lines = child.value.split(self.hard_line_break)
        block = element.type in ("p", "header", "td", "dt", "li", "dd", "root", "blockquote")
        omit_trailing = lines[-1] == "" and block and element.children[-1] is child
        result: list[Element] = []
        for index, line in enumerate(lines):
            result.append(Element("text", ("\n" + line) if index > 0 else line))
            if index < len(lines) - 2 or (index == len(lines) - 2 and not omit_trailing):
                result.append(Element("br"))
        return result

    def _gfm_header_id(self, text: str) -> str:
        result = re.sub(r"[^\w\- \t]", "", text.lower()).replace(" ", "-").replace("\t", "-")
        count = self.id_counter.get(result, -1) + 1
        self.id_counter[result] = count
        if count > 0:
            result += f"-{count}"
        return self.options.auto_id_prefix + result

    def parse_spans(
        self,
        el: Element,
        stop_re: re.Pattern[str] | None = None,
        parsers: list[str] | None = None,
        text_type: str | None = None,
        stop_check: Callable[[], bool] | None = None,
    ) -> bool:
        pushed = self.tree is not None
        if pushed:
            self.stack.append((self.tree, self.text_type))
        self.tree, self.text_type = el, (text_type or self.text_type)
        names = self.span_names if parsers is None else parsers
        dispatch, fallback = self._dispatch(tuple(names))
        used_re = self._until(stop_re.pattern if stop_re is not None else "", tuple(names))
        src = self.src
        found = False
        self.depth += 1
        deep = self.depth > MAX_DEPTH
        string, end = src.string, len(src.string)
        search, add_text = used_re.search, self.add_text
        children, text_type = el.children, self.text_type
        try:
            while src.pos < end and not found:
                pos = src.pos
                m = search(string, pos)
                if m is None:
                    if stop_re is None:
                        add_text(string[pos:])
                        src.pos = end
                    break
                start = m.start()
                if start > pos:  # add_text(string[pos:start]), inline: the text between spans
                    last = children[-1] if children else None
                    if last is not None and last.type == text_type:
                        last.append_text(string[pos:start])
                    else:
                        children.append(Element(text_type, string[pos:start]))
                    src.pos = pos = start
                if stop_re is not None:
                    stop = stop_re.match(string, pos)
                    if stop:
                        src.m = stop
                        found = stop_check() if stop_check is not None else True
                        if found:
                            break
                if not deep:
                    for pattern, method in dispatch.get(string[pos], fallback):
                        mm = pattern.match(string, pos)
                        if mm:
                            src.m = mm
                            method(self)
                            break
                    else:
                        add_text(string[pos])
                        src.pos = pos + 1
                else:
                    add_text(string[pos])
                    src.pos = pos + 1
        finally:
            self.depth -= 1
        if pushed:
            self.tree, self.text_type = self.stack.pop()
        else:
            self.tree = None  # type: ignore[assignment]
        return found

    def _dispatch(self, names: tuple[str, ...]) -> tuple[dict[str, list[Any]], list[Any]]:
        """The span parsers that can start with a given character, in kramdown's order (trying
        all of them at every candidate position is most of the time spent on spans)."""
        cached = self._dispatch_cache.get(names)
        if cached is None:
            table = self._span_table(list(names))
            any_char = [i for i, n in enumerate(names) if n == "smart_quotes"]
            chars = {c for n in names for c in _FIRST_CHARS[n]}
            dispatch = {
                c: [table[i] for i, n in enumerate(names) if c in _FIRST_CHARS[n] or i in any_char] for c in chars
            }
            cached = self._dispatch_cache[names] = (dispatch, [table[i] for i in any_char])
        return cached

    def _until(self, stop: str, names: tuple[str, ...]) -> re.Pattern[str]:
        key = (stop, names)
        pattern = _UNTIL.get(key)
        if pattern is None:
            start = "|".join(P.SPAN_STARTS[n] for n in names)
            body = f"{stop}|{start}" if stop else start
            pattern = re.compile(f"(?={body})", re.A | re.M | (re.S if stop else 0))
            _UNTIL[key] = pattern
        return pattern

    def _save_env(self) -> tuple[Any, ...]:
        return (self.src, self.tree, self.block_ial, self.stack, self.text_type)

    def _restore_env(self, env: tuple[Any, ...]) -> None:
        self.src, self.tree, self.block_ial, self.stack, self.text_type = env

    def add_text(self, text: str, tree: Element | None = None, type: str | None = None) -> None:
        tree = self.tree if tree is None else tree
        type = type or self.text_type
        last = tree.children[-1] if tree.children else None
        if last is not None and last.type == type:
            last.append_text(text)
        elif text:
            tree.children.append(Element(type, text))

    def new_block_el(self, type: str, value: Any = None, attr: dict[str, str] | None = None, **options: Any) -> Element:
        el = Element(type, value, attr, options)
        if self.block_ial is not None:
            el.options["ial"] = self.block_ial
            self.block_ial = None
        return el

    # --- attribute lists --------------------------------------------------------------------
    def parse_attribute_list(self, text: str, opts: dict[str, Any]) -> None:
        if not text.strip() or text.strip() == ":":
            return
        for m in P.ALD_TYPE_ANY.finditer(text):
            key, sep, val, ref, id_class = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
            if ref:
                opts.setdefault("refs", []).append(ref)
            elif id_class:
                for im in P.ALD_TYPE_ID_OR_CLASS.finditer(id_class):
                    if im.group(2):
                        opts["class"] = f"{opts.get('class', '')} {im.group(2)}".lstrip()
                    else:
                        opts["id"] = im.group(1)
            elif key:
                opts[key] = re.sub(r"\\(\}|" + re.escape(sep) + ")", r"\1", val)

    def update_ial_with_ial(self, ial: dict[str, Any], opts: dict[str, Any]) -> None:
        if "refs" in opts:
            ial.setdefault("refs", []).extend(opts["refs"])
        for k, v in opts.items():
            if k == "class":
                ial[k] = f"{ial.get(k, '')} {v}".lstrip()
            elif k != "refs":
                ial[k] = v

    def update_attr_with_ial(self, attr: dict[str, str], ial: dict[str, Any], depth: int = 0) -> None:
        for ref in ial.get("refs", ()):
            if ref in self.alds and depth < 20:
                self.update_attr_with_ial(attr, self.alds[ref], depth + 1)
        for k, v in ial.items():
            if k == "class":
                attr[k] = f"{attr.get(k, '')} {v}".lstrip()
            elif k != "refs" and isinstance(v, str):
                attr[k] = v

    def apply_inline_options(self, opts: dict[str, Any]) -> None:
        """``{::options key="value" /}``: later text is parsed and converted with them."""
        from newsctl.markdown.options import options_from

        allowed = {k: v for k, v in opts.items() if k not in ("refs", "input", "link_defs")}
        self.options = options_from(allowed, self.options)
        self.root.options.setdefault("options", {}).update(allowed)

    def after_block_boundary(self) -> bool:
        last = self.tree.children[-1] if self.tree.children else None
        return (
            last is None
            or last.type == "blank"
            or (last.type == "eob" and last.value is None)
            or self.block_ial is not None
        )

    def before_block_boundary(self) -> bool:
        return self.src.at(P.BLOCK_BOUNDARY) is not None

    # The parsers live in blocks.py and spans.py (kramdown's one file per construct, grouped).
    parse_abbrev_definition = blocks.parse_abbrev_definition
    parse_atx_header = blocks.parse_atx_header
    parse_blank_line = blocks.parse_blank_line
    parse_block_extensions = blocks.parse_block_extensions
    parse_block_html = blocks.parse_block_html
    parse_block_math = blocks.parse_block_math
    parse_blockquote = blocks.parse_blockquote
    parse_codeblock = blocks.parse_codeblock
    parse_codeblock_fenced = blocks.parse_codeblock_fenced
    parse_definition_list = blocks.parse_definition_list
    parse_eob_marker = blocks.parse_eob_marker
    parse_footnote_definition = blocks.parse_footnote_definition
    parse_horizontal_rule = blocks.parse_horizontal_rule
    parse_link_definition = blocks.parse_link_definition
    parse_list = blocks.parse_list
    parse_paragraph = blocks.parse_paragraph
    parse_setext_header = blocks.parse_setext_header
    parse_table = blocks.parse_table
    handle_html_start_tag = spans.handle_html_start_tag
    parse_autolink = spans.parse_autolink
    parse_codespan = spans.parse_codespan
    parse_emphasis = spans.parse_emphasis
    parse_escaped_chars = spans.parse_escaped_chars
    parse_footnote_marker = spans.parse_footnote_marker
    parse_html_entity = spans.parse_html_entity
    parse_inline_math = spans.parse_inline_math
    parse_line_break = spans.parse_line_break
    parse_link = spans.parse_link
    parse_smart_quotes = spans.parse_smart_quotes
    parse_span_extensions = spans.parse_span_extensions
    parse_span_html = spans.parse_span_html
    parse_strikethrough = spans.parse_strikethrough
    parse_typographic_syms = spans.parse_typographic_syms
