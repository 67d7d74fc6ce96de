"""The search query language: parsed safely, matched as case-insensitive substrings."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsctl.index.query import Query, QueryError, Term, fts5_phrase, parse_query


def test_several_terms_must_all_match() -> None:
    query = parse_query("蔚来 汽车")
    assert query == Query(((Term("蔚来"),), (Term("汽车"),)))
    assert query.matches("蔚来汽车发布", "") and not query.matches("蔚来", "")


def test_one_and_two_character_chinese_terms_match_as_substrings() -> None:
    assert parse_query("银").matches("", "多家银行") and parse_query("上海").matches("上海证券报", "")


def test_phrases_keep_their_words_in_order() -> None:
    query = parse_query('"interest rate"')
    assert query.matches("", "the interest rate rose") and not query.matches("", "rate of interest")


def test_minus_excludes() -> None:
    query = parse_query("银行 -分红")
    assert query.matches("银行利率", "") and not query.matches("银行分红", "")


def test_or_binds_tighter_than_and() -> None:
    query = parse_query("银行 分红 OR 降准")
    assert query.groups == ((Term("银行"),), (Term("分红"), Term("降准")))
    assert query.matches("银行降准", "") and not query.matches("分红", "")


def test_title_limits_a_term_to_titles() -> None:
    query = parse_query('title:蔚来 title:"new car"')
    assert query.matches("蔚来 new car", "") and not query.matches("new car", "蔚来")


def test_english_is_case_insensitive() -> None:
    assert parse_query("NIO").matches("", "nio delivered")


def test_doubled_quotes_inside_a_phrase_are_one_quote() -> None:
    assert parse_query('"say ""hi"""').terms == (Term('say "hi"'),)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("   ", "empty"), ('"open', "unbalanced"), ("OR a", "OR needs"), ("a OR", "OR needs"),
     ("a OR OR b", "OR needs"), ("-a", "exclusions only"), ('""', "empty phrase")],
)  # fmt: skip
def test_queries_that_cannot_be_understood_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(text)


def test_fts5_operators_in_user_text_are_plain_characters() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')")
    db.execute("INSERT INTO t VALUES ('a AND b NEAR(c) * \"q\" (x)')")
    for text in ["AND b", "NEAR(c)", '* "q"', "(x)", "OR", '"', "NOT"]:
        rows = db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (fts5_phrase(text),)).fetchone()
        assert rows[0] in (0, 1)  # answered, never a syntax error


@given(st.text(max_size=40))
def test_any_input_parses_or_is_a_clear_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert query.groups and all(term.text for term in query.terms)


@given(st.text(min_size=1, max_size=20))
def test_any_term_is_safe_as_an_fts5_phrase(text: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')")
    db.execute("INSERT INTO t VALUES ('some text')")
    db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (fts5_phrase(text),)).fetchone()


def test_and_in_capitals_is_the_implicit_and_not_a_word() -> None:
    assert parse_query("银行 AND 分红") == parse_query("银行 分红")
    assert parse_query("银行 AND 分红 OR 降准") == parse_query("银行 分红 OR 降准")
    assert parse_query('"AND"').groups == ((Term("AND"),),)  # quoted, it is a word


@pytest.mark.parametrize("text", ["AND 银行", "银行 AND", "银行 AND OR 分红", "银行 OR AND 分红"])
def test_and_needs_a_term_on_each_side(text: str) -> None:
    with pytest.raises(QueryError, match="needs a term on each side"):
        parse_query(text)


@pytest.mark.parametrize("text", ["title:", "银行 title:", "title: 银行", "-title:"])
def test_a_field_with_nothing_after_it_is_an_error(text: str) -> None:
    with pytest.raises(QueryError, match="title: needs a term right after it"):
        parse_query(text)
