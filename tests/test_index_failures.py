"""The index when its folder, its disk or its input are not what it expects: one clear line,
exit 2 (or an answer from the files), nothing half-written left behind (issue 13, item 16)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsctl.index.schema import IndexUnusable
from tests.conftest import WritePost, run

POST = "---\ntitle: {title}\n---\n{body}\n"


def _newsctl(*args: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsctl", *args], capture_output=True, text=True, timeout=60, cwd=cwd,
        errors="surrogateescape",
    )  # fmt: skip


def _one_clear_line(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_an_index_folder_that_is_a_file_is_one_clear_error(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="hello"))
    (site / ".newsctl").write_text("not a folder")
    for args in (["index", "--rebuild"], ["index"], ["search", "hello"]):
        done = _newsctl(*args, str(site))
        assert done.returncode == 2, (args, done.stderr)
        _one_clear_line(done.stderr)
        assert ".newsctl is a file" in done.stderr
    assert _newsctl("list", str(site)).returncode == 0  # list answers from the files
    assert (site / ".newsctl").read_text() == "not a folder"


def test_a_full_disk_leaves_no_half_built_index(site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="hello"))

    def full(*_: object, **__: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("newsctl.index.refresh._write", full)
    with pytest.raises(IndexUnusable) as raised:  # main() prints it on one line, exit 2
        run("index", str(site))
    _one_clear_line(str(raised.value))
    assert "disk is full" in str(raised.value) and "rollback" not in str(raised.value)
    assert not (site / ".newsctl").exists(), list((site / ".newsctl").iterdir())


def test_an_empty_gitignore_left_by_a_full_disk_is_written_again(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="hello"))
    write("site/.newsctl/.gitignore", "")
    assert run("index", str(site))[0] == 0
    assert (site / ".newsctl" / ".gitignore").read_text() == "*\n"


def test_a_query_that_is_not_utf8_is_one_clear_error(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="hello"))
    assert run("index", str(site))[0] == 0
    for query in ("\udcff", "a\udcffb"):
        done = _newsctl("search", query, str(site))
        assert done.returncode == 2, done.stderr
        _one_clear_line(done.stderr)
        assert "not valid UTF-8" in done.stderr


def test_a_file_name_that_is_not_utf8_is_left_out_of_the_index_with_why(site: Path, write: WritePost) -> None:
    """The index cannot store such a name, and Jekyll 4 would not build the site with it: the
    warning says both, once, and the other posts are indexed."""
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="hello"))
    write("site/_posts/2022-01-02-caf\udce9.md", POST.format(title="B", body="hello"))
    done = _newsctl("index", str(site))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("not valid UTF-8") == 1 and "Jekyll 4 stops the whole build" in done.stderr
    assert _newsctl("search", "hello", str(site), "--format", "paths").stdout.count("\n") == 1


def _damage(site: Path) -> None:
    """Overwrite the pages of the index's own b-trees that list and search read (opening the
    index reads none of them; the writers are gone, so no WAL is left)."""
    path = site / ".newsctl" / "index.sqlite"
    db = sqlite3.connect(path)
    pages = [page for (page,) in db.execute("SELECT rootpage FROM sqlite_master WHERE name LIKE 'posts_%'")]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    with open(path, "r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * size)
            handle.write(b"\xa5" * size)


@pytest.mark.parametrize(
    "command",
    [
        ["search", "银行", "--format", "paths"],
        ["index", "--check"],
        ["list", "--no-refresh", "--format", "paths"],  # the query itself meets the damage
        ["stats", "--no-refresh", "--by", "day"],
    ],
)
def test_a_damaged_index_is_said_and_rebuilt(site: Path, write: WritePost, command: list[str]) -> None:
    for number in range(300):
        write(f"site/_posts/2022-01-01-p{number}.md", POST.format(title=f"T{number}", body=f"银行 {number} " * 50))
    assert _newsctl("index", str(site)).returncode == 0
    _damage(site)
    done = _newsctl(*command, str(site))
    assert done.returncode == 0, done.stderr
    assert "the index is damaged" in done.stderr and "rebuilding it" in done.stderr
    assert "internal error" not in done.stderr
    if command[0] in ("search", "list"):
        assert done.stdout.count("\n") == 300
    if command[0] == "stats":
        assert done.stdout == "2022-01-01\t300\n"
    db = sqlite3.connect(site / ".newsctl" / "index.sqlite")
    assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM posts").fetchone()[0] == 300


def test_a_read_only_archive_keeps_its_index_in_the_cache_folder(
    site: Path, write: WritePost, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="hello"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    writable = os.access

    def read_only(path: object, mode: int, **kwargs: object) -> bool:
        if mode == os.W_OK and str(path).startswith(str(site)):
            return False
        return writable(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", read_only)
    code, out, err = run("search", "hello", str(site), "--format", "paths")
    assert code == 0 and out.strip().endswith("2022-01-01-a.md"), err
    assert "read-only" in err and str(tmp_path / "cache" / "newsctl") in err
    assert len(err.strip().splitlines()) == 1
    assert not (site / ".newsctl").exists()
    code, out, err = run("stats", str(site))
    assert code == 0 and "read-only" not in err
    assert list((tmp_path / "cache" / "newsctl").glob("*/index.sqlite"))


def test_a_file_name_that_is_not_utf8_is_reported_and_the_rest_answered(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="hello"))
    bad = os.path.join(os.fsencode(site), b"_posts", b"2022-01-02-caf\xe9.md")
    with open(bad, "wb") as handle:
        handle.write(POST.format(title="Cafe", body="hello").encode())
    for args in (["index"], ["list"], ["search", "hello", "--format", "paths"], ["stats"], ["validate"]):
        done = _newsctl(*args, str(site))
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
        assert done.returncode in (0, 1), (args, done.stderr)
        if args[0] in ("list", "search"):
            assert "2022-01-01-a.md" in done.stdout, (args, done.stdout)
        if args[0] != "validate":
            assert done.returncode == 0 or "caf\\xe9" in done.stderr or "caf\udce9" in done.stdout, (args, done)
