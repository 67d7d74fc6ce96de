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
