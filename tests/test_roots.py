"""Where the index goes: the configuration's folder, else the site root, else the folder given."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsctl.project import archive_root
from newsctl.validate.config import archive_root as config_root
from newsctl.validate.config import find_config, load_config
from tests.conftest import WritePost

POST = "---\ntitle: A\n---\nbody\n"


def _by_config(path: Path) -> Path:
    start = path if path.is_dir() else path.parent
    return Path(config_root(load_config(find_config(start)), [str(path)]))


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
    # The same answer as the configuration's own rule (which reads the configuration).
    assert archive_root([str(path)]) == _by_config(path)
