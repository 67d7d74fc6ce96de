"""A warm ``newsctl validate`` over whole folders replays its report from the folder snapshot
(no walk, no stat per file in one process) when every folder lists and stats as it did; every
change a report depends on still makes it check again (issue 16: validate warm at 1.0 s).

The snapshot is only kept when nothing changed within RACY_NS of the run (two seconds: the
coarsest timestamps); the tests set it to 0 and wait a clock tick between runs instead."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsctl.index import freshness
from newsctl.validate import checks
from tests.conftest import WritePost
from tests.test_validate_replay import _clear_site_caches, _normal, _same_as_a_full_run, run
from tests.test_validate_replay import archive as archive  # the fixture, by name


@pytest.fixture(autouse=True)
def no_racy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(freshness, "RACY_NS", 0)


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every time a run works its digest out by walking (the slower replay) or checks."""
    calls: list[str] = []
    real = checks.digest_of

    def digest_of(*args: object, **kwargs: object) -> str:
        calls.append("walk")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checks, "digest_of", digest_of)
    yield calls


def _tick() -> None:
    # Past the file system's timestamp granularity, so a write shows in the times.
    time.sleep(0.05)


def test_nothing_changed_replays_from_the_snapshot_without_walking(archive: Path, walks: list[str]) -> None:
    first = run("validate", "--format", "json", archive)
    _tick()
    _clear_site_caches()
    again = run("validate", "--format", "json", archive)
    assert walks == []  # the first run had no report yet; the second needed no walk
    assert (again[0], _normal(again[1])) == (first[0], _normal(first[1]))
    _same_as_a_full_run(archive, "--format", "json")


@pytest.mark.parametrize(
    "change",
    ["edit", "same-size-time-back", "add", "delete", "rename", "site-config", "layout", "page", "new-folder"],
)
def test_every_change_is_checked_again(archive: Path, write: WritePost, change: str) -> None:
    run("validate", archive)
    _tick()
    run("validate", archive)  # the snapshot of a quiet archive is stored now
    _tick()
    post = archive / "_posts/2022-01-01-good.md"
    if change == "edit":
        post.write_text(post.read_text(encoding="utf-8").replace("title: Good", "title: ''"), encoding="utf-8")
    elif change == "same-size-time-back":
        info = post.stat()
        post.write_text(post.read_text(encoding="utf-8").replace("title: Good", "title: ''  "), encoding="utf-8")
        os.utime(post, ns=(info.st_atime_ns, info.st_mtime_ns))
    elif change == "add":
        write("site/_posts/2022-01-05-more.md", post.read_text(encoding="utf-8"))
    elif change == "delete":
        (archive / "_posts/2022-01-03-naive.md").unlink()
    elif change == "rename":
        (archive / "_posts/2022-01-03-naive.md").rename(archive / "_posts/2022-01-09-naive.md")
    elif change == "site-config":
        write("site/_config.yml", "timezone: Asia/Shanghai\n")
    elif change == "layout":
        (archive / "_layouts/post.html").unlink()
    elif change == "page":
        write("site/about/index.md", "---\ncategory: nowhere\n---\nHi\n")
    else:
        write("site/news/_posts/2022-01-06-nested.md", post.read_text(encoding="utf-8"))
    _same_as_a_full_run(archive, "--format", "json")


def test_files_given_by_name_do_not_use_the_snapshot(archive: Path, walks: list[str]) -> None:
    post = archive / "_posts/2022-01-01-good.md"
    run("validate", post)
    _tick()
    run("validate", post)
    assert walks == ["walk"]


def test_no_snapshot_is_kept_across_a_link_to_a_folder(archive: Path, tmp_path: Path, walks: list[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (archive / "linked").symlink_to(elsewhere)
    run("validate", archive)
    _tick()
    run("validate", archive)
    _tick()
    run("validate", archive)
    assert walks == ["walk", "walk"]
