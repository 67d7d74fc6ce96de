"""The output of ``newsctl validate``: one writer per ``--output-format``.

Every writer takes the diagnostics already sorted by (path, line, column, code), the run's
:class:`~newsctl.validate.diagnostics.Summary` and a text stream, and writes the whole report:

- ``text``: for people, grouped by file like ruff, with an optional statistics table and a
  summary line;
- ``json``: one JSON array of :meth:`Diagnostic.to_dict` objects (no summary);
- ``github``: GitHub Actions workflow commands (``::error file=…::message``), one a line;
- ``junit``: JUnit XML, one test case per checked file, for GitLab and Jenkins;
- ``sarif``: SARIF 2.1.0 for GitHub code scanning.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Any
from urllib.parse import quote

from newsctl.validate.diagnostics import Diagnostic, Severity, Summary
from newsctl.validate.rules import RULES

FORMATS = ("text", "json", "github", "junit", "sarif")

SEVERITY_STYLES: dict[Severity, str] = {"error": "red", "warning": "yellow", "info": "blue"}
GITHUB_COMMANDS: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "notice"}
SARIF_LEVELS: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/newsctl/newsctl"


#: On a terminal, a rule found more often than this shows only its first findings, then a count.
GROUP_AFTER = 5
UNSAFE_NOTE = "(they change what Jekyll publishes)"


@dataclass(frozen=True, slots=True)
class FixHint:
    """What ``--fix`` could do about the findings reported: how many it fixes (``safe``), how
    many only with ``--unsafe-fixes`` (``unsafe``), and whether ``--fix`` was given."""

    safe: int = 0
    unsafe: int = 0
    fix_asked: bool = False

    def lines(self, fixed: int) -> list[str]:
        """Ruff's ``[*] N fixable with ...`` lines; a --fix that could fix nothing says why."""
        found: list[str] = []
        if self.safe and not self.fix_asked:
            found.append(f"[*] {self.safe} fixable with `--fix`.")
        if self.unsafe:
            if self.fix_asked and not fixed:
                found.append(
                    f"--fix fixed nothing: {_plural(self.unsafe, 'finding')} "
                    f"{'is' if self.unsafe == 1 else 'are'} fixed only with `--fix --unsafe-fixes` {UNSAFE_NOTE}."
                )
            else:
                found.append(f"[*] {self.unsafe} fixable with `--fix --unsafe-fixes` {UNSAFE_NOTE}.")
        return found


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# --- text -------------------------------------------------------------------------------------


def summary_line(summary: Summary) -> str:
    """``Found 3 errors, 2 warnings, 1 info in 4 files (156 posts checked in 0.42 s).``, or
    ``All checks passed: 156 posts in 0.42 s.`` when there is no error and no warning, or
    ``No posts checked (0.01 s).`` when nothing was (a path missing, or not a post)."""
    seconds = f"{summary.seconds:.2f} s"
    if summary.posts_checked == 0 and summary.errors == summary.warnings == summary.infos == 0:
        return f"No posts checked ({seconds})."
    if summary.errors == 0 and summary.warnings == 0:
        infos = f" ({_plural(summary.infos, 'info')})" if summary.infos else ""
        return f"All checks passed: {_plural(summary.posts_checked, 'post')} in {seconds}{infos}."
    counts = [
        _plural(count, noun)
        for count, noun in ((summary.errors, "error"), (summary.warnings, "warning"), (summary.infos, "info"))
        if count
    ]
    files = _plural(summary.files_with_findings, "file")
    return f"Found {', '.join(counts)} in {files} ({_plural(summary.posts_checked, 'post')} checked in {seconds})."


def statistics_rows(diagnostics: Sequence[Diagnostic]) -> list[tuple[int, str, str, Severity]]:
    """(count, code, rule name, severity) per rule, most frequent first, then by code."""
    counts = Counter(d.code for d in diagnostics)
    severities = {d.code: d.severity for d in reversed(diagnostics)}  # the first one seen wins
    rows = [(n, code, RULES[code].name if code in RULES else "", severities[code]) for code, n in counts.items()]
    return sorted(rows, key=lambda row: (-row[0], row[1]))


def _shown(diagnostics: Sequence[Diagnostic]) -> tuple[list[Diagnostic], list[str]]:
    """The findings a terminal shows (the first ``GROUP_AFTER`` of each rule) and a line per
    rule saying how many more there are."""
    counts = Counter(d.code for d in diagnostics)
    if all(n <= GROUP_AFTER for n in counts.values()):
        return list(diagnostics), []
    seen: Counter[str] = Counter()
    shown = []
    for d in diagnostics:
        seen[d.code] += 1
        if seen[d.code] <= GROUP_AFTER:
            shown.append(d)
    more = [
        f"… {n - GROUP_AFTER} more {code}{f' ({RULES[code].name})' if code in RULES else ''} not shown"
        for code, n in sorted(counts.items())
        if n > GROUP_AFTER
    ]
    more.append("(every finding: pipe the output, or --format json)")
    return shown, more


def _text_lines(
    diagnostics: Sequence[Diagnostic],
    summary: Summary,
    *,
    statistics: bool,
    fixes: Sequence[str],
    group: bool = False,
    hint: FixHint = FixHint(),
    plain: bool = False,
) -> list[list[tuple[str, str]]]:
    """The text report as lines of (text, style) pieces; ``[]`` is a blank line. With ``plain``
    (no colour) a finding's line is one piece: a fifth of the time on a large archive."""
    blocks: list[list[list[tuple[str, str]]]] = []
    if fixes:
        blocks.append([[(fix, "")] for fix in fixes])
    shown, more = _shown(diagnostics) if group else (list(diagnostics), [])
    for path, group_of_path in groupby(shown, key=lambda d: d.path):
        if plain:
            blocks.append([[(f"{path}:{d.line}:{d.column}: {d.code} {d.message}", "")] for d in group_of_path])
            continue
        blocks.append(
            [
                [
                    (path, "bold"),
                    (f":{d.line}:{d.column}: ", ""),
                    (d.code, SEVERITY_STYLES[d.severity]),
                    (f" {d.message}", ""),
                ]
                for d in group_of_path
            ]
        )
    if more:
        blocks.append([[(line, "")] for line in more])
    if (statistics or more) and diagnostics:
        rows = statistics_rows(diagnostics)
        count_width = max(len(str(row[0])) for row in rows)
        code_width = max(len(row[1]) for row in rows)
        name_width = max(len(row[2]) for row in rows)
        blocks.append(
            [
                [
                    (f"  {count:>{count_width}}  ", ""),
                    (code.ljust(code_width), SEVERITY_STYLES[severity]),
                    (f"  {name:<{name_width}}  {severity}", ""),
                ]
                for count, code, name, severity in rows
            ]
        )
    passed = summary.errors == 0 and summary.warnings == 0
    closing = [[(summary_line(summary), "bold green" if passed else "bold")]]
    if summary.fixed:
        closing.append([(f"Fixed {_plural(summary.fixed, 'problem')}.", "")])
    closing.extend([(line, "")] for line in hint.lines(summary.fixed))
    blocks.append(closing)
    lines: list[list[tuple[str, str]]] = []
    for i, block in enumerate(blocks):
        if i:
            lines.append([])
        lines.extend(block)
    return lines


def write_text(
    diagnostics: Sequence[Diagnostic],
    summary: Summary,
    out: IO[str],
    *,
    color: bool,
    statistics: bool = False,
    fixes: Sequence[str] = (),
    group: bool = False,
    hint: FixHint = FixHint(),
) -> None:
    """For people: the fixes made, then ``path:line:col: CODE message`` lines grouped by file (a
    blank line between files), then with ``statistics`` a count per rule, then the summary and
    what ``--fix`` could do (``hint``).

    With ``group`` (a terminal) a rule found more than ``GROUP_AFTER`` times shows only its
    first findings, a line saying how many more, and the count per rule.

    With ``color`` the path is bold and the code red, yellow or blue by severity, through rich
    (which honours ``NO_COLOR`` and ``TERM=dumb``); user text goes into rich ``Text`` pieces, never
    through markup, so brackets and ``:emoji:`` stay as written. Without ``color`` the lines are
    written as they are, without loading rich (fifty times faster on a large archive).
    """
    lines = _text_lines(
        diagnostics, summary, statistics=statistics, fixes=fixes, group=group, hint=hint, plain=not color
    )
    if not color:
        out.writelines("".join(piece for piece, _ in line) + "\n" for line in lines)
        return

    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=True, highlight=False, soft_wrap=True, emoji=False, markup=False)
    text = Text()
    for line in lines:
        for piece, style in line:
            text.append(piece, style=style or None)
        text.append("\n")
    text.rstrip()
    console.print(text)


# --- json -------------------------------------------------------------------------------------


def write_json(diagnostics: Sequence[Diagnostic], summary: Summary, out: IO[str]) -> None:
    """One JSON array of objects with keys path, line, column, code, severity, message, in that
    order; UTF-8 text (no ``\\u`` escapes), indented by 2, with a final newline. No summary.

    Written as ``json.dumps(..., ensure_ascii=False, indent=2)`` would, but each string through
    the C encoder: the pure-Python one that ``indent`` uses took most of a replayed run's time."""
    if not diagnostics:
        out.write("[]\n")
        return
    from json.encoder import encode_basestring as text

    entries = (
        f'{"," if i else "["}\n  {{\n    "path": {text(d.path)},\n    "line": {int(d.line)},'
        f'\n    "column": {int(d.column)},\n    "code": {text(d.code)},\n    "severity": {text(d.severity)},'
        f'\n    "message": {text(d.message)}\n  }}'
        for i, d in enumerate(diagnostics)
    )
    _write_chunks(entries, "\n]\n", out)


def _write_json(value: object, out: IO[str]) -> None:
    """``value`` as UTF-8 JSON indented by 2, with a final newline, in writes of about 64 KB
    (json.dump writes every token on its own: 136,000 writes for 5,000 findings, most of the
    time of a run that replays its report), never holding the whole text."""
    _write_chunks(json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(value), "\n", out)


def _write_chunks(chunks: Iterable[str], last: str, out: IO[str]) -> None:
    """``chunks`` then ``last`` to ``out`` in writes of about 64 KB."""
    pending: list[str] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= 65536:
            out.write("".join(pending))
            pending, size = [], 0
    pending.append(last)
    out.write("".join(pending))


# --- github -----------------------------------------------------------------------------------


def github_escape_data(value: str) -> str:
    """Escape a workflow command's message as @actions/core does (``escapeData``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_escape_property(value: str) -> str:
    """Escape a workflow command's property value as @actions/core does (``escapeProperty``)."""
    return github_escape_data(value).replace(":", "%3A").replace(",", "%2C")


def write_github(diagnostics: Sequence[Diagnostic], summary: Summary, out: IO[str]) -> None:
    """GitHub Actions annotations: ``::error file=…,line=…,col=…,title=CODE::message``, one a
    line (``::warning`` for warnings, ``::notice`` for infos)."""
    for d in diagnostics:
        properties = f"file={github_escape_property(d.path)},line={d.line},col={d.column}"
        properties += f",title={github_escape_property(d.code)}"
        out.write(f"::{GITHUB_COMMANDS[d.severity]} {properties}::{github_escape_data(d.message)}\n")


# --- junit ------------------------------------------------------------------------------------

# Characters XML 1.0 does not allow, even escaped (ElementTree would write them as they are).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(value: str) -> str:
    return _XML_INVALID.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def _junit_lines(diagnostics: Sequence[Diagnostic]) -> str:
    return "\n".join(_xml_text(f"{d.line}:{d.column}: {d.code} {d.message}") for d in diagnostics)


def write_junit(
    diagnostics: Sequence[Diagnostic], summary: Summary, out: IO[str], *, files: Sequence[str], strict: bool = False
) -> None:
    """JUnit XML: one ``<testcase>`` per checked file in ``files`` (clean files pass), plus one for
    any other path a diagnostic names. A file with errors (or, when ``strict``, warnings) gets one
    ``<failure message="N problems" type="FIRST-CODE">`` listing ``line:col: CODE message`` lines;
    its other findings (and those of a file that passes) go into ``<system-out>``."""
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    paths = list(dict.fromkeys(files))
    seen = set(paths)
    paths.extend(path for path in by_path if path not in seen)
    failing: tuple[Severity, ...] = ("error", "warning") if strict else ("error",)

    time = f"{summary.seconds:.3f}"
    suites = ET.Element("testsuites", name="newsctl")
    suite = ET.SubElement(suites, "testsuite", name="newsctl validate")
    failures = 0
    for path in paths:
        case = ET.SubElement(suite, "testcase", classname="newsctl", name=_xml_text(path), file=_xml_text(path))
        found = by_path.get(path, [])
        failed = [d for d in found if d.severity in failing]
        passed = [d for d in found if d.severity not in failing]
        if failed:
            failures += 1
            failure = ET.SubElement(
                case, "failure", message=_plural(len(failed), "problem"), type=_xml_text(failed[0].code)
            )
            failure.text = _junit_lines(failed)
        if passed:
            ET.SubElement(case, "system-out").text = _junit_lines(passed)
    counts = {"tests": str(len(paths)), "failures": str(failures), "errors": "0", "skipped": "0", "time": time}
    for element in (suites, suite):
        element.attrib.update(counts)
    ET.indent(suites, space="  ")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")


# --- sarif ------------------------------------------------------------------------------------


def sarif_uri(path: str) -> str:
    """A diagnostic's path as a SARIF ``artifactLocation.uri``: forward slashes, percent-encoded
    (GitHub decodes it), relative to the checkout (``%SRCROOT%``) unless the path is absolute."""
    if PureWindowsPath(path).is_absolute() and not path.startswith("/"):
        return PureWindowsPath(path).as_uri()
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return PurePosixPath(posix).as_uri()
    while posix.startswith("./"):
        posix = posix[2:]
    return quote(posix, safe="/")


def _sarif_help(code: str) -> dict[str, str]:
    rule = RULES[code]
    bad, good = rule.bad.rstrip("\n"), rule.good.rstrip("\n")
    text = f"{rule.explanation}\n\nBad:\n{bad}\n\nGood:\n{good}"
    markdown = f"{rule.explanation}\n\nBad:\n\n```\n{bad}\n```\n\nGood:\n\n```\n{good}\n```"
    return {"text": text, "markdown": markdown}


def sarif_rules() -> list[dict[str, Any]]:
    """Every rule as a SARIF ``reportingDescriptor``, in code order (``ruleIndex`` points here)."""
    return [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            # GitHub shows at most 1000 characters of it.
            "fullDescription": {"text": rule.explanation[:1000]},
            "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity]},
            "help": _sarif_help(rule.code),
        }
        for rule in RULES.values()
    ]


def sarif_log(diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    """The SARIF 2.1.0 log as a JSON-ready dict: one run, every rule, one result per diagnostic."""
    from newsctl import __version__

    index = {code: i for i, code in enumerate(RULES)}
    results: list[dict[str, Any]] = []
    for d in diagnostics:
        uri = sarif_uri(d.path)
        artifact: dict[str, str] = {"uri": uri}
        if "://" not in uri:
            artifact["uriBaseId"] = "%SRCROOT%"
        result: dict[str, Any] = {"ruleId": d.code}
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        result["level"] = SARIF_LEVELS[d.severity]
        result["message"] = {"text": d.message}
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": artifact,
                    # A point: GitHub wants an end, SARIF's endColumn is the column after the region.
                    "region": {
                        "startLine": d.line,
                        "startColumn": d.column,
                        "endLine": d.line,
                        "endColumn": d.column + 1,
                    },
                }
            }
        ]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "newsctl",
                        "informationUri": INFORMATION_URI,
                        "version": __version__,
                        "rules": sarif_rules(),
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def write_sarif(diagnostics: Sequence[Diagnostic], summary: Summary, out: IO[str]) -> None:
    """SARIF 2.1.0 for GitHub code scanning (``github/codeql-action/upload-sarif``)."""
    _write_json(sarif_log(diagnostics), out)


# --- dispatch ---------------------------------------------------------------------------------


def render(
    fmt: str,
    diagnostics: Sequence[Diagnostic],
    summary: Summary,
    out: IO[str],
    *,
    color: bool = False,
    statistics: bool = False,
    fixes: Sequence[str] = (),
    files: Sequence[str] = (),
    strict: bool = False,
    group: bool = False,
    hint: FixHint = FixHint(),
) -> None:
    """Write the report in ``fmt`` (one of :data:`FORMATS`); each format takes the options it uses."""
    if fmt == "text":
        write_text(diagnostics, summary, out, color=color, statistics=statistics, fixes=fixes, group=group, hint=hint)
    elif fmt == "json":
        write_json(diagnostics, summary, out)
    elif fmt == "github":
        write_github(diagnostics, summary, out)
    elif fmt == "junit":
        write_junit(diagnostics, summary, out, files=files, strict=strict)
    elif fmt == "sarif":
        write_sarif(diagnostics, summary, out)
    else:
        raise ValueError(f"unknown output format {fmt!r} (expected one of {', '.join(FORMATS)})")
