"""The rules of ``newsctl validate``: stable codes, severities and documentation.

Codes never change meaning once published. Prefixes group them: NC1 the file, NC2 what Jekyll
does with it, NC3 metadata, NC4 the body, NC5 the archive as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from newsctl.validate.diagnostics import Severity

Fix = Literal["safe", "unsafe"] | None


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    bad: str
    good: str
    fix: Fix = None


def _r(
    code: str, name: str, severity: Severity, summary: str, explanation: str, bad: str, good: str, fix: Fix = None
) -> Rule:
    return Rule(code, name, severity, summary, explanation.strip(), bad, good, fix)


_RULES = [
    # --- NC1: the file --------------------------------------------------------------------
    _r(
        "NC101",
        "not-utf8",
        "error",
        "File is not valid UTF-8",
        "Jekyll reads posts as UTF-8 and silently leaves out a post that is not: it never "
        "appears on the site. Scrapers that save GBK or Latin-1 pages produce these. The message "
        "names the first bad byte's offset.",
        "---\ntitle: <GBK bytes>\n---\n",
        "---\ntitle: 新闻\n---\n  (saved as UTF-8)",
    ),
    _r(
        "NC102",
        "binary-file",
        "error",
        "File is binary, not a text post",
        "A NUL byte in the first 8 KiB means this is not text (an image or archive saved under a post's name).",
        "\\x89PNG\\x00\\x00…",
        "---\ntitle: x\n---\n",
    ),
    _r(
        "NC103",
        "empty-file",
        "error",
        "File is empty",
        "An empty file in _posts/ is published as an empty page titled after its file name.",
        "(0 bytes)",
        "---\ntitle: x\ndate: 2024-01-01\n---\nbody\n",
    ),
    _r(
        "NC104",
        "byte-order-mark",
        "warning",
        "File starts with a byte-order mark",
        "Jekyll strips a UTF-8 BOM, but many other tools (and `head -1 | grep ^---`) do not "
        "see the front matter behind it. `--fix` removes it.",
        "\\ufeff---\ntitle: x\n---\n",
        "---\ntitle: x\n---\n",
        "safe",
    ),
    _r(
        "NC105",
        "no-front-matter",
        "error",
        "Post has no front matter",
        "Jekyll still publishes a file in _posts/ without front matter, titled after its file "
        "name, with no layout: almost always a scraper that failed.",
        "Just a body line\n",
        "---\ntitle: A title\n---\nJust a body line\n",
    ),
    _r(
        "NC106",
        "unterminated-front-matter",
        "error",
        "Front matter is not closed",
        "The opening `---` has no closing `---` (or `...`) line. Jekyll then publishes the whole "
        "file, front matter included, as the body. Truncated files look like this.",
        "---\ntitle: x\ndate: 2024-01-01\nbody\n",
        "---\ntitle: x\ndate: 2024-01-01\n---\nbody\n",
    ),
    _r(
        "NC107",
        "yaml-syntax-error",
        "error",
        "Front matter is not valid YAML",
        "Jekyll logs an error and publishes the post without any of its front matter (no title, "
        "no date, no layout). The position is where PyYAML found the problem.",
        '---\ntitle: "unbalanced\n---\n',
        '---\ntitle: "balanced"\n---\n',
    ),
    _r(
        "NC108",
        "front-matter-not-mapping",
        "error",
        "Front matter is not a mapping",
        "Front matter must be `key: value` pairs. A YAML list or a bare string makes Jekyll drop all of it.",
        "---\n- title\n- date\n---\n",
        "---\ntitle: x\n---\n",
    ),
    _r(
        "NC109",
        "duplicate-key",
        "error",
        "Front matter repeats a key",
        "YAML keeps the last value of a repeated key without a word, so one of the two values "
        "the scraper wrote is silently lost.",
        "---\ntitle: A\ntitle: B\n---\n",
        "---\ntitle: B\n---\n",
    ),
    _r(
        "NC110",
        "front-matter-not-at-start",
        "error",
        "Front matter does not start on the first byte",
        "Jekyll only reads front matter that starts at the very first byte with `---`. A blank "
        "line or a space before it turns the front matter into body text.",
        "\n---\ntitle: x\n---\n",
        "---\ntitle: x\n---\n",
    ),
    _r(
        "NC111",
        "crlf-line-endings",
        "warning",
        "File uses CRLF line endings",
        "Jekyll reads CRLF files, but a mix of line endings in an archive makes diffs noisy and "
        "breaks line-based tools; CRLF usually means the file went through another system.",
        "---\\r\\ntitle: x\\r\\n---\\r\\n",
        "---\\ntitle: x\\n---\\n",
    ),
    _r(
        "NC112",
        "file-name-not-utf8",
        "error",
        "File name is not valid UTF-8",
        'Jekyll 4 stops the whole build on such a name ("invalid byte sequence in UTF-8", in '
        "its entry filter): one post saved under a GBK or Latin-1 name keeps every post off the "
        "site. The message names the first bad byte.",
        "_posts/2024-01-01-caf\\xe9.md",
        "_posts/2024-01-01-café.md  (the name in UTF-8)",
    ),
    # --- NC2: what Jekyll does ------------------------------------------------------------
    _r(
        "NC201",
        "post-name-ignored",
        "error",
        "Jekyll ignores this file in _posts/",
        "Jekyll only reads files in _posts/ named `YYYY-MM-DD-title.ext` (and not starting with "
        "`_`, `.`, `#` or `~`); any other file there is dropped without a warning.",
        "_posts/-202205262391921712.md",
        "_posts/2022-05-26-202205262391921712.md",
    ),
    _r(
        "NC202",
        "invalid-date",
        "error",
        "Date Jekyll cannot parse",
        "Jekyll's build fails on a `date` Ruby's Time.parse rejects (and on an empty `date:`), "
        "or on an invalid date in the file name when the front matter has none.",
        "---\ndate: +0800\n---\n",
        "---\ndate: 2022-05-26 09:30:00 +0800\n---\n",
    ),
    _r(
        "NC203",
        "future-date",
        "warning",
        "Post is dated in the future",
        "Jekyll skips posts dated after the build unless `future: true` is set in _config.yml.",
        "---\ndate: 2099-01-01\n---\n",
        "---\ndate: 2024-01-01\n---\n",
    ),
    _r(
        "NC204",
        "unpublished",
        "info",
        "Post is not published",
        "`published: false` (or `no`, or an empty value) keeps the post off the site.",
        "---\npublished: false\n---\n",
        "---\npublished: true\n---\n",
    ),
    _r(
        "NC205",
        "filename-date-mismatch",
        "warning",
        "File name date differs from the post's date",
        "The date in the file name is not the day of the front-matter `date` in the site's time "
        "zone. Jekyll uses the front-matter date for the URL, so links built from the file name "
        "break.",
        "_posts/2024-01-02-x.md with date: 2024-01-01 10:00 +0800",
        "_posts/2024-01-01-x.md with date: 2024-01-01 10:00 +0800",
    ),
    _r(
        "NC206",
        "timestamp-without-offset",
        "warning",
        "Unquoted timestamp without a UTC offset",
        "Jekyll's YAML parser reads an unquoted `2022-01-18 19:10:33` as UTC whatever the site's "
        "`timezone`, so the post shows 8 hours later in Asia/Shanghai and may move to the next "
        "day and URL. Write the offset. `--fix --unsafe-fixes` adds the site's offset (which "
        "changes what Jekyll publishes).",
        "---\ndate: 2022-01-18 19:10:33\n---\n",
        "---\ndate: 2022-01-18 19:10:33 +0800\n---\n",
        "unsafe",
    ),
    _r(
        "NC207",
        "categories-string-with-spaces",
        "warning",
        "`categories` string holds spaces",
        "Jekyll splits a `categories` string on whitespace, so `categories: 宏观 经济` gives two "
        "categories. An error when a page of the site declares the whole string as one "
        "`category:` (its listing will miss the post). Use a list, or `category:` for one.",
        "---\ncategories: 宏观 经济\n---\n",
        "---\ncategory: 宏观 经济\n---\n",
    ),
    _r(
        "NC208",
        "missing-layout",
        "warning",
        "Layout does not exist",
        "The `layout` is not in the site's _layouts/ and the site names no theme (`theme:` for a "
        "theme gem, `remote_theme:` on GitHub Pages): Jekyll warns and publishes the post "
        "without any layout.",
        "---\nlayout: artcle\n---\n",
        "---\nlayout: post\n---\n",
    ),
    _r(
        "NC209",
        "url-collision",
        "error",
        "Two posts have the same URL",
        "Jekyll writes both to the same file; the one written last silently replaces the other.",
        "_posts/2024-01-01-a.md and news/_posts/2024-01-01-a.md with permalink /a/",
        "distinct permalinks",
    ),
    _r(
        "NC210",
        "front-matter-unreadable-by-jekyll",
        "error",
        "Jekyll cannot apply this front matter",
        "A value Jekyll's own code chokes on (`categories: 2022`, a numeric `slug`, an unknown "
        "permalink placeholder): the build fails or the post loses all its front matter.",
        "---\ncategories: {a: 1}\n---\n",
        "---\ncategories: [a]\n---\n",
    ),
    # --- NC3: metadata -----------------------------------------------------------------------
    _r(
        "NC301",
        "missing-field",
        "error",
        "Required field is missing or empty, or the title is empty",
        "Every post must have the fields listed in `required` in config (none by default: Jekyll "
        "takes a missing date from the file name and makes a missing title from the slug). A "
        "title that is present but empty is reported without config: Jekyll publishes it blank.",
        '---\ntitle: ""\n---\n',
        "---\ntitle: A real title\ndate: 2024-01-01\n---\n",
    ),
    _r(
        "NC302",
        "wrong-type",
        "error",
        "Field has the wrong type",
        "title must be a string, categories and tags a string or a list of strings, published "
        "a boolean (plus any `type` set in config).",
        '---\ntitle: 2024\npublished: "false"\n---\n',
        '---\ntitle: "2024"\npublished: false\n---\n',
    ),
    _r(
        "NC303",
        "value-not-allowed",
        "error",
        "Value is not one of the allowed values",
        "Config `[tool.newsctl.allowed]` lists the values a field may take.",
        "---\ncategories: emnwes\n---\n",
        "---\ncategories: emnews\n---\n",
    ),
    _r(
        "NC304",
        "pattern-mismatch",
        "error",
        "Value does not match the required pattern",
        "Config `[tool.newsctl.pattern]` gives a regular expression a field's value must match.",
        "---\nsource: ftp://x\n---\n",
        "---\nsource: https://example.com/x\n---\n",
    ),
    _r(
        "NC305",
        "title-whitespace",
        "warning",
        "Title has leading or trailing whitespace",
        "Usually a scraping artefact. `--fix` trims it.",
        '---\ntitle: " 标题 "\n---\n',
        '---\ntitle: "标题"\n---\n',
        "safe",
    ),
    _r(
        "NC306",
        "title-unbalanced",
        "warning",
        "Title has unbalanced quotes or brackets",
        "An odd number of quotes or an unclosed bracket (“…, 《…, (…) usually means the title was cut.",
        '---\ntitle: "《人民日报》评论：坚持"\n---\n',
        "---\ntitle: 《人民日报》评论\n---\n",
    ),
    _r(
        "NC307",
        "schema-violation",
        "error",
        "Front matter does not match the JSON Schema",
        'Config `schema = "path/to/schema.json"` checks every post\'s front matter.',
        "---\nauthor: 7\n---\n",
        "---\nauthor: 张三\n---\n",
    ),
    # --- NC4: the body -------------------------------------------------------------------------
    _r(
        "NC401",
        "empty-body",
        "warning",
        "Post body is empty",
        "The post has front matter but nothing to read.",
        "---\ntitle: x\n---\n\n",
        "---\ntitle: x\n---\nText.\n",
    ),
    _r(
        "NC402",
        "empty-link",
        "warning",
        "Link with an empty target",
        '`<a href="">`, `[text]()` or `<>` link to nothing (the scraper lost the URL).',
        '<a href="">原文</a>',
        '<a href="https://example.com/a">原文</a>',
    ),
    _r(
        "NC403",
        "javascript-url",
        "error",
        "javascript: URL in the body",
        "A `javascript:` link or image source runs script in the reader's browser.",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="https://example.com">x</a>',
    ),
    _r(
        "NC404",
        "script-tag",
        "warning",
        "<script> element in the body",
        "Scraped pages bring trackers and widgets along; a post body should not run script.",
        '<script src="https://tracker.example/t.js"></script>',
        "(no script)",
    ),
    _r(
        "NC405",
        "image-without-src",
        "warning",
        "Image without a source",
        "`<img>` without `src` (or with an empty one) shows a broken image.",
        '<img alt="图">',
        '<img src="https://example.com/a.png" alt="图">',
    ),
    # --- NC5: the archive ----------------------------------------------------------------------
    _r(
        "NC501",
        "duplicate-title",
        "warning",
        "Same title as another post on the same day",
        "Scrapers that run twice write the same story twice.",
        "two posts titled 央行降准 on 2024-01-01",
        "one of them",
    ),
    _r(
        "NC502",
        "duplicate-source",
        "warning",
        "Same source link as another post",
        "The first absolute link on its own line (or the field named by `duplicate-key` in "
        "config) identifies the story's source; two posts with one source are duplicates.",
        "<https://example.com/n/1> in two posts",
        "one of them",
    ),
    _r(
        "NC503",
        "duplicate-story",
        "warning",
        "Same opening text as another post that day",
        "Two posts of the same day whose bodies open with the same text (HTML tags, links, "
        "punctuation and spaces set aside) tell the same story, even when the scraper gave them "
        "different titles and source links. Rewritten versions of one story are not detected.",
        "two posts whose bodies start 离岸人民币兑美元升至6.3512，为2018年以来最高水平",
        "one of them",
    ),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}


def matches(code: str, selectors: tuple[str, ...] | list[str]) -> bool:
    """Whether ``code`` is named by any selector: a full code, a prefix (``NC2``), or ``ALL``."""
    return any(selector == "ALL" or code.startswith(selector) for selector in selectors)


def unknown_selectors(selectors: list[str] | tuple[str, ...]) -> list[str]:
    """Selectors that name no rule (a typo in --select or config)."""
    return [s for s in selectors if s != "ALL" and not any(code.startswith(s) for code in RULES)]
