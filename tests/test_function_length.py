"""No function in newsctl/ is longer than 80 lines unless it says why: a comment or docstring
line in it starting with "Long because". Long functions hide state and steps that deserve names."""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "newsctl"
LIMIT = 80
REASON = "Long because"

# Functions allowed over the limit without a reason in them: none, and it should stay so.
ALLOWED: set[str] = set()


def _comments(source: str) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(t.start[0], t.string.lstrip("# ")) for t in tokens if t.type == tokenize.COMMENT]


def _long_functions() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        comments = _comments(source)
        relative = path.relative_to(PACKAGE.parent).as_posix()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1  # from ``def`` (click's option decorators aside)
            if length <= LIMIT:
                continue
            docstring = ast.get_docstring(node) or ""
            explained = any(line.strip().startswith(REASON) for line in docstring.splitlines()) or any(
                node.lineno <= line <= node.end_lineno and text.startswith(REASON) for line, text in comments
            )
            name = f"{relative}:{node.name}"
            if not explained and name not in ALLOWED:
                found.append(f"{name} ({length} lines)")
    return found


def test_no_function_is_over_80_lines_without_a_reason() -> None:
    assert _long_functions() == []


def test_the_check_sees_a_long_function_and_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "newsctl"
    package.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(LIMIT))
    (package / "long.py").write_text(f"def long():\n{body}\n\ndef explained():\n    # Long because: a table.\n{body}")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    assert _long_functions() == ["newsctl/long.py:long (81 lines)"]
