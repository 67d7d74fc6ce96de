"""``newsctl index`` (and ``list``) with nothing changed: what they ask the index besides the
no-change check reads small covering indexes, never every post's row (at 100,000 posts the
table is 400 MB: a scan of it cost more than the rest of the run besides the stat calls)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from newsctl.index import freshness
from newsctl.index.archive import open_index, recorded_problems
from tests.conftest import WritePost

POST = "---\ntitle: {title}\n---\n{body}\n"


def _plans(db: sqlite3.Connection, statements: list[str]) -> list[str]:
    """The query plan lines of every statement that reads the posts table."""
    lines = []
    for sql in statements:
        if "FROM posts" in sql:
            lines += [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql)]
    return lines


def test_the_recorded_problems_are_found_without_reading_every_post(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-good.md", POST.format(title="good", body="银行"))
    write("site/_posts/2022-01-02-bad.md", "---\ntitle: [unclosed\n---\n")
    write("site/_drafts/bad-draft.md", "---\ntitle: [unclosed\n---\n")
    write("site/_posts/not-a-post.md", "---\ntitle: x\n---\n")
    archive = open_index([str(site)], jobs=1)
    statements: list[str] = []
    archive.db.set_trace_callback(statements.append)
    problems = [str(p.path) for p in recorded_problems(archive, drafts=True)]
    assert problems == [str(site / "_drafts/bad-draft.md"), str(site / "_posts/2022-01-02-bad.md"),
                        str(site / "_posts/not-a-post.md")]  # fmt: skip
    assert [str(p.path) for p in recorded_problems(archive, drafts=False)] == problems[1:]
    archive.db.set_trace_callback(None)
    plans = _plans(archive.db, statements)
    scans = [line for line in plans if line.startswith("SCAN")]
    assert scans and all("COVERING INDEX" in line for line in scans), plans


def test_the_check_digests_a_folder_exactly_as_the_snapshot_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check skips the latest times and builds the digest of a chunk of files without a
    Python loop: the digest must still be the one the snapshot stored (folders, files,
    several chunks shared with a forked child)."""
    monkeypatch.setattr(freshness, "CHUNK", 3)
    monkeypatch.setattr(freshness, "SPLIT_AT", 1)
    for number in range(10):
        (tmp_path / f"2022-01-{number + 1:02d}-p.md").write_text("x" * number)
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").write_text("")
    names = [name for name in os.listdir(tmp_path) if name[0] != "."]
    chunks = [names[start : start + 3] for start in range(0, len(names), 3)]
    parts = b"".join(freshness._digest([os.stat(tmp_path / name) for name in chunk])[0] for chunk in chunks)
    expected = hashlib.blake2b("\0".join(names).encode() + parts, digest_size=16).hexdigest()
    snapshot, check = (
        freshness.Scan([str(tmp_path)]).finish()[0],
        freshness.Scan([str(tmp_path)], newest=False).finish()[0],
    )
    assert snapshot is not None and check is not None
    assert snapshot.digest == check.digest == expected and snapshot.entries == 11
    assert snapshot.newest_ns >= max(os.stat(tmp_path / name).st_ctime_ns for name in names if name != "sub")
