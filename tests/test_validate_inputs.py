"""``newsctl validate`` given what is not a post, a path that does not exist, copies of posts
Jekyll publishes as bodies, and a huge front matter (issue 13, item 19)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from newsctl.jekyll.discovery import discover
from newsctl.validate.checks import validate
from newsctl.validate.config import ValidateConfig
from tests.conftest import WritePost, run

STORY = "央行宣布下调金融机构存款准备金率0.5个百分点，释放长期资金约一万亿元，市场反应积极。\n"


def test_a_file_that_is_not_a_post_is_named_in_a_warning_and_does_not_fail(site: Path) -> None:
    code, out, err = run("validate", "--no-cache", str(site / "_config.yml"))
    assert code == 0
    assert f"{site / '_config.yml'}: warning: not a post" in err
    assert "All checks passed" not in out and "No posts checked" in out


def test_a_changed_readme_from_stdin_warns_and_passes(site: Path, write: WritePost) -> None:
    readme = write("site/README.md", "# The archive\n")
    good = write("site/_posts/2022-01-05-a.md", "---\ntitle: A\n---\nbody\n")
    from click.testing import CliRunner

    from newsctl.cli import cli

    result = CliRunner().invoke(cli, ["validate", "--no-cache", "-"], input=f"{readme}\n{good}\n")
    assert result.exit_code == 0
    assert f"{readme}: warning: not a post" in result.stderr
    assert "All checks passed: 1 post" in result.stdout


def test_a_missing_path_does_not_say_all_checks_passed(tmp_path: Path) -> None:
    code, out, err = run("validate", "--no-cache", str(tmp_path / "nope"))
    assert code == 2
    assert "no such file or directory" in err
    assert "All checks passed" not in out


def test_copies_of_a_post_with_unclosed_front_matter_are_duplicates(site: Path, write: WritePost) -> None:
    # Jekyll publishes both, the front matter as part of the body.
    text = f"---\ntitle: 降准\n<https://example.com/n/1>\n{STORY}"
    write("site/_posts/2022-01-05-a.md", text)
    write("site/_posts/2022-01-05-b.md", text)
    found = validate(discover([str(site)]), ValidateConfig(), jobs=1).diagnostics
    codes = sorted((Path(d.path).name, d.code) for d in found)
    assert ("2022-01-05-b.md", "NC502") in codes
    assert ("2022-01-05-a.md", "NC106") in codes and ("2022-01-05-b.md", "NC106") in codes


def test_copies_of_a_post_without_front_matter_are_duplicates(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-05-a.md", STORY)
    write("site/_posts/2022-01-05-b.md", "<p>" + STORY)
    found = validate(discover([str(site)]), ValidateConfig(), jobs=1).diagnostics
    assert [(Path(d.path).name, d.code) for d in found if d.code.startswith("NC5")] == [("2022-01-05-b.md", "NC503")]


def test_a_front_matter_of_50000_keys_validates_quickly(site: Path, write: WritePost) -> None:
    # Measured: about 0.4 s of checks (1.4 MB of front matter); it took 30 s when every key's line
    # was counted from the start of the file.
    keys = "".join(f"key{i:05d}: value number {i}\n" for i in range(50_000))
    path = write("site/_posts/2022-01-05-big.md", f"---\ntitle: Big\n{keys}title: again\n---\nbody\n")
    started = time.perf_counter()
    found = validate(discover([str(path)]), ValidateConfig(), jobs=1).diagnostics
    assert time.perf_counter() - started < 3
    assert [(d.code, d.line) for d in found] == [("NC109", 50_003)]


@pytest.mark.parametrize("cwd", ["/", "/tmp/site", "/tmp/a b"])
@pytest.mark.parametrize(
    "path",
    [
        "./_posts/2020-01-01-a.md", "_posts/x.md", "./_posts/.hidden.md", "./a/../b.md", "./a//b.md",
        "./a/./b.md", "../up/x.md", "./_posts/dir/", ".", "./", "/abs/./x.md", "/abs/x.md", "./_posts/..x.md",
    ],
)  # fmt: skip
def test_absolute_path_is_what_abspath_gives(cwd: str, path: str) -> None:
    from newsctl.validate.checks import absolute_path

    assert absolute_path(cwd, path) == os.path.normpath(os.path.join(cwd, path))
