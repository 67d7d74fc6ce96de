"""`list` and `stats` read from the index exactly what they read from the files."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from newsctl.index import freshness
from tests.conftest import CORPUS, EXAMPLES, WritePost, run

POST = "---\ntitle: {title}\n---\n{body}\n"

OPTIONS = [
    [],
    ["--format", "jsonl"],
    ["--format", "json", "--sort", "title"],
    ["--format", "csv", "--sort", "path", "--reverse"],
    ["--format", "paths", "-c", "markets", "-c", "EMNEWS"],
    ["-t", "新能源", "--since", "2023"],
    ["--since", "2022-07", "--until", "2023-12-31", "--format", "jsonl"],
    ["--since", "2023-01-01T00:00:00+00:00", "--until", "2024-02-29T00:00:00+08:00", "--format", "paths"],
    ["-n", "3", "--reverse"],
    ["--drafts", "--format", "jsonl"],
    ["-c", "no-such-category"],
    ["-0", "--sort", "path", "-n", "4"],
    ["--format", "paths", "--reverse", "--since", "2023"],
    ["--format", "paths", "--sort", "title", "--drafts"],
    ["--format", "paths", "-c", "no-such-category"],
    ["--count", "-c", "markets"],
]


def _same(paths: list[str], options: list[list[str]]) -> None:
    for extra in options:
        with_files = run("list", *paths, *extra, "--no-index")
        with_index = run("list", *paths, *extra)
        assert with_index == with_files, (paths, extra)


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".newsctl"))
    monkeypatch.chdir(tmp_path)
    assert run("index", "examples")[0] == 0
    return root


def test_list_from_the_index_equals_list_from_the_files(examples: Path) -> None:
    assert (examples / ".newsctl" / "index.sqlite").is_file()
    for paths in (["examples"], ["examples/"], ["./examples/_posts"], ["examples/markets"]):
        _same(paths, OPTIONS)
    _same(["examples/_posts/2024-02-29-leap-day-settlement.md"], [[], ["--format", "jsonl"]])
    os.chdir(examples)
    _same([], OPTIONS[:4])


def test_errors_and_skipped_files_are_reported_as_without_the_index(
    site: Path, write: WritePost, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("site/_posts/2022-01-01-good.md", "---\ntitle: good\n---\n银行\n")
    write("site/_posts/2022-01-02-bad.md", "---\ntitle: [unclosed\n---\n")
    write("site/_posts/not-a-post.md", "---\ntitle: x\n---\n")
    monkeypatch.chdir(tmp_path)
    run("index", "site")
    for extra in ([], ["--format", "paths"]):
        with_files = run("list", "site", *extra, "--no-index")
        assert with_files[0] == 1 and "2022-01-02-bad.md:3: error" in with_files[2]
        assert run("list", "site", *extra) == with_files


def test_stats_from_the_index_equal_stats_from_the_files(examples: Path) -> None:
    for extra in (["--by", "year"], ["--by", "category", "--format", "json"], ["--by", "tag", "-c", "emnews"],
                  ["--by", "day", "--since", "2023", "--format", "csv"], ["--by", "month", "-t", "nothing"], ["--by", "week"]):  # fmt: skip
        assert run("stats", "examples", *extra) == run("stats", "examples", *extra, "--no-index"), extra


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_list_and_stats_from_the_index_on_the_real_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("finews", "jekyll-tests"):
        shutil.copytree(CORPUS / name, tmp_path / name, ignore=shutil.ignore_patterns(".newsctl"))
    monkeypatch.chdir(tmp_path)
    for name in ("finews", "jekyll-tests"):
        run("index", name)
        _same([name], OPTIONS)
        for by in ("month", "week", "day", "category", "tag"):
            assert run("stats", name, "--by", by, "--format", "json") == run(
                "stats", name, "--by", by, "--format", "json", "--no-index"
            )


def test_list_without_an_index_does_not_create_one(examples: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(EXAMPLES, other, ignore=shutil.ignore_patterns(".newsctl"))
    assert run("list", "other", "--format", "paths")[0] == 0
    assert not (other / ".newsctl" / "index.sqlite").exists()


def test_list_reads_the_files_when_the_index_cannot_be_opened(examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsctl.index import schema as index

    def refuse(root: Path) -> None:
        raise index.IndexUnusable(f"cannot open the index {root}: disk I/O error")

    monkeypatch.setattr(index, "connect", refuse)
    code, out, err = run("list", "examples", "--format", "paths")
    assert code == 0 and out == run("list", "examples", "--format", "paths", "--no-index")[1]
    assert "warning: cannot open the index" in err and "reading the files" in err


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots taken right after the files were written (the tests cannot wait 2 s)."""
    monkeypatch.setattr(freshness, "RACY_NS", 0)


def _indexed_site(site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch) -> Path:
    post = write("site/_posts/2022-01-01-a.md", POST.format(title="old", body="银行降准"))
    write("site/_posts/2022-01-02-b.md", POST.format(title="B", body="芯片"))
    monkeypatch.chdir(site.parent)
    time.sleep(0.05)  # longer than a timestamp tick: the snapshot is trusted
    assert run("index", "site")[0] == 0
    return post


def test_list_queries_the_index_while_the_no_change_check_goes_on(
    site: Path, write: WritePost, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As search does: the query runs while the files are statted; nothing changed, so its
    answer is kept and nothing is queried after the check."""
    from newsctl.index import schema

    _indexed_site(site, write, monkeypatch)
    events: list[str] = []
    connect, unchanged = schema.connect, freshness.Pending.unchanged

    def traced(root: Path) -> sqlite3.Connection:
        db = connect(root)
        db.set_trace_callback(lambda sql: events.append("query") if "FROM posts" in sql else None)
        return db

    def checked(self: freshness.Pending) -> bool:
        events.append("checked")
        return unchanged(self)

    monkeypatch.setattr(schema, "connect", traced)
    monkeypatch.setattr(freshness.Pending, "unchanged", checked)
    for extra in (["--format", "paths"], ["--format", "jsonl"]):
        events.clear()
        code, out, _ = run("list", "site", *extra)
        assert code == 0 and "2022-01-01-a.md" in out
        assert "query" in events and events[-1] == "checked" and events.count("checked") == 1, (extra, events)


def test_list_sees_a_post_rewritten_in_place_since_the_last_refresh(
    site: Path, write: WritePost, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = _indexed_site(site, write, monkeypatch)
    before = post.stat()
    time.sleep(0.05)
    with open(post, "r+b") as handle:  # in place: same inode, same size, folder untouched
        handle.write(POST.format(title="new", body="蔚来汽车").encode())
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert post.stat().st_size == before.st_size
    assert '"title": "old"' in run("list", "site", "--format", "jsonl", "--no-refresh")[1]
    assert '"title": "new"' in run("list", "site", "--format", "jsonl")[1]
    write("site/_posts/2022-01-03-c.md", POST.format(title="C", body="新"))
    assert run("list", "site", "--format", "paths")[1].splitlines() == [
        os.path.join("site", "_posts", name) for name in ("2022-01-03-c.md", "2022-01-02-b.md", "2022-01-01-a.md")
    ]


def test_list_reads_the_files_when_a_changed_index_cannot_be_updated(
    site: Path, write: WritePost, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check beside the query found a change, and the refresh fails (locked, read-only,
    a full disk): said in one line, and the files are read, as when opening it failed."""
    _indexed_site(site, write, monkeypatch)
    write("site/_posts/2022-01-03-c.md", POST.format(title="C", body="新"))

    def locked(*_: object, **__: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr("newsctl.index.refresh.refresh", locked)
    code, out, err = run("list", "site", "--format", "paths")
    assert code == 0 and out == run("list", "site", "--format", "paths", "--no-index")[1]
    assert "2022-01-03-c.md" in out
    assert "warning: cannot update the index" in err and "database is locked; reading the files" in err
