from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsctl.jekyll.frontmatter import FrontMatterError, json_safe, parse, split, starts_with_front_matter


def test_yaml_front_matter_and_body_are_kept_verbatim() -> None:
    text = "---\ntitle: Hello\n---\n\nBody line\n"
    block = split(text)
    assert block.format == "yaml"
    assert block.raw == "---\ntitle: Hello\n---\n\n"  # Jekyll's `\s*$\n?` takes the blank line too
    assert block.raw + block.body == text
    assert parse(block) == {"title": "Hello"}


def test_body_line_points_at_the_first_body_line() -> None:
    assert split("---\na: 1\nb: 2\n---\nbody\n").body_line == 5


def test_bom_is_accepted_and_remembered() -> None:
    block = split("\ufeff---\ntitle: x\n---\nbody")
    assert block.bom and parse(block) == {"title": "x"} and block.body == "body"


def test_crlf_front_matter_is_read() -> None:
    block = split("---\r\ntitle: Windows\r\n---\r\nbody\r\n")
    assert parse(block) == {"title": "Windows"}
    assert block.body == "body\r\n"


def test_yaml_document_end_closes_front_matter() -> None:
    assert parse(split("---\ntitle: dots\n...\nbody")) == {"title": "dots"}


def test_trailing_spaces_after_delimiters_are_accepted() -> None:
    assert parse(split("---  \ntitle: x\n---   \nbody")) == {"title": "x"}


@pytest.mark.parametrize(
    "text", [" ---\ntitle: x\n---\n", "\n---\ntitle: x\n---\n", "--- x\n---\n", "----\na: 1\n----\n"]
)
def test_front_matter_not_on_the_first_byte_is_body_as_in_jekyll(text: str) -> None:
    block = split(text)
    assert block.format is None and block.body == text


def test_unterminated_front_matter_is_an_error_on_line_1() -> None:
    with pytest.raises(FrontMatterError, match="not closed") as info:
        split("---\ntitle: x\nbody without end\n")
    assert info.value.line == 1


def test_yaml_syntax_error_reports_the_file_line() -> None:
    with pytest.raises(FrontMatterError, match="YAML syntax error") as info:
        parse(split('---\nlayout: post\ntitle: "unbalanced\ndate: 2022-01-01\n---\n'))
    assert info.value.line is not None and info.value.line >= 3


@pytest.mark.parametrize("yaml_text", ["- a\n- b\n", "just a string\n"])
def test_front_matter_that_is_not_a_mapping_is_an_error(yaml_text: str) -> None:
    with pytest.raises(FrontMatterError, match="not a mapping"):
        parse(split(f"---\n{yaml_text}---\n"))


def test_empty_front_matter_is_an_empty_mapping() -> None:
    assert parse(split("---\n---\nbody")) == {}


def test_duplicate_keys_keep_the_last_value_like_jekyll() -> None:
    assert parse(split("---\ntitle: A\ntitle: B\n---\n")) == {"title": "B"}


def test_binary_values_are_decoded_like_psych() -> None:
    assert parse(split("---\ntitle: !binary 5Lit5paH\n---\n")) == {"title": "中文"}


def test_unquoted_timestamp_is_a_datetime_and_offsetless_forms_stay_strings() -> None:
    data = parse(split("---\na: 2022-01-18 19:10:33\nb: 2022-01-18 19:10:33 +0800\nc: 2022-01-18\n---\n"))
    assert data["a"] == dt.datetime(2022, 1, 18, 19, 10, 33)
    assert data["b"] == "2022-01-18 19:10:33 +0800"
    assert data["c"] == dt.date(2022, 1, 18)


def test_toml_front_matter_for_hugo_files() -> None:
    block = split('+++\ntitle = "Hugo"\ntags = ["a", "b"]\n+++\nbody\n', hugo=True)
    assert block.format == "toml" and parse(block) == {"title": "Hugo", "tags": ["a", "b"]}
    assert block.body == "body\n"


def test_toml_is_not_front_matter_for_jekyll() -> None:
    assert split('+++\ntitle = "x"\n+++\n').format is None


def test_json_front_matter_for_hugo_files() -> None:
    block = split('{\n  "title": "J",\n  "draft": false\n}\nbody\n', hugo=True)
    assert block.format == "json" and parse(block) == {"title": "J", "draft": False}
    assert block.body == "body\n"


def test_broken_toml_reports_an_error() -> None:
    with pytest.raises(FrontMatterError, match="TOML"):
        parse(split("+++\ntitle = \n+++\n", hugo=True))


def test_starts_with_front_matter_recognises_all_three_kinds() -> None:
    assert starts_with_front_matter("---\n---\n")
    assert starts_with_front_matter("+++\n+++\n")
    assert starts_with_front_matter("{}\n")
    assert not starts_with_front_matter("# Title\n")


def test_json_safe_turns_dates_into_iso_strings() -> None:
    value = {"date": dt.datetime(2022, 1, 2, 3, 4, 5), 1: dt.date(2022, 1, 2), "b": b"\x00"}
    assert json_safe(value) == {"date": "2022-01-02T03:04:05", "1": "2022-01-02", "b": "AA=="}


_line = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=30)


@given(st.lists(_line, max_size=6), st.lists(_line, max_size=6), st.booleans(), st.booleans())
def test_split_never_loses_a_character(front: list[str], body: list[str], crlf: bool, bom: bool) -> None:
    newline = "\r\n" if crlf else "\n"
    text = ("\ufeff" if bom else "") + newline.join(["---", *front, "---", *body])
    try:
        block = split(text)
    except FrontMatterError:
        return
    assert ("\ufeff" if block.bom else "") + block.raw + block.body == text


@given(st.text(max_size=200))
def test_split_of_any_text_is_lossless_or_a_clear_error(text: str) -> None:
    try:
        block = split(text, hugo=True)
    except FrontMatterError as exc:
        assert exc.message
        return
    assert ("\ufeff" if block.bom else "") + block.raw + block.body == text


_keys = st.sampled_from(["title", "date", "categories", "tags", "layout", "yes", "no", "Title", "x-y", "a_b", "null"])
_values = st.one_of(
    st.text(max_size=25),
    st.sampled_from(["2022-01-18 19:10:33", "2022-01-18", "2022-01-18 19:10:33 +0800", "2022-01-18T19:10:33+08:00",
                     "yes", "No", "~", "123", "0123", "1.5", "1e3", ".inf", "1:20", "=", "<<", "a: b", "a #b", "#x",
                     "- item", "[a, b]", "{a: 1}", "'q'", "'it''s'", '"d"', '"e\\"s"', '"x" y', "*a", "&a b", "!t v", "|", ">"]),
)  # fmt: skip


@given(st.lists(st.tuples(_keys, _values), max_size=6), st.booleans())
def test_fast_yaml_agrees_with_pyyaml_or_defers_to_it(pairs: list[tuple[str, str]], crlf: bool) -> None:
    import yaml

    from newsctl.jekyll.frontmatter import _JekyllLoader, fast_yaml

    newline = "\r\n" if crlf else "\n"
    text = "---" + newline + "".join(f"{k}: {v}{newline}" for k, v in pairs)
    fast = fast_yaml(text)
    if fast is None:
        return
    assert fast == yaml.load(text, Loader=_JekyllLoader) or (
        fast == {} and yaml.load(text, Loader=_JekyllLoader) is None
    )


def test_the_one_pass_character_check_is_pyyamls_two() -> None:
    import re

    import yaml

    from newsctl.jekyll.frontmatter import _NOT_FAST

    breaks = re.compile("[\x85\u2028\u2029]")
    for code in [*range(0x10000), 0x10000, 0x1F600, 0x10FFFF]:
        char = chr(code)
        rejected = yaml.reader.Reader.NON_PRINTABLE.search(char) or breaks.search(char)
        assert bool(_NOT_FAST.search(char)) == bool(rejected), hex(code)


@given(st.text(alphabet=st.sampled_from(["k", "e", "y", ":", " ", "\t", "a", "#", "'", '"', "-", "\r"]), max_size=14))
def test_the_line_pattern_reads_what_the_lazy_pattern_read(line: str) -> None:
    import re

    from newsctl.jekyll.frontmatter import _line_parts

    lazy = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*").fullmatch(line)
    assert _line_parts(line) == (None if lazy is None else lazy.groups())
