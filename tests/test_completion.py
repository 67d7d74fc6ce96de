"""``newsctl completion SHELL`` prints click's completion script, which completes commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsctl.cli import cli

SHELLS = ["bash", "zsh", "fish"]


def _invoke(args: list[str], env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(cli, args, env=env, prog_name="newsctl")
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_prints_what_clicks_variable_gives(shell: str) -> None:
    script = _invoke(["completion", shell])
    assert script == _invoke([], env={"_NEWSCTL_COMPLETE": f"{shell}_source"})
    assert "_NEWSCTL_COMPLETE" in script


def test_completion_of_a_subcommand_name_returns_candidates() -> None:
    env = {"_NEWSCTL_COMPLETE": "bash_complete", "COMP_WORDS": "newsctl se", "COMP_CWORD": "1"}
    assert _invoke([], env=env).splitlines() == ["plain,search"]


def test_completion_offers_the_shells_and_the_commands() -> None:
    shells = {"_NEWSCTL_COMPLETE": "bash_complete", "COMP_WORDS": "newsctl completion ", "COMP_CWORD": "2"}
    assert _invoke([], env=shells).splitlines() == [f"plain,{shell}" for shell in SHELLS]
    commands = {"_NEWSCTL_COMPLETE": "bash_complete", "COMP_WORDS": "newsctl ", "COMP_CWORD": "1"}
    assert {"plain,completion", "plain,list", "plain,validate"} <= set(_invoke([], env=commands).splitlines())


def test_completion_of_an_unknown_shell_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["completion", "tcsh"], prog_name="newsctl")
    assert result.exit_code == 2
    assert "'tcsh' is not one of 'bash', 'zsh', 'fish'" in result.output


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_the_bash_script_completes_in_bash() -> None:
    newsctl = Path(sys.executable).parent / "newsctl"
    if not newsctl.exists():
        pytest.skip("newsctl is not installed in this environment")
    script = 'source <(newsctl completion bash)\nCOMP_WORDS=(newsctl st)\nCOMP_CWORD=1\n_newsctl_completion newsctl\necho "${COMPREPLY[@]}"'
    env = {**os.environ, "PATH": f"{newsctl.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["stats"]
