"""``newsctl validate --fix``: unambiguous repairs, made as small text edits.

The front matter is never re-serialised: each fix edits the one line (or the bytes) it is
about, so everything else in the file stays byte for byte as it was. The caller writes the
result with ``newsctl.files.write_atomic``, so a failure or Ctrl-C leaves either the old file or
the new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from newsctl.jekyll.dates import parse_ruby_time, zone_for
from newsctl.jekyll.frontmatter import JEKYLL_FRONT_MATTER
from newsctl.jekyll.names import match_dated_name
from newsctl.validate.diagnostics import Diagnostic
from newsctl.validate.report import FixHint
from newsctl.validate.rules import RULES

_TITLE_LINE = re.compile(r"""^(title:[ \t]*)(?:"([^"\\\n]*)"|'([^'\n]*)')([ \t]*)(?=\r?$)""", re.M)
_NAIVE_DATE_LINE = re.compile(
    r"^(date:[ \t]*)(\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?)([ \t]*)(?=\r?$)", re.M
)
_EMPTY_DATE_LINE = re.compile(r"^date:[ \t]*(?:~|null|Null|NULL|''|\"\")?[ \t]*(?=\r?$)", re.M)


@dataclass(frozen=True, slots=True)
class Applied:
    """One fix made to a file."""

    path: str
    code: str
    description: str

    def __str__(self) -> str:
        return f"{self.path}: fixed {self.code} ({self.description})"


def fixable(diagnostic: Diagnostic, *, unsafe: bool) -> bool:
    rule = RULES[diagnostic.code]
    if diagnostic.code == "NC301":
        return "'date'" in diagnostic.message
    return rule.fix == "safe" or (unsafe and rule.fix == "unsafe")


def fix_hint(diagnostics: Iterable[Diagnostic], *, fix_asked: bool, unsafe_asked: bool) -> FixHint:
    """How many of ``diagnostics`` ``--fix`` fixes, and how many only ``--fix --unsafe-fixes``
    (none once --unsafe-fixes was given: what is left, it could not fix)."""
    safe = unsafe = 0
    for diagnostic in diagnostics:
        if fixable(diagnostic, unsafe=False):
            safe += 1
        elif not unsafe_asked and fixable(diagnostic, unsafe=True):
            unsafe += 1
    return FixHint(safe, unsafe, fix_asked)


def fix_text(
    path: str, relative: str, text: str, codes: Iterable[str], *, timezone: str | None
) -> tuple[str, list[Applied]]:
    """Apply the fixes for ``codes`` to a post's text; returns the new text and what changed."""
    wanted = set(codes)
    applied: list[Applied] = []
    if "NC104" in wanted and text.startswith("\ufeff"):
        text = text[1:]
        applied.append(Applied(path, "NC104", "removed the byte-order mark"))
    match = JEKYLL_FRONT_MATTER.match(text)
    if match is None:
        return text, applied
    front, rest = text[: match.end()], text[match.end() :]
    newline = "\r\n" if "\r\n" in front else "\n"

    if "NC305" in wanted:
        title = _TITLE_LINE.search(front)
        if title:
            value = title.group(2) if title.group(2) is not None else title.group(3)
            quote = '"' if title.group(2) is not None else "'"
            if value != value.strip():
                new_line = f"{title.group(1)}{quote}{value.strip()}{quote}{title.group(4)}"
                front = front[: title.start()] + new_line + front[title.end() :]
                applied.append(Applied(path, "NC305", "trimmed the whitespace around the title"))

    if "NC301" in wanted:
        dated = match_dated_name(relative)
        has_date = re.search(r"^date[ \t]*:[ \t]*[^\s#]", front, re.M) and not _EMPTY_DATE_LINE.search(front)
        if dated and not has_date:
            year, month, day = (int(part) for part in dated[0].split("-"))
            if year < 100:
                year += 1900 if year >= 69 else 2000
            value = f"{year:04d}-{month:02d}-{day:02d}"
            empty = _EMPTY_DATE_LINE.search(front)
            if empty:
                front = front[: empty.start()] + f"date: {value}" + front[empty.end() :]
            else:
                again = JEKYLL_FRONT_MATTER.match(front)
                assert again is not None
                closing = again.start(2)
                front = front[:closing] + f"date: {value}{newline}" + front[closing:]
            applied.append(Applied(path, "NC301", f"added date: {value} from the file name"))

    if "NC206" in wanted:
        naive = _NAIVE_DATE_LINE.search(front)
        if naive:
            stamp = naive.group(2)
            # The wall time the author wrote, in the site's zone: its offset is what was meant.
            offset = parse_ruby_time(stamp, zone_for(timezone)).strftime("%z")
            front = front[: naive.end(2)] + f" {offset}" + front[naive.end(2) :]
            applied.append(Applied(path, "NC206", f"added the site's UTC offset {offset} to the date (moves the post)"))
    return front + rest, applied
