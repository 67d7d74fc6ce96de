"""The pre-commit hook (.pre-commit-hooks.yaml) and README's snippets for it work as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsctl import __version__
from tests.conftest import ROOT, WritePost

HOOKS: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_configs() -> list[dict[str, Any]]:
    """The .pre-commit-config.yaml examples of README, parsed."""
    blocks = re.findall(r"```yaml\n(repos:\n.*?)```", README, re.DOTALL)
    return [yaml.safe_load(block) for block in blocks]


def _hook() -> dict[str, Any]:
    (hook,) = HOOKS
    return hook


def test_the_hook_runs_newsctl_validate_on_the_files_a_commit_touches() -> None:
    hook = _hook()
    assert hook["id"] == "newsctl-validate"
    assert hook["entry"] == "newsctl validate"
    assert hook["language"] == "python"
    assert hook.get("pass_filenames", True) is True  # validate checks the files given, against the whole archive
    assert hook["require_serial"] is True  # one run over all of them: newsctl uses every core itself


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("_posts/2024-01-01-a.md", True),
        ("_posts/2024/markets/2024-01-01-a.html", True),
        ("site/_posts/2024-01-01-a.markdown", True),
        ("_drafts/a.md", True),
        ("markets/_posts/2024-01-01-a.md", True),
        ("posts/2024-01-01-a.md", False),
        ("my_posts/2024-01-01-a.md", False),
        ("_postsx/2024-01-01-a.md", False),
        ("about.md", False),
    ],
)
def test_the_hook_files_pattern_matches_posts_and_drafts(path: str, matches: bool) -> None:
    # pre-commit searches the pattern in the path from the repository's root.
    assert (re.search(_hook()["files"], path) is not None) is matches


def test_readme_snippet_names_the_hook_and_the_release_tag() -> None:
    remote = [config for config in _readme_configs() if config["repos"][0]["repo"] != "local"]
    assert len(remote) == 1
    (repo,) = remote[0]["repos"]
    assert [hook["id"] for hook in repo["hooks"]] == [_hook()["id"]]
    # The tag of this version (git tag v0.1.0), as `newsctl --version` prints it.
    assert repo["rev"] == f"v{__version__}"


def _readme_local_hook() -> dict[str, Any]:
    local = [config for config in _readme_configs() if config["repos"][0]["repo"] == "local"]
    assert len(local) == 1
    (repo,) = local[0]["repos"]
    (hook,) = repo["hooks"]
    assert isinstance(hook, dict)
    return hook


def test_readme_local_variant_is_the_hook_run_from_the_installed_newsctl() -> None:
    hook = _readme_local_hook()
    assert hook["language"] == "system"
    same = ("id", "entry", "files", "types_or", "require_serial")
    assert {key: hook.get(key) for key in same} == {key: _hook().get(key) for key in same}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="no git")
def test_pre_commit_runs_the_readme_local_hook_on_the_staged_posts(write: WritePost, tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    site = tmp_path / "site"
    write("site/_config.yml", "timezone: Asia/Shanghai\n")
    write("site/_posts/2024-01-01-good.md", "---\ntitle: Good\ndate: 2024-01-01 10:00:00 +0800\n---\nbody\n")
    write("site/_drafts/bad-draft.md", '---\ntitle: "open\n---\nbody\n')
    write("site/notes/bad.md", '---\ntitle: "not a post\n---\n')  # not a post: not checked
    write(
        "site/.pre-commit-config.yaml", yaml.safe_dump({"repos": [{"repo": "local", "hooks": [_readme_local_hook()]}]})
    )
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
    }
    run = [sys.executable, "-m", "pre_commit", "run", "--color", "never"]
    proc = subprocess.run(run, cwd=site, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"^_drafts/bad-draft.md:\d+:1: NC107 YAML syntax error", proc.stdout, re.M)
    assert "notes/bad.md" not in proc.stdout
    assert "Found 1 error in 1 file (2 posts checked" in proc.stdout

    _git(site, "rm", "-q", "--cached", "_drafts/bad-draft.md")
    proc = subprocess.run(run, cwd=site, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"newsctl validate\.+Passed", proc.stdout)
