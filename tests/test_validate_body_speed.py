"""The body checks and the body fingerprint skip work where a cheap test says nothing can match
(issue 16): they must find exactly what the plain patterns find, on bodies built to tell them
apart (case, characters re.IGNORECASE folds to ASCII, markup across lines, long lines)."""

from __future__ import annotations

import hashlib
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsctl.validate import checks


def plain_lead(body: str) -> str | None:
    """The fingerprint as first written: every markup match replaced, every line split."""
    for line in checks._MARKUP.sub("\n", body[:4000]).splitlines():
        letters = checks._NOT_WORD.sub("", line)[:60]
        if len(letters) >= 20:
            return hashlib.blake2b(letters.encode(), digest_size=8).hexdigest()
    return None


def plain_body_findings(body: str) -> list[tuple[str, int]]:
    if not body.strip():
        return [("NC401", 0)]
    found = []
    for regex, code in (
        (checks._EMPTY_LINK, "NC402"),
        (re.compile(r"""(?:\b(?:href|src)\s*=\s*["']?|\]\()\s*javascript:""", re.I), "NC403"),
        (checks._SCRIPT, "NC404"),
    ):
        found.extend((code, m.start()) for m in regex.finditer(body))
    found.extend(("NC405", m.start()) for m in checks._IMG.finditer(body) if not checks._IMG_SRC.search(m.group(0)))
    return found


class _Post:
    def __init__(self, body: str) -> None:
        self.body = body
        self.body_line = 1


def body_findings(body: str) -> list[tuple[str, int]]:
    out = checks._Collector("p.md")
    checks._check_body(_Post(body), "", out)  # type: ignore[arg-type]
    # Back from (line, column) to offsets, as plain_body_findings gives them.
    starts = [0] + [i + 1 for i, char in enumerate(body) if char == "\n"]
    return [(d.code, starts[d.line - 1] + d.column - 1) for d in out.found]


PIECES = [
    "新华社北京电 国家统计局今天发布数据显示",
    "Lorem ipsum dolor sit amet, consectetur",
    "<!-- a\ncomment -->",
    '<a HREF="">x</a>',
    "<A title='[x]()' href=''>y</a>",
    "[empty]( )",
    "[ok](http://e.com)",
    "<>",
    "<IMG alt=x>",
    "<img src=a.png>",
    "<ScRiPt>1</script>",
    'href="JavaScript:void(0)"',
    "[x](  javaſcript:alert(1))",
    "\u0130\u0131\u017f",
    "&nbsp;",
    "\r\n",
    "\n",
    "\x0c",
    "\u2028",
    "!!!,,,。。。" * 30,
    "x" * 250,
    "a-b_c d" * 40,
    "http://source.example/1",
    # Spaces \s matches that are not ASCII:
    "<a href=\u3000x>",
    "<a HREF\u00a0=\u2003y>",
    "<a href=\x1dz>",
]


@pytest.mark.parametrize("seed", range(300))
def test_body_checks_and_fingerprint_match_the_plain_patterns(seed: int) -> None:
    rng = random.Random(seed)
    body = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 30)))
    assert checks._lead(body) == plain_lead(body)
    assert sorted(body_findings(body)) == sorted(plain_body_findings(body))


def test_long_line_of_punctuation_before_the_letters_is_read_whole() -> None:
    body = "," * 300 + "x" * 30 + "\n"
    assert checks._lead(body) == plain_lead(body) is not None


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["http://a.b/c", "https://x.y", "<", ">", " ", "\t", "\n", "\r", "a", "http", "é", "\x0b"]),
        max_size=30,
    )
)
def test_source_link_is_the_first_line_the_multiline_pattern_finds(parts: list[str]) -> None:
    """``_source_link`` looks only at the lines that hold "http": it must find what a search
    of the whole body with ``_SOURCE_LINE`` finds."""
    from newsctl.validate.checks import _SOURCE_LINE, _source_link

    body = "".join(parts)
    expected = _SOURCE_LINE.search(body)
    assert _source_link(body) == (expected.group(1) if expected else None)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<a ", "href", "HREF", "=", '"', "'", ">", " ", "\u3000", "\u00a0", "\x1c", "\x85", "中", "x", "\u0130"]
        ),
        max_size=16,
    )
)
def test_empty_href_is_found_with_any_space_between(parts: list[str]) -> None:
    """A space that is not ASCII must not hide from the cheap test a link the pattern finds."""
    body = "".join(parts)
    assert sorted(body_findings(body)) == sorted(plain_body_findings(body))
