"""kramdown's options as Jekyll 4.3 sets them, and how a site's ``kramdown:`` block changes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# jekyll-4.3.1/lib/jekyll/configuration.rb DEFAULTS["kramdown"], plus kramdown's own defaults for
# the options Jekyll leaves alone.
SMART_QUOTES = ("lsquo", "rsquo", "ldquo", "rdquo")


@dataclass(frozen=True)
class KramdownOptions:
    """The options the renderer honours (names as in kramdown)."""

    input: str = "GFM"
    auto_ids: bool = True
    auto_id_prefix: str = ""
    hard_wrap: bool = False
    smart_quotes: tuple[str, str, str, str] = SMART_QUOTES
    typographic_symbols: Mapping[str, str] = field(default_factory=dict)
    parse_block_html: bool = False
    parse_span_html: bool = True
    footnote_nr: int = 1
    footnote_backlink: str = "&#8617;"
    footnote_prefix: str = ""
    toc_levels: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    math_engine: str | None = "mathjax"
    entity_output: str = "as_char"
    header_offset: int = 0
    link_defs: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def gfm(self) -> bool:
        return self.input.lower() == "gfm"


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "no", "0", "", "nil", "off")
    return bool(value)


def _levels(value: Any) -> tuple[int, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value)
    text = str(value).strip()
    if ".." in text:
        low, high = text.split("..", 1)
        return tuple(range(int(low), int(high.strip(".")) + 1))
    return tuple(int(v) for v in text.replace(",", " ").split() if v.strip().isdigit())


def _quotes(value: Any) -> tuple[str, str, str, str]:
    parts = [p.strip() for p in (value if isinstance(value, (list, tuple)) else str(value).split(","))]
    if len(parts) != 4:
        return SMART_QUOTES
    return (str(parts[0]), str(parts[1]), str(parts[2]), str(parts[3]))


def _string(value: Any) -> str:
    return "" if value is None else str(value).lstrip(":")


_CONVERTERS: dict[str, Any] = {
    "input": _string,
    "auto_ids": _bool,
    "auto_id_prefix": _string,
    "hard_wrap": _bool,
    "smart_quotes": _quotes,
    "typographic_symbols": lambda v: {str(k).lstrip(":"): str(x) for k, x in (v or {}).items()},
    "parse_block_html": _bool,
    "parse_span_html": _bool,
    "footnote_nr": int,
    "footnote_backlink": _string,
    "footnote_prefix": _string,
    "toc_levels": _levels,
    "math_engine": lambda v: None if v in (None, "", "nil", "~") else _string(v),
    "entity_output": _string,
    "header_offset": int,
    "link_defs": lambda v: {str(k): (str(x[0]), None if len(x) < 2 else x[1]) for k, x in (v or {}).items()},
}


def options_from(config: Mapping[str, Any] | None, base: KramdownOptions | None = None) -> KramdownOptions:
    """Jekyll's defaults overridden by a ``kramdown:`` mapping (keys with or without a leading
    colon, as kramdown's own option files write them); unknown or invalid values are ignored."""
    changes: dict[str, Any] = {}
    for key, value in (config or {}).items():
        name = str(key).lstrip(":")
        convert = _CONVERTERS.get(name)
        if convert is None:
            continue
        try:
            changes[name] = convert(value)
        except (TypeError, ValueError, AttributeError, IndexError):
            continue
    return replace(base or KramdownOptions(), **changes)
