"""``validate --fix`` when a post cannot be written as it should: a full disk, an immutable file,
a post changed since it was read, a link to a file outside the archive. Each is reported by
name and the run goes on (issue 13, items 1, 16, 18)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import newsctl.files
from newsctl.validate.checks import run_validation
from tests.conftest import WritePost, run

BOM_POST = "\ufeff---\ntitle: A\n---\nbody\n"
FIXED = "---\ntitle: A\n---\nbody\n"


def test_a_post_that_cannot_be_written_is_reported_and_the_others_are_fixed(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = write("site/_posts/2022-01-05-a.md", BOM_POST)
    other = write("site/_posts/2022-01-06-b.md", BOM_POST)
    real = newsctl.files.write_atomic

    def write_atomic(path: str, data: bytes, **options: object) -> None:
        if path == str(full):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(newsctl.files, "write_atomic", write_atomic)
    outcome = run_validation([str(site)], jobs=1, use_cache=False, fix=True)
    assert [a.path for a in outcome.fixes] == [str(other)]
    assert other.read_text(encoding="utf-8") == FIXED
    assert [(e.path, "No space left on device" in e.message) for e in outcome.unfixed] == [(str(full), True)]
    assert full.read_text(encoding="utf-8") == BOM_POST


def test_cli_names_the_post_not_fixed_and_fails(site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch) -> None:
    post = write("site/_posts/2022-01-05-a.md", BOM_POST)

    def write_atomic(path: str, data: bytes, **options: object) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(newsctl.files, "write_atomic", write_atomic)
    code, out, err = run("validate", "--no-cache", "--fix", str(site))
    assert code == 1 and "Traceback" not in err
    assert f"{post}: error: not fixed: Operation not permitted" in err
    assert "NC104" in out


def test_a_post_changed_since_it_was_read_is_left_as_it_is(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = write("site/_posts/2022-01-05-a.md", BOM_POST)
    import newsctl.validate.fixes

    real = newsctl.validate.fixes.fix_text

    def fix_text(path: str, *args: object, **options: object) -> object:
        with open(path, "a", encoding="utf-8") as handle:  # a scraper appends meanwhile
            handle.write("more\n")
        return real(path, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(newsctl.validate.fixes, "fix_text", fix_text)
    outcome = run_validation([str(site)], jobs=1, use_cache=False, fix=True)
    assert outcome.fixes == []
    assert [e.path for e in outcome.unfixed] == [str(post)] and "changed" in outcome.unfixed[0].message
    assert post.read_text(encoding="utf-8") == BOM_POST + "more\n"


def test_a_link_to_a_file_outside_the_archive_is_refused(tmp_path: Path, site: Path, write: WritePost) -> None:
    outside = write("elsewhere/post.md", BOM_POST)
    link = site / "_posts" / "2022-01-05-a.md"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    outcome = run_validation([str(site)], jobs=1, use_cache=False, fix=True)
    assert outcome.fixes == [] and [e.path for e in outcome.unfixed] == [str(link)]
    assert "outside the archive" in outcome.unfixed[0].message
    assert link.is_symlink() and outside.read_text(encoding="utf-8") == BOM_POST


def test_a_link_inside_the_archive_is_written_through(site: Path, write: WritePost) -> None:
    target = write("site/sources/post.md", BOM_POST)
    link = site / "_posts" / "2022-01-05-a.md"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    outcome = run_validation([str(site)], jobs=1, use_cache=False, fix=True)
    assert [a.code for a in outcome.fixes] == ["NC104"] and outcome.unfixed == []
    assert link.is_symlink() and target.read_text(encoding="utf-8") == FIXED
