"""``newsctl index --watch``: commands trust the watcher only when it has applied every change."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsctl.index import schema as index
from newsctl.index.refresh import refresh
from newsctl.index.schema import connect
from newsctl.index.watch_client import fresh
from newsctl.index.watch_server import IN_CLOSE_WRITE, IN_CREATE, IN_ISDIR, IN_Q_OVERFLOW, Changes
from tests.conftest import WritePost, run

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux only")

POST = "---\ntitle: {title}\n---\n{body}\n"


class Watcher:
    """``newsctl index --watch ROOT`` in a child process, started and ready."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsctl", "index", "--watch", str(root)],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.process.stderr is not None
        deadline = time.monotonic() + 30
        self.lines: list[str] = []
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stderr], [], [], 1)
            if ready:
                line = self.process.stderr.readline()
                self.lines.append(line)
                if "watching" in line:
                    return
            if self.process.poll() is not None:
                break
        raise AssertionError(f"the watcher did not start: {self.lines}")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        _, rest = self.process.communicate(timeout=30)
        return self.process.returncode, "".join(self.lines) + rest


@pytest.fixture
def watched(site: Path) -> Iterator[Watcher]:
    watcher = Watcher(site)
    yield watcher
    if watcher.process.poll() is None:
        watcher.stop()


@pytest.fixture
def no_own_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands must not check the files themselves: the watcher answered for them."""
    _refuse_own_check(monkeypatch)


def _refuse_own_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the command checked the files although a watcher answered")

    monkeypatch.setattr(index, "begin_check", refuse)
    monkeypatch.setattr("newsctl.index.refresh.refresh", refuse)


def _paths(*args: str) -> list[str]:
    code, out, _ = run("search", *args, "--format", "paths")
    assert code in (0, 1)
    return [os.path.basename(line) for line in out.splitlines()]


def test_a_rewrite_in_place_is_found_without_the_command_checking_files(
    site: Path, write: WritePost, no_own_check: None
) -> None:
    post = write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行降准"))
    write("site/_posts/2022-01-02-b.md", POST.format(title="B", body="芯片"))
    watcher = Watcher(site)
    try:
        assert fresh(site)
        assert _paths("银行", str(site)) == ["2022-01-01-a.md"]
        before = post.stat()
        with open(post, "r+b") as handle:  # same size, mtime set back: only the watcher can tell
            handle.write(POST.format(title="A", body="蔚来汽车").encode())
        os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert _paths("蔚来", str(site)) == ["2022-01-01-a.md"]
        assert _paths("银行", str(site)) == []
        write("site/_posts/2022-01-03-c.md", POST.format(title="C", body="蔚来"))
        (site / "_posts" / "2022-01-02-b.md").unlink()
        assert _paths("蔚来", str(site), "--sort", "date") == ["2022-01-03-c.md", "2022-01-01-a.md"]
        assert _paths("芯片", str(site)) == []
        os.rename(site / "_posts" / "2022-01-03-c.md", site / "_posts" / "2022-01-04-c.md")
        assert _paths("蔚来", str(site), "--sort", "date") == ["2022-01-04-c.md", "2022-01-01-a.md"]
        # The folder snapshot is stale now, but the watcher vouches for the index.
        code, out, _ = run("index", str(site), "--status")
        assert code == 0 and "up to date (kept current by newsctl index --watch)" in out
        code, out, _ = run("list", str(site), "--format", "paths")
        assert code == 0 and [os.path.basename(p) for p in out.split()] == ["2022-01-04-c.md", "2022-01-01-a.md"]
    finally:
        code, log = watcher.stop()
    assert code == 0 and "stopped watching" in log and "Traceback" not in log
    # No folder snapshot yet (the files are seconds old): the watcher walked to be sure.
    assert "(walked the archive" in log.splitlines()[0], log


def test_new_folders_config_changes_and_skipped_names_are_followed(
    site: Path, write: WritePost, watched: Watcher, no_own_check: None
) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    write("site/_posts/2022/01/2022-01-05-deep.md", POST.format(title="Deep", body="银行"))
    write("site/_posts/notes.md", POST.format(title="Notes", body="银行"))  # not a post name
    write("site/_drafts/draft.md", POST.format(title="Draft", body="银行"))
    assert sorted(_paths("银行", str(site))) == ["2022-01-01-a.md", "2022-01-05-deep.md"]
    assert sorted(_paths("银行", str(site), "--drafts")) == ["2022-01-01-a.md", "2022-01-05-deep.md", "draft.md"]
    code, _, err = run("list", str(site), "--format", "paths")
    assert code == 0 and "notes.md: warning:" in err
    write("site/_posts/2022-06-30-late.md", "---\ntitle: Late\ndate: 2022-06-30 23:30:00\n---\n银行\n")
    _, out, _ = run("list", str(site), "--format", "json", "-n", "1")
    assert json.loads(out)[0]["date"] == "2022-07-01T07:30:00+08:00"  # a YAML timestamp is UTC
    write("site/_config.yml", "timezone: UTC\n")
    _, out, _ = run("list", str(site), "--format", "json", "-n", "1")
    assert json.loads(out)[0]["date"] == "2022-06-30T23:30:00+00:00"


def test_the_index_a_watcher_keeps_equals_a_fresh_build(site: Path, write: WritePost, watched: Watcher) -> None:
    names = [f"site/_posts/2022-01-{day:02d}-p{day}.md" for day in range(1, 21)]
    for number, name in enumerate(names):
        write(name, POST.format(title=f"T{number}", body="银行 " * (number % 3)))
    write("site/_posts/sub/2022-02-01-s.md", POST.format(title="S", body="芯片"))
    assert fresh(site)
    for number, name in enumerate(names[:10]):
        (site.parent / name).write_text(POST.format(title=f"U{number}", body="蔚来"), encoding="utf-8")
    for name in names[10:14]:
        (site.parent / name).unlink()
    write("site/_posts/sub/bad name.md", "x")
    write("site/_posts/.hidden.md", POST.format(title="H", body="蔚来"))
    assert fresh(site)
    write("site/_drafts/2022-03-01-d.md", POST.format(title="D", body="蔚来"))  # a new folder
    assert fresh(site)
    db = connect(site)
    kept = _dump(db)
    os.rename(site / ".newsctl", site.parent / "kept-index")
    rebuilt = connect(site)
    refresh(rebuilt, site, jobs=1)
    assert _dump(rebuilt) == kept
    assert len(kept[0]) == 1 + 20 - 4 + 1 + 2  # the sub post, 16 left, the draft; two counts
    assert kept[1] == [(os.path.join("_posts", "sub", "bad name.md"), kept[1][0][1])]
    _, log = watched.stop()
    # The rewrites and deletions were applied from the names alone, the new folder by a walk.
    assert re.search(r"added 0, changed 10, removed 4 in [0-9.]+ s\n", log), log
    assert re.search(r"added 1, changed 0, removed 0 in [0-9.]+ s, walking the archive\n", log), log


def _dump(db: sqlite3.Connection) -> tuple[list[Any], list[Any]]:
    posts = db.execute(
        "SELECT path, kind, title, epoch, categories, tags, record, error FROM posts ORDER BY path"
    ).fetchall()
    # The text as FTS5 sees it: every post's tokens, through one term of each length.
    texts = [db.execute(f"SELECT count(*) FROM {t} WHERE {t} MATCH ?", (q,)).fetchone() for t, q in
             (("grams", '"银\x01行"'), ("grams", '"蔚\x01来"'))]  # fmt: skip
    skipped = db.execute("SELECT path, reason FROM skipped ORDER BY path").fetchall()
    return posts + texts, skipped


def test_commands_check_the_files_themselves_when_the_watcher_is_gone(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    watcher = Watcher(site)
    assert fresh(site)
    watcher.process.kill()
    watcher.process.wait(timeout=30)
    assert not fresh(site)
    write("site/_posts/2022-01-02-b.md", POST.format(title="B", body="银行"))
    assert sorted(_paths("银行", str(site))) == ["2022-01-01-a.md", "2022-01-02-b.md"]


def test_one_watcher_per_archive(site: Path, watched: Watcher) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "newsctl", "index", "--watch", str(site)], capture_output=True, text=True, timeout=60
    )
    assert second.returncode == 2
    assert second.stderr.strip().splitlines()[-1].endswith("another newsctl index --watch already watches this archive")
    assert "Traceback" not in second.stderr
    assert fresh(site)


def test_no_watcher_means_not_fresh(site: Path) -> None:
    assert not fresh(site)
    code, _, err = run("index", str(site), "--watch", "--status")
    assert code == 2 and "cannot be combined" in err


def test_events_that_need_a_walk() -> None:
    folders = {1: ".", 2: "_posts"}
    changes = Changes()
    changes.add(folders, 2, IN_CLOSE_WRITE, "2022-01-01-a.md")
    changes.add(folders, 2, IN_CLOSE_WRITE, ".2022-01-01-a.md.swp")
    assert changes.paths == {os.path.join("_posts", "2022-01-01-a.md")} and not changes.everything
    for wd, mask, name in ((1, IN_CLOSE_WRITE, "_config.yml"), (2, IN_CREATE | IN_ISDIR, "2023"),
                           (1, IN_Q_OVERFLOW, ""), (9, IN_CLOSE_WRITE, "x.md")):  # fmt: skip
        walk = Changes()
        walk.add(folders, wd, mask, name)
        assert walk.everything, (wd, mask, name)


def test_a_watcher_started_on_a_current_index_watches_the_snapshot_folders(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = write("site/_posts/2022/2022-01-01-a.md", POST.format(title="A", body="银行降准"))
    assert run("index", str(site))[0] == 0
    time.sleep(2.2)  # older than the racy window: the next refresh stores a folder snapshot
    assert run("index", str(site))[0] == 0
    assert index.meta_value(connect(site), "snapshot")
    watcher = Watcher(site)  # the index is current: no walk, the watches come from the snapshot
    _refuse_own_check(monkeypatch)
    try:
        before = post.stat()
        with open(post, "r+b") as handle:
            handle.write(POST.format(title="A", body="蔚来汽车").encode())
        os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert _paths("蔚来", str(site)) == ["2022-01-01-a.md"]
    finally:
        code, log = watcher.stop()
    assert code == 0 and "walking the archive" not in log
    assert "(the index was current)" in log.splitlines()[0], log


def test_a_stopped_watcher_leaves_no_snapshot_to_trust(site: Path, write: WritePost) -> None:
    for day in range(1, 6):
        write(f"site/_posts/2022-01-0{day}-p{day}.md", POST.format(title=f"P{day}", body="银行"))
    assert run("index", str(site))[0] == 0
    time.sleep(2.2)  # older than the racy window: a refresh now stores a folder snapshot
    assert run("index", str(site))[0] == 0
    watcher = Watcher(site)
    write("site/_posts/2022-01-09-new.md", POST.format(title="New", body="银行"))
    assert fresh(site)
    watcher.process.send_signal(signal.SIGINT)
    assert watcher.process.wait(timeout=30) == 0
    time.sleep(0.3)
    (site / "_posts" / "2022-01-03-p3.md").unlink()
    assert not fresh(site, timeout=2)
    code, out, err = run("index", str(site), "--status")
    assert "kept current" not in out
    code, out, err = run("index", str(site))
    assert code == 0 and "no change (snapshot)" not in err and "removed 1" in err, err
    assert "2022-01-03-p3.md" not in run("list", str(site), "--format", "paths")[1]
    assert run("stats", str(site))[0] == 0


def test_a_watched_folder_replaced_is_watched_again(site: Path, write: WritePost) -> None:
    for day in range(1, 4):
        write(f"site/_posts/2022-01-0{day}-p{day}.md", POST.format(title=f"P{day}", body="银行"))
    watcher = Watcher(site)
    try:
        assert fresh(site)
        os.rename(site / "_posts", site / "_posts_old")
        import shutil

        shutil.copytree(site / "_posts_old", site / "_posts")
        assert fresh(site)
        (site / "_posts" / "2022-01-02-p2.md").unlink()
        write("site/_posts/2022-01-08-new.md", POST.format(title="New", body="银行"))
        assert fresh(site)
        code, out, _ = run("search", "银行", str(site), "--no-refresh", "--format", "paths")
        assert code == 0
        assert sorted(os.path.basename(p) for p in out.split()) == [
            "2022-01-01-p1.md", "2022-01-03-p3.md", "2022-01-08-new.md"
        ]  # fmt: skip
    finally:
        watcher.stop()


def test_a_watcher_killed_while_applying_a_change_leaves_nothing_holding_its_socket(
    site: Path, write: WritePost
) -> None:
    watcher = Watcher(site)
    body = "银行 " * 3000
    for number in range(600):  # enough to be read by a pool of workers
        write(f"batch/2022-01-01-p{number}.md", POST.format(title=f"P{number}", body=body))
    os.rename(site.parent / "batch", site / "_posts")  # one event: a walk reads them all
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _children(watcher.process.pid).count("\n") < 3:
        time.sleep(0.01)
    watcher.process.kill()
    watcher.process.wait(timeout=10)
    started = time.monotonic()
    assert not fresh(site, timeout=5)
    assert time.monotonic() - started < 1  # nobody accepts and stays silent
    second = Watcher(site)
    assert fresh(site)
    second.stop()


def _children(pid: int) -> str:
    return subprocess.run(["ps", "-o", "pid,ppid,stat,cmd", "--ppid", str(pid)], capture_output=True, text=True).stdout


def _stop_started_watcher(site: Path) -> None:
    """SIGTERM the watcher a command started for ``site`` and wait until it no longer answers."""
    from newsctl.index.watch_client import watcher_pid

    pid = watcher_pid(site)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while watcher_pid(site) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ChildProcessError):  # spawned by this process: reap it
        os.waitpid(pid, 0)


def _wait_for_watcher(site: Path) -> bool:
    deadline = time.monotonic() + 30
    while not fresh(site):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_watch_true_starts_a_detached_watcher_the_first_time_a_command_needs_the_index(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsctl.index.watch_client import log_path, watcher_pid

    write("site/.newsctl.toml", "watch = true\n")
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    assert not fresh(site)
    try:
        assert _paths("银行", str(site)) == ["2022-01-01-a.md"]  # answered by its own check meanwhile
        assert _wait_for_watcher(site), log_path(site).read_text()
        pid = watcher_pid(site)
        assert pid is not None and os.getsid(pid) == pid  # its own session: it outlives the command
        _refuse_own_check(monkeypatch)
        write("site/_posts/2022-01-02-b.md", POST.format(title="B", body="银行"))
        assert sorted(_paths("银行", str(site))) == ["2022-01-01-a.md", "2022-01-02-b.md"]
        code, out, _ = run("list", str(site), "--format", "paths")
        assert code == 0 and len(out.split()) == 2
        assert watcher_pid(site) == pid  # one watcher per archive: the commands did not start more
    finally:
        _stop_started_watcher(site)
    assert watcher_pid(site) is None
    log = log_path(site).read_text()
    assert "watching" in log and "stopped watching" in log and "Traceback" not in log


def test_watch_true_and_a_watcher_that_cannot_start_the_command_still_works(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("site/.newsctl.toml", "watch = true\n")
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    monkeypatch.setattr(sys, "executable", str(site / "no-such-python"))
    assert _paths("银行", str(site)) == ["2022-01-01-a.md"]
    write("site/_posts/2022-01-02-b.md", POST.format(title="B", body="银行"))
    assert sorted(_paths("银行", str(site))) == ["2022-01-01-a.md", "2022-01-02-b.md"]
    assert not fresh(site)


def test_no_watcher_is_started_without_watch_true(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(root: Path) -> bool:
        raise AssertionError("a watcher was started without watch = true")

    monkeypatch.setattr("newsctl.index.watch_client.start", refuse)
    write("site/_posts/2022-01-01-a.md", POST.format(title="A", body="银行"))
    write("site/.newsctl.toml", "watch = false\n")
    assert _paths("银行", str(site)) == ["2022-01-01-a.md"]
    (site / ".newsctl.toml").unlink()
    assert _paths("银行", str(site)) == ["2022-01-01-a.md"]
