"""Where the index goes: the configuration's folder, else the site root, else the folder given."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from newsctl.project import archive_root
from newsctl.validate.config import find_config, load_config
from tests.conftest import WritePost

POST = "---\ntitle: A\n---\nbody\n"


def _by_config(path: Path) -> Path:
    start = path if path.is_dir() else path.parent
    return archive_root([str(path)], load_config(find_config(start)).root)


@pytest.mark.parametrize(
    ("files", "asked", "expected"),
    [
        (["site/_config.yml"], "site/_posts/2022-01-01-a.md", "site"),
        (["site/_config.yml"], "site/_posts", "site"),
        (["site/_config.yml"], "site", "site"),
        ([], "site/_posts/2022-01-01-a.md", "site"),  # no _config.yml: above _posts
        (["loose/x.md"], "loose", "loose"),
        (["loose/x.md"], "loose/x.md", "loose"),
        (["newsctl.toml", "site/_config.yml"], "site/_posts", "."),
        ([".newsctl.toml", "site/_config.yml"], "site/_posts/2022-01-01-a.md", "."),
        (["pyproject.toml", "site/_config.yml"], "site/_posts", "site"),  # no [tool.newsctl]
        (["pyproject.toml=[tool.newsctl]\n", "site/_config.yml"], "site/_posts", "."),
    ],
)
def test_archive_root(tmp_path: Path, write: WritePost, files: list[str], asked: str, expected: str) -> None:
    write("site/_posts/2022-01-01-a.md", POST)
    for spec in files:
        name, _, text = spec.partition("=")
        write(name, text or ("[project]\nname = 'x'\n" if name == "pyproject.toml" else ""))
    path = tmp_path / asked
    assert archive_root([str(path)]) == (tmp_path / expected).resolve()
    # The same answer from the configuration's own folder (which validate reads).
    assert archive_root([str(path)]) == _by_config(path)


# --- a configuration validate cannot read does not concern list, index and search ---------------

TYPO = "requierd = ['title']\n"  # an unknown key: validate's configuration is invalid


class _Main(click.Command):
    """The ``newsctl`` entry point as CliRunner wants it: newsctl's own errors become exit code 2
    there (``newsctl.cli.main``), not in the click group."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        from newsctl.cli import main

        main(list(args or ()))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(_Main("newsctl"), list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def typo_archive(tmp_path: Path, write: WritePost) -> Path:
    write("newsctl.toml", TYPO)
    write("site/_config.yml", "")
    write("site/_posts/2022-01-01-a.md", "---\ntitle: Alpha\n---\nbody text\n")
    return tmp_path


def test_a_typo_in_the_configuration_leaves_the_root_where_it_is(typo_archive: Path) -> None:
    assert archive_root([str(typo_archive / "site/_posts")]) == typo_archive.resolve()


@pytest.mark.parametrize(
    "command",
    [
        ["list", "--no-index"],
        ["index"],
        ["list"],  # from the index just built
        ["search", "body"],
        ["stats"],  # its "posts with validation errors" is unknown then, not a failure
        ["stats", "--no-index"],
    ],
)
def test_commands_without_validate_ignore_its_configuration(typo_archive: Path, command: list[str]) -> None:
    assert run("index", str(typo_archive / "site"))[0] == 0
    code, out, err = run(*command, str(typo_archive / "site"))
    assert code == 0 and out, err
    assert "newsctl.toml" not in err


def test_validate_still_reports_the_typo(typo_archive: Path) -> None:
    code, _, err = run("validate", str(typo_archive / "site"))
    assert code == 2
    assert "unknown key 'requierd' (did you mean 'required'?" in err
