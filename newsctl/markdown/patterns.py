"""kramdown 2.4's regular expressions, translated from Ruby.

Ruby's ``^``/``$`` always work per line (``re.M`` here), its ``/m`` is ``re.S``, and its ``\\w``,
``\\s``, ``\\d`` are ASCII-only (``re.A``) while ``\\b``, ``[[:alpha:]]`` and ``\\p{Word}`` are
Unicode (``(?u:\\b)`` here).
"""

from __future__ import annotations

import re

A = re.A | re.M
AS = re.A | re.M | re.S


def c(pattern: str, flags: int = A) -> re.Pattern[str]:
    return re.compile(pattern, flags)


OPT_SPACE = r" {0,3}"
INDENT_S = r"^(?:\t| {4})"
INDENT = c(INDENT_S)
BLANK_LINE_S = r"(?>^\s*\n)+"
BLANK_LINE = c(BLANK_LINE_S)
EOB_MARKER_S = r"^\^\s*?\n"
EOB_MARKER = c(EOB_MARKER_S)

ALD_ANY_CHARS = r"(?:\\\}|[^}])"
ALD_ID_NAME = r"\w[\w-]*"
ALD_TYPE_ANY = c(
    r"(?:\A|\s)(?:(\w[\w-]*)=(\"|')((?:\\\}|\\\2|[^}])*?)\2|(\w[\w-]*)|((?:#[A-Za-z][\w:-]*|\.[^\s.#]+)+))(?=\s|\Z)"
)
ALD_TYPE_ID_OR_CLASS = c(r"#([A-Za-z][\w:-]*)|\.([^\s.#]+)")
ALD_START = c(rf"^{OPT_SPACE}\{{:({ALD_ID_NAME}):({ALD_ANY_CHARS}+)\}}\s*?\n")
EXT_STOP_STR = r"\{:/(%s)?\}"
EXT_START_STR = rf"\{{::(\w+)(?:\s({ALD_ANY_CHARS}*?)|)(/)?\}}"
EXT_BLOCK_START = c(rf"^{OPT_SPACE}(?:{EXT_START_STR}|{EXT_STOP_STR % ALD_ID_NAME})\s*?\n")
IAL_BLOCK_S = rf"\{{:(?!:|/)({ALD_ANY_CHARS}+)\}}\s*?\n"
IAL_BLOCK_START_S = rf"^{OPT_SPACE}{IAL_BLOCK_S}"
IAL_BLOCK_START = c(IAL_BLOCK_START_S)
BLOCK_EXTENSIONS_START = c(rf"^{OPT_SPACE}\{{:")
EXT_SPAN_START = c(rf"{EXT_START_STR}|{EXT_STOP_STR % ALD_ID_NAME}")
IAL_SPAN_START = c(rf"\{{:({ALD_ANY_CHARS}+)\}}")

UNAME = r"[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?"  # REXML's UNAME_STR: NCName(:NCName)?
HTML_SPAN_ELEMENTS = [
    "a",
    "abbr",
    "acronym",
    "b",
    "big",
    "bdo",
    "br",
    "button",
    "cite",
    "code",
    "del",
    "dfn",
    "em",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "mark",
    "option",
    "q",
    "rb",
    "rbc",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "samp",
    "select",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "tt",
    "u",
    "var",
]
HTML_BLOCK_ELEMENTS = [
    "address",
    "article",
    "aside",
    "applet",
    "body",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "head",
    "iframe",
    "legend",
    "menu",
    "li",
    "main",
    "map",
    "nav",
    "ol",
    "optgroup",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tfoot",
    "tr",
    "ul",
]
HTML_ELEMENTS_WITHOUT_BODY = [
    "area",
    "base",
    "br",
    "col",
    "command",
    "embed",
    "hr",
    "img",
    "input",
    "keygen",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
]
HTML_CONTENT_MODEL: dict[str, str] = {}
for _name in [
    "address",
    "applet",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "details",
    "div",
    "dl",
    "fieldset",
    "figure",
    "figcaption",
    "footer",
    "form",
    "header",
    "hgroup",
    "iframe",
    "li",
    "main",
    "map",
    "menu",
    "nav",
    "noscript",
    "object",
    "section",
    "summary",
    "td",
]:
    HTML_CONTENT_MODEL[_name] = "block"
for _name in [
    "a",
    "abbr",
    "acronym",
    "b",
    "bdo",
    "big",
    "button",
    "cite",
    "caption",
    "del",
    "dfn",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "i",
    "ins",
    "label",
    "legend",
    "optgroup",
    "p",
    "q",
    "rb",
    "rbc",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "select",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "th",
    "tt",
]:
    HTML_CONTENT_MODEL[_name] = "span"
for _name in ["script", "style", "math", "option", "textarea", "pre", "code", "kbd", "samp", "var"]:
    HTML_CONTENT_MODEL[_name] = "raw"
HTML_ELEMENT = frozenset([*HTML_SPAN_ELEMENTS, *HTML_BLOCK_ELEMENTS, *HTML_ELEMENTS_WITHOUT_BODY, *HTML_CONTENT_MODEL])


def content_model(name: str) -> str:
    return HTML_CONTENT_MODEL.get(name, "raw")


_LAZY_SPANS = "|".join([*HTML_SPAN_ELEMENTS, "script"])
LAZY_END_HTML_START_S = rf"<(?>(?!(?:{_LAZY_SPANS})(?u:\b)){UNAME})"
LAZY_END_HTML_STOP_S = rf"</(?!(?:{_LAZY_SPANS})(?u:\b)){UNAME}\s*>"
LAZY_END_S = (
    rf"{BLANK_LINE_S}|{IAL_BLOCK_START_S}|{EOB_MARKER_S}|^{OPT_SPACE}{LAZY_END_HTML_STOP_S}"
    rf"|^{OPT_SPACE}{LAZY_END_HTML_START_S}|\Z"
)
LAZY_END = c(LAZY_END_S)
PARAGRAPH_START = c(rf"^{OPT_SPACE}[^ \t].*?\n")
PARAGRAPH_MATCH = c(r"^.*?\n")
PATTERN_TAIL = r"[\t| ].*?\n"
DEFINITION_LIST_START_S = rf"^({OPT_SPACE}:)({PATTERN_TAIL})"
DEFINITION_LIST_START = c(DEFINITION_LIST_START_S)
LIST_START_UL_S = rf"^({OPT_SPACE}[+*-])({PATTERN_TAIL})"
LIST_START_OL_S = rf"^({OPT_SPACE}\d+\.)({PATTERN_TAIL})"
LIST_START_UL = c(LIST_START_UL_S)
LIST_START_OL = c(LIST_START_OL_S)
LIST_START = c(rf"{LIST_START_UL_S}|{LIST_START_OL_S}")
LIST_ITEM_IAL = c(rf"^\s*(?:\{{:(?!(?:{ALD_ID_NAME})?:|/)({ALD_ANY_CHARS}+)\}})\s*")
LIST_ITEM_IAL_CHECK = c(rf"^(?:\s*(?:\{{:(?!(?:{ALD_ID_NAME})?:|/)({ALD_ANY_CHARS}+)\}})\s*)?\s*\n")
HR_START = c(rf"^{OPT_SPACE}(\*|-|_)[ \t]*\1[ \t]*\1(\1|[ \t])*\n")
SETEXT_HEADER_START = c(rf"^{OPT_SPACE}(?P<contents>[^ \t].*)\n(?P<level>[-=])[-=]*[ \t\r\f\v]*\n")
ATX_HEADER_START_S = r"^(?P<level>#{1,6})[\t ]+(?P<contents>.*)\n"
ATX_HEADER_START = c(ATX_HEADER_START_S)
ATX_HEADER_START_KD = c(r"^(?P<level>#{1,6})[\t ]*(?P<contents>[^ \t].*)\n")
HEADER_ID = c(r"[\t ]\{#(?P<id>[A-Za-z_:][\w.:-]*)\}\Z")
BLOCKQUOTE_START_S = rf"^{OPT_SPACE}> ?"
BLOCKQUOTE_START = c(BLOCKQUOTE_START_S)
CODEBLOCK_MATCH_S = (
    rf"(?:(?:{BLANK_LINE_S})?(?:{INDENT_S}[ \t]*\S.*\n)+(?:(?!{IAL_BLOCK_START_S}|{EOB_MARKER_S}"
    rf"|^{OPT_SPACE}{LAZY_END_HTML_STOP_S}|^{OPT_SPACE}{LAZY_END_HTML_START_S})^[ \t]*\S.*\n)*)*"
)
CODEBLOCK_MATCH = c(CODEBLOCK_MATCH_S)
FENCED_START_KD = c(r"^~{3,}")
FENCED_MATCH_KD = c(r"^((~){3,})\s*?((\S+?)(?:\?\S*)?)?\s*?\n(.*?)^\1\2*\s*?\n", AS)
FENCED_START_GFM_S = r"^[ ]{0,3}[~`]{3,}"
FENCED_START_GFM = c(FENCED_START_GFM_S)
FENCED_MATCH_GFM = c(r"^[ ]{0,3}(([~`]){3,})\s*?((\S+?)(?:\?\S*)?)?\s*?\n(.*?)^[ ]{0,3}\1\2*\s*?\n", AS)
PARAGRAPH_END = c(rf"{LAZY_END_S}|{DEFINITION_LIST_START_S}")
PARAGRAPH_END_GFM = c(
    rf"{LAZY_END_S}|{LIST_START_UL_S}|{LIST_START_OL_S}|{ATX_HEADER_START_S}|{DEFINITION_LIST_START_S}"
    rf"|{BLOCKQUOTE_START_S}|{FENCED_START_GFM_S}"
)
BLOCK_BOUNDARY = c(rf"{BLANK_LINE_S}|{EOB_MARKER_S}|{IAL_BLOCK_START_S}|\Z")

TABLE_SEP_LINE = c(r"^([+|: \t-]*?-[+|: \t-]*?)[ \t]*\n")
TABLE_HSEP_ALIGN = c(r"[ \t]?(:?)-+(:?)[ \t]?")
TABLE_FSEP_LINE = c(r"^[+|: \t=]*?=[+|: \t=]*?[ \t]*\n")
TABLE_ROW_LINE = c(r"^(.*?)[ \t]*\n")
TABLE_PIPE_CHECK_S = r"(?:\||.*?[^\\\n]\|)"
TABLE_PIPE_CHECK = c("^" + TABLE_PIPE_CHECK_S)
TABLE_LINE = c(rf"{TABLE_PIPE_CHECK_S}.*?\n")
TABLE_START = c(rf"^{OPT_SPACE}(?=\S){TABLE_PIPE_CHECK_S}.*?\n")

BLOCK_MATH_START = c(rf"^{OPT_SPACE}(\\)?\$\$(.*?)\$\$(\s*?\n)?", AS)
INLINE_MATH_START = c(r"\$\$(.*?)\$\$", AS)
FOOTNOTE_DEFINITION_START = c(rf"^{OPT_SPACE}\[\^({ALD_ID_NAME})\]:\s*?(.*?\n{CODEBLOCK_MATCH_S})")
FOOTNOTE_MARKER_START = c(rf"\[\^({ALD_ID_NAME})\]")
LINK_DEFINITION_START = c(
    rf"^{OPT_SPACE}\[([^\n\]]+)\]:[ \t]*(?:<(.*?)>|([^\n]*?\S[^\n]*?))"
    r"(?:(?:[ \t]*?\n|[ \t]+?)[ \t]*?([\"'])(.+?)\4)?[ \t]*?\n"
)
ABBREV_DEFINITION_START = c(rf"^{OPT_SPACE}\*\[(.+?)\]:(.*?)\n")

HTML_BLOCK_START = c(rf"^{OPT_SPACE}<({UNAME}|!--|/)")
HTML_COMMENT_RE = c(r"<!--(.*?)-->", AS)
HTML_INSTRUCTION_RE = c(r"<\?(.*?)\?>", AS)
HTML_TAG_RE_S = rf"<((?>{UNAME}))\s*((?>\s+{UNAME}(?:\s*=\s*(?:[\w]+|(\"|').*?\3))?)*)\s*(/)?>"
HTML_TAG_RE = c(HTML_TAG_RE_S, re.M | re.S)
HTML_TAG_CLOSE_RE_S = rf"</({UNAME})\s*>"
HTML_TAG_CLOSE_RE = c(HTML_TAG_CLOSE_RE_S, re.M | re.S)
BLOCK_HTML_TAG = c(rf"^{OPT_SPACE}{HTML_TAG_RE_S}", re.M | re.S)
BLOCK_HTML_TAG_CLOSE = c(rf"^{OPT_SPACE}{HTML_TAG_CLOSE_RE_S}", re.M | re.S)
HTML_ATTRIBUTE_RE = c(rf"\s*({UNAME})(?:\s*=\s*(?:([\w]+)|(\"|')(.*?)\3))?", re.M | re.S)
HTML_ENTITY_RE = c(r"&([\w:][\-\w.:]*);|&#(\d+);|&\#x([0-9a-fA-F]+);")
HTML_RAW_START = c(rf"(?=<({UNAME}|/|!--|\?))")
HTML_SPAN_START = c(rf"<({UNAME}|!--|/)")
TRAILING_WHITESPACE = c(r"[ \t]*\n")

# Span parsers: (start pattern, the regex text that finds where one may begin).
EMPHASIS_START = c(r"(?:\*\*?|__?)")
CODESPAN_DELIMITER = c(r"`+")
AUTOLINK_START = c(r"<((mailto|https?|ftps?):.+?|[\w\-.]+?@[\w\-.]+?)>", re.M)
ESCAPED_CHARS = c(r"\\([\\.*_+`<>()\[\]{}#!:|\"'$=-])")
ESCAPED_CHARS_GFM = c(r"\\([\\.*_+`<>()\[\]{}#!:|\"'$=\-~])")
LINE_BREAK = c(r"(  |\\\\)(?=\n)")
TYPOGRAPHIC_SYMS = [
    ("---", "mdash"),
    ("--", "ndash"),
    ("...", "hellip"),
    ("\\<<", "&lt;&lt;"),
    ("\\>>", "&gt;&gt;"),
    ("<< ", "laquo_space"),
    (" >>", "raquo_space"),
    ("<<", "laquo"),
    (">>", "raquo"),
]
TYPOGRAPHIC_SYMS_RE = c("|".join(re.escape(k) for k, _ in TYPOGRAPHIC_SYMS))
SMART_QUOTES_RE = c(r"[^\\]?[\"']")
STRIKETHROUGH_MATCH = c(r"~~(?!\s|~).*?[^\s~]~~", AS)
LINK_START = c(r"!?\[(?=[^^])")
LINK_BRACKET_STOP_RE = c(r"(\])|!?\[")
LINK_PAREN_STOP_RE = c(r"(\()|(\))|\s(?=['\"])")
LINK_INLINE_ID_RE = c(r"\s*?\[([^\]]+)?\]")
LINK_INLINE_TITLE_RE = c(r"\s*?([\"'])(.+?)\1\s*?\)", AS)
ANGLE_URL = c(r"\(<(.*?)>")
CLOSE_PAREN = c(r"\)")
OPEN_PAREN = c(r"\(")
WHITESPACE = c(r"\s")

_SQ_PUNCT = r"[!\"#$%'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"
_SQ_CLOSE = r"[^ \\\t\r\n\[{(-]"
SQ_RULES: list[tuple[re.Pattern[str], list[int | str]]] = [
    (c(r"(\"|')(?=[_*]{1,2}\S)"), ["lquote1"]),
    (c(rf"(\"|')(?={_SQ_PUNCT}(?!\.\.)(?u:\B))"), ["rquote1"]),
    (c(r"(\s?)\"'(?=\w)"), [1, "ldquo", "lsquo"]),
    (c(r"(\s?)'\"(?=\w)"), [1, "lsquo", "ldquo"]),
    (c(r"(\s?)'(?=\d\ds)"), [1, "rsquo"]),
    (c(r"(\s)('|\")(?=\w)"), [1, "lquote2"]),
    (c(rf"({_SQ_CLOSE})('|\")"), [1, "rquote2"]),
    (c(r"(\"|')(?=\s|s(?u:\b)|$)"), ["rquote1"]),
    (c(r"(.?)'", AS), [1, "lsquo"]),
    (c(r"(.?)\"", AS), [1, "ldquo"]),
]
SQ_SUBSTS = {
    ("rquote1", '"'): "rdquo",
    ("rquote1", "'"): "rsquo",
    ("rquote2", '"'): "rdquo",
    ("rquote2", "'"): "rsquo",
    ("lquote1", '"'): "ldquo",
    ("lquote1", "'"): "lsquo",
    ("lquote2", '"'): "ldquo",
    ("lquote2", "'"): "lsquo",
}

# name -> (start pattern, span-start regex text)
SPAN_STARTS: dict[str, str] = {
    "emphasis": r"\*|_",
    "codespan": r"`",
    "autolink": r"<",
    "span_html": r"<",
    "footnote_marker": r"\[",
    "link": r"!?\[",
    "smart_quotes": r"[^\\]?[\"']",
    "inline_math": r"\$",
    "span_extensions": r"\{:",
    "html_entity": r"&",
    "typographic_syms": r"--|\.\.\.|(?:\\| )?(?:<<|>>)",
    "line_break": r"(  |\\\\)(?=\n)",
    "escaped_chars": r"\\",
    "strikethrough": r"~~",
}
