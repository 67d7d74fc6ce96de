"""kramdown's extensions, ``{::comment}``, ``{::nomarkdown}`` and ``{::options}``, as blocks
and spans (apart from ``blocks`` and ``spans`` so that neither imports the other)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from newsctl.markdown.tree import Element

if TYPE_CHECKING:
    from newsctl.markdown.parser import Parser


def parse_extension_start_tag(self: Parser, kind: str) -> bool:
    src = self.src
    saved = src.pos
    m = src.m
    assert m is not None
    src.pos = m.end()

    def error() -> bool:
        src.pos = saved
        if kind == "span":
            self.add_text(src.getch())
        return False

    ext = m.group(1)
    if m.group(4) or m.group(0) == "{:/}" or ext is None:  # a stop tag without a start
        return error()
    opts: dict[str, Any] = {}
    self.parse_attribute_list(m.group(2) or "", opts)
    body = None
    if not m.group(3):
        if kind == "block":
            stop_re = re.compile(rf"^ {{0,3}}\{{:/({re.escape(ext)})?\}} *?\n", re.M)
        else:
            stop_re = re.compile(rf"\{{:/({re.escape(ext)})?\}}", re.M)
        found = stop_re.search(src.string, src.pos)
        if found is None:
            return error()
        body = src.string[src.pos : found.start()]
        src.pos = found.end()
        if kind == "block" and body.endswith("\n"):
            body = body[:-1]
    if not _handle_extension(self, ext, opts, body, kind):
        return error()
    return True


def _handle_extension(self: Parser, name: str, opts: dict[str, Any], body: str | None, kind: str) -> bool:
    if name == "comment":
        if body is not None:
            self.tree.children.append(Element("comment", body, None, {"category": kind}))
        return True
    if name == "nomarkdown":
        if body is not None:
            types = str(opts.get("type", "")).split()
            self.tree.children.append(Element("raw", body, None, {"category": kind, "type": types}))
        return True
    if name == "options":
        self.apply_inline_options(opts)
        if kind == "block":
            self.tree.children.append(self.new_block_el("eob", "extension"))
        return True
    return False
