"""The reference definition of visible text used by the convert fidelity tests."""

from __future__ import annotations

import pytest

from tests.visible_text import (
    describe_difference,
    link_targets,
    markdown_visible_text,
    normalise_text,
    visible_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a \t\n b  ", "a b"),
        ("a\u00a0\u00a0b", "a b"),  # NBSP is whitespace
        ("a\u2009b\u202fc", "a b c"),  # so are the other Unicode spaces
        ("中文\n段落", "中文段落"),  # a line break inside Chinese text
        ("中文 English 中文", "中文 English 中文"),  # a space next to Latin text stays
        ("价格：\n一百元", "价格：一百元"),  # full-width colon is CJK punctuation
        ("价格：\n100元", "价格： 100元"),  # ... but ASCII digits are not CJK
        ("说，\n“好”", "说， “好”"),  # U+201C is not in the CJK ranges: the space stays
        ("日本語 ひらがな カタカナ", "日本語ひらがなカタカナ"),
        ("한국어 문장", "한국어문장"),  # Hangul counts as CJK (documented trade-off)
        ("前\u3000后", "前\u3000后"),  # U+3000 is a visible character, not whitespace
        ("\u3000首行缩进", "\u3000首行缩进"),  # ... and is not stripped at the ends
        ("前\u3000 后", "前\u3000后"),  # a space between U+3000 and Han goes
        ("ＡＢ Ｃ", "ＡＢＣ"),  # full-width forms
        ("a\u200bb", "a\u200bb"),  # zero-width space is not whitespace
        ("𠀀 𠀁", "𠀀𠀁"),  # astral Han (extension B)
        ("", ""),
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected


def test_blocks_and_br_separate_words_inline_elements_do_not() -> None:
    html = "<p>one<br>two<br/>three</p><p>four</p><div><div><p>five</p>six</div></div><b>se</b><i>ven</i>"
    assert visible_text(html) == "one two three four five six seven"


def test_nested_lists_and_tables() -> None:
    html = (
        "<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>"
        "<table><thead><tr><th>h1</th><th>h2</th></tr></thead><tbody><tr><td>x</td><td>y</td></tr></tbody></table>"
    )
    assert visible_text(html) == "a b c d h1 h2 x y"


def test_cjk_line_breaks_and_blocks() -> None:
    html = "<p>第一行\n第二行</p>\n<p>第二段。</p><p>English\nline</p>"
    assert visible_text(html) == "第一行第二行第二段。 English line"


def test_entities_are_decoded() -> None:
    html = "<p>AT&amp;T &lt;tag&gt; &quot;q&quot; &#x4E2D;&#25991; caf&eacute; a&nbsp;b &copy;</p>"
    assert visible_text(html) == 'AT&T <tag> "q" 中文 café a b ©'


def test_hidden_content_is_dropped() -> None:
    html = (
        "<p>keep</p>"
        "<!-- a comment -->"
        "<script>var x = '<p>no</p>';</script>"
        "<style>p { color: red }</style>"
        "<template><p>tpl</p></template>"
        "<p hidden>h1</p><div hidden='hidden'><p>h2</p></div>"
        '<span style="display:none">h3</span>'
        '<span style="color: red; DISPLAY : None !important;">h4</span>'
        "<span style='display: none'>h5</span>"
        "<p>also <span style='display:inline'>shown</span></p>"
        "<span style='display:nonesuch'>odd</span>"
    )
    assert visible_text(html) == "keep also shown odd"


def test_whole_documents_drop_head() -> None:
    html = "<!DOCTYPE html><html><head><title>T</title><meta charset=utf-8></head><body><p>body</p></body></html>"
    assert visible_text(html) == "body"


def test_pre_and_code_keep_text() -> None:
    html = '<pre><code class="language-py">if a &lt; b:\n    print("x")\n</code></pre>'
    assert visible_text(html) == 'if a < b: print("x")'


def test_images_are_not_text() -> None:
    assert visible_text('<p>before<img src="a.png" alt="ALT">after</p>') == "beforeafter"


def test_link_targets() -> None:
    html = (
        '<p><a href="https://example.com/a?x=1&amp;y=2">a</a> <img src=" /img/b.png " alt="">'
        '<a href="#section">in page</a><a href="">empty</a><a>none</a>'
        '<a href="/hidden" hidden>h</a><span style="display:none"><img src="/h.png"></span>'
        "<script>document.write('<a href=\"/js\">js</a>')</script>"
        '<a href="mailto:x@example.com">mail</a><a href="/p#frag">p</a></p>'
    )
    assert link_targets(html) == {
        "https://example.com/a?x=1&y=2",
        "/img/b.png",
        "mailto:x@example.com",
        "/p#frag",
    }


def test_markdown_visible_text() -> None:
    markdown = (
        "# Title\n\n"
        "Some *emphasis* and a [link](https://example.com) and ![alt](x.png).\n"
        "Line two.\n\n"
        "| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\n"
        "<div hidden>raw hidden</div>\n\n"
        "中文第一行\n第二行\n"
    )
    assert markdown_visible_text(markdown) == "Title Some emphasis and a link and . Line two. a b 1 2 中文第一行第二行"


def test_markdown_autolinks_and_escapes() -> None:
    assert markdown_visible_text("See <https://example.com/x> and 1\\. not a list & \\*x\\*") == (
        "See https://example.com/x and 1. not a list & *x*"
    )


def test_link_targets_without_images() -> None:
    html = '<p><a href="/text">text</a><a href="/pic"><img src="/p.png"></a><img src="/q.png"></p>'
    assert link_targets(html) == {"/text", "/pic", "/p.png", "/q.png"}
    assert link_targets(html, images=False) == {"/text"}


def test_describe_difference() -> None:
    message = describe_difference("中文第一句。第二句。", "中文第一句。第三句。")
    assert "first difference at character 7" in message
    assert "-第二句。" in message and "+第三句。" in message
