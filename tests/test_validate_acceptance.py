"""Acceptance criteria of ``newsctl validate`` on real and generated archives: every planted or
known problem is reported with the right rule, and nothing else is reported as an error."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsctl.cli import cli
from tests.conftest import CORPUS, EXAMPLES, SHARED, needs_corpus

FINEWS = CORPUS / "finews"
MAKE_ARCHIVE = SHARED / "tools" / "make-archive"

# Diagnostics (JSON records) per path relative to the validated folder.
Reports = dict[str, list[dict[str, Any]]]
# make-archive's truth (path -> defect kind) and the reports on its archive.
Generated = tuple[dict[str, str], Reports]


def validate(path: Path) -> Reports:
    """Diagnostics per path relative to ``path``: ``validate --no-cache --format json`` (no cache,
    so nothing is written into the shared corpus)."""
    result = CliRunner().invoke(cli, ["validate", "--no-cache", "--format", "json", str(path)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    found: Reports = defaultdict(list)
    for record in json.loads(result.stdout):
        found[os.path.relpath(record["path"], path)].append(record)
    return dict(found)


def codes(records: list[dict[str, Any]]) -> set[str]:
    return {r["code"] for r in records}


def errors_elsewhere(found: Reports, expected: set[str] | dict[str, Any]) -> dict[str, list[str]]:
    """Files not in ``expected`` that have error-severity diagnostics, with those lines."""
    return {
        path: [f"{r['line']}:{r['column']} {r['code']} {r['message']}" for r in records if r["severity"] == "error"]
        for path, records in found.items()
        if path not in expected and any(r["severity"] == "error" for r in records)
    }


# --- the finews corpus ----------------------------------------------------------------------------

# The posts of the real archive that are broken, and what each must be reported for.
FINEWS_MALFORMED: dict[str, set[str]] = {
    # no date in the file name (Jekyll skips it), empty title, date '  +0800', an empty <> link
    "_posts/-202205262391921712.md": {"NC201", "NC301", "NC202", "NC402"},
    # a blank line before the front matter: Jekyll reads it all as body text
    "_posts/2021-12-08-202112082206703990.md": {"NC110"},
    # an empty <> source link
    "_posts/2021-12-08-202112082206870651.md": {"NC402"},
}


@pytest.fixture(scope="module")
def finews() -> Reports:
    return validate(FINEWS)


def manifest_malformed() -> dict[str, str]:
    text = (FINEWS / "MANIFEST.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines())
    return {row[0]: row[2] for row in rows if len(row) >= 3 and row[2].startswith("MALFORMED")}


@needs_corpus()
@pytest.mark.parametrize("path", sorted(FINEWS_MALFORMED))
def test_finews_malformed_post_is_reported_for_each_of_its_problems(finews: Reports, path: str) -> None:
    found = codes(finews.get(path, []))
    assert FINEWS_MALFORMED[path] <= found, f"{path}: expected {sorted(FINEWS_MALFORMED[path])}, got {sorted(found)}"


@needs_corpus()
def test_finews_has_no_error_on_any_other_post(finews: Reports) -> None:
    assert errors_elsewhere(finews, FINEWS_MALFORMED) == {}


@needs_corpus()
def test_every_malformed_row_of_the_manifest_gets_a_diagnostic(finews: Reports) -> None:
    malformed = manifest_malformed()
    assert malformed, "MANIFEST.tsv lists no MALFORMED post"
    assert {path: note for path, note in malformed.items() if not finews.get(path)} == {}
    # The table above covers the manifest, so a new malformed post needs its expectation written down.
    assert set(malformed) == set(FINEWS_MALFORMED)


# --- examples -----------------------------------------------------------------------------------

# examples/broken: file -> the rule of the problem planted in it.
BROKEN: dict[str, str] = {
    "bad-date.md": "NC202",
    "bad-yaml.md": "NC107",
    "bom.md": "NC104",
    "empty-title.md": "NC301",
    "front-matter-not-mapping.md": "NC108",
    "not-utf8.md": "NC101",
    "unterminated-front-matter.md": "NC106",
}


def test_every_broken_example_is_in_the_table() -> None:
    assert sorted(p.name for p in (EXAMPLES / "broken").iterdir() if p.is_file()) == sorted(BROKEN)


@pytest.fixture(scope="module")
def broken() -> Reports:
    return validate(EXAMPLES / "broken")


@pytest.mark.parametrize(("name", "code"), sorted(BROKEN.items()))
def test_broken_example_is_reported_for_its_planted_problem(broken: Reports, name: str, code: str) -> None:
    found = broken.get(name, [])
    named = [r for r in found if r["code"] == code]
    assert named, f"{name}: expected {code}, got {sorted(codes(found))}"
    assert all(r["severity"] in ("error", "warning") for r in named)


def test_examples_site_has_no_error() -> None:
    result = CliRunner().invoke(cli, ["validate", "--no-cache", "--format", "json", str(EXAMPLES)])
    found = json.loads(result.stdout)
    assert [r for r in found if r["severity"] == "error"] == []
    assert result.exit_code == 0


# --- a generated, damaged archive ----------------------------------------------------------------

# make-archive defect kind -> the rules any one of which reports it (None: any error will do).
DEFECT_CODES: dict[str, set[str] | None] = {
    "bom": {"NC104"},
    "broken-date": {"NC202"},
    "categories-not-list-of-strings": {"NC210", "NC302"},
    "crlf": {"NC111"},
    "duplicate": {"NC501", "NC502"},
    "duplicate-key": {"NC109"},
    "empty-body": {"NC401"},
    "empty-title": {"NC301"},
    "future-date": {"NC203"},
    "gbk-encoding": {"NC101"},
    "invalid-yaml": {"NC107"},
    "no-date-in-filename": {"NC201"},
    "truncated": None,
    "unterminated-front-matter": {"NC106"},
}

# make-archive's "duplicate" writes the *generated* text of the post made just before it. When
# that post was itself damaged so that nothing of it can be read (or was replaced by another
# copy), the "duplicate" is the only readable copy of its story: no duplicate to report.
ORIGINAL_GONE = {
    "gbk-encoding",  # Jekyll skips a non-UTF-8 post: the copy is the one published
    "invalid-yaml",
    "unterminated-front-matter",
    "truncated",
    "broken-date",
    "no-date-in-filename",
    "duplicate",  # the original's text never reached the disk
}

IDENT = re.compile(r"(\d{8})\.[a-z]+$")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """(truth: path -> defect kind, diagnostics per path) for 1500 posts, 8% damaged."""
    if not MAKE_ARCHIVE.is_file():
        pytest.skip(f"{MAKE_ARCHIVE} is not present")
    base = tmp_path_factory.mktemp("generated")
    site, truth_file = base / "site", base / "truth.tsv"
    command = [sys.executable, str(MAKE_ARCHIVE), "--posts", "1500", "--out", str(site), "--defects", "0.08"]
    command += ["--truth", str(truth_file), "--seed", "7"]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    truth = dict(line.split("\t") for line in truth_file.read_text(encoding="utf-8").splitlines())
    return truth, validate(site)


def _index(path: str) -> int:
    match = IDENT.search(path)
    assert match, path
    return int(match.group(1))


def _exempt(truth: dict[str, str]) -> set[str]:
    """The "duplicates" whose original cannot be read (see ORIGINAL_GONE)."""
    kind_by_index = {_index(path): kind for path, kind in truth.items()}
    return {
        path
        for path, kind in truth.items()
        if kind == "duplicate" and kind_by_index.get(_index(path) - 1) in ORIGINAL_GONE
    }


def _recall(truth: dict[str, str], found: Reports, exempt: set[str]) -> tuple[str, list[str]]:
    """A per-kind recall table, and the damaged files not reported as expected."""
    rows, misses = [], []
    for kind, wanted in sorted(DEFECT_CODES.items()):
        paths = sorted(p for p, k in truth.items() if k == kind)
        hits = 0
        seen: Counter[str] = Counter()
        for path in paths:
            records = found.get(path, [])
            seen.update(codes(records))
            ok = any(r["severity"] == "error" for r in records) if wanted is None else bool(codes(records) & wanted)
            if ok:
                hits += 1
            elif path not in exempt:
                misses.append(f"{path} ({kind}): got {sorted(codes(records)) or 'nothing'}")
        skipped = sum(p in exempt for p in paths)
        note = f" ({skipped} exempt: original unreadable)" if skipped else ""
        recall = f"{hits}/{len(paths)}" + (f" = {hits / len(paths):.0%}" if paths else "")
        rows.append(f"  {kind:<32} {recall:<12} {dict(seen.most_common())}{note}")
    return "recall per defect kind:\n" + "\n".join(rows), misses


@needs_corpus()
def test_generated_archive_has_every_kind_of_defect(generated: Generated) -> None:
    truth, _ = generated
    assert len(truth) > 100
    assert set(truth.values()) == set(DEFECT_CODES)


@needs_corpus()
def test_generated_archive_every_damaged_file_is_reported_with_its_rule(generated: Generated) -> None:
    truth, found = generated
    exempt = _exempt(truth)
    table, misses = _recall(truth, found, exempt)
    print(table)
    assert misses == [], table + "\nmissed:\n  " + "\n  ".join(misses)


@needs_corpus()
def test_generated_archive_every_damaged_file_gets_some_diagnostic(generated: Generated) -> None:
    truth, found = generated
    exempt = _exempt(truth)
    silent = sorted(f"{path} ({kind})" for path, kind in truth.items() if not found.get(path) and path not in exempt)
    assert silent == [], _recall(truth, found, exempt)[0]
    # The exemption stays narrow: only a few duplicates of unreadable posts.
    assert all(truth[path] == "duplicate" for path in exempt) and len(exempt) <= 3


@needs_corpus()
def test_generated_archive_has_no_error_outside_the_damaged_files(generated: Generated) -> None:
    truth, found = generated
    false_errors = errors_elsewhere(found, truth)
    by_code = Counter(line.split()[1] for lines in false_errors.values() for line in lines)
    assert false_errors == {}, f"{len(false_errors)} undamaged files with errors, by code {dict(by_code)}"
