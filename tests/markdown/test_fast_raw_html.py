"""The raw HTML fast path (``spans._fast_raw_html``) writes exactly what the element-by-element
parse and the converter write: checked on seeded random raw HTML snippets, with it and without."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsctl.markdown import render, spans

_ATOMS = [
    "<p>", "</p>", "<div>", "</div>", "<P>", "</P>", "<span class='a'>", "</span>", "<br>",
    "<br/>", "<img src=x>", "<b>", "</b>", "&amp;", "&", "<", ">", "a", " ", "\n", "\n\n",
    "<!-- c -->", "<?pi?>", "<x-y>", "</x-y>", "<Foo>", "</foo>", "</Foo>", '<p markdown="1">',
    "<script>", "</script>", '<div id="">', '<a href="a&b">', "*em*", "{: .c}", "<input disabled>",
    "<td>", "</td>", "<table>", "</table>", '"q"', "&#123;", "<!DOCTYPE>", "<p/>", "</ p>",
    "<style>x</style>", "<SPAN ID=x>", "</SPAN>", "<a\nhref='y'>", "</a >",
    "<a b=c>", "</a>", "<a b=c d>", "<a title='x>y'>", "<a b=c title='>'>", "<p >", "</p >",
]  # fmt: skip
_OPENERS = ["<p>", "<div>", "<table>", "<section>", '<p class="x">', "<Div>", "{: .k}\n<p>", ""]


def _snippets(count: int) -> list[str]:
    rng = random.Random(20261207)
    return [rng.choice(_OPENERS) + "".join(rng.choice(_ATOMS) for _ in range(rng.randint(1, 14))) for _ in range(count)]


def test_fast_raw_html_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    snippets = [*_snippets(1500), "<p>" + "<b>" * 80 + "x" + "</b>" * 80 + "</p>", "<p>a</p>\n{: .c}\n"]
    fast = [render(s) for s in snippets]
    monkeypatch.setattr(spans, "_fast_raw_html", lambda self, el: False)
    slow = [render(s) for s in snippets]
    assert [s for s, a, b in zip(snippets, fast, slow, strict=True) if a != b] == []


def test_fast_raw_html_is_taken() -> None:
    spans._RAW_ATTRS.clear()
    spans._RAW_TAGS.clear()
    assert render('<p class="x">a &amp; b<br><span id=s>c</span></p>\n') == (
        '<p class="x">a &amp; b<br /><span id="s">c</span></p>\n'
    )
    assert (" id=s", True) in spans._RAW_ATTRS


def test_fast_raw_html_start_tags_with_quotes_and_gt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start tags are looked up by their text to the first ">" once seen: tags whose quoted
    values hold ">" or quotes, seen and unseen, still write what the slow path writes."""
    rng = random.Random(7)
    parts = [" a", " b=c", " t='x'", ' t="y>z"', " u='>'", ' v="\'"', "'", '"', ">", " ", "=", "/", "\n"]
    tags = ["a", "span", "x", "p"]

    def tag() -> str:
        return "<" + rng.choice(tags) + "".join(rng.choice(parts) for _ in range(rng.randint(0, 5))) + ">"

    snippets = [
        rng.choice(["<p>", "<div>"])
        + "".join(rng.choice([tag(), "t", "</a>", "</span>", "</x>", ">", "'"]) for _ in range(rng.randint(1, 8)))
        + rng.choice(["</p>", "</div>", ""])
        for _ in range(1500)
    ]
    fast = [render(s) for s in snippets]
    monkeypatch.setattr(spans, "_fast_raw_html", lambda self, el: False)
    slow = [render(s) for s in snippets]
    assert [s for s, a, b in zip(snippets, fast, slow, strict=True) if a != b] == []


def test_fast_raw_html_many_lt_without_gt_is_linear() -> None:
    """Each "<" looks for its ">" near it only: 300,000 "<" then one ">" is not read again per "<"
    (that took 11 s). Asserted as growth, not as a time: ten times the input costs about ten
    times the CPU (quadratic work would cost a hundred times), whatever the machine's speed."""
    import time

    def cpu(text: str) -> float:
        runs = []
        for _ in range(3):
            started = time.process_time()
            render(text)
            runs.append(time.process_time() - started)
        return min(runs)

    for unit, n in [("<", 30_000), ("<a ", 10_000)]:
        small, large = cpu("<p>" + unit * n + ">\n"), cpu("<p>" + unit * (10 * n) + ">\n")
        assert large < 40 * max(small, 0.001), (unit, small, large)


def test_top_level_raw_html_block_is_one_leaf() -> None:
    """A raw HTML block at the top of the document is kept as the one string the converter
    writes for it, not an element to convert again (unless an IAL after it adds attributes)."""
    from newsctl.markdown.options import KramdownOptions
    from newsctl.markdown.parser import Parser

    root = Parser(KramdownOptions()).parse('x\n\n<p class="a">b<br>c</p><center>d</center>\n<p>e</p>\n{: .k}\n')
    kinds = [(child.type, child.value) for child in root.children]
    assert kinds[2:4] == [("raw", '<p class="a">b<br />c</p>'), ("raw", "<center>d</center>")]
    assert kinds[4][0] == "html_element"  # the IAL below it gives it a class


def test_top_level_raw_html_blocks_write_what_elements_write(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    blocks = ["<p>a</p>", "<p class='x'>b</p>", "<div>c</div>", "<center><img src=x /></center>", " ", "\n",
              "\n\n", "*t*", "<br>", "<p>", "</p>", "<hr>", "<hr />", "{: .k}\n", "<!-- c -->", "<p/>", "&",
              "<P>", "</P>", "x\n", "- i\n", "> q\n", "<table><tr><td>x</td></tr></table>", "{:.a}"]  # fmt: skip
    snippets = ["".join(rng.choice(blocks) for _ in range(rng.randint(1, 12))) for _ in range(1500)]
    fast = [render(s) for s in snippets]
    monkeypatch.setattr(spans, "_top_level_raw", lambda self, el: None)
    slow = [render(s) for s in snippets]
    assert [s for s, a, b in zip(snippets, fast, slow, strict=True) if a != b] == []


def test_a_run_of_top_level_raw_html_blocks_is_read_in_one_go(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "</p><p>" on one line (scraped posts): the blocks after the first are read by the raw HTML
    fast path at once, not each by the block parser again; an IAL after one still reaches it."""
    text = '<p>a</p><p class="x">b &amp; <b>c</b></p><center>d</center>\n<p>e</p>\n'
    expected = render(text)
    calls: list[int] = []
    start_tag = spans.handle_html_start_tag
    monkeypatch.setattr(spans, "handle_html_start_tag", lambda self: calls.append(1) or start_tag(self))
    assert render(text) == expected == ('<p>a</p>\n<p class="x">b &amp; <b>c</b></p>\n<center>d</center>\n<p>e</p>\n')
    assert len(calls) == 1
    assert render("<p>a</p><p>b</p>\n{: .k}\n") == '<p>a</p>\n<p class="k">b</p>\n'


def test_top_level_run_spaces_newlines_and_ials(monkeypatch: pytest.MonkeyPatch) -> None:
    """What follows an element of a top-level run ("</p><p>", spaces, tabs, a newline, an IAL)
    is read as the block parser reads it: the same HTML with the fast path and without."""
    rng = random.Random(16)
    atoms = ["<p>a</p>", "<div>b</div>", " ", "\t", "\n", "\n\n", "{: .c}", "{", "x", "<span>s</span>", "<p>"]
    snippets = ["<p>z</p>" + "".join(rng.choice(atoms) for _ in range(rng.randint(1, 10))) for _ in range(1500)]
    fast = [render(s) for s in snippets]
    monkeypatch.setattr(spans, "_fast_raw_html", lambda self, el: False)
    slow = [render(s) for s in snippets]
    assert [s for s, a, b in zip(snippets, fast, slow, strict=True) if a != b] == []


_SCRAPED_ATOMS = [
    "<p>", "</p>", "<strong>", "</strong>", '<span id="Info.3306">', "<span id=x>", "</span>", "</SPAN>",
    '<a href="http://q.com/r/1" class="keytip" data-code="90,BK0839">', "<a href=y class='k'>", "</a>",
    "</a >", "<br>", "<br />", "券商中国获悉，", "公司", "a&b", "&amp;", "x>y", "<", ">", " ", "\n",
    "<!-- c -->", "</b>", "<P>", "</P>", '<span web="1" href="h" class="em">', "<b>", "{: .c}",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(_SCRAPED_ATOMS), max_size=12), min_size=1, max_size=6))
def test_scraped_paragraph_runs_write_what_the_slow_path_writes(
    monkeypatch: pytest.MonkeyPatch, paragraphs: list[list[str]]
) -> None:
    """Runs of scraped "<p>...</p><p>" with source text copied through where it is already what
    the converter writes (tags already in their written form, text with no "&" or ">"), and
    rewritten where it is not: the same HTML as the element-by-element parse."""
    text = "".join("<p>" + "".join(atoms) + "</p>" for atoms in paragraphs) + "\n"
    fast = render(text)
    with monkeypatch.context() as patched:
        patched.setattr(spans, "_fast_raw_html", lambda self, el: False)
        slow = render(text)
    assert fast == slow
