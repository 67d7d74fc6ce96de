"""Output for a person at a terminal: ``list``'s table and ``search``'s hits, laid out by
display width (a CJK character takes two columns), one line per post, paths never cut.

The lines are built here as plain strings with ANSI colour (none when ``NO_COLOR`` is set or
``TERM=dumb``), not with a rich Table: a table of 20,000 rows took rich 9 s; these take a
fraction of a second, and they stream into the pager. Only ``rich.cells`` (display widths) is
used from rich.

Not part of the index's code fingerprint (``newsctl.index.schema.INDEXED_BY``): a change here
rebuilds nothing.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Sequence

#: ANSI styles, by name.
_CODES = {"bold": "1", "dim": "2", "cyan": "36", "magenta": "35", "green": "32", "match": "1;33"}
#: Control characters (a title holding ESC must not drive the terminal) become spaces.
_CONTROLS = {code: " " for code in (*range(0x20), 0x7F)}
GAP = "  "
#: A title narrower than this is not worth a column: other columns go first.
MIN_TITLE = 24
#: A URL, or the start of one, in a snippet: a snippet is never cut inside one.
_URL = re.compile(r"(?:https?://|www\.)\S*")


def colour() -> bool:
    """Colour unless ``NO_COLOR`` is set (https://no-color.org) or the terminal is dumb."""
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def width() -> int:
    """The terminal's width in columns (``COLUMNS`` when set, as everywhere)."""
    return max(20, shutil.get_terminal_size((100, 24)).columns)


class Styler:
    """Wraps text in ANSI codes, or leaves it alone without colour."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        if not self.enabled or not text or not style:
            return text
        return f"\x1b[{_CODES[style]}m{text}\x1b[0m"


def clean(text: str) -> str:
    """``text`` on one line, control characters (tabs, newlines, ESC) turned into spaces."""
    return text.translate(_CONTROLS)


def fit(text: str, columns: int, *, pad: bool = True) -> str:
    """``text`` cut to ``columns`` display columns with "…" when it is longer (never half a
    wide character), padded with spaces to exactly ``columns`` when ``pad``."""
    from rich.cells import cell_len

    length = cell_len(text)
    if length > columns:
        text = _head(text, columns - 1) + "…" if columns > 0 else ""
        length = cell_len(text)
    return text + " " * (columns - length) if pad else text


def _widest(cells: Sequence[str], limit: int) -> int:
    from rich.cells import cell_len

    return min(limit, max((cell_len(cell) for cell in cells), default=0))


def table_lines(
    rows: Sequence[tuple[str, str, str, str, str]], columns: int, style: Styler, *, footer: str = ""
) -> Iterator[str]:
    """``list``'s table: a header, then one line per (date, categories, tags, title, path).

    The path is never cut; the title takes what is left, cut by display width. When the title
    would get fewer than ``MIN_TITLE`` columns, tags go, then categories, then the date's time;
    on a terminal narrower still, each post takes two lines: date and title, then its path."""
    rows = [tuple(clean(cell) for cell in row) for row in rows]  # type: ignore[misc]
    names = ("date", "categories", "tags", "title", "path")
    limits = (16, 20, 24, 10**6, 10**6)
    widths = [max(len(name), _widest([row[i] for row in rows], limits[i])) for i, name in enumerate(names)]
    shown = [True, any(row[1] for row in rows), any(row[2] for row in rows), True, True]

    def title_room() -> int:
        used = sum(widths[i] for i in (0, 1, 2, 4) if shown[i])
        return columns - used - len(GAP) * (sum(shown) - 1)

    for drop in (2, 1):
        if title_room() < MIN_TITLE and shown[drop]:
            shown[drop] = False
    if title_room() < MIN_TITLE:
        widths[0] = 10
    stacked = title_room() < MIN_TITLE
    if stacked:
        shown = [True, False, False, True, False]
    widths[3] = max(5, min(widths[3], title_room()))
    styles = ("cyan", "magenta", "green", "", "dim")
    keep = [i for i in range(5) if shown[i]]
    yield GAP.join(style(fit(names[i], widths[i], pad=i != keep[-1]), "bold") for i in keep)
    for row in rows:
        cells = []
        for i in keep:
            text = row[i][: widths[i]] if i == 0 else row[i]
            cells.append(style(fit(text, widths[i], pad=i != keep[-1]) if i != 4 else text, styles[i]))
        yield GAP.join(cells).rstrip()
        if stacked:
            yield " " * (widths[0] + len(GAP)) + style(row[4], "dim")
    if footer:
        yield style(footer, "dim")


def hit_lines(
    hits: Sequence[tuple[tuple[str, str, str, str], str, int, int]], columns: int, style: Styler
) -> Iterator[str]:
    """Search hits, each ((date, category, title, path), snippet, match start, match end), in
    two lines: date, category, title (cut by display width) and the whole path; then, indented,
    the snippet cut around the match by display width with the match highlighted, never ending
    in half a URL. Categories go first when the title would get fewer than ``MIN_TITLE``
    columns; when even then the path leaves the title fewer than 16, the path takes a line of
    its own, under the title."""
    from rich.cells import cell_len

    heads = [tuple(clean(cell) for cell in head) for head, *_ in hits]
    category_width = _widest([head[1] for head in heads], 16)
    title_width = _widest([head[2] for head in heads], 10**6)
    for (date, category, title, path), (_, snippet, start, end) in zip(heads, hits, strict=True):
        room = columns - len(date) - cell_len(path) - 2 * len(GAP)
        show_category = category_width and room - category_width - len(GAP) >= MIN_TITLE
        if show_category:
            room -= category_width + len(GAP)
        own_line = room < 16
        if own_line:
            room = columns - len(date) - len(GAP) - (category_width + len(GAP) if show_category else 0)
        parts = [style(date, "cyan")]
        if show_category:
            parts.append(style(fit(category, category_width), "magenta"))
        if own_line:
            parts.append(fit(title, room, pad=False))
            yield GAP.join(parts)
            yield GAP + style(path, "dim")
        else:
            parts += [fit(title, min(room, title_width)), style(path, "dim")]
            yield GAP.join(parts)
        yield GAP + cut_around(clean(snippet), start, end, columns - len(GAP), style).rstrip()


def cut_around(text: str, start: int, end: int, columns: int, style: Styler) -> str:
    """``text`` cut to ``columns`` display columns keeping ``text[start:end]`` (the match) in
    view, about a third of the way in, with "…" where it was cut; the match highlighted. A URL
    that would be cut at the end is left out instead."""
    from rich.cells import cell_len

    if end <= start:
        start = end = 0
    before, match, after = text[:start], text[start:end], text[end:]
    if before.startswith("…"):
        before = before[1:]
        cut_left = True
    else:
        cut_left = False
    cut_right = after.endswith("…")
    if cut_right:
        after = after[:-1]
    room = columns - cell_len(match) - 2  # two "…" at most
    if room < 0:
        return style(fit(match, columns), "match")
    left = _tail(before, min(cell_len(before), room // 3))
    cut_left = cut_left or len(left) < len(before)
    right = _head(after, room - cell_len(left))
    cut_right = cut_right or len(right) < len(after)
    # The index's snippet may itself end inside a URL without saying so: a URL that runs to
    # the end of what is shown is left out.
    url = next((u for u in _URL.finditer(right) if u.end() == len(right)), None)
    if url is not None and url.start() > 0:
        right, cut_right = right[: url.start()].rstrip(), True
    return ("…" if cut_left else "") + left + style(match, "match") + right + ("…" if cut_right else "")


def _head(text: str, columns: int) -> str:
    from rich.cells import cell_len

    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > columns:
            break
        out.append(char)
    return "".join(out)


def _tail(text: str, columns: int) -> str:
    return _head(text[::-1], columns)[::-1]
