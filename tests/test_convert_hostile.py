"""Bodies that push the HTML parser to its limits: no word may be lost without a word."""

from __future__ import annotations

from newsctl.convert.body import ConvertOptions, convert_html


def md(html: str) -> str:
    return convert_html(html, ConvertOptions("markdown"))


def text(html: str) -> str:
    return convert_html(html, ConvertOptions("text"))


def test_a_paragraph_larger_than_libxml2s_text_limit_is_kept() -> None:
    # libxml2 drops a text node over 10 MB unless told otherwise (huge_tree).
    words = "新能源汽车 word " * 1_000_000  # 15 MB of UTF-8
    out = text(f"<p>{words}</p>")
    assert out.count("新能源汽车") == 1_000_000


def test_text_inside_60000_nested_divs_is_kept() -> None:
    html = "<div>" * 60_000 + "深处的文字 deepword" + "</div>" * 60_000 + "<p>after</p>"
    for out in (text(html), md(html)):
        assert "深处的文字 deepword" in out
        assert "after" in out


def test_text_inside_deeply_nested_inline_markup_is_kept() -> None:
    html = "<p>" + "<b>" * 5_000 + "bold core" + "</b>" * 5_000 + " tail</p>"
    assert "bold core" in text(html) and "tail" in text(html)


def test_moderately_deep_nesting_keeps_its_structure() -> None:
    html = "<div>" * 1_500 + "<p>one</p><p>two</p>" + "</div>" * 1_500
    assert text(html) == "one\n\ntwo\n"


def test_embedded_media_stay_in_markdown_as_html() -> None:
    html = (
        '<p>before</p><iframe src="https://www.youtube.com/embed/xyz" width="560"></iframe>'
        '<video src="https://ex.com/v.mp4" controls>no video support</video>'
        '<object data="https://ex.com/a.swf"></object>'
        '<script src="https://gist.github.com/u/123.js"></script><p>after</p>'
    )
    out = md(html)
    assert '<iframe src="https://www.youtube.com/embed/xyz" width="560"></iframe>' in out
    assert '<video src="https://ex.com/v.mp4" controls' in out
    assert '<object data="https://ex.com/a.swf"></object>' in out
    assert '<script src="https://gist.github.com/u/123.js"></script>' in out


def test_embedded_media_leave_their_address_in_text() -> None:
    html = (
        '<p>before</p><iframe src="https://www.youtube.com/embed/xyz"></iframe>'
        '<video controls><source src="https://ex.com/v.mp4" type="video/mp4">no video support</video>'
        '<object data="https://ex.com/a.swf"></object>'
        '<script src="https://gist.github.com/u/123.js"></script><p>after</p>'
    )
    out = text(html)
    for address in ("https://www.youtube.com/embed/xyz", "https://ex.com/v.mp4", "https://ex.com/a.swf",
                    "https://gist.github.com/u/123.js"):  # fmt: skip
        assert address in out
    assert "no video support" not in out
    assert out.startswith("before") and out.endswith("after\n")


def test_other_scripts_stay_hidden() -> None:
    assert text('<p>a</p><script src="https://ex.com/tracker.js"></script><script>var x=1;</script>') == "a\n"


def test_visibility_hidden_is_hidden_like_display_none() -> None:
    html = '<p>seen</p><p style="visibility: hidden">secret</p><p style="color:red;visibility:HIDDEN">x</p>'
    assert text(html) == "seen\n"
    assert "secret" not in md(html)
