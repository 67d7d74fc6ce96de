"""Post ids are the archive's (date, path) order, through every kind of change."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsctl.filters import PostFilter
from newsctl.index import order as orderkeys
from newsctl.index import refresh as refresh_module
from newsctl.index.query import parse_query
from newsctl.index.refresh import refresh
from newsctl.index.schema import connect
from newsctl.index.search import scopes_for, search, search_paths, select
from tests.conftest import WritePost

WORDS = ["银行", "蔚来", "车", "新能源汽车", "chip", "Tesla"]


def _assert_in_order(db: sqlite3.Connection) -> None:
    ids = [row[0] for row in db.execute("SELECT id FROM posts ORDER BY epoch, path")]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {row[0] for row in db.execute("SELECT id FROM bodies")} <= set(ids)


def _assert_search_is_exact(db: sqlite3.Connection, root: Path, bodies: dict[str, str]) -> None:
    """Every word's results, newest first, are the posts holding it in list's date order."""
    scopes = scopes_for(root, [str(root)])
    listed = [row.path for row in select(db, PostFilter(), scopes, False, sort="date", reverse=False)]
    for word in WORDS:
        want = [path for path in listed if word.lower() in bodies[os.path.relpath(path, root)].lower()]
        got = [row.path for row in search(db, parse_query(word), scopes=scopes, sort="date")]
        assert got == want, word
        assert (
            search_paths(db, parse_query(word), scopes=scopes, sort="date") == "".join(p + "\n" for p in want).encode()
        )


operation = st.tuples(
    st.sampled_from(["write", "write", "write", "broken", "delete"]),
    st.integers(0, 11),  # which file
    st.integers(0, 1),  # which second (few: posts of one second must share a bucket)
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(operation, min_size=1, max_size=8), min_size=1, max_size=5))
def test_ids_follow_the_order_through_adds_changes_and_deletes(
    monkeypatch: pytest.MonkeyPatch, batches: list[list[tuple[str, int, int, list[str]]]]
) -> None:
    # Ids 2 apart: free ids run out at once, so posts are spread out again (their FTS rows
    # moved) all the time.
    monkeypatch.setattr(orderkeys, "STEP", 2)
    monkeypatch.setattr(refresh_module, "STEP", 2)
    # The index is asked about the walked files 3 at a time: changes and deletions fall in
    # every chunk and between them.
    monkeypatch.setattr(refresh_module, "LOOKUP_CHUNK", 3)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "_config.yml").write_text("timezone: Asia/Shanghai\n", encoding="utf-8")
        (root / "_posts").mkdir()
        db = connect(root)
        bodies: dict[str, str] = {}
        for batch in batches:
            for kind, number, second, words in batch:
                relative = os.path.join("_posts", f"2022-01-0{1 + number % 2}-post{number:02d}.md")
                if kind == "delete":
                    (root / relative).unlink(missing_ok=True)
                    bodies.pop(relative, None)
                    continue
                if kind == "broken":  # recorded with its error, without a date: bucket 0
                    (root / relative).write_text("---\ntitle: [\n---\n银行\n", encoding="utf-8")
                    bodies.pop(relative, None)
                    continue
                body = " ".join(words)
                # Some posts without a date of their own: the file name's midnight.
                date = f"date: 2022-01-01 10:00:0{second}\n" if number % 3 else ""
                (root / relative).write_text(f"---\ntitle: t{number}\n{date}---\n{body}\n", encoding="utf-8")
                bodies[relative] = body
            refresh(db, root, jobs=1, full=True)
            _assert_in_order(db)
            _assert_search_is_exact(db, root, bodies)
        db.close()


def test_posts_are_spread_out_when_no_id_is_free(monkeypatch: pytest.MonkeyPatch, site: Path, write: WritePost) -> None:
    monkeypatch.setattr(orderkeys, "STEP", 2)
    monkeypatch.setattr(refresh_module, "STEP", 2)
    moved: list[tuple[int, int]] = []
    real_move = refresh_module._move
    monkeypatch.setattr(
        refresh_module, "_move", lambda db, old, new: (moved.append((old, new)), real_move(db, old, new))
    )
    db = connect(site)
    bodies = {}
    # Each post sorts between the one before and the last: the same gap is filled again and
    # again, and the posts around it are spread out several times.
    for number, name in enumerate("azbcdefghijklmnop"):
        relative = os.path.join("_posts", f"2022-01-01-{name}.md")
        bodies[relative] = WORDS[number % len(WORDS)] + " " + WORDS[(number * 2) % len(WORDS)]
        write(f"site/{relative}", f"---\ntitle: {name}\ndate: 2022-01-01 10:00:00\n---\n{bodies[relative]}\n")
        refresh(db, site, jobs=1, full=True)
        _assert_in_order(db)
        _assert_search_is_exact(db, site, bodies)
    assert len(moved) > 8


def _category_folders(write: WritePost) -> dict[str, str]:
    bodies = {}
    for day in range(1, 8):
        for number, folder in enumerate(["markets", "tech", "world"]):
            relative = os.path.join(folder, "_posts", f"2022-01-0{day}-{folder}.md")
            bodies[relative] = WORDS[(day + number) % len(WORDS)]
            write(f"site/{relative}", f"---\ntitle: {folder}\n---\n{bodies[relative]}\n")
    return bodies


def test_a_first_build_that_parks_many_fills_the_text_index_once_at_its_end(
    monkeypatch: pytest.MonkeyPatch, site: Path, write: WritePost
) -> None:
    monkeypatch.setattr(refresh_module, "DEFER_AFTER", 1)
    tokenized: list[int] = []
    real = refresh_module._index_text
    monkeypatch.setattr(refresh_module, "_index_text", lambda db, i, *a: (tokenized.append(i), real(db, i, *a)))
    bodies = _category_folders(write)
    db = connect(site)
    refresh(db, site, jobs=1)
    _assert_in_order(db)
    _assert_search_is_exact(db, site, bodies)
    # Before it deferred, the build indexed the posts of the first folder and a few more.
    assert len(bodies) < len(tokenized) < 2 * len(bodies)
    assert db.execute("SELECT count(*) FROM meta WHERE key = 'deferred'").fetchone()[0] == 0


def test_a_first_build_interrupted_after_deferring_is_completed_by_the_next_refresh(
    monkeypatch: pytest.MonkeyPatch, site: Path, write: WritePost
) -> None:
    monkeypatch.setattr(refresh_module, "DEFER_AFTER", 1)
    bodies = _category_folders(write)
    db = connect(site)
    with monkeypatch.context() as patch:
        patch.setattr(refresh_module._Order, "finish", lambda self: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            refresh(db, site, jobs=1)
    assert db.execute("SELECT count(*) FROM meta WHERE key = 'deferred'").fetchone()[0] == 1
    # The next refresh removes and changes posts: it must first give every post its tokens.
    (site / "tech" / "_posts" / "2022-01-03-tech.md").unlink()
    del bodies[os.path.join("tech", "_posts", "2022-01-03-tech.md")]
    write("site/world/_posts/2022-01-02-world.md", "---\ntitle: world\n---\n银行 Tesla\n")
    bodies[os.path.join("world", "_posts", "2022-01-02-world.md")] = "银行 Tesla"
    refresh(db, site, jobs=1)
    _assert_in_order(db)
    _assert_search_is_exact(db, site, bodies)


def test_failed_files_take_the_lowest_ids(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-02-b.md", "---\ntitle: B\n---\n银行\n")
    write("site/_posts/2022-01-01-bad.md", "---\ntitle: x\ndate: nonsense\n---\n银行\n")
    write("site/_posts/2022-01-03-worse.md", "---\ntitle: [\n---\n银行\n")
    write("site/_posts/2021-12-31-a.md", "---\ntitle: A\n---\n银行\n")
    db = connect(site)
    refresh(db, site, jobs=1)  # a first build: the failed files met after dated posts are parked, then placed
    _assert_in_order(db)
    failed = [row[0] for row in db.execute("SELECT id FROM posts WHERE error IS NOT NULL ORDER BY path")]
    dated = [row[0] for row in db.execute("SELECT id FROM posts WHERE epoch IS NOT NULL ORDER BY path")]
    assert len(failed) == 2 and len(dated) == 2
    assert failed[0] < failed[1] < dated[0] < dated[1] < orderkeys.PARK


def test_a_first_build_of_an_archive_in_folders_by_category_is_renumbered(site: Path, write: WritePost) -> None:
    """The walk meets most posts out of date order: every post is renumbered and the FTS
    tables are filled again; the result is the same as adding the posts one by one."""
    bodies = _category_folders(write)
    db = connect(site)
    refresh(db, site, jobs=1)
    _assert_in_order(db)
    _assert_search_is_exact(db, site, bodies)
    assert max(row[0] for row in db.execute("SELECT id FROM posts")) == orderkeys.STEP * len(bodies)


def test_a_new_time_zone_moves_every_post_and_keeps_the_order(site: Path, write: WritePost) -> None:
    """Every post is read again with another date: most find no free id near their new
    place, and the index is renumbered as a whole."""
    bodies = {}
    for number in range(40):
        relative = os.path.join("_posts", f"2022-01-{1 + number // 8:02d}-p{number:02d}.md")
        bodies[relative] = WORDS[number % len(WORDS)]
        hour = (number * 7) % 24
        write(
            f"site/{relative}",
            f"---\ntitle: p\ndate: 2022-01-{1 + number // 8:02d} {hour:02d}:00:00\n---\n{bodies[relative]}\n",
        )
    db = connect(site)
    refresh(db, site, jobs=1)
    _assert_in_order(db)
    write("site/_config.yml", "timezone: America/New_York\n")
    again = refresh(db, site, jobs=1)
    assert again.changed == 40
    _assert_in_order(db)
    _assert_search_is_exact(db, site, bodies)


def test_a_refresh_looks_files_up_a_chunk_at_a_time(
    monkeypatch: pytest.MonkeyPatch, site: Path, write: WritePost
) -> None:
    """What the index knows is read a few walked files at a time (memory stays flat): adds,
    changes and deletions are each counted once, in a full walk and in a watcher's."""
    monkeypatch.setattr(refresh_module, "LOOKUP_CHUNK", 2)
    for number in range(9):
        write(f"site/_posts/2022-01-0{1 + number}-p{number}.md", f"---\ntitle: t{number}\n---\n银行{number}\n")
    db = connect(site)
    assert refresh(db, site, jobs=1).added == 9
    posts = site / "_posts"
    (posts / "2022-01-02-p1.md").unlink()
    (posts / "2022-01-06-p5.md").unlink()
    write("site/_posts/2022-01-04-p3.md", "---\ntitle: t3\n---\n芯片\n")
    write("site/_posts/2022-02-01-new.md", "---\ntitle: new\n---\n银行\n")
    stats = refresh(db, site, jobs=1, full=True)
    assert (stats.added, stats.changed, stats.removed, stats.unchanged) == (1, 1, 2, 6)
    assert db.execute("SELECT count(*) FROM posts").fetchone()[0] == 8
    # A watcher's refresh: only the files it names are looked at.
    (posts / "2022-01-08-p7.md").unlink()
    write("site/_posts/2022-01-09-p8.md", "---\ntitle: t8\n---\n车\n")
    stats = refresh(db, site, jobs=1, only={"_posts/2022-01-08-p7.md", "_posts/2022-01-09-p8.md"})
    assert (stats.added, stats.changed, stats.removed) == (0, 1, 1)
    paths = [row.path for row in search(db, parse_query("银行"), scopes=scopes_for(site, [str(site)]), sort="date")]
    assert [Path(p).name for p in paths] == [
        "2022-02-01-new.md", "2022-01-07-p6.md", "2022-01-05-p4.md", "2022-01-03-p2.md", "2022-01-01-p0.md"
    ]  # fmt: skip


def test_a_file_deleted_while_another_process_adds_posts_is_still_removed(site: Path, write: WritePost) -> None:
    """The deleted files are found by counting the known files the walk met; a commit by
    another process during the walk (here: a post of a file it found) makes the count
    unreliable, so they are then looked for in full."""
    write("site/_posts/2022-01-01-a.md", "---\ntitle: a\n---\n银行\n")
    write("site/_posts/2022-01-02-b.md", "---\ntitle: b\n---\n银行\n")
    db = connect(site)
    refresh(db, site, jobs=1)
    (site / "_posts" / "2022-01-02-b.md").unlink()
    write("site/_posts/2022-01-03-c.md", "---\ntitle: c\n---\n银行\n")
    info = (site / "_posts" / "2022-01-03-c.md").stat()

    def walk_while_another_process_writes(found: Iterable[Any]) -> Iterator[Any]:
        other = sqlite3.connect(site / ".newsctl" / "index.sqlite")
        other.execute(
            "INSERT INTO posts (id, path, size, mtime_ns, ctime_ns, ino, hash) VALUES (?, ?, ?, ?, ?, ?, x'00')",
            (1 << 40, "_posts/2022-01-03-c.md", info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino),
        )
        other.commit()
        other.close()
        yield from found

    stats = refresh(db, site, jobs=1, full=True, progress=walk_while_another_process_writes)
    assert stats.removed == 1
    assert [row[0] for row in db.execute("SELECT path FROM posts ORDER BY path")] == [
        "_posts/2022-01-01-a.md",
        "_posts/2022-01-03-c.md",
    ]
