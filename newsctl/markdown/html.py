"""kramdown 2.4's HTML converter (``lib/kramdown/converter/html.rb``) as Jekyll runs it.

Code is written the way Jekyll's rouge highlighting wraps it (the classes, not rouge's token
spans: the text is the same). Output whitespace follows kramdown's closely but not to the byte.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint
from typing import Any

from newsctl.markdown.options import KramdownOptions
from newsctl.markdown.patterns import HTML_ELEMENTS_WITHOUT_BODY
from newsctl.markdown.tree import Element

_TEXT_ESCAPE = re.compile(r"&(?:[A-Za-z_:][\w.:-]*|#\d+|#x[0-9a-fA-F]+);|[<>&]")
_ATTR_ESCAPE = re.compile(r"&(?:[A-Za-z_:][\w.:-]*|#\d+|#x[0-9a-fA-F]+);|[<>&\"]")
_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}
_SYMBOLS = {
    "mdash": "\u2014",
    "ndash": "\u2013",
    "hellip": "\u2026",
    "laquo_space": "\u00ab\u00a0",
    "raquo_space": "\u00a0\u00bb",
    "laquo": "\u00ab",
    "raquo": "\u00bb",
}
_QUOTE_INDEX = {"lsquo": 0, "rsquo": 1, "ldquo": 2, "rdquo": 3}


def escape_all(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_text(text: str) -> str:
    if "&" not in text and "<" not in text and ">" not in text:
        return text
    return _TEXT_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0), m.group(0)), text)


def attributes(attr: dict[str, Any]) -> str:
    out = []
    for key, value in attr.items():
        if value is None or (key == "id" and not str(value).strip()):
            continue
        escaped = str(value)
        if "&" in escaped or "<" in escaped or ">" in escaped or '"' in escaped:
            escaped = _ATTR_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0), m.group(0)), escaped)
        out.append(f' {key}="{escaped}"')
    return "".join(out)


def _char(name: str) -> str:
    if name == "apos":
        return "'"
    if name.isdigit():
        return chr(int(name))
    code = name2codepoint.get(name)
    return chr(code) if code is not None else name


_UNKNOWN: Any = object()
# Per converter class, each element type's convert_ function (None: none), looked up once.
_METHODS: dict[type, dict[str, Any]] = {}


class HtmlConverter:
    def __init__(self, root: Element, options: KramdownOptions) -> None:
        self.root = root
        self.options = options
        self.footnote_counter = self.footnote_start = options.footnote_nr
        self.footnotes: list[list[Any]] = []
        self.footnotes_by_name: dict[str, list[Any]] = {}
        self.toc: list[tuple[int, str, list[Element]]] = []
        self.toc_code: tuple[str, dict[str, str], str] | None = None
        self.footnote_location: str | None = None
        self.stack: list[Element] = []
        self.used_ids: dict[str, int] = {}
        methods = _METHODS.get(type(self))
        if methods is None:
            methods = _METHODS[type(self)] = {}
        self._methods = methods

    def convert(self, el: Element, indent: int = -2) -> str:
        methods = self._methods
        kind = el.type
        method = methods.get(kind, _UNKNOWN)
        if method is _UNKNOWN:
            method = methods[kind] = getattr(type(self), "convert_" + kind, None)
        if method is None:
            return self.inner(el, indent)
        return str(method(self, el, indent))

    def inner(self, el: Element, indent: int) -> str:
        indent += 2
        self.stack.append(el)
        # convert() for each child, inline: one call per element fewer (a long post has 100,000s)
        methods = self._methods
        parts = []
        for child in el.children:
            method = methods.get(child.type, _UNKNOWN)
            if method is _UNKNOWN:
                method = methods[child.type] = getattr(type(self), "convert_" + child.type, None)
            parts.append(self.inner(child, indent) if method is None else method(self, child, indent))
        self.stack.pop()
        return "".join(parts)

    # --- blocks ----------------------------------------------------------------------------
    def convert_root(self, el: Element, indent: int) -> str:
        result = self.inner(el, indent)
        notes = self.footnote_content()
        if self.footnote_location:
            result = result.replace(self.footnote_location, notes, 1)
        else:
            result += notes
        if self.toc_code:
            tree = self.toc_tree(self.toc_code[0], self.toc_code[1])
            text = self.convert(tree, 0) if tree.children else ""
            result = result.replace(self.toc_code[2], text, 1)
        return result

    def convert_blank(self, el: Element, indent: int) -> str:
        return "\n"

    def convert_text(self, el: Element, indent: int) -> str:
        return escape_text(el.value)

    def convert_p(self, el: Element, indent: int) -> str:
        if el.options.get("transparent"):
            return self.inner(el, indent)
        only = el.children[0] if len(el.children) == 1 else None
        if (
            only is not None
            and only.type == "img"
            and "standalone" in ((only.options.get("ial") or {}).get("refs") or [])
        ):
            return self.standalone_image(el, only, indent)
        return self.block("p", el.attr, self.inner(el, indent), indent)

    def standalone_image(self, el: Element, image: Element, indent: int) -> str:
        """An image with the ``standalone`` reference alone in its paragraph: a figure."""
        figure = dict(el.attr)
        img = dict(image.attr)
        for key in ("class", "id"):
            if key in img and key not in figure:
                figure[key] = img.pop(key)
        pad = " " * (indent + 2)
        body = f"{pad}<img{attributes(img)} />\n{pad}<figcaption>{img.get('alt', '')}</figcaption>\n"
        return self.indented("figure", figure, body, indent)

    def convert_codeblock(self, el: Element, indent: int) -> str:
        attr = dict(el.attr)
        lang = el.options.get("lang")
        cls = attr.pop("class", "")
        m = re.search(r"\blanguage-(\S+)", cls)
        name = (lang.split()[0] if lang else None) or (m.group(1) if m else None) or "plaintext"
        cls = re.sub(r"\blanguage-\S+\s*", "", cls).strip()
        attr["class"] = f"language-{name} highlighter-rouge" + (f" {cls}" if cls else "")
        code = escape_all(el.value or "")
        return (
            f'{" " * indent}<div{attributes(attr)}><div class="highlight"><pre class="highlight"><code>'
            f"{code}</code></pre></div></div>\n"
        )

    def convert_blockquote(self, el: Element, indent: int) -> str:
        return self.indented("blockquote", el.attr, self.inner(el, indent), indent)

    def convert_header(self, el: Element, indent: int) -> str:
        attr = dict(el.attr)
        if self.options.auto_ids and not attr.get("id"):
            attr["id"] = self.generate_id(el.options.get("raw_text", ""))
        level = el.options.get("level", 1)
        if attr.get("id") and level in self.options.toc_levels and "no_toc" not in attr.get("class", "").split():
            self.toc.append((level, attr["id"], el.children))
        level = max(1, min(6, level + self.options.header_offset))
        return self.block(f"h{level}", attr, self.inner(el, indent), indent)

    def generate_id(self, text: str) -> str:
        gen = re.sub(r"^[^a-zA-Z]+", "", text)
        gen = re.sub(r"[^a-zA-Z0-9 -]", "", gen).replace(" ", "-").lower()
        gen = self.options.auto_id_prefix + (gen or "section")
        count = self.used_ids.get(gen)
        self.used_ids[gen] = (count or 0) + 1
        return gen if count is None else f"{gen}-{count}"

    def convert_hr(self, el: Element, indent: int) -> str:
        return f"{' ' * indent}<hr{attributes(el.attr)} />\n"

    def convert_ul(self, el: Element, indent: int) -> str:
        refs = (el.options.get("ial") or {}).get("refs") or []
        if self.toc_code is None and "toc" in refs:
            self.toc_code = (el.type, dict(el.attr), "\x00toc\x00")
            return self.toc_code[2]
        if self.footnote_location is None and "footnotes" in refs:
            self.footnote_location = "\x00footnotes\x00"
            return self.footnote_location
        return self.indented(el.type, el.attr, self.inner(el, indent), indent)

    convert_ol = convert_ul

    def convert_dl(self, el: Element, indent: int) -> str:
        return self.indented("dl", el.attr, self.inner(el, indent), indent)

    def convert_li(self, el: Element, indent: int) -> str:
        out = f"{' ' * indent}<{el.type}{attributes(el.attr)}>"
        res = self.inner(el, indent)
        if not el.children or (el.children[0].type == "p" and el.children[0].options.get("transparent")):
            out += res + (" " * indent if res.endswith("\n") else "")
        else:
            out += "\n" + res + " " * indent
        return out + f"</{el.type}>\n"

    convert_dd = convert_li

    def convert_dt(self, el: Element, indent: int) -> str:
        return self.block("dt", el.attr, self.inner(el, indent), indent)

    def convert_table(self, el: Element, indent: int) -> str:
        return self.indented(el.type, el.attr, self.inner(el, indent), indent)

    convert_thead = convert_tbody = convert_tfoot = convert_table

    def convert_tr(self, el: Element, indent: int) -> str:
        """A row with its cells (kramdown's convert_td inlined: alignment by column index)."""
        section = self.stack[-1] if self.stack else None
        kind = "th" if section is not None and section.type == "thead" else "td"
        aligns = (self.stack[-2].options.get("alignment") or []) if len(self.stack) >= 2 else []
        inner = indent + 2
        self.stack.append(el)
        cells = []
        for index, cell in enumerate(el.children):
            if cell.type != "td":
                cells.append(self.convert(cell, inner))
                continue
            res = self.inner(cell, inner)
            attr = cell.attr
            alignment = aligns[index] if index < len(aligns) else "default"
            if alignment != "default":
                attr = dict(cell.attr)
                attr["style"] = (f"{attr['style']}; " if "style" in attr else "") + f"text-align: {alignment}"
            cells.append(self.block(kind, attr, res or "\u00a0", inner))
        self.stack.pop()
        return self.indented("tr", el.attr, "".join(cells), indent)

    def convert_td(self, el: Element, indent: int) -> str:
        res = self.inner(el, indent)
        kind = "th" if len(self.stack) >= 2 and self.stack[-2].type == "thead" else "td"
        attr = el.attr
        alignment = "default"
        if len(self.stack) >= 3:
            aligns = self.stack[-3].options.get("alignment") or []
            index = self.stack[-1].children.index(el)
            alignment = aligns[index] if index < len(aligns) else "default"
        if alignment != "default":
            attr = dict(el.attr)
            attr["style"] = (f"{attr['style']}; " if "style" in attr else "") + f"text-align: {alignment}"
        return self.block(kind, attr, res or "\u00a0", indent)

    def convert_html_element(self, el: Element, indent: int) -> str:
        children = el.children
        only = children[0] if len(children) == 1 else None
        if only is not None and only.type == "raw" and not only.options:
            res = str(only.value)  # the raw HTML fast path's one child: convert_raw, without the walk
        else:
            res = self.inner(el, indent)
        if el.options.get("category") == "span":
            if not res and el.value in HTML_ELEMENTS_WITHOUT_BODY:
                return f"<{el.value}{attributes(el.attr)} />"
            return f"<{el.value}{attributes(el.attr)}>{res}</{el.value}>"
        parent = self.stack[-1] if self.stack else None
        in_raw = parent is not None and parent.type == "html_element" and parent.options.get("content_model") == "raw"
        out = "" if in_raw else " " * indent
        out += f"<{el.value}{attributes(el.attr)}"
        model = el.options.get("content_model")
        if el.options.get("is_closed") and model == "raw":
            out += " />"
        elif res and model != "block":
            out += f">{res}</{el.value}>"
        elif res:
            out += ">\n" + res.rstrip("\n") + "\n" + " " * indent + f"</{el.value}>"
        elif el.value in HTML_ELEMENTS_WITHOUT_BODY:
            out += " />"
        else:
            out += f"></{el.value}>"
        return out if in_raw else out + "\n"

    def convert_xml_comment(self, el: Element, indent: int) -> str:
        parent = self.stack[-1] if self.stack else None
        in_raw = parent is not None and parent.type == "html_element" and parent.options.get("content_model") == "raw"
        if el.options.get("category") == "block" and not in_raw:
            return " " * indent + str(el.value) + "\n"
        return str(el.value)

    convert_xml_pi = convert_xml_comment

    def convert_comment(self, el: Element, indent: int) -> str:
        if el.options.get("category") == "block":
            return f"{' ' * indent}<!-- {el.value} -->\n"
        return f"<!-- {el.value} -->"

    def convert_raw(self, el: Element, indent: int) -> str:
        types = el.options.get("type")
        if not types or "html" in types:
            return str(el.value) + ("\n" if el.options.get("category") == "block" else "")
        return ""

    def convert_math(self, el: Element, indent: int) -> str:
        value = escape_all(el.value)
        if self.options.math_engine:
            if el.options.get("category") == "block":
                return self.block("div", el.attr, f"\\[{value}\\]\n", indent) if el.attr else f"\\[{value}\\]\n"
            return f"<span{attributes(el.attr)}>${el.value}$</span>" if el.attr else f"\\({value}\\)"
        attr = dict(el.attr)
        attr["class"] = f"{attr.get('class', '')} kdmath".lstrip()
        if el.options.get("category") == "block":
            return self.block("div", attr, f"$$\n{el.value}\n$$", indent)
        return f"<span{attributes(attr)}>${el.value}$</span>"

    # --- spans -----------------------------------------------------------------------------
    def convert_br(self, el: Element, indent: int) -> str:
        return "<br />"

    def convert_a(self, el: Element, indent: int) -> str:
        return f"<a{attributes(el.attr)}>{self.inner(el, indent)}</a>"

    def convert_img(self, el: Element, indent: int) -> str:
        return f"<img{attributes(el.attr)} />"

    def convert_codespan(self, el: Element, indent: int) -> str:
        attr = dict(el.attr)
        if re.search(r"\blanguage-", attr.get("class", "")):
            attr["class"] = attr["class"] + " highlighter-rouge"
        return f"<code{attributes(attr)}>{escape_all(el.value)}</code>"

    def convert_em(self, el: Element, indent: int) -> str:
        return f"<{el.type}{attributes(el.attr)}>{self.inner(el, indent)}</{el.type}>"

    convert_strong = convert_em

    def convert_entity(self, el: Element, indent: int) -> str:
        char = el.value
        if char in "<>&" and char:
            return _ESCAPES[char]
        return str(char)

    def convert_typographic_sym(self, el: Element, indent: int) -> str:
        custom = self.options.typographic_symbols.get(el.value)
        if custom is not None:
            return escape_text(custom)
        return str(_SYMBOLS.get(el.value, el.value))

    def convert_smart_quote(self, el: Element, indent: int) -> str:
        name = self.options.smart_quotes[_QUOTE_INDEX[el.value]]
        char = _char(name)
        return _ESCAPES.get(char, char) if char in "<>&" else char

    def convert_abbreviation(self, el: Element, indent: int) -> str:
        return f"<abbr>{escape_text(el.value)}</abbr>"

    def convert_footnote(self, el: Element, indent: int) -> str:
        name = self.options.footnote_prefix + el.options["name"]
        repeat = ""
        note = self.footnotes_by_name.get(name)
        if note is not None:
            number = note[2]
            note[3] += 1
            repeat = f":{note[3]}"
        else:
            number = self.footnote_counter
            self.footnote_counter += 1
            note = [name, el.value, number, 0]
            self.footnotes.append(note)
            self.footnotes_by_name[name] = note
        return (
            f'<sup id="fnref:{name}{repeat}" role="doc-noteref"><a href="#fn:{name}" class="footnote" '
            f'rel="footnote">{number}</a></sup>'
        )

    def footnote_content(self) -> str:
        items = []
        backlink = escape_text(self.options.footnote_backlink)
        index = 0
        while index < len(self.footnotes):  # notes may reference further notes
            name, data, _, repeat = self.footnotes[index]
            index += 1
            li = Element("li", None, {"id": f"fn:{name}", "role": "doc-endnote"})
            li.children = list(data.children)
            para = None
            insert_space = False
            if li.children and li.children[-1].type == "p":
                parent = li
                while parent.children and parent.children[-1].type not in ("p", "header"):
                    parent = parent.children[-1]
                para = parent.children[-1]
                insert_space = True
            if para is None:
                para = Element("p")
                li.children.append(para)
            if self.options.footnote_backlink:
                links = [
                    f'{chr(0xA0) if insert_space else ""}<a href="#fnref:{name}" class="reversefootnote" '
                    f'role="doc-backlink">{backlink}</a>'
                ]
                links += [
                    f'\u00a0<a href="#fnref:{name}:{i}" class="reversefootnote" role="doc-backlink">'
                    f"{backlink}<sup>{i + 1}</sup></a>"
                    for i in range(1, repeat + 1)
                ]
                para.children.append(Element("raw", "".join(links)))
            items.append(self.convert(li, 4))
        if not items:
            return ""
        start = f' start="{self.footnote_start}"' if self.footnote_start != 1 else ""
        body = "".join(items)
        return f'<div class="footnotes" role="doc-endnotes">\n  <ol{start}>\n{body}  </ol>\n</div>\n'

    def toc_tree(self, kind: str, attr: dict[str, str]) -> Element:
        sections = Element(kind, None, dict(attr))
        sections.attr.setdefault("id", "markdown-toc")
        stack: list[Element] = []
        for level, ident, children in self.toc:
            li = Element("li", None, None, {"level": level})
            para = Element("p", None, None, {"transparent": True})
            link = Element("a", None, {"href": f"#{ident}", "id": f"{sections.attr['id']}-{ident}"})
            link.children = _toc_entry(children)
            para.children.append(link)
            li.children += [para, Element(kind)]
            while True:
                if not stack:
                    sections.children.append(li)
                    stack.append(li)
                    break
                if stack[-1].options["level"] < level:
                    stack[-1].children[-1].children.append(li)
                    stack.append(li)
                    break
                item = stack.pop()
                if not item.children[-1].children:
                    item.children.pop()
        while stack:
            item = stack.pop()
            if not item.children[-1].children:
                item.children.pop()
        return sections

    # --- helpers ---------------------------------------------------------------------------
    def block(self, name: str, attr: dict[str, Any], body: str, indent: int) -> str:
        return f"{' ' * indent}<{name}{attributes(attr)}>{body}</{name}>\n"

    def indented(self, name: str, attr: dict[str, Any], body: str, indent: int) -> str:
        return f"{' ' * indent}<{name}{attributes(attr)}>\n{body}{' ' * indent}</{name}>\n"


def _toc_entry(children: list[Element]) -> list[Element]:
    """A header's content for the table of contents: footnote markers out, links unwrapped."""
    out: list[Element] = []
    for child in children:
        if child.type == "footnote":
            continue
        copy = Element(child.type, child.value, dict(child.attr), dict(child.options))
        copy.children = _toc_entry(child.children)
        out.extend(copy.children if child.type == "a" else [copy])
    return out
