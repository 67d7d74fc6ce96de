"""The document tree of the kramdown port and the string scanner its parsers walk with.

Both mirror kramdown 2.4 (``Kramdown::Element``, ``Kramdown::Utils::StringScanner``) so the
parser code can follow kramdown's line by line.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

# How deep lists, quotes, HTML elements and spans nest before the rest is read as text (kramdown
# has no limit; Python's stack has).
MAX_DEPTH = 64


class Element:
    """One node: ``type`` as kramdown names it (``p``, ``header``, ``text``, ``a``...)."""

    __slots__ = ("_parts", "_value", "attr", "children", "options", "type")

    def __init__(
        self,
        type: str,
        value: Any = None,
        attr: dict[str, str] | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.type = type
        self._value = value
        self._parts: list[str] | None = None
        self.attr: dict[str, str] = attr if attr is not None else {}
        self.options: dict[str, Any] = options if options is not None else {}
        self.children: list[Element] = []

    @property
    def value(self) -> Any:
        if self._parts is not None:
            self._value = "".join(self._parts)
            self._parts = None
        return self._value

    @value.setter
    def value(self, value: Any) -> None:
        self._parts = None
        self._value = value

    def append_text(self, text: str) -> None:
        """Text added piece by piece is joined once, when read (``+=`` would copy it each time)."""
        if self._parts is None:
            self._parts = [self._value]
        self._parts.append(text)

    def __repr__(self) -> str:  # for debugging only
        return f"<{self.type} {self.value!r} {self.children!r}>"


_SERIALS = itertools.count()
_VARIANTS: dict[re.Pattern[str], re.Pattern[str]] = {}


def _anchored(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` with the ``^`` that open its alternatives dropped: Ruby's scanner lets ``^``
    match at the scan position even inside a line (after a block HTML tag, say); Python's does not."""
    variant = _VARIANTS.get(pattern)
    if variant is None:
        variant = _VARIANTS[pattern] = re.compile(_drop_leading_carets(pattern.pattern), pattern.flags)
    return variant


def _drop_leading_carets(text: str) -> str:
    out: list[str] = []
    depth, index, at_start, in_class = 0, 0, True, False
    while index < len(text):
        char = text[index]
        if char == "\\":
            out.append(text[index : index + 2])
            index += 2
            at_start = False
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class, at_start = True, False
        elif char == "(":
            depth += 1
            opener = re.match(r"\((?:\?[:>=!]|\?<[=!])?", text[index:])
            assert opener is not None
            out.append(opener.group(0))
            index += len(opener.group(0))
            continue  # a group opener keeps an alternative's start
        elif char == ")":
            depth -= 1
            at_start = False
        elif char == "|" and depth == 0:
            at_start = True
            out.append(char)
            index += 1
            continue
        elif char == "^" and at_start:
            index += 1
            continue
        else:
            at_start = False
        out.append(char)
        index += 1
    return "".join(out)


_BRACKET_TOKENS = re.compile(r"\\.|[\[\]]", re.S)  # an escaped character or a bracket


class Scanner:
    """Ruby's StringScanner over one string: ``check``/``scan`` match at the position,
    ``scan_until`` searches forward; the last match's groups stay readable via ``group``."""

    __slots__ = ("_brackets", "_last_close", "m", "pos", "serial", "string")

    def __init__(self, string: str) -> None:
        self.string = string
        self.pos = 0
        self.m: re.Match[str] | None = None
        self._last_close: int | None = None
        self._brackets: dict[int, int] | None = None
        self.serial = next(_SERIALS)  # unlike id(), never reused: memo keys stay unique

    def last_close_bracket(self) -> int:
        if self._last_close is None:
            self._last_close = self.string.rfind("]")
        return self._last_close

    def eos(self) -> bool:
        return self.pos >= len(self.string)

    def at(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """``pattern`` matched at the position, ``^`` matching there as in Ruby."""
        pos = self.pos
        if pos and self.string[pos - 1] != "\n" and pattern.pattern[:1] in "^(":
            pattern = _anchored(pattern)
        return pattern.match(self.string, pos)

    def matching_bracket(self, open_at: int) -> int | None:
        """Where the ``]`` closing the ``[`` at ``open_at`` is (backslash escapes skipped)."""
        if self._brackets is None:
            pairs: dict[int, int] = {}
            stack: list[int] = []
            text = self.string
            for m in _BRACKET_TOKENS.finditer(text):
                token = m.group(0)
                if token == "[":
                    stack.append(m.start())
                elif token == "]" and stack:
                    pairs[stack.pop()] = m.start()
            self._brackets = pairs
        return self._brackets.get(open_at)

    def check(self, pattern: re.Pattern[str]) -> str | None:
        pos, string = self.pos, self.string  # at(), inline (check and scan are called most)
        if pos and string[pos - 1] != "\n" and pattern.pattern[:1] in "^(":
            pattern = _anchored(pattern)
        m = self.m = pattern.match(string, pos)
        return m.group(0) if m else None

    def scan(self, pattern: re.Pattern[str]) -> str | None:
        pos, string = self.pos, self.string
        if pos and string[pos - 1] != "\n" and pattern.pattern[:1] in "^(":
            pattern = _anchored(pattern)
        m = self.m = pattern.match(string, pos)
        if m is None:
            return None
        self.pos = m.end()
        return m.group(0)

    def match_len(self, pattern: re.Pattern[str]) -> int | None:
        m = self.at(pattern)
        return None if m is None else m.end() - m.start()

    def scan_until(self, pattern: re.Pattern[str]) -> str | None:
        m = pattern.search(self.string, self.pos)
        self.m = m
        if m is None:
            return None
        result = self.string[self.pos : m.end()]
        self.pos = m.end()
        return result

    def group(self, index: int | str) -> str | None:
        assert self.m is not None
        try:
            return self.m.group(index)
        except IndexError:
            return None

    @property
    def matched(self) -> str:
        assert self.m is not None
        return self.m.group(0)

    @property
    def match_start(self) -> int:
        assert self.m is not None
        return self.m.start()

    def getch(self) -> str:
        ch = self.string[self.pos : self.pos + 1]
        self.pos += len(ch)
        return ch

    def rest(self) -> str:
        return self.string[self.pos :]

    def terminate(self) -> None:
        self.pos = len(self.string)


class StopBlockParsing(Exception):
    """kramdown's ``throw :stop_block_parsing``: the end tag of the enclosing HTML element
    (here, not in ``parser``, so that ``blocks`` can raise it without importing the parser)."""
