"""``newsctl.files.write_atomic``: the one way newsctl replaces or creates a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsctl.files import new_file_mode, write_atomic


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomic(str(path), b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o7777 == 0o640


def test_a_new_file_gets_the_umask_mode_and_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "out" / "deep" / "post.md"
    write_atomic(str(path), b"data", sync=False)
    assert path.read_bytes() == b"data"
    assert path.stat().st_mode & 0o7777 == new_file_mode()


def test_an_explicit_mode_wins(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"old")
    path.chmod(0o600)
    write_atomic(str(path), b"new", mode=0o644)
    assert path.stat().st_mode & 0o7777 == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"old")

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(str(path), b"new")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["post.md"]


def test_a_file_changed_since_it_was_read_is_not_replaced(tmp_path: Path) -> None:
    from newsctl.files import ChangedMeanwhile, stamp_of

    path = tmp_path / "post.md"
    path.write_bytes(b"as read")
    seen = stamp_of(os.stat(path))
    with path.open("ab") as scraper:
        scraper.write(b" and appended")
    with pytest.raises(ChangedMeanwhile):
        write_atomic(str(path), b"converted", expect=seen)
    assert path.read_bytes() == b"as read and appended"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".newsctl-")]


def test_a_file_another_process_holds_open_for_writing_is_not_replaced(tmp_path: Path) -> None:
    """A scraper that opened the post before the rename and writes after it would write into
    the replaced file, lost: a post open for writing elsewhere is left as it is."""
    from newsctl.files import ChangedMeanwhile, stamp_of

    path = tmp_path / "post.md"
    path.write_bytes(b"as read")
    seen = stamp_of(os.stat(path))
    with path.open("ab") as scraper:
        with pytest.raises(ChangedMeanwhile):
            write_atomic(str(path), b"converted", expect=seen)
        scraper.write(b" and appended")
    assert path.read_bytes() == b"as read and appended"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".newsctl-")]


def test_a_writer_that_opens_the_file_while_it_is_replaced_keeps_its_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scraper opening the post between newsctl's check and its rename waits for it and then
    writes into the post (put back), not into a file no name reaches any more."""
    import subprocess
    import sys
    import time

    from newsctl import files
    from newsctl.files import ChangedMeanwhile, stamp_of

    path = tmp_path / "post.md"
    path.write_bytes(b"as read")
    real_replace = os.replace
    scrapers: list[subprocess.Popen[bytes]] = []

    def scraper_opens_then_replace(source: str, target: str) -> None:
        if not scrapers:
            code = f"open({str(path)!r}, 'ab').write(b' and appended')"
            scrapers.append(subprocess.Popen([sys.executable, "-c", code]))
            time.sleep(0.5)  # (it opens the old file, or waits for newsctl to let it)
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", scraper_opens_then_replace)
    with pytest.raises(ChangedMeanwhile):
        write_atomic(str(path), b"converted", expect=stamp_of(os.stat(path)))
    monkeypatch.undo()
    assert scrapers[0].wait(timeout=30) == 0
    assert path.read_bytes() == b"as read and appended"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".newsctl-")]


def test_an_unchanged_file_is_replaced_when_a_stamp_is_given(tmp_path: Path) -> None:
    from newsctl.files import stamp_of

    path = tmp_path / "post.md"
    path.write_bytes(b"as read")
    write_atomic(str(path), b"converted", expect=stamp_of(os.stat(path)))
    assert path.read_bytes() == b"converted"


def test_a_link_inside_the_archive_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "site" / "_drafts" / "real.md"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old")
    link = tmp_path / "site" / "_posts" / "2022-01-01-link.md"
    link.parent.mkdir()
    link.symlink_to(target)
    write_atomic(str(link), b"new", within=str(tmp_path / "site"))
    assert link.is_symlink() and target.read_bytes() == b"new"


@pytest.mark.parametrize("within", [None, "site"])
def test_a_link_to_a_file_outside_the_archive_is_refused(tmp_path: Path, within: str | None) -> None:
    from newsctl.files import UnsafeLink

    outside = tmp_path / "elsewhere.md"
    outside.write_bytes(b"not ours")
    link = tmp_path / "site" / "_posts" / "2022-01-01-link.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    with pytest.raises(UnsafeLink, match="outside the archive"):
        write_atomic(str(link), b"new", within=str(tmp_path / within) if within else None)
    assert link.is_symlink() and outside.read_bytes() == b"not ours"


def test_temporary_files_left_by_a_dead_run_are_swept(tmp_path: Path) -> None:
    from newsctl import files

    gone_pid = _a_dead_pid()
    stale = tmp_path / f".newsctl-{gone_pid}-abcd.tmp"
    stale.write_bytes(b"half")
    live = tmp_path / f".newsctl-{os.getpid()}-efgh.tmp"  # a live run's: kept
    live.write_bytes(b"in progress")
    files._swept.clear()
    write_atomic(str(tmp_path / "post.md"), b"new")
    assert not stale.exists()
    assert live.exists()


def _a_dead_pid() -> int:
    import subprocess

    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_write_landing_between_the_check_and_the_rename_is_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linux has no compare-and-rename: an append in that window must not be lost either, even
    where no lease keeps writers out (here the scraper is this process: a lease would make it
    wait for itself)."""
    from newsctl import files

    monkeypatch.setattr(files, "_lease", lambda fd: False)

    path = tmp_path / "post.md"
    path.write_bytes(b"as read")
    seen = files.stamp_of(os.stat(path))
    replace = os.replace

    def append_first(source: str, target: str) -> None:
        if target == str(path) and source.endswith(files.TEMP_SUFFIX) and b"converted" in Path(source).read_bytes():
            with path.open("ab") as scraper:  # the scraper, just after the comparison
                scraper.write(b" and appended")
        replace(source, target)

    monkeypatch.setattr(files.os, "replace", append_first)
    with pytest.raises(files.ChangedMeanwhile):
        write_atomic(str(path), b"converted", expect=seen)
    assert path.read_bytes() == b"as read and appended"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".newsctl-")]


def test_ctrl_c_while_the_temporary_file_is_made_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or the SIGTERM that stops a worker) arriving inside mkstemp, before write_atomic
    knows the temporary file's name, left an empty `.newsctl-PID-*.tmp` behind."""
    import signal

    from newsctl import files

    made = files._temporary_file

    def interrupted_while_making(directory: str) -> tuple[int, str]:
        result = made(directory)
        os.kill(os.getpid(), signal.SIGINT)  # before the caller has the name
        return result

    monkeypatch.setattr(files, "_temporary_file", interrupted_while_making)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(str(tmp_path / "post.md"), b"x")
    assert os.listdir(tmp_path) == []
