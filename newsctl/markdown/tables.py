"""kramdown's table parser (``lib/kramdown/parser/kramdown/table.rb``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsctl.markdown import patterns as P
from newsctl.markdown.tree import Element, Scanner

if TYPE_CHECKING:
    from newsctl.markdown.parser import Parser

_CODE_SPLIT = re.compile(r"(<code.*?>.*?</code>)")
_PIPE_SPLIT = re.compile(r"(?<!\\)\|")


def _row_cells(self: Parser, line: str) -> list[str]:
    """The cells of one row: ``|`` splits except escaped or inside a code span."""
    if "`" not in line and "<code" not in line:  # no code to keep whole: split at once
        return [t.replace("\\|", "|") for t in _PIPE_SPLIT.split(line)]
    cells: list[str] = []

    def append(text: str) -> None:
        if cells:
            cells[-1] += text
        else:
            cells.append(text)

    for index, part in enumerate(_CODE_SPLIT.split(line)):
        if index % 2:
            append(part)
            continue
        env = self._save_env()
        self.src, self.tree, self.block_ial, self.stack, self.text_type = (
            Scanner(part),
            None,  # type: ignore[assignment]
            None,
            [],
            "raw_text",
        )
        root = Element("root")
        self.parse_spans(root, None, ["codespan"])
        self._restore_env(env)
        for child in root.children:
            if child.type == "raw_text":
                first, *rest = [t.replace("\\|", "|") for t in _PIPE_SPLIT.split(child.value)]
                append(first)
                cells.extend(rest)
            else:
                ticks = re.findall(r"`+", child.value)
                delim = (max(ticks, key=len) if ticks else "") + "`"
                pad = " " if len(delim) > 1 else ""
                append(f"{delim}{pad}{child.value}{pad}{delim}")
    return cells


def parse_table(self: Parser) -> bool:
    # Long: kramdown's parse_table (rows, separators, footer, the code-span check) kept whole.
    if not self.after_block_boundary():
        return False
    src = self.src
    saved = orig_pos = src.pos
    table = self.new_block_el("table", None, None, alignment=[])
    first = src.check(P.TABLE_LINE) or ""
    leading_pipe = re.match(r"\s*\|", first) is not None
    src.scan(P.TABLE_SEP_LINE)
    rows: list[Element] = []
    has_footer = False
    columns = 0

    def add_container(kind: str, force: bool) -> None:
        nonlocal rows
        if not has_footer or kind != "tbody" or force:
            cont = Element(kind)
            cont.children, rows = rows, []
            table.children.append(cont)

    while not src.eos():
        if not src.check(P.TABLE_LINE):
            break
        eol = src.string.find("\n", src.pos)
        # Separator lines hold only these characters: any other makes it a row at once.
        plain_row = bool(src.string[src.pos : eol if eol >= 0 else None].strip("+|: \t-="))
        if not plain_row and src.scan(P.TABLE_SEP_LINE):
            if not rows:
                pass
            elif not table.options["alignment"] and not has_footer:
                add_container("thead", False)
                aligns = []
                for left, right in P.TABLE_HSEP_ALIGN.findall(src.group(1) or ""):
                    if not left and not right:
                        aligns.append("default")
                    elif not right:
                        aligns.append("left")
                    elif not left:
                        aligns.append("right")
                    else:
                        aligns.append("center")
                table.options["alignment"] = aligns
            else:
                add_container("tbody", False)
        elif not plain_row and src.scan(P.TABLE_FSEP_LINE):
            if rows:
                add_container("tbody", True)
            has_footer = True
        elif src.scan(P.TABLE_ROW_LINE):
            cells = _row_cells(self, src.group(1) or "")
            if leading_pipe and cells and not cells[0].strip():
                cells.pop(0)
            if cells and not cells[-1].strip():
                cells.pop()
            row = Element("tr")
            for text in cells:
                cell = Element("td")
                cell.children.append(Element("raw_text", text.strip()))
                row.children.append(cell)
            columns = max(columns, len(cells))
            rows.append(row)
        else:
            break
    if not self.before_block_boundary() or not _pipes_outside_code(self, src.string[orig_pos : src.pos - 1]):
        src.pos = saved
        return False
    if rows:
        add_container("tfoot" if has_footer else "tbody", False)
    if not any(el.type == "tbody" for el in table.children):
        src.pos = saved
        return False
    for kind in table.children:
        for row in kind.children:
            row.children.extend(Element("td") for _ in range(columns - len(row.children)))
    aligns = table.options["alignment"]
    table.options["alignment"] = aligns[:columns] + ["default"] * (columns - len(aligns))
    self.tree.children.append(table)
    return True


def _pipes_outside_code(self: Parser, text: str) -> bool:
    """kramdown's check that a ``|`` outside code spans is on every table line."""
    env = self._save_env()
    self.src, self.tree, self.block_ial, self.stack, self.text_type = (
        Scanner(text),
        None,  # type: ignore[assignment]
        None,
        [],
        "raw_text",
    )
    root = Element("root")
    self.parse_spans(root, None, ["codespan", "span_html"])
    self._restore_env(env)
    pipe_on_line = False
    for child in root.children:
        value = child.value
        if not isinstance(value, str) or not value:
            continue
        lines = value.split("\n")
        while lines and lines[-1] == "":
            lines.pop()  # Ruby's split drops trailing empty strings
        if not lines:
            lines = [""]
        if child.type == "codespan":
            if len(lines) > 2 or (len(lines) == 2 and not pipe_on_line):
                break
            if len(lines) == 2 and pipe_on_line:
                pipe_on_line = False
        else:
            if len(lines) > 1 and not pipe_on_line and not P.TABLE_PIPE_CHECK.match(lines[0]):
                break
            pipe_on_line = (False if len(lines) > 1 else pipe_on_line) or bool(P.TABLE_PIPE_CHECK.match(lines[-1]))
    return pipe_on_line
