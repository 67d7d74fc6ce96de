"""kramdown's span parsers and its HTML-in-Markdown handling, methods of ``Parser``."""

from __future__ import annotations

import re
from functools import lru_cache
from html.entities import name2codepoint
from typing import TYPE_CHECKING, Any

from newsctl.markdown import patterns as P
from newsctl.markdown.html import attributes, escape_text
from newsctl.markdown.tree import MAX_DEPTH, Element, Scanner

if TYPE_CHECKING:
    from newsctl.markdown.parser import Parser

_SPACES = re.compile(r"\s+", re.A)


def _alpha_before(text: str, pos: int) -> bool:
    """kramdown's ``pre_match =~ /[[:alpha:]]-?[[:alpha:]]*\\z/``, without reading all of it."""
    before = text[pos - 1 : pos]
    return before.isalpha() or (before == "-" and text[pos - 2 : pos - 1].isalpha())


@lru_cache(maxsize=64)
def _delimiter_patterns(delim: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The closing delimiter, a doubled one (not an em's end) and one before a letter or digit."""
    quoted = re.escape(delim)
    return re.compile(quoted), re.compile(quoted * 2 + "(?!" + quoted + ")"), re.compile(quoted + r"[^\W_]")


@lru_cache(maxsize=64)
def _literal(text: str) -> re.Pattern[str]:
    return re.compile(re.escape(text))


def parse_emphasis(self: Parser) -> None:
    src = self.src
    saved = src.pos
    result = src.scan(P.EMPHASIS_START) or ""
    start = saved
    element = "strong" if len(result) == 2 else "em"
    kind = result[0]
    in_same = self.tree.type == element or any(t[0] is not None and t[0].type == element for t in self.stack)
    if (kind == "_" and _alpha_before(src.string, start)) or P.WHITESPACE.match(src.string, src.pos) or in_same:
        self.add_text(result)
        return

    def sub_parse(delim: str, elem: str) -> tuple[bool, Element, re.Pattern[str]]:
        el = Element(elem)
        stop_re, double, alnum = _delimiter_patterns(delim)

        def check() -> bool:
            pos = src.pos
            return (
                (pos == 0 or not src.string[pos - 1].isspace() or src.string[pos - 1] not in " \t\n\r\f\v")
                and (elem != "em" or not double.match(src.string, pos))
                and (kind != "_" or not alnum.match(src.string, pos))
                and bool(el.children)
            )

        found = self.parse_spans(el, stop_re, stop_check=check)
        return found, el, stop_re

    context = _emphasis_context(self)
    key = (src.serial, saved, result, context)
    if key in self.failed or _no_closer(self, src.serial, result, element, saved):
        src.pos = saved + len(result)
        self.add_text(result)
        return
    found, el, stop_re = sub_parse(result, element)
    if not found:
        _remember_no_closer(self, src.serial, result, element, saved)
    if not found and element == "strong" and self.tree.type != "em":
        src.pos = saved + 1
        if not _no_closer(self, src.serial, kind, "em", saved + 1):
            found, el, stop_re = sub_parse(kind, "em")
            if not found:
                _remember_no_closer(self, src.serial, kind, "em", saved + 1)
    if found:
        src.scan(stop_re)
        self.tree.children.append(el)
    else:
        self.failed.add(key)
        src.pos = saved + len(result)
        self.add_text(result)


def _emphasis_context(self: Parser) -> str:
    """What an emphasis attempt's outcome depends on besides the text: the enclosing element and
    whether an em or strong is open around it (kramdown does not nest them in themselves)."""
    open_types = {t[0].type for t in self.stack if t[0] is not None and t[0].type in ("em", "strong")}
    return f"{self.tree.type}:{'em' in open_types}:{'strong' in open_types}"


def _no_closer(self: Parser, serial: int, delim: str, elem: str, start: int) -> bool:
    """Whether an attempt from before ``start`` already found no closing ``delim`` up to the end:
    then none after it can (kramdown would rescan the rest for every opener: quadratic)."""
    first = self.no_closer.get((serial, delim, elem, _emphasis_context(self)))
    return first is not None and start > first


def _remember_no_closer(self: Parser, serial: int, delim: str, elem: str, start: int) -> None:
    key = (serial, delim, elem, _emphasis_context(self))
    if key not in self.no_closer or start < self.no_closer[key]:
        self.no_closer[key] = start


def parse_codespan(self: Parser) -> None:
    src = self.src
    before = src.pos
    result = src.scan(P.CODESPAN_DELIMITER) or "`"
    simple = len(result) == 1
    if simple and (before == 0 or src.string[before - 1] in " \t\n\r\f\v") and P.WHITESPACE.match(src.string, src.pos):
        self.add_text(result)
        return
    pattern = _literal(result)
    m = pattern.search(src.string, src.pos)
    if m is None:
        self.add_text(result)
        return
    text = src.string[src.pos : m.start()]
    src.pos = m.end()
    if not simple:
        if text[:1] == " ":
            text = text[1:]
        if text[-1:] == " ":
            text = text[:-1]
    self.tree.children.append(Element("codespan", text, None, {"codespan_delimiter": result}))


def parse_autolink(self: Parser) -> None:
    src = self.src
    src.pos = src.m.end()  # type: ignore[union-attr]
    target = src.group(1) or ""
    href = target if src.group(2) else "mailto:" + target
    el = Element("a", None, {"href": href})
    self.add_text(target[7:] if target.startswith("mailto:") else target, el)
    self.tree.children.append(el)


def parse_escaped_chars(self: Parser) -> None:
    src = self.src
    src.pos = src.m.end()  # type: ignore[union-attr]
    self.add_text(src.group(1) or "")


def entity_char(name: str | None, decimal: str | None, hexa: str | None) -> str | None:
    if name is not None:
        if name == "apos":
            return "'"
        code = name2codepoint.get(name)
        return chr(code) if code is not None else None
    try:
        number = int(decimal) if decimal is not None else int(hexa or "", 16)
        return chr(number) if 0 < number < 0x110000 else None
    except ValueError:
        return None


def parse_html_entity(self: Parser) -> None:
    src = self.src
    m = src.m
    assert m is not None
    src.pos = m.end()
    char = entity_char(m.group(1), m.group(2), m.group(3))
    if char is None:
        self.tree.children.append(Element("entity", "&", None, {"original": "&amp;"}))
        self.add_text(m.group(0)[1:])
    else:
        self.tree.children.append(Element("entity", char, None, {"original": m.group(0)}))


def parse_line_break(self: Parser) -> None:
    self.src.pos = self.src.m.end()  # type: ignore[union-attr]
    self.tree.children.append(Element("br"))


def parse_typographic_syms(self: Parser) -> None:
    src = self.src
    src.pos = src.m.end()  # type: ignore[union-attr]
    matched = src.matched
    value = dict(P.TYPOGRAPHIC_SYMS)[matched]
    if matched == "\\<<":
        self.tree.children += [Element("entity", "<", None, {}), Element("entity", "<", None, {})]
    elif matched == "\\>>":
        self.tree.children += [Element("entity", ">", None, {}), Element("entity", ">", None, {})]
    else:
        self.tree.children.append(Element("typographic_sym", value))


def parse_smart_quotes(self: Parser) -> None:
    src = self.src
    found = next(((m, substs) for pattern, substs in P.SQ_RULES if (m := pattern.match(src.string, src.pos))), None)
    if found is None:
        self.add_text(src.getch())
        return
    m, substs = found
    src.m = m
    src.pos = m.end()
    for subst in substs:
        if isinstance(subst, int):
            self.add_text(m.group(subst) or "")
        else:
            quote = m.group(int(subst[-1])) if subst[-1].isdigit() else None
            value = P.SQ_SUBSTS.get((subst, quote or ""), subst)
            self.tree.children.append(Element("smart_quote", value))


def parse_inline_math(self: Parser) -> None:
    src = self.src
    src.pos = src.m.end()  # type: ignore[union-attr]
    self.tree.children.append(Element("math", (src.group(1) or "").strip(), None, {"category": "span"}))


def parse_strikethrough(self: Parser) -> None:
    src = self.src
    matched = src.matched
    src.pos = src.m.end()  # type: ignore[union-attr]
    el = Element("html_element", "del", {}, {"category": "span", "content_model": "span"})
    self.tree.children.append(el)
    env = self._save_env()
    from newsctl.markdown.tree import Scanner

    self.src, self.tree, self.block_ial, self.stack, self.text_type = (
        Scanner(matched[2:-2]),
        None,  # type: ignore[assignment]
        None,
        [],
        "text",
    )
    self.parse_spans(el)
    self._restore_env(env)


def parse_span_extensions(self: Parser) -> None:
    src = self.src
    if src.check(P.EXT_SPAN_START):
        from newsctl.markdown.extensions import parse_extension_start_tag

        parse_extension_start_tag(self, "span")
        return
    last = self.tree.children[-1] if self.tree.children else None
    # After text an IAL is text too: decided before the (to-the-next-"}") match, as each "{:" of
    # a long run would otherwise rescan the rest of the paragraph.
    if last is not None and last.type != "text" and src.check(P.IAL_SPAN_START):
        src.pos = src.m.end()  # type: ignore[union-attr]
        attr: dict[str, Any] = {}
        self.parse_attribute_list(src.group(1) or "", attr)
        if not last.options.get("ial"):
            last.options["ial"] = {}
        self.update_ial_with_ial(last.options["ial"], attr)
        self.update_attr_with_ial(last.attr, attr)
        return
    self.add_text(src.getch())


def parse_footnote_marker(self: Parser) -> None:
    src = self.src
    src.pos = src.m.end()  # type: ignore[union-attr]
    name = src.group(1) or ""
    fn_def = self.footnotes.get(name)
    if fn_def is None:
        self.add_text(src.matched)
        return
    if "eob" in fn_def:
        eob = fn_def.pop("eob")
        self.update_attr_with_ial(eob.attr, eob.options.get("ial") or {})
        fn_def["attr"] = eob.attr
        fn_def["options"] = eob.options
    marker = Element("footnote", fn_def["content"], dict(fn_def["attr"]), {**fn_def["options"], "name": name})
    fn_def.setdefault("marker", []).append(marker)
    self.tree.children.append(marker)


def _cannot_be_link(self: Parser, start: int) -> bool:
    """With no link definitions, text in brackets is a link only when ``(`` or ``[`` follows
    its ``]``: checked against the matching bracket found once for the whole text, so that
    nested or unbalanced brackets cost linear time, not a rescan per ``[``."""
    if self.link_defs:
        return False
    close = self.src.matching_bracket(start - 1)
    if close is None:
        return True
    after = self.src.string[close + 1 : close + 2]
    return after not in ("(", "[", " ", "\t", "\n")


def _add_link(self: Parser, el: Element, href: str, title: str | None, alt: str, ial: Any = None) -> None:
    el.options["ial"] = ial
    if ial:
        self.update_attr_with_ial(el.attr, ial)
    if el.type == "a":
        el.attr["href"] = href
    else:
        el.attr["src"] = href
        el.attr["alt"] = alt
        el.children.clear()
    if title is not None:
        el.attr["title"] = title
    self.tree.children.append(el)


def _fast_link_text(self: Parser, el: Element, start: int) -> bool:
    """A link's text with no span in it (``[返回首页]``, most links), read at once: what
    ``parse_spans(el, LINK_BRACKET_STOP_RE)`` does when the first place a span or a bracket may
    start is the closing ``]`` (its text one text child, the scanner left on the ``]``)."""
    src = self.src
    string = src.string
    if self.link_text_re is None:
        self.link_text_re = self._until(P.LINK_BRACKET_STOP_RE.pattern, tuple(self.span_names))
    m = self.link_text_re.search(string, start)
    if m is None:
        return False
    close = m.start()
    if string[close] != "]":
        return False
    if close > start:
        el.children.append(Element(self.text_type, string[start:close]))
    src.pos = close
    src.m = P.LINK_BRACKET_STOP_RE.match(string, close)
    return True


def _fast_link_url(self: Parser) -> str | None:
    """An inline link's ``(url)`` with no space, parenthesis or ``<`` in it (most links), read at
    once: the URL the general loop over ``LINK_PAREN_STOP_RE`` gives, the scanner after the
    ``)``. None (nothing read) for anything else."""
    src = self.src
    string = src.string
    pos = src.pos
    if string[pos : pos + 1] != "(" or string[pos + 1 : pos + 2] == "<":
        return None
    close = string.find(")", pos + 1)
    if close < 0:
        return None
    url = string[pos + 1 : close]
    if "(" in url or _HAS_SPACE.search(url) is not None:
        return None
    src.pos = close + 1
    src.m = None
    return url.strip()


_HAS_SPACE = re.compile(r"\s", re.A)


def parse_link(self: Parser) -> None:
    # Long because: kramdown's parse_link (reference, inline and angle-bracket forms) kept whole.
    src = self.src
    m = src.m
    if m is not None and m.re is P.LINK_START and m.start() == src.pos:  # parse_spans matched it
        result = m.group(0)
        src.pos = m.end()
    else:
        result = src.scan(P.LINK_START) or ""
    cur_pos = saved = src.pos
    link_type = "img" if result.startswith("!") else "a"
    if link_type == "a" and (
        self.tree.type in ("img", "a") or any(t[0] is not None and t[0].type in ("img", "a") for t in self.stack)
    ):
        self.add_text(result)
        return
    key = (src.serial, cur_pos, link_type)
    if cur_pos > src.last_close_bracket() or key in self.failed or _cannot_be_link(self, cur_pos):
        # No "]" after it, or it failed before (an outer attempt that failed re-parses its
        # text): kramdown would rescan to the same failure, at a cost that multiplies.
        self.add_text(result)
        return
    el = Element(link_type)
    count = [1]

    def check() -> bool:
        count[0] += -1 if src.group(1) else 1
        return count[0] - sum(1 for c in el.children if c.type == "img") == 0

    found = _fast_link_text(self, el, cur_pos) or self.parse_spans(el, P.LINK_BRACKET_STOP_RE, stop_check=check)
    if not found:
        self.failed.add(key)
        src.pos = saved
        self.add_text(result)
        return
    alt_text = src.string[cur_pos : src.pos]
    if "\\" in alt_text:
        alt_text = P.ESCAPED_CHARS.sub(r"\1", alt_text)
    if src.string[src.pos] == "]":  # what LINK_BRACKET_STOP_RE matches there
        src.pos += 1
    else:
        src.scan(P.LINK_BRACKET_STOP_RE)
    # "(" after the "]": no "[id]", an inline link (the scan and check below, at once)
    if src.string[src.pos : src.pos + 1] != "(" and (src.scan(P.LINK_INLINE_ID_RE) or not src.check(P.OPEN_PAREN)):
        given = src.group(1) if src.m is not None and src.m.re is P.LINK_INLINE_ID_RE else None
        link_id = _SPACES.sub(" ", given or alt_text).lower()
        link_def = self.link_defs.get(link_id)
        if link_def is not None:
            eob = link_def[2]
            _add_link(self, el, link_def[0], link_def[1], alt_text, eob.options.get("ial") if eob is not None else None)
        else:
            self.failed.add(key)
            src.pos = saved
            self.add_text(result)
        return
    if (fast_url := _fast_link_url(self)) is not None:  # most links: (url), read at once
        _add_link(self, el, fast_url, None, alt_text)
        return
    if src.scan(P.ANGLE_URL):
        link_url = src.group(1) or ""
        if src.scan(P.CLOSE_PAREN):
            _add_link(self, el, link_url, None, alt_text)
            return
    else:
        parts: list[str] = []
        brackets = 0
        while True:
            m = P.LINK_PAREN_STOP_RE.search(src.string, src.pos)
            if m is None:
                break
            parts.append(src.string[src.pos : m.end()])
            src.pos = m.end()
            src.m = m
            if m.group(2):
                brackets -= 1
                if brackets == 0:
                    break
            elif m.group(1):
                brackets += 1
            else:
                break
        link_url = "".join(parts)[1:-1].strip()
        if brackets == 0:
            _add_link(self, el, link_url, None, alt_text)
            return
    if src.scan(P.LINK_INLINE_TITLE_RE):
        _add_link(self, el, link_url, src.group(2), alt_text)
    else:
        self.failed.add(key)
        src.pos = saved
        self.add_text(result)


# --- HTML -------------------------------------------------------------------------------------
_MARKDOWN_ATTR = {"0": "raw", "1": "default", "span": "span", "block": "block"}


def parse_html_attributes(text: str, in_html_tag: bool = True) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for m in P.HTML_ATTRIBUTE_RE.finditer(text):
        name = m.group(1).lower() if in_html_tag else m.group(1)
        attrs[name] = m.group(2) or m.group(4) or ""
    return attrs


def handle_html_start_tag(self: Parser) -> None:
    src = self.src
    name = src.group(1) or ""
    if name.lower() in P.HTML_ELEMENT:
        name = name.lower()
    closed = src.group(4) is not None
    attrs = parse_html_attributes(src.group(2) or "", name in P.HTML_ELEMENT)
    el = Element("html_element", name, attrs, {"category": "block"})
    self.tree.children.append(el)
    if not closed and name in P.HTML_ELEMENTS_WITHOUT_BODY:
        closed = True
    if name in ("script", "style"):
        _handle_raw_html_tag(self, name)
        handle_kramdown_html_tag(self, el, False, False)
    else:
        handle_kramdown_html_tag(self, el, closed, True)


def _handle_raw_html_tag(self: Parser, name: str) -> None:
    src = self.src
    m = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(src.string, src.pos)
    if m:
        self.add_text(src.string[src.pos : m.start()], self.tree.children[-1], "raw")
        src.pos = m.end()
    else:
        self.add_text(src.rest(), self.tree.children[-1], "raw")
        src.terminate()


def handle_kramdown_html_tag(self: Parser, el: Element, closed: bool, handle_body: bool) -> None:
    src = self.src
    if self.block_ial is not None:
        el.options["ial"] = self.block_ial
        self.block_ial = None
    if self.tree.type != "html_element" or self.tree.options.get("content_model") != "raw":
        model = P.content_model(el.value) if self.options.parse_block_html else "raw"
    else:
        model = "raw"
    val = _MARKDOWN_ATTR.get(el.attr.pop("markdown", ""))
    if val:
        model = P.content_model(el.value) if val == "default" else val
    if model == "block":
        src.scan(P.TRAILING_WHITESPACE)
    el.options["content_model"] = model
    el.options["is_closed"] = closed
    if closed or not handle_body:
        return
    if model == "block":
        self.parse_blocks(el)
    elif model == "span":
        m = re.compile(rf"(?=</{re.escape(el.value)}\s*>)", re.I | re.M).search(src.string, src.pos)
        if m:
            self.add_text(src.string[src.pos : m.start()], el)
            src.pos = m.start()
            src.scan(P.HTML_TAG_CLOSE_RE)
        else:
            self.add_text(src.rest(), el)
            src.terminate()
    elif _fast_raw_html(self, el):
        if self.tree.type == "root":
            src.scan(P.TRAILING_WHITESPACE)
            leaf = _top_level_raw(self, el)
            if leaf is not None:
                self.tree.children[-1] = leaf
                _top_level_run(self)
            return
    else:
        parse_raw_html(self, el)
    if not (self.tree.type == "html_element" and self.tree.options.get("content_model") == "raw"):
        src.scan(P.TRAILING_WHITESPACE)


def parse_raw_html(self: Parser, el: Element) -> None:
    src = self.src
    if self.depth > MAX_DEPTH:  # nested too deep: the rest is the element's text
        self.add_text(src.rest(), el, "text")
        src.terminate()
        return
    self.stack.append((self.tree,))
    self.tree = el
    try:
        _parse_raw_html(self, src)
    finally:
        self.tree = self.stack.pop()[0]


_RAW_ATTRS: dict[tuple[str, bool], str | None] = {}


def _raw_tag_attributes(text: str, in_html_tag: bool) -> str | None:
    """A raw tag's attributes as the converter writes them; None when it has ``markdown=``."""
    key = (text, in_html_tag)
    out = _RAW_ATTRS.get(key, "")
    if out == "":
        if not text:
            return ""
        attrs = parse_html_attributes(text, in_html_tag)
        out = None if "markdown" in attrs else attributes(attrs)
        if len(_RAW_ATTRS) > 4096:
            _RAW_ATTRS.clear()
        _RAW_ATTRS[key] = out
    return out


# A start tag's name, what the converter writes of it, whether it has a body, and for one with a
# body its start and end tags as written ("<p>", "</p>"): the fast path appends them at once.
RawTag = tuple[str, str, bool, str, str]
_RAW_TAGS: dict[str, RawTag] = {}


def _raw_tag(m: re.Match[str]) -> RawTag:
    """A start tag inside raw HTML: its name, what the converter writes of it ("" when the fast
    path does not follow it: ``script``, ``style``, ``markdown=``), whether it has a body, and
    (with a body) its start tag and end tag as written."""
    name = m.group(1)
    if name.lower() in P.HTML_ELEMENT:
        name = name.lower()
    attrs = _raw_tag_attributes(m.group(2) or "", name in P.HTML_ELEMENT)
    if name in ("script", "style") or attrs is None:
        known = (name, "", False, "", "")
    elif m.group(4) is not None or name in P.HTML_ELEMENTS_WITHOUT_BODY:
        known = (name, f"<{name}{attrs} />", False, "", "")
    else:
        known = (name, f"<{name}{attrs}", True, f"<{name}{attrs}>", f"</{name}>")
    if len(_RAW_TAGS) > 4096:
        _RAW_TAGS.clear()
    _RAW_TAGS[m.group(0)] = known
    return known


_TAG_LOOKUP_SPAN = 512  # the longest start tag looked up by its text


def _fast_raw_html(self: Parser, el: Element) -> bool:
    """The body of raw HTML element ``el`` written out at once, as ``parse_raw_html`` and the
    converter together would write it: one ``raw`` child instead of a tree of elements and text.
    False (nothing consumed) for anything it does not follow exactly: ``script``/``style`` inside,
    ``markdown=``, no end tag before the end of the text, nesting near the depth limit."""
    src = self.src
    read = _raw_body(src.string, src.pos, f"</{el.value}>", MAX_DEPTH - self.depth - 2)
    if read is None:
        return False
    body, src.pos = read
    if body:
        el.children.append(Element("raw", body))
    return True


_COMMENT_MATCH = P.HTML_COMMENT_RE.match
_INSTRUCTION_MATCH = P.HTML_INSTRUCTION_RE.match
_TAG_MATCH = P.HTML_TAG_RE.match
_CLOSE_MATCH = P.HTML_TAG_CLOSE_RE.match


def _raw_body(string: str, pos: int, closer: str, limit: int) -> tuple[str, int] | None:
    """What ``_fast_raw_html`` writes for the body of the raw HTML element whose start tag ends
    at ``pos`` and whose end tag is ``closer`` ("</p>"), with where its end tag ends; None when
    the fast path does not follow it. ``limit``: how many elements deep it may go."""
    # Long because: one loop over tokens (text, comments, instructions, start and end tags).
    find = string.find
    # The output, flat: a nested element is its start tag, ">", its body and its end tag.
    out: list[str] = []
    comment_match = _COMMENT_MATCH
    instruction_match = _INSTRUCTION_MATCH
    close_match = _CLOSE_MATCH
    html_names = P.HTML_ELEMENT
    closers = [closer]  # the open elements' end tags, "</name>": their names, innermost last
    while True:
        lt = find("<", pos)
        if lt < 0:
            return None  # no end tag: the slow path reads to the end
        if lt > pos:
            text = string[pos:lt]
            out.append(escape_text(text) if "&" in text or ">" in text else text)
        if string.startswith(closer, lt):  # the innermost element ends, as most sources write it
            pos = lt + len(closer)
            ended = closers.pop()
            if not closers:
                return "".join(out), pos
            closer = closers[-1]
            out.append(ended)
            continue
        pos = lt
        after = string[pos + 1 : pos + 2]
        if after == "/":
            m = close_match(string, pos)  # another end tag, or this one written otherwise
            end = -1 if m is None else m.end()
            if m is not None:
                name = m.group(1) or ""
                inner = closer[2:-1]
                if inner != (name.lower() if inner in html_names else name):
                    out.append(escape_text(m.group(0)))  # another element's end tag: text
                    pos = end
                    continue
            if end >= 0:  # the innermost element ends
                pos = end
                ended = closers.pop()  # f"</{name}>"
                if not closers:
                    return "".join(out), pos
                closer = closers[-1]
                out.append(ended)
                continue
        elif after == "!" or after == "?":  # the only starts of a comment or an instruction
            m = comment_match(string, pos) or instruction_match(string, pos)
            if m is not None:
                out.append(m.group(0))
                pos = m.end()
                continue
        else:
            # A start tag seen before, up to the first ">": tag_match would match just that text
            # (its parts are atomic and only a quoted value can hold a ">", and a value quoted
            # past this ">" leaves that text no match to have been seen). The ">" is looked for
            # near the "<" only: a text of "<" and no ">" would otherwise be read again per "<".
            tag = string[pos : find(">", pos, pos + _TAG_LOOKUP_SPAN) + 1]
            known = _RAW_TAGS.get(tag) if tag else None
            m = None
            if known is None:
                m = _TAG_MATCH(string, pos)
                if m is not None:
                    tag = m.group(0)
                    known = _RAW_TAGS.get(tag)
                    if known is None:
                        known = _raw_tag(m)
            if known is not None:
                written = known[1]
                if not written or len(closers) >= limit:
                    return None
                pos += len(tag)
                if known[2]:
                    closer = known[4]
                    closers.append(closer)
                    out.append(known[3])
                else:
                    out.append(written)
                continue
        out.append("&lt;")
        pos += 1


def _top_level_raw(self: Parser, el: Element) -> Element | None:
    """Raw HTML element ``el``, just read whole by ``_fast_raw_html`` at the top of the document,
    as the one ``raw`` leaf of what the converter writes for it (the tree walks and the converter
    then pass it at once); None when something may still change it: an IAL before it, or a "{"
    (an IAL, perhaps) after it, which gives it attributes."""
    src = self.src
    if el.options.get("ial") or self.tree.children[-1] is not el:
        return None
    string = src.string
    pos = src.pos
    while string[pos : pos + 1] in (" ", "\t"):
        pos += 1
    if string.startswith("{", pos):
        return None
    name = el.value
    res = el.children[0].value if el.children else ""
    if res:
        written = f"<{name}{attributes(el.attr)}>{res}</{name}>"
    elif name in P.HTML_ELEMENTS_WITHOUT_BODY:
        written = f"<{name}{attributes(el.attr)} />"
    else:
        written = f"<{name}{attributes(el.attr)}></{name}>"
    return Element("raw", written, None, {"category": "block"})


_SPAN_NAMES = frozenset(P.HTML_SPAN_ELEMENTS)


def _top_level_run(self: Parser) -> None:
    """The raw HTML blocks that follow a top-level one at once ("</p><p>" on one line, as scraped
    posts have them), each read as the block parser would read it (``parse_block_html``, then
    ``handle_html_start_tag``) and made the same leaf as ``_top_level_raw`` makes. Stops, leaving
    the block parser to read it, at anything else: another kind of block, a span element, a tag
    with no body or with ``markdown=``, an element the fast path does not take, a "{" after it."""
    if self.options.parse_block_html or self.block_ial is not None:
        return
    src = self.src
    string = src.string
    find = string.find
    children = self.tree.children
    limit = MAX_DEPTH - self.depth - 2
    while string.startswith("<", src.pos):
        pos = src.pos
        tag = string[pos : find(">", pos, pos + _TAG_LOOKUP_SPAN) + 1]
        known = _RAW_TAGS.get(tag) if tag else None
        if known is None:
            m = P.HTML_TAG_RE.match(string, pos)
            if m is None:
                return
            tag = m.group(0)
            known = _RAW_TAGS.get(tag) or _raw_tag(m)
        name, written, has_body, opened, closer = known
        if not has_body or not written or name.lower() in _SPAN_NAMES:
            return
        read = _raw_body(string, pos + len(tag), closer, limit)
        if read is None:
            return
        res, src.pos = read
        # src.scan(P.TRAILING_WHITESPACE), then the spaces and tabs after it, at once
        after = src.pos
        while string[after : after + 1] in (" ", "\t"):
            after += 1
        if string.startswith("\n", after):
            src.pos = after = after + 1
            while string[after : after + 1] in (" ", "\t"):
                after += 1
        if string.startswith("{", after):  # an IAL may follow: the block parser reads it again
            src.pos = pos
            return
        children.append(Element("raw", f"{opened}{res}{closer}", None, {"category": "block"}))


def _parse_raw_html(self: Parser, src: Scanner) -> None:
    done = False
    while not src.eos() and not done:
        m = P.HTML_RAW_START.search(src.string, src.pos)
        if m is None:
            self.add_text(src.rest(), self.tree, "text")
            src.terminate()
            break
        self.add_text(src.string[src.pos : m.start()], self.tree, "text")
        src.pos = m.start()
        result = src.scan(P.HTML_COMMENT_RE)
        if result is not None:
            self.tree.children.append(Element("xml_comment", result, None, {"category": "block"}))
        elif (result := src.scan(P.HTML_INSTRUCTION_RE)) is not None:
            self.tree.children.append(Element("xml_pi", result, None, {"category": "block"}))
        elif src.scan(P.HTML_TAG_RE):
            self.depth += 1
            try:
                handle_html_start_tag(self)
            finally:
                self.depth -= 1
        elif src.scan(P.HTML_TAG_CLOSE_RE):
            name = src.group(1) or ""
            if self.tree.value == (name.lower() if self.tree.value in P.HTML_ELEMENT else name):
                done = True
            else:
                self.add_text(src.matched, self.tree, "text")
        else:
            self.add_text(src.getch(), self.tree, "text")


def parse_block_html_tag(self: Parser) -> None:
    handle_html_start_tag(self)


def parse_span_html(self: Parser) -> None:
    # Long: kramdown's parse_span_html kept whole to compare with it.
    src = self.src
    if (result := src.scan(P.HTML_COMMENT_RE)) is not None:
        self.tree.children.append(Element("xml_comment", result, None, {"category": "span"}))
        return
    if (result := src.scan(P.HTML_TAG_CLOSE_RE)) is not None:
        self.add_text(result)
        return
    if (result := src.scan(P.HTML_TAG_RE)) is None:
        self.add_text(src.getch())
        return
    m = src.m
    assert m is not None
    tag = m.group(1)
    if tag.lower() in P.HTML_ELEMENT:
        tag = tag.lower()
    if tag in P.HTML_BLOCK_ELEMENTS:
        self.add_text(result)
        return
    attrs = parse_html_attributes(m.group(2) or "", tag in P.HTML_ELEMENT)
    for key, value in attrs.items():
        if "\n" in value:
            attrs[key] = re.sub(r"\n+", " ", value)
    if P.content_model(tag) == "raw" or self.tree.options.get("content_model") == "raw":
        do_parsing = False
    else:
        do_parsing = self.options.parse_span_html
    val = _MARKDOWN_ATTR.get(attrs.pop("markdown", ""))
    if val == "span":
        do_parsing = True
    elif val == "default":
        do_parsing = P.content_model(tag) != "raw"
    elif val == "raw":
        do_parsing = False
    closed = m.group(4) is not None
    el = Element(
        "html_element",
        tag,
        attrs,
        {"category": "span", "content_model": "span" if do_parsing else "raw", "is_closed": closed},
    )
    self.tree.children.append(el)
    stop_re = re.compile(rf"</{re.escape(tag)}\s*>", re.I if tag in P.HTML_ELEMENT else 0)
    if not closed and tag not in P.HTML_ELEMENTS_WITHOUT_BODY:
        if self.parse_spans(el, stop_re, None if do_parsing else ["span_html"]):
            src.scan(stop_re)
        else:
            self.add_text(src.rest(), el)
            src.terminate()
