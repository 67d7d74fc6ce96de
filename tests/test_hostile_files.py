"""Files in an archive that must never hang or stop newsctl: FIFOs and other non-regular files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

FIFO = "_posts/2024-03-02-fifo.md"


@pytest.fixture
def archive_with_fifo(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".newsctl"))
    os.mkfifo(root / FIFO)
    return root


def newsctl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # A subprocess with a timeout: a command that opens the FIFO blocks forever.
    return subprocess.run([sys.executable, "-m", "newsctl", *args], capture_output=True, text=True, timeout=60, cwd=cwd)


@pytest.mark.parametrize(
    ("command", "expected_code", "reported_on"),
    [
        (["list", "--no-index"], 0, "stderr"),
        (["list"], 0, "stderr"),
        (["parse", "--no-body"], 0, "stderr"),
        (["stats"], 0, "stderr"),
        (["export"], 0, "stderr"),
        (["index"], 0, "stderr"),
        (["search", "结算"], 0, None),  # search reports only its matches
        (["validate", "--no-cache"], 1, "stdout"),  # NC102: a FIFO in _posts fails the gate
    ],
)
def test_a_fifo_in_posts_is_reported_once_and_never_opened(
    archive_with_fifo: Path, command: list[str], expected_code: int, reported_on: str | None
) -> None:
    result = newsctl(*command, str(archive_with_fifo))
    assert result.returncode == expected_code, result.stderr
    if reported_on is not None:
        output = result.stderr if reported_on == "stderr" else result.stdout
        assert output.count("not a regular file") == 1, output
    assert "internal error" not in result.stderr


def test_convert_goes_on_past_a_fifo(archive_with_fifo: Path, tmp_path: Path) -> None:
    result = newsctl("convert", "--out", str(tmp_path / "out"), str(archive_with_fifo))
    assert result.returncode == 0, result.stderr
    assert "not a regular file" in result.stderr
    assert len(list((tmp_path / "out").rglob("*.md"))) > 10


def test_a_fifo_named_on_the_command_line_is_not_opened(archive_with_fifo: Path) -> None:
    result = newsctl("parse", str(archive_with_fifo / FIFO))
    assert result.returncode == 0
    assert result.stdout.strip() == "[]"
    assert "not a regular file" in result.stderr
