"""README is the manual: its examples are real output and it names every command and option."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from newsctl.cli import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _console_blocks() -> list[str]:
    return re.findall(r"```console\n(.*?)```", README, re.DOTALL)


@pytest.mark.parametrize("block", _console_blocks(), ids=lambda b: b.splitlines()[0][:50])
def test_readme_console_examples_print_what_they_show(block: str, tmp_path: Path) -> None:
    commands = [line[2:] for line in block.splitlines() if line.startswith("$ ")]
    expected = "".join(line + "\n" for line in block.splitlines() if not line.startswith("$ "))
    script = "\n".join(commands).replace("newsctl ", f"{sys.executable} -m newsctl ")
    env = {**os.environ, "NO_COLOR": "1"}
    # In a copy: examples that build an index or fix files must not change the repository.
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns(".newsctl"))
    proc = subprocess.run(["bash", "-c", "exec 2>&1\n" + script], cwd=tmp_path, capture_output=True, text=True, env=env)
    # Timings differ from run to run.
    assert re.sub(r"in \d+\.\d+ s", "in S s", proc.stdout) == re.sub(r"in \d+\.\d+ s", "in S s", expected)


def test_readme_documents_every_command_and_option() -> None:
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        assert f"### `newsctl {name}`" in README, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(f"`{opt}" in README or f"{opt} " in README for opt in param.opts), (name, param.opts)


def test_readme_lists_every_rule() -> None:
    from newsctl.validate.rules import RULES

    for rule in RULES.values():
        assert f"| {rule.code} | {rule.name} | {rule.severity} |" in README, rule.code


def _python_blocks() -> list[str]:
    return [re.sub(r"^  ", "", block, flags=re.M) for block in re.findall(r"```python\n(.*?)```", README, re.DOTALL)]


@pytest.mark.parametrize("block", _python_blocks(), ids=lambda b: b.splitlines()[0][:50])
def test_readme_python_examples_run(block: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # In a copy, as the console examples: a search builds an index, validate a cache.
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns(".newsctl"))
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
