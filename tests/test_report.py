"""The output formats of ``newsctl validate``: text, json, github, junit, sarif."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest

from newsctl import __version__
from newsctl.validate.diagnostics import Diagnostic, Summary
from newsctl.validate.report import (
    FORMATS,
    GROUP_AFTER,
    FixHint,
    render,
    sarif_uri,
    summary_line,
    write_github,
    write_json,
    write_junit,
    write_sarif,
    write_text,
)
from newsctl.validate.rules import RULES

ODD = "_posts/2024-01-01-a,b:c.md"  # a comma and a colon: both must be escaped in a GitHub property
NEWS = "_posts/2024-01-02-新闻.md"
CLEAN = "_posts/2024-01-03-clean.md"

DIAGNOSTICS = sorted(
    [
        Diagnostic(ODD, 1, 1, "NC105", "error", "Post has no front matter"),
        Diagnostic(ODD, 3, 7, "NC206", "warning", "date 2022-01-18 19:10:33 没有时区, 100% [bold]sure[/]"),
        Diagnostic(NEWS, 2, 8, "NC306", "warning", "标题不平衡：《人民日报"),
        Diagnostic(NEWS, 4, 1, "NC204", "info", "Post is not published"),
        Diagnostic(NEWS, 5, 1, "NC301", "error", "Required field date is missing"),
    ]
)
SUMMARY = Summary.of(DIAGNOSTICS, posts_checked=156, seconds=0.42)
FILES = [ODD, CLEAN, NEWS]


def output(
    write: Callable[..., None], diagnostics: list[Diagnostic] = DIAGNOSTICS, summary: Summary = SUMMARY, **opts: Any
) -> str:
    out = io.StringIO()
    write(diagnostics, summary, out, **opts)
    return out.getvalue()


# --- text ----------------------------------------------------------------------------------------


def test_text_groups_findings_by_file_with_a_blank_line_between() -> None:
    assert output(write_text, color=False) == (
        "_posts/2024-01-01-a,b:c.md:1:1: NC105 Post has no front matter\n"
        "_posts/2024-01-01-a,b:c.md:3:7: NC206 date 2022-01-18 19:10:33 没有时区, 100% [bold]sure[/]\n"
        "\n"
        "_posts/2024-01-02-新闻.md:2:8: NC306 标题不平衡：《人民日报\n"
        "_posts/2024-01-02-新闻.md:4:1: NC204 Post is not published\n"
        "_posts/2024-01-02-新闻.md:5:1: NC301 Required field date is missing\n"
        "\n"
        "Found 2 errors, 2 warnings, 1 info in 2 files (156 posts checked in 0.42 s).\n"
    )


def test_text_statistics_table_counts_rules_before_the_summary() -> None:
    text = output(write_text, color=False, statistics=True)
    assert text.endswith(
        "\n\n"
        "  1  NC105  no-front-matter           error\n"
        "  1  NC204  unpublished               info\n"
        "  1  NC206  timestamp-without-offset  warning\n"
        "  1  NC301  missing-field             error\n"
        "  1  NC306  title-unbalanced          warning\n"
        "\n"
        "Found 2 errors, 2 warnings, 1 info in 2 files (156 posts checked in 0.42 s).\n"
    )


def test_text_statistics_puts_the_most_frequent_rule_first() -> None:
    diagnostics = [Diagnostic(f"_posts/{i:02}.md", 1, 1, "NC206", "warning", "x") for i in range(12)]
    diagnostics.append(Diagnostic("_posts/99.md", 1, 1, "NC105", "error", "x"))
    text = output(write_text, diagnostics, Summary.of(diagnostics, 13, 1.0), color=False, statistics=True)
    assert "\n  12  NC206  timestamp-without-offset  warning\n   1  NC105  no-front-matter           error\n" in text


def test_text_prints_fixes_first_and_the_fixed_count_last() -> None:
    summary = Summary.of(DIAGNOSTICS[:1], posts_checked=1, seconds=0.05, fixed=1)
    fixes = ["_posts/2024-01-01-a,b:c.md: fixed NC104 (removed byte-order mark)"]
    assert output(write_text, DIAGNOSTICS[:1], summary, color=False, fixes=fixes) == (
        "_posts/2024-01-01-a,b:c.md: fixed NC104 (removed byte-order mark)\n"
        "\n"
        "_posts/2024-01-01-a,b:c.md:1:1: NC105 Post has no front matter\n"
        "\n"
        "Found 1 error in 1 file (1 post checked in 0.05 s).\n"
        "Fixed 1 problem.\n"
    )


def test_text_without_findings_says_all_checks_passed() -> None:
    assert output(write_text, [], Summary.of([], 156, 0.42), color=False) == "All checks passed: 156 posts in 0.42 s.\n"


def test_text_with_only_infos_still_passes_and_counts_them() -> None:
    infos = [d for d in DIAGNOSTICS if d.severity == "info"]
    text = output(write_text, infos, Summary.of(infos, 1, 0.01, fixed=2), color=False)
    assert text.endswith("\n\nAll checks passed: 1 post in 0.01 s (1 info).\nFixed 2 problems.\n")


@pytest.mark.parametrize(
    ("errors", "warnings", "infos", "files", "expected"),
    [
        (0, 1, 0, 1, "Found 1 warning in 1 file (3 posts checked in 1.00 s)."),
        (3, 0, 2, 2, "Found 3 errors, 2 infos in 2 files (3 posts checked in 1.00 s)."),
        (0, 0, 2, 1, "All checks passed: 3 posts in 1.00 s (2 infos)."),
    ],
)
def test_summary_line_names_only_what_was_found(
    errors: int, warnings: int, infos: int, files: int, expected: str
) -> None:
    assert summary_line(Summary(errors, warnings, infos, files, posts_checked=3, seconds=1.0)) == expected


def test_text_in_colour_styles_path_and_code_by_severity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    text = output(write_text, color=True)
    assert "\x1b[1m_posts/2024-01-01-a,b:c.md\x1b[0m:1:1: \x1b[31mNC105\x1b[0m Post has no front matter\n" in text
    assert "\x1b[33mNC206\x1b[0m" in text
    assert "\x1b[34mNC204\x1b[0m" in text
    assert "[bold]sure[/]" in text  # user text is never read as rich markup


def test_text_in_colour_on_a_dumb_terminal_is_the_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    opts: dict[str, Any] = {"statistics": True, "fixes": ["_posts/x.md: fixed NC104 (removed byte-order mark)"]}
    assert output(write_text, color=True, **opts) == output(write_text, color=False, **opts)


def test_text_in_colour_honours_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("NO_COLOR", "1")
    text = output(write_text, color=True)
    assert "\x1b[3" not in text  # no foreground colour; bold stays, as no-color.org allows


# --- json ----------------------------------------------------------------------------------------


def test_json_is_one_array_with_keys_in_order() -> None:
    text = output(write_json)
    assert text.endswith("]\n")
    assert "没有时区" in text  # no \u escapes
    records = json.loads(text)
    assert [list(record) for record in records] == [["path", "line", "column", "code", "severity", "message"]] * 5
    assert records == [d.to_dict() for d in DIAGNOSTICS]


def test_json_without_findings_is_an_empty_array() -> None:
    assert json.loads(output(write_json, [])) == []


# --- github --------------------------------------------------------------------------------------


def test_github_writes_one_escaped_workflow_command_per_finding() -> None:
    assert output(write_github).splitlines() == [
        "::error file=_posts/2024-01-01-a%2Cb%3Ac.md,line=1,col=1,title=NC105::Post has no front matter",
        "::warning file=_posts/2024-01-01-a%2Cb%3Ac.md,line=3,col=7,title=NC206::date 2022-01-18 19:10:33 没有时区, 100%25 [bold]sure[/]",
        "::warning file=_posts/2024-01-02-新闻.md,line=2,col=8,title=NC306::标题不平衡：《人民日报",
        "::notice file=_posts/2024-01-02-新闻.md,line=4,col=1,title=NC204::Post is not published",
        "::error file=_posts/2024-01-02-新闻.md,line=5,col=1,title=NC301::Required field date is missing",
    ]


def test_github_escapes_newlines_in_the_message_and_percent_first() -> None:
    diagnostic = Diagnostic("a%b.md", 1, 1, "NC107", "error", "bad YAML\r\n  at 50%")
    assert (
        output(write_github, [diagnostic])
        == "::error file=a%25b.md,line=1,col=1,title=NC107::bad YAML%0D%0A  at 50%25\n"
    )


# --- junit ---------------------------------------------------------------------------------------


def junit(**opts: Any) -> ET.Element:
    text = output(write_junit, files=FILES, **opts)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def test_junit_has_one_testcase_per_checked_file_and_counts_failures() -> None:
    root = junit()
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("name") == "newsctl validate"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "0")
    assert suite.get("time") == "0.420"
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name"), c.get("file")) for c in cases] == [("newsctl", f, f) for f in FILES]


def test_junit_failure_lists_the_errors_of_a_file() -> None:
    cases = {c.get("name"): c for c in junit().iter("testcase")}
    failure = cases[NEWS].find("failure")
    assert failure is not None
    assert failure.get("message") == "1 problem"
    assert failure.get("type") == "NC301"
    assert failure.text == "5:1: NC301 Required field date is missing"
    odd = cases[ODD].find("failure")
    assert odd is not None
    assert (odd.get("type"), odd.text) == ("NC105", "1:1: NC105 Post has no front matter")


def test_junit_clean_file_is_a_passing_testcase() -> None:
    cases = {c.get("name"): c for c in junit().iter("testcase")}
    assert list(cases[CLEAN]) == []


def test_junit_strict_fails_on_warnings_too() -> None:
    cases = {c.get("name"): c for c in junit(strict=True).iter("testcase")}
    failure = cases[NEWS].find("failure")
    assert failure is not None
    assert failure.get("message") == "2 problems"
    assert failure.get("type") == "NC306"
    assert failure.text == "2:8: NC306 标题不平衡：《人民日报\n5:1: NC301 Required field date is missing"
    assert cases[NEWS].findtext("system-out") == "4:1: NC204 Post is not published"


def test_junit_survives_characters_xml_cannot_hold() -> None:
    diagnostic = Diagnostic("_posts/x.md", 1, 1, "NC102", "error", "NUL byte \x00 at offset 3")
    text = output(write_junit, [diagnostic], Summary.of([diagnostic], 1, 0.0), files=["_posts/x.md"])
    assert ET.fromstring(text.encode("utf-8")).findtext(".//failure") == "1:1: NC102 NUL byte \\x00 at offset 3"


# --- sarif ---------------------------------------------------------------------------------------

# What GitHub code scanning requires of a SARIF 2.1.0 log (docs.github.com, "SARIF support for code
# scanning"), written as a JSON Schema.
_TEXT = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}
SARIF_ESSENTIALS: dict[str, Any] = {
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription", "fullDescription", "help"],
                                            "properties": {
                                                "shortDescription": _TEXT,
                                                "fullDescription": {
                                                    **_TEXT,
                                                    "properties": {"text": {"type": "string", "maxLength": 1000}},
                                                },
                                                "help": _TEXT,
                                                "defaultConfiguration": {
                                                    "properties": {
                                                        "level": {"enum": ["none", "note", "warning", "error"]}
                                                    }
                                                },
                                            },
                                        },
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "message", "locations"],
                            "properties": {
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "message": _TEXT,
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {
                                                            "uri": {"type": "string", "format": "uri-reference"}
                                                        },
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "required": [
                                                            "startLine",
                                                            "startColumn",
                                                            "endLine",
                                                            "endColumn",
                                                        ],
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1},
                                                            "startColumn": {"type": "integer", "minimum": 1},
                                                            "endLine": {"type": "integer", "minimum": 1},
                                                            "endColumn": {"type": "integer", "minimum": 1},
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def sarif() -> dict[str, Any]:
    log: dict[str, Any] = json.loads(output(write_sarif))
    return log


def test_sarif_declares_version_schema_and_tool() -> None:
    log = sarif()
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("newsctl", __version__)
    assert driver["informationUri"] == "https://github.com/newsctl/newsctl"


def test_sarif_lists_every_rule_with_its_documentation() -> None:
    rules = sarif()["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(RULES)
    by_id = {rule["id"]: rule for rule in rules}
    nc206 = by_id["NC206"]
    assert nc206["name"] == "timestamp-without-offset"
    assert nc206["shortDescription"]["text"] == RULES["NC206"].summary
    assert nc206["fullDescription"]["text"] == RULES["NC206"].explanation
    assert nc206["help"]["text"].startswith(RULES["NC206"].explanation)
    assert {by_id[code]["defaultConfiguration"]["level"] for code in ("NC204", "NC206", "NC105")} == {
        "note",
        "warning",
        "error",
    }


def test_sarif_results_map_severity_to_level_and_point_at_the_file() -> None:
    log = sarif()
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("NC105", "error"),
        ("NC206", "warning"),
        ("NC306", "warning"),
        ("NC204", "note"),
        ("NC301", "error"),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert results[1]["message"]["text"] == DIAGNOSTICS[1].message
    location = results[2]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "_posts/2024-01-02-%E6%96%B0%E9%97%BB.md", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 2, "startColumn": 8, "endLine": 2, "endColumn": 9}


def test_sarif_meets_github_code_scanning_essentials() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(sarif(), SARIF_ESSENTIALS, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("_posts/a,b:c.md", "_posts/a%2Cb%3Ac.md"),
        ("./_posts/a b.md", "_posts/a%20b.md"),
        ("news\\_posts\\x.md", "news/_posts/x.md"),
        ("/srv/site/_posts/x.md", "file:///srv/site/_posts/x.md"),
    ],
)
def test_sarif_uri_is_relative_with_forward_slashes_and_percent_encoded(path: str, uri: str) -> None:
    assert sarif_uri(path) == uri


# --- dispatch ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_dispatches_every_format(fmt: str) -> None:
    out = io.StringIO()
    render(fmt, DIAGNOSTICS, SUMMARY, out, files=FILES)
    assert out.getvalue().endswith("\n")


def test_render_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown output format"):
        render("xml", DIAGNOSTICS, SUMMARY, io.StringIO())


# --- text on a terminal: repeated findings grouped, fixes hinted ---------------------------------


def _naive(n: int) -> Diagnostic:
    return Diagnostic(f"_posts/2024-01-{n:02d}-p.md", 4, 1, "NC206", "warning", f"unquoted date {n}")


def test_text_on_a_terminal_shows_a_few_of_a_repeated_finding_and_counts_the_rest() -> None:
    many = [_naive(n) for n in range(1, 96)]
    text = output(write_text, many, Summary.of(many, 157, 0.3), color=False, group=True)
    assert text.count(": NC206 ") == GROUP_AFTER
    assert f"… {95 - GROUP_AFTER} more NC206 (timestamp-without-offset) not shown" in text
    assert "  95  NC206" in text  # the count per code, as --statistics prints it


def test_text_not_grouped_lists_every_finding() -> None:
    many = [_naive(n) for n in range(1, 96)]
    text = output(write_text, many, Summary.of(many, 157, 0.3), color=False)
    assert text.count(": NC206 ") == 95 and "not shown" not in text


def test_text_on_a_terminal_keeps_findings_that_do_not_repeat_much() -> None:
    assert output(write_text, color=False, group=True) == output(write_text, color=False)


def test_text_says_which_findings_unsafe_fixes_would_fix() -> None:
    text = output(write_text, color=False, hint=FixHint(unsafe=95))
    assert text.splitlines()[-1] == "[*] 95 fixable with `--fix --unsafe-fixes` (they change what Jekyll publishes)."


def test_text_says_which_findings_fix_would_fix() -> None:
    assert output(write_text, color=False, hint=FixHint(safe=2)).splitlines()[-1] == "[*] 2 fixable with `--fix`."


def test_text_says_when_fix_fixed_nothing_because_the_fixes_are_unsafe() -> None:
    text = output(write_text, color=False, hint=FixHint(unsafe=95, fix_asked=True))
    assert text.splitlines()[-1] == (
        "--fix fixed nothing: 95 findings are fixed only with `--fix --unsafe-fixes` (they change what Jekyll publishes)."
    )


@pytest.mark.parametrize("group", [False, True])
@pytest.mark.parametrize("statistics", [False, True])
def test_plain_text_lines_are_the_coloured_pieces_joined(group: bool, statistics: bool) -> None:
    """Without colour a finding's line is built as one piece (fast): the same text."""
    from newsctl.validate.report import _text_lines

    many = [Diagnostic(f"_posts/{n % 4}.md", n, 1, f"NC40{n % 3 + 1}", "warning", f"m {n} [x]") for n in range(40)]
    options: dict[str, Any] = {"statistics": statistics, "fixes": ["f"], "group": group, "hint": FixHint(safe=1)}
    summary = Summary.of(many, 9, 0.5)
    coloured = _text_lines(many, summary, **options)
    plain = _text_lines(many, summary, plain=True, **options)
    assert ["".join(p for p, _ in line) for line in plain] == ["".join(p for p, _ in line) for line in coloured]
