"""The inline-link and block fast paths (``spans._fast_link_text``, ``spans._fast_link_url``,
the per-first-character block parser tables) give exactly what the general paths give: checked
on generated text made of the pieces links, autolinks and their neighbours are made of."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsctl.markdown import options_from, parser, render, spans

_ATOMS = [
    "[", "]", "(", ")", "![", "[^", "<", ">", "\\", "\\]", "\\(", " ", "\t", "\n", "\n\n", "'", '"',
    "*", "_", "`", "&amp;", "--", "...", "{:", "}", "~~", "|", ":", "$$", "  \n", "　", "\u00a0",
    "a", "返回", "//x.com/", "http://a.b/?c=1", "<http://a.b/c>", "<a@b.c>", "<mailto:a@b.c>",
    "[t](u)", "[t](<u>)", "[t](u 't')", "[t][r]", "[r]: /ref\n", "[^1]: n\n", "| a |\n", "x\n===\n",
    "｜", "<span>", "</span>", "<p>", "</p>", "[t]( u )", "(u)", "[t] (u)",
]  # fmt: skip

_TEXTS = st.lists(st.sampled_from(_ATOMS), max_size=16).map("".join)
_TAIL = (
    "<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW20211201000900000000>\n\n"
    "[返回东财滚动新闻](//finews.withounder.com/emnews/)｜[返回首页](//finews.withounder.com/)\n"
)


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spans, "_fast_link_text", lambda self, el, start: False)
    monkeypatch.setattr(spans, "_fast_link_url", lambda self: None)
    monkeypatch.setattr(parser, "_FIRST_CHAR_BLOCK_PARSERS", frozenset())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXTS, kramdown_input=st.booleans())
def test_link_fast_paths_are_exact(monkeypatch: pytest.MonkeyPatch, text: str, kramdown_input: bool) -> None:
    options = options_from({"input": "kramdown"} if kramdown_input else None)
    fast = render(text, options)
    with monkeypatch.context() as patched:
        _slow(patched)
        slow = render(text, options)
    assert fast == slow


def test_source_and_navigation_lines_take_the_fast_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[str] = []
    text_path, url_path = spans._fast_link_text, spans._fast_link_url
    monkeypatch.setattr(spans, "_fast_link_text", lambda s, el, p: taken.append("text") or text_path(s, el, p))
    monkeypatch.setattr(spans, "_fast_link_url", lambda s: taken.append("url") or url_path(s))
    assert render(_TAIL) == (
        '<p><a href="http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW20211201000900000000">'
        "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW20211201000900000000</a></p>\n\n"
        '<p><a href="//finews.withounder.com/emnews/">返回东财滚动新闻</a>｜'
        '<a href="//finews.withounder.com/">返回首页</a></p>\n'
    )
    assert taken == ["text", "url", "text", "url"]
