"""The index never answers from a stale copy, and its cheap no-change check says so truthfully."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from newsctl.index import freshness
from newsctl.index.query import parse_query
from newsctl.index.refresh import refresh
from newsctl.index.schema import connect
from newsctl.index.search import scopes_for, search
from tests.conftest import WritePost, run

POST = "---\ntitle: {title}\n---\n{body}\n"


def _found(db: sqlite3.Connection, root: Path, text: str) -> set[str]:
    return {os.path.basename(row.path) for row in search(db, parse_query(text), scopes=scopes_for(root, [str(root)]))}


def _tick() -> None:
    # Longer than a file system timestamp tick, so a change made now has a later ctime.
    time.sleep(0.05)


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots taken right after the files were written (the tests cannot wait 2 s)."""
    monkeypatch.setattr(freshness, "RACY_NS", 0)


def test_nothing_changed_is_answered_from_the_snapshot(site: Path, write: WritePost, trusting: None) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    db = connect(site)
    _tick()
    assert not refresh(db, site, jobs=1).quick
    again = refresh(db, site, jobs=1)
    assert again.quick and (again.added, again.changed, again.removed) == (0, 0, 0)


def test_a_file_rewritten_in_place_with_its_old_size_and_mtime_is_seen(
    site: Path, write: WritePost, trusting: None
) -> None:
    post = write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行降准"))
    db = connect(site)
    _tick()
    refresh(db, site, jobs=1)
    before = post.stat()
    _tick()
    with open(post, "r+b") as handle:  # in place: same inode, same size, folder untouched
        handle.write(POST.format(title="A", body="蔚来汽车").encode())
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))  # as rsync -t or touch -r would
    assert post.stat().st_size == before.st_size
    stats = refresh(db, site, jobs=1)
    assert not stats.quick and stats.changed == 1
    assert _found(db, site, "蔚来") == {"2022-01-01-a.md"} and not _found(db, site, "降准")


def test_a_change_within_a_timestamp_tick_of_a_refresh_is_not_trusted(site: Path, write: WritePost) -> None:
    # Without the 2 s rule, a rewrite in the same tick as the refresh would look unchanged.
    post = write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行降准"))
    db = connect(site)
    refresh(db, site, jobs=1)
    # So the refresh kept no snapshot and marked the row to be hashed again next time.
    assert db.execute("SELECT value FROM meta WHERE key = 'snapshot'").fetchone()[0] == ""
    assert db.execute("SELECT ctime_ns FROM posts").fetchone()[0] == -1
    before = post.stat()
    post.write_text(POST.format(title="A", body="蔚来汽车"), encoding="utf-8")
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
    refresh(db, site, jobs=1)
    assert _found(db, site, "蔚来") == {"2022-01-01-a.md"}


def test_new_folders_deletions_and_site_config_changes_are_seen(site: Path, write: WritePost, trusting: None) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    write("site/_posts/2022-01-02-b.md", POST.format(title="B", body="银行"))
    db = connect(site)
    _tick()
    refresh(db, site, jobs=1)
    _tick()
    write("site/news/_posts/2022-01-03-c.md", POST.format(title="C", body="银行"))
    (site / "_posts" / "2022-01-02-b.md").unlink()
    stats = refresh(db, site, jobs=1)
    assert (stats.added, stats.removed) == (1, 1)
    assert _found(db, site, "银行") == {"2022-01-01-a.md", "2022-01-03-c.md"}
    _tick()
    # Another time zone moves every date, though no post file changed.
    (site / "_config.yml").write_text("timezone: America/New_York\n", encoding="utf-8")
    assert refresh(db, site, jobs=1).changed == 2
    code, out, _ = run("list", str(site), "--format", "jsonl", "--no-refresh")
    assert code == 0 and out.count("-05:00") == 2


def test_a_large_folder_is_statted_by_two_processes_with_the_same_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(300):
        (folder / f"{number}.md").write_text("x" * number, encoding="utf-8")
    alone = freshness.fingerprint(str(folder))
    monkeypatch.setattr(freshness, "SPLIT_AT", 10)
    split = freshness.fingerprint(str(folder))
    assert alone is not None and split is not None and alone.digest == split.digest and split.entries == 300
    (folder / "7.md").write_text("y" * 7, encoding="utf-8")
    changed = freshness.fingerprint(str(folder))
    assert changed is not None and changed.digest != split.digest


def test_index_status_reports_staleness(site: Path, write: WritePost, trusting: None) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    _tick()
    assert run("index", str(site))[0] == 0
    code, out, _ = run("index", "--status", str(site))
    assert code == 0 and "1 posts" in out and "up to date" in out
    _tick()
    write("site/_posts/2022-01-02-b.md", POST.format(title="B", body="银行"))
    code, out, _ = run("index", "--status", str(site))
    assert code == 1 and "out of date" in out and "1 posts" in out  # --status does not refresh


def test_drafts_are_indexed_and_shown_only_when_asked(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    write("site/_drafts/b.md", POST.format(title="B", body="银行"))
    run("index", str(site))
    assert run("search", "银行", str(site), "--format", "paths")[1].count("\n") == 1
    _, out, _ = run("search", "银行", str(site), "--format", "paths", "--drafts")
    assert "_drafts/b.md" in out and out.count("\n") == 2
    assert "/_drafts/" in run("list", str(site), "--drafts", "--format", "paths")[1]
    assert "/_drafts/" not in run("list", str(site), "--format", "paths")[1]


def test_two_processes_at_once_neither_corrupt_nor_deadlock(site: Path, write: WritePost) -> None:
    for day in range(1, 29):
        for hour in range(12):
            write(f"site/_posts/2022-02-{day:02d}-p{hour}.md", POST.format(title=f"T{day}", body=f"银行 {day} {hour}"))
    command = [sys.executable, "-m", "newsctl"]
    jobs = [
        subprocess.Popen([*command, "index", str(site)], stdout=subprocess.PIPE, stderr=subprocess.PIPE),
        subprocess.Popen(
            [*command, "search", "银行", str(site), "--format", "paths"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ),
        subprocess.Popen([*command, "list", str(site), "--format", "paths"], stdout=subprocess.PIPE),
    ]
    outputs = [job.communicate(timeout=120) for job in jobs]
    assert [job.returncode for job in jobs] == [0, 0, 0], outputs
    assert outputs[1][0].count(b"\n") == 28 * 12
    db = sqlite3.connect(site / ".newsctl" / "index.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM posts").fetchone()[0] == 28 * 12


def test_no_refresh_on_a_new_or_rebuilt_index_still_builds_it(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    assert run("search", "银行", str(site), "--no-refresh", "--format", "paths")[0] == 0
    (site / ".newsctl" / "index.sqlite").write_bytes(b"garbage" * 100)
    for suffix in ("-wal", "-shm"):
        (site / ".newsctl" / f"index.sqlite{suffix}").unlink(missing_ok=True)
    code, out, err = run("search", "银行", str(site), "--no-refresh", "--format", "paths")
    assert code == 0 and out.endswith("2022-01-01-a.md\n") and "rebuilding" in err


def test_index_status_without_an_index_says_so_and_builds_nothing(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    code, out, _ = run("index", "--status", str(site))
    assert code == 1 and "no index" in out
    assert not (site / ".newsctl" / "index.sqlite").exists()


def test_search_with_the_check_forked_beside_the_query_sees_changes(
    site: Path, write: WritePost, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(freshness, "SPLIT_AT", 1)  # fork even for a handful of files
    post = write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行降准"))
    write("site/_posts/2022-01-02-b.md", POST.format(title="B", body="银行"))
    _tick()
    run("index", str(site))
    _tick()
    run("index", str(site))  # now with a snapshot
    assert run("search", "降准", str(site), "--format", "paths")[1].endswith("2022-01-01-a.md\n")
    _tick()
    post.write_text(POST.format(title="A", body="银行加息"), encoding="utf-8")
    assert run("search", "降准", str(site), "--format", "paths")[0] == 1
    code, out, _ = run("search", "加息", str(site), "--format", "jsonl")
    assert code == 0 and '"title": "A"' in out


def test_a_refresh_never_deletes_a_post_a_newer_refresh_indexed(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    first, second = connect(site), connect(site)
    refresh(first, site, jobs=1)
    _tick()

    def walk_then_race(found: Any) -> Any:
        yield from found  # this refresh's walk is over and did not see b.md
        _tick()
        write("site/_posts/2022-01-02-b.md", POST.format(title="B", body="银行"))
        refresh(second, site, jobs=1, full=True)  # a newer refresh indexes it
        assert _found(second, site, "银行") == {"2022-01-01-a.md", "2022-01-02-b.md"}

    write("site/_posts/2022-01-01-a.md", POST.format(title="A2", body="银行"))  # something to do
    refresh(first, site, jobs=1, full=True, progress=walk_then_race)
    assert _found(first, site, "银行") == {"2022-01-01-a.md", "2022-01-02-b.md"}
    _, out, _ = run("index", str(site), "--status")
    assert "2 posts" in out


def test_what_a_worker_sends_back_is_a_tuple(site: Path, write: WritePost) -> None:
    # Issue 16: a frozen dataclass pickles and unpickles field by field in Python (17 us a post
    # of a first build, against 10 for a tuple).
    import pickle

    from newsctl.index.refresh import Entry, _read
    from newsctl.jekyll.discovery import Candidate, discover

    path = write("site/_posts/2022-01-01-a.md", POST.format(title="标题", body="正文 *text*"))
    (item,) = [found for found in discover([str(site)]) if isinstance(found, Candidate)]
    info = os.stat(path)
    entry = _read((item, "_posts/2022-01-01-a.md", info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, None))
    assert isinstance(entry, tuple)
    assert pickle.loads(pickle.dumps(entry)) == entry
    assert (entry.title, entry.text, entry.kind) == ("标题", "标题\n正文 text", "post")
    assert Entry(*entry) == entry


def test_a_refresh_takes_each_sites_relative_root_once(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 16: os.path.relpath of the site's root for every post was 1 % of a first build.
    from newsctl.index.refresh import Refresh, _Walk
    from newsctl.jekyll.site import load_site

    asked: list[str] = []
    real = os.path.relpath

    def relpath(path: str, start: str | None = None) -> str:
        asked.append(path)
        return real(path, start)

    walk = _Walk(connect(site), str(site), None, Refresh())
    monkeypatch.setattr(os.path, "relpath", relpath)
    the_site = load_site(str(site))
    assert [walk.site_changed(the_site) for _ in range(3)] == [True, True, True]  # a new index
    assert asked == [str(site)]
