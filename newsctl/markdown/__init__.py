"""A Python port of kramdown 2.4 (the Markdown renderer of Jekyll 4), for post bodies.

``render(text, options)`` gives the HTML Jekyll's kramdown gives (visible text and link targets
the same; attribute order and whitespace may differ). ``options_from(site.kramdown)`` reads a
site's ``kramdown:`` settings over Jekyll's defaults (GFM input, auto ids, smart quotes...).
"""

from __future__ import annotations

from newsctl.markdown.options import KramdownOptions, options_from

__all__ = ["KramdownOptions", "options_from", "render"]


def render(text: str, options: KramdownOptions | None = None) -> str:
    """Markdown ``text`` to HTML as kramdown renders it with ``options`` (Jekyll's defaults)."""
    import gc

    from newsctl.markdown.html import HtmlConverter
    from newsctl.markdown.parser import Parser

    # A long post makes hundreds of thousands of tree nodes and no reference cycles: the cyclic
    # garbage collector would otherwise rescan the growing tree again and again (half the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        parser = Parser(options or KramdownOptions())
        root = parser.parse(text)
        return HtmlConverter(root, parser.options).convert(root)
    finally:
        if collecting:
            gc.enable()
