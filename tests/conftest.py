from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = Path(os.environ.get("NEWSCTL_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"

WritePost = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> WritePost:
    """Write a file below tmp_path: write("site/_posts/2022-01-01-x.md", text) -> its path."""

    def _write(relative: str, text: str | bytes = "") -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    return _write


@pytest.fixture
def site(tmp_path: Path, write: WritePost) -> Path:
    """An empty Jekyll site in Asia/Shanghai."""
    write("site/_config.yml", "timezone: Asia/Shanghai\n")
    return tmp_path / "site"


def needs_corpus() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


def run(*args: str) -> tuple[int, str, str]:
    """``newsctl ARGS`` through click's test runner: (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from newsctl.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr
