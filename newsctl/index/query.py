"""The query language of ``newsctl search``, parsed into a small tree any backend can answer.

Grammar (documented in README once ``search`` ships):

- several terms: all must match (``蔚来 汽车``);
- ``"an exact phrase"``: the words in that order (quotes may hold any character);
- ``-term`` or ``-"a phrase"``: must not match;
- ``OR`` (upper case) between two terms: either may match; binds tighter than the implicit AND,
  so ``a b OR c`` is ``a AND (b OR c)``; ``AND`` (upper case) between two terms is that implicit
  AND, written out;
- ``title:term`` / ``title:"a phrase"``: the term must be in the title.

Matching is a substring test, case-insensitive for ASCII letters, on the plain text a reader sees (which is what
makes one- and two-character Chinese words work). Nothing from the user reaches a search
engine's own syntax: backends build their queries from the parsed terms only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from newsctl.errors import NewsctlError
from newsctl.index.schema import fold

Field = Literal["any", "title"]


class QueryError(NewsctlError):
    """A query that cannot be understood (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    field: Field = "any"
    negated: bool = False

    def matches(self, title: str, body: str) -> bool:
        needle = fold(self.text)
        haystack = fold(title) if self.field == "title" else fold(f"{title}\n{body}")
        return (needle in haystack) != self.negated


@dataclass(frozen=True, slots=True)
class Query:
    """All groups must match; a group matches when any of its terms does."""

    groups: tuple[tuple[Term, ...], ...]

    def matches(self, title: str, body: str) -> bool:
        return all(any(term.matches(title, body) for term in group) for group in self.groups)

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(term for group in self.groups for term in group)


# A field name with nothing after it (``title:`` then a space or the end) reads as a bare word.
_EMPTY_FIELDS = frozenset(["title:"])
_TOKEN = re.compile(r'\s*(?:(-)?(?:(title):)?(?:"((?:[^"]|"")*)("?)|([^\s"]+)))', re.UNICODE)


def parse_query(text: str) -> Query:
    """Parse a user's query. Raises QueryError with a one-line message for what cannot be
    understood: an empty query, an unclosed quote, OR at either end, a query of exclusions only."""
    if not text.strip():
        raise QueryError("the query is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # bytes from argv that are not UTF-8 come as surrogates
        byte = text.encode("utf-8", "surrogateescape")[len(text[: exc.start].encode("utf-8")) :][:1]
        raise QueryError(f"the query is not valid UTF-8 (byte 0x{byte.hex()})") from None
    tokens: list[Term | str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"cannot read the query at {text[position:]!r}")
        position = match.end()
        negated, field, quoted, closing, bare = match.groups()
        if quoted is not None:
            if closing != '"':
                raise QueryError('unbalanced quote: close the phrase with "')
            value = quoted.replace('""', '"')
        else:
            value = bare
        if bare in ("OR", "AND") and not negated and not field:
            tokens.append(bare)
            continue
        if field is None and bare is not None and bare.lstrip("-") in _EMPTY_FIELDS:
            name = bare.lstrip("-")
            raise QueryError(f'{name} needs a term right after it ({name}银行, or {name}"a phrase")')
        if not value.strip():
            raise QueryError("an empty phrase matches nothing")
        tokens.append(Term(value, "title" if field else "any", bool(negated)))
    groups: list[list[Term]] = []
    pending_or = False
    for index, token in enumerate(tokens):
        if token == "AND":
            neighbours = tokens[index - 1 : index] + tokens[index + 1 : index + 2]
            if len(neighbours) < 2 or any(isinstance(t, str) for t in neighbours):
                raise QueryError("AND needs a term on each side")
            continue
        if token == "OR":
            if index + 1 < len(tokens) and tokens[index + 1] == "AND":
                raise QueryError("AND needs a term on each side")
            if not groups or pending_or:
                raise QueryError("OR needs a term on each side")
            pending_or = True
            continue
        assert isinstance(token, Term)
        if pending_or:
            groups[-1].append(token)
            pending_or = False
        else:
            groups.append([token])
    if pending_or:
        raise QueryError("OR needs a term on each side")
    if all(term.negated for group in groups for term in group):
        raise QueryError("a query of exclusions only (-term) would match almost everything: add a term to find")
    return Query(tuple(tuple(group) for group in groups))


def fts5_phrase(text: str) -> str:
    """``text`` as one FTS5 string (a phrase): the only form in which user text is handed to FTS5,
    so ``AND``, ``NEAR``, ``*``, parentheses and quotes are just characters."""
    # SQLite reads a NUL as the end of the string; posts never hold one (binary files are refused).
    return '"' + text.replace("\x00", "").replace('"', '""') + '"'
