"""kramdown's block parsers (``lib/kramdown/parser/kramdown/*.rb``), methods of ``Parser``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsctl.markdown import extensions
from newsctl.markdown import patterns as P
from newsctl.markdown.tree import Element, Scanner, StopBlockParsing

if TYPE_CHECKING:
    from newsctl.markdown.parser import Parser


def parse_blank_line(self: Parser) -> bool:
    matched = self.src.scan(P.BLANK_LINE) or ""
    last = self.tree.children[-1] if self.tree.children else None
    if last is not None and last.type == "blank":
        last.value += matched
    else:
        self.tree.children.append(self.new_block_el("blank", matched))
    return True


def parse_eob_marker(self: Parser) -> bool:
    self.src.scan(P.EOB_MARKER)
    self.tree.children.append(self.new_block_el("eob"))
    return True


def parse_paragraph(self: Parser) -> bool:
    pos = self.src.pos
    lines = [self.src.scan(P.PARAGRAPH_MATCH) or ""]
    while not self.paragraph_end.match(self.src.string, self.src.pos):
        line = self.src.scan(P.PARAGRAPH_MATCH)
        if line is None:
            break
        lines.append(line)
    result = "".join(lines).rstrip()
    last = self.tree.children[-1] if self.tree.children else None
    if last is not None and last.type == "p":
        item = last.children[-1] if last.children else None
        if item is not None and item.type == self.text_type:
            joiner = "  \n" if self.src.string[max(pos - 3, 0) : pos] == "  \n" else "\n"
            item.value += joiner + result
        else:
            self.add_text(result, last)
    else:
        para = self.new_block_el("p")
        self.tree.children.append(para)
        self.add_text(result.lstrip(), para)
    return True


def _header_contents(self: Parser) -> tuple[str, str | None]:
    text = (self.src.group("contents") or "").rstrip()
    m = P.HEADER_ID.search(text)
    ident = None
    if m:
        ident = m.group("id")
        text = text[: m.start()].rstrip()
    return text, ident


def _add_header(self: Parser, level: int, text: str, ident: str | None) -> None:
    self.src.pos = self.src.m.end() if self.src.m else self.src.pos
    el = self.new_block_el("header", None, None, level=level, raw_text=text)
    self.add_text(text, el)
    if ident:
        el.attr["id"] = ident
    self.tree.children.append(el)


def parse_setext_header(self: Parser) -> bool:
    if not self.after_block_boundary():
        return False
    self.src.check(P.SETEXT_HEADER_START)
    text, ident = _header_contents(self)
    if not text:
        return False
    _add_header(self, 2 if self.src.group("level") == "-" else 1, text, ident)
    return True


def parse_atx_header(self: Parser) -> bool:
    if self.gfm:  # gfm_quirks: paragraph_end (Jekyll's default): no block boundary needed
        self.src.check(P.ATX_HEADER_START)
        text, ident = _header_contents(self)
        text = re.sub(r"[\t ]#+\Z", "", text).rstrip()
    else:
        if not self.after_block_boundary():
            return False
        self.src.check(P.ATX_HEADER_START_KD)
        text, ident = _header_contents(self)
        text = re.sub(r"(?<!\\)#+\Z", "", text).rstrip()
    if not text:
        return False
    _add_header(self, len(self.src.group("level") or "#"), text, ident)
    return True


def parse_blockquote(self: Parser) -> bool:
    lines = [self.src.scan(P.PARAGRAPH_MATCH) or ""]
    while not P.LAZY_END.match(self.src.string, self.src.pos):
        line = self.src.scan(P.PARAGRAPH_MATCH)
        if line is None:
            break
        lines.append(line)
    result = P.BLOCKQUOTE_START.sub("", "".join(lines))
    el = self.new_block_el("blockquote")
    self.tree.children.append(el)
    self.parse_blocks(el, result)
    return True


def parse_codeblock(self: Parser) -> bool:
    data = self.src.scan(P.CODEBLOCK_MATCH) or ""
    if not data:
        return False
    data = re.sub(r"\n( {0,3}\S)", r" \1", data)
    data = P.INDENT.sub("", data)
    self.tree.children.append(self.new_block_el("codeblock", data))
    return True


def parse_codeblock_fenced(self: Parser) -> bool:
    pattern = P.FENCED_MATCH_GFM if self.gfm else P.FENCED_MATCH_KD
    if not self.src.check(pattern):
        return False
    self.src.pos = self.src.m.end()  # type: ignore[union-attr]
    el = self.new_block_el("codeblock", self.src.group(5), None, fenced=True)
    lang = (self.src.group(3) or "").strip()
    if lang:
        el.options["lang"] = lang
        el.attr["class"] = f"language-{self.src.group(4)}"
    self.tree.children.append(el)
    return True


def parse_horizontal_rule(self: Parser) -> bool:
    self.src.scan(P.HR_START)
    self.tree.children.append(self.new_block_el("hr"))
    return True


_FIRST_LINE_CACHE: dict[int, tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]] = {}


def _line_patterns(indentation: int) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    cached = _FIRST_LINE_CACHE.get(indentation)
    if cached is None:
        indent_re = re.compile(rf"^ {{{indentation}}}", re.M)
        q, r = divmod(indentation, 4)
        content_re = re.compile(rf"^(?:(?:\t| {{4}}){{{q}}} {{{r}}}|(?:\t| {{4}}){{{q + 1}}}).*\S.*\n", re.A | re.M)
        lazy_re = re.compile(
            rf"(?!^ {{0,{min(indentation, 3)}}}(?:{P.IAL_BLOCK_S}|{P.LAZY_END_HTML_STOP_S}|{P.LAZY_END_HTML_START_S}))"
            r".*\S.*\n",
            re.A | re.M,
        )
        cached = _FIRST_LINE_CACHE[indentation] = (content_re, lazy_re, indent_re)
    return cached


def _first_list_line(indentation: int, content: str) -> tuple[str, int]:
    if P.LIST_ITEM_IAL_CHECK.match(content):
        indentation = 4
    else:
        while re.match(r" *\t", content):
            temp = len(re.match(r" *", content).group(0)) + indentation  # type: ignore[union-attr]
            m = re.match(r"( *)(\t+)", content)
            assert m is not None
            content = m.group(1) + " " * (4 - (temp % 4) + (len(m.group(2)) - 1) * 4) + content[m.end() :]
        indentation += len(content) - len(content.lstrip(" "))
    content = re.sub(r"\A\s*", "", content, flags=re.A)
    return content, indentation


def _fetch_pattern(kind: str, indentation: int) -> re.Pattern[str]:
    spaces = {1: "0", 2: "0,1", 3: "0,2"}.get(indentation, "0,3")
    marker = {"ul": "[+*-]", "ol": r"\d+\.", "dl": ":"}[kind]
    return re.compile(rf"^( {{{spaces}}}{marker})({P.PATTERN_TAIL})", re.A | re.M)


def _item_ial(self: Parser, item: Element, text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        self.parse_attribute_list(m.group(1), item.options.setdefault("ial", {}))
        return ""

    return P.LIST_ITEM_IAL.sub(repl, text, count=1)


def parse_list(self: Parser) -> bool:
    # Long: one loop over the item lines, as kramdown's parse_list, kept whole to compare.
    kind = "ul" if self.src.check(P.LIST_START_UL) else "ol"
    list_start_re = P.LIST_START_UL if kind == "ul" else P.LIST_START_OL
    lst = self.new_block_el(kind)
    item: Element | None = None
    content_re = lazy_re = indent_re = P.PARAGRAPH_MATCH
    indentation = 0
    eob_found = nested_list_found = last_is_blank = False
    src = self.src
    while not src.eos():
        if last_is_blank and src.check(P.HR_START):
            break
        if src.scan(P.EOB_MARKER):
            eob_found = True
            break
        if src.scan(list_start_re):
            marker, tail = src.group(1) or "", src.group(2) or ""
            lst.options.setdefault("first_list_marker", marker.strip())
            item = Element("li")
            value, indentation = _first_list_line(len(marker), tail)
            content_re, lazy_re, indent_re = _line_patterns(indentation)
            lst.children.append(item)
            value = _item_ial(self, item, value)
            list_start_re = _fetch_pattern(kind, indentation)
            nested_list_found = P.LIST_START.search(value) is not None
            last_is_blank = False
            item.value = [value]
            continue
        result = src.scan(content_re)
        if result is None and not last_is_blank:
            result = src.scan(lazy_re)
        if result is not None and item is not None:
            result = re.sub(r"^(\t+)", lambda m: " " * 4 * len(m.group(1)), result, count=1)
            stripped = indent_re.sub("", result, count=1)
            indentation_found = stripped != result
            result = stripped
            if not nested_list_found and indentation_found and P.LIST_START.search(result):
                item.value.append("")
                nested_list_found = True
            elif nested_list_found and not indentation_found and P.LIST_START.search(result):
                result = " " * (indentation + 4) + result
            item.value[-1] += result
            last_is_blank = False
            continue
        blank = src.scan(P.BLANK_LINE)
        if blank is not None and item is not None:
            nested_list_found = True
            last_is_blank = True
            item.value[-1] += blank
            continue
        break
    self.tree.children.append(lst)
    _finish_list(self, lst, eob_found)
    return True


def _finish_list(self: Parser, lst: Element, eob_found: bool) -> None:
    last = None
    for it in lst.children:
        temp = Element("temp")
        env = self._save_env()
        for val in it.value:
            self.src = Scanner(val)
            self.parse_blocks(temp)
        self._restore_env(env)
        it.children = temp.children
        it.value = None
        children = it.children
        if not children:
            continue
        if (
            children[0].type == "p"
            and len(children) >= 2
            and children[1].type == "eob"
            and children[0].options.get("ial")
        ):
            del children[1]
        if (
            children[0].type == "p"
            and (
                len(children) < 2
                or children[1].type != "blank"
                or (it is lst.children[-1] and len(children) == 2 and not eob_found)
            )
            and (
                lst.children[-1] is not it
                or len(lst.children) == 1
                or any(
                    not c.children or c.children[0].type != "p" or c.children[0].options.get("transparent")
                    for c in lst.children[:-1]
                )
            )
        ):
            if len(children) > 1 and children[1].type != "blank" and children[0].children:
                children[0].children[0].value += "\n"
            children[0].options["transparent"] = True
        last = children.pop() if children[-1].type == "blank" else None
    if last is not None and not eob_found:
        self.tree.children.append(last)


def parse_definition_list(self: Parser) -> bool:
    # Long: kramdown's parse_definition_list, kept whole to compare with it.
    children = self.tree.children
    if (
        not children
        or (len(children) == 1 and children[-1].type != "p")
        or (
            len(children) >= 2
            and children[-1].type != "p"
            and (children[-1].type != "blank" or children[-1].value != "\n" or children[-2].type != "p")
        )
    ):
        return False
    first_as_para = False
    deflist = self.new_block_el("dl")
    para = children.pop()
    if para.type == "blank":
        para = children.pop()
        first_as_para = True
    text = para.children[0].value if para.children else ""
    for term in text.split("\n"):
        dt = Element("dt")
        term = _item_ial(self, dt, term)
        dt.options["raw_text"] = term
        dt.children.append(Element("raw_text", term))
        deflist.children.append(dt)
    if para.options.get("ial"):
        deflist.options["ial"] = para.options["ial"]
    item: Element | None = None
    content_re = lazy_re = indent_re = P.PARAGRAPH_MATCH
    def_start_re = P.DEFINITION_LIST_START
    last_is_blank = False
    src = self.src
    while not src.eos():
        if src.scan(def_start_re):
            item = Element("dd", None, None, {"first_as_para": first_as_para})
            value, indentation = _first_list_line(len(src.group(1) or ""), src.group(2) or "")
            content_re, lazy_re, indent_re = _line_patterns(indentation)
            deflist.children.append(item)
            item.value = _item_ial(self, item, value)
            def_start_re = _fetch_pattern("dl", indentation)
            first_as_para = last_is_blank = False
            continue
        if src.check(P.EOB_MARKER):
            break
        result = src.scan(content_re)
        if result is None and not last_is_blank:
            result = src.scan(lazy_re)
        if result is not None and item is not None:
            result = re.sub(r"^(\t+)", lambda m: " " * 4 * len(m.group(1)), result, count=1)
            item.value += indent_re.sub("", result, count=1)
            first_as_para = last_is_blank = False
            continue
        blank = src.scan(P.BLANK_LINE)
        if blank is not None and item is not None:
            first_as_para = True
            item.value += blank
            last_is_blank = True
            continue
        break
    _finish_deflist(self, deflist)
    return True


def _finish_deflist(self: Parser, deflist: Element) -> None:
    last = None
    for it in deflist.children:
        if it.type == "dt":
            continue
        self.parse_blocks(it, it.value)
        it.value = None
        kids = it.children
        if not kids:
            continue
        last = kids.pop() if kids[-1].type == "blank" else None
        first_as_para = it.options.pop("first_as_para", False)
        if kids and kids[0].type == "p" and not first_as_para:
            if len(kids) > 1 and kids[0].children:
                kids[0].children[0].value += "\n"
            kids[0].options["transparent"] = True
    children = self.tree.children
    if children and children[-1].type == "dl":
        children[-1].children.extend(deflist.children)
    elif len(children) >= 2 and children[-1].type == "blank" and children[-2].type == "dl":
        children.pop()
        children[-1].children.extend(deflist.children)
    else:
        children.append(deflist)
    if last is not None:
        children.append(last)


def parse_block_math(self: Parser) -> bool:
    src = self.src
    src.check(P.BLOCK_MATH_START)
    if not self.after_block_boundary():
        return False
    if src.group(1):
        if src.group(3):
            src.scan(re.compile(r"^ {0,3}\\", re.M))
        return False
    saved = src.pos
    data = (src.group(2) or "").strip()
    src.pos = src.m.end()  # type: ignore[union-attr]
    if self.before_block_boundary():
        self.tree.children.append(self.new_block_el("math", data, None, category="block"))
        return True
    src.pos = saved
    return False


def parse_footnote_definition(self: Parser) -> bool:
    src = self.src
    src.scan(P.FOOTNOTE_DEFINITION_START)
    name, body = src.group(1) or "", src.group(2) or ""
    el = Element("footnote_def")
    env_src = self.src
    self.parse_blocks(el, P.INDENT.sub("", body))
    self.src = env_src
    eob = self.new_block_el("eob", "footnote_def")
    self.tree.children.append(eob)
    self.footnotes[name] = {"content": el, "eob": eob}
    return True


def parse_link_definition(self: Parser) -> bool:
    src = self.src
    src.check(P.LINK_DEFINITION_START)
    if re.search(r"[ \t]+[\"']", src.group(3) or ""):
        return False
    src.pos = src.m.end()  # type: ignore[union-attr]
    link_id = _normalize(src.group(1) or "")
    url = src.group(2) if src.group(2) is not None else src.group(3)
    eob = self.new_block_el("eob", "link_def")
    self.tree.children.append(eob)
    self.link_defs[link_id] = [url, src.group(5), eob]
    return True


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def parse_abbrev_definition(self: Parser) -> bool:
    src = self.src
    src.scan(P.ABBREV_DEFINITION_START)
    abbrev_id, text = src.group(1) or "", (src.group(2) or "").strip()
    eob = self.new_block_el("eob", "abbrev_def")
    self.tree.children.append(eob)
    self.root.options["abbrev_defs"][abbrev_id] = text
    self.root.options["abbrev_attr"][abbrev_id] = eob
    return True


def parse_block_extensions(self: Parser) -> bool:
    src = self.src
    if src.scan(P.ALD_START):
        self.parse_attribute_list(src.group(2) or "", self.alds.setdefault(src.group(1) or "", {}))
        self.tree.children.append(self.new_block_el("eob", "ald"))
        return True
    if src.check(P.EXT_BLOCK_START):
        return extensions.parse_extension_start_tag(self, "block")
    if src.scan(P.IAL_BLOCK_START):
        text = src.group(1) or ""
        last = self.tree.children[-1] if self.tree.children else None
        if (
            last is not None
            and last.type != "blank"
            and (last.type != "eob" or last.value in ("link_def", "abbrev_def", "footnote_def"))
        ):
            self.parse_attribute_list(text, last.options.setdefault("ial", {}))
            if not src.check(P.IAL_BLOCK_START):
                self.tree.children.append(self.new_block_el("eob", "ial"))
        else:
            if self.block_ial is None:
                self.block_ial = {}
            self.parse_attribute_list(text, self.block_ial)
        return True
    return False


def parse_block_html(self: Parser) -> bool:
    src = self.src
    result = src.scan(P.HTML_COMMENT_RE)
    if result is not None:
        self.tree.children.append(Element("xml_comment", result, None, {"category": "block"}))
        src.scan(P.TRAILING_WHITESPACE)
        return True
    if src.check(P.BLOCK_HTML_TAG) and (src.group(1) or "").lower() not in P.HTML_SPAN_ELEMENTS:
        src.pos = src.m.end()  # type: ignore[union-attr]
        from newsctl.markdown.spans import handle_html_start_tag

        handle_html_start_tag(self)
        return True
    if src.check(P.BLOCK_HTML_TAG_CLOSE) and (src.group(1) or "").lower() not in P.HTML_SPAN_ELEMENTS:
        name = (src.group(1) or "").lower()
        if self.tree.type == "html_element" and self.tree.value == name:
            src.pos = src.m.end()  # type: ignore[union-attr]
            raise StopBlockParsing
    return False


def parse_table(self: Parser) -> bool:
    from newsctl.markdown.tables import parse_table as parse

    return parse(self)
