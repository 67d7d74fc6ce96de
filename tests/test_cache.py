"""The per-file result cache of ``newsctl validate`` (newsctl/cache.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from newsctl.validate.cache import CACHE_DIR, CACHE_FILE, CachedResult, ResultCache
from newsctl.validate.diagnostics import Diagnostic

KEY = "0.1.0:config-abc"
POST = "_posts/2022-01-01-hello.md"
RESULT = CachedResult(
    diagnostics=(
        Diagnostic(POST, 3, 1, "NC101", "error", "title is missing"),
        Diagnostic(POST, 1, 1, "NC200", "warning", "ünïcode message"),
    ),
    facts={"url": "/2022/01/01/hello.html", "title": None, "day": "2022-01-01"},
)


def database(root: Path) -> Path:
    return root / CACHE_DIR / CACHE_FILE


def stored_paths(root: Path) -> set[str]:
    connection = sqlite3.connect(database(root))
    try:
        return {path for (path,) in connection.execute("SELECT path FROM results")}
    finally:
        connection.close()


def test_miss_then_hit_after_put_close_and_reopen(tmp_path: Path) -> None:
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.enabled
        assert cache.get(POST, (120, 1_700_000_000_123_456_789, 0)) is None
        cache.put(POST, (120, 1_700_000_000_123_456_789, 0), RESULT)
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.get(POST, (120, 1_700_000_000_123_456_789, 0)) == RESULT


def test_put_is_visible_to_get_in_the_same_run(tmp_path: Path) -> None:
    with ResultCache.open(tmp_path, KEY) as cache:
        cache.put(POST, (120, 5, 0), RESULT)
        assert cache.get(POST, (120, 5, 0)) == RESULT


def test_changed_size_or_mtime_is_a_miss(tmp_path: Path) -> None:
    with ResultCache.open(tmp_path, KEY) as cache:
        cache.put(POST, (120, 5, 0), RESULT)
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.get(POST, (121, 5, 0)) is None
        assert cache.get(POST, (120, 6, 0)) is None
        assert cache.get("_posts/2022-01-02-other.md", (120, 5, 0)) is None


def test_entries_made_under_another_key_are_misses(tmp_path: Path) -> None:
    with ResultCache.open(tmp_path, KEY) as cache:
        cache.put(POST, (120, 5, 0), RESULT)
    with ResultCache.open(tmp_path, "0.2.0:config-abc") as cache:
        assert cache.get(POST, (120, 5, 0)) is None


def test_lookups_read_the_database_as_it_is(tmp_path: Path) -> None:
    # get is a query, not a snapshot held in memory: a row deleted after open is a miss (the
    # file is checked again), never a stale hit.
    with ResultCache.open(tmp_path, KEY) as cache:
        cache.put(POST, (120, 5, 0), RESULT)
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.get(POST, (120, 5, 0)) == RESULT
        other = sqlite3.connect(database(tmp_path), isolation_level=None)
        other.execute("DELETE FROM results")
        other.close()
        assert cache.get(POST, (120, 5, 0)) is None


def test_opening_a_large_cache_does_not_load_its_rows(tmp_path: Path) -> None:
    import tracemalloc

    payload = RESULT.facts | {"title": "x" * 1000}
    with ResultCache.open(tmp_path, KEY) as cache:
        for number in range(5000):
            cache.put(f"_posts/{number}.md", (1, 1, number), CachedResult((), payload))
    tracemalloc.start()
    try:
        cache = ResultCache.open(tmp_path, KEY)
        held = tracemalloc.get_traced_memory()[0]
        assert cache.get("_posts/4999.md", (1, 1, 4999)) == CachedResult((), payload)
        cache.close()
    finally:
        tracemalloc.stop()
    assert held < 1 << 20  # 5 MB of rows stay on disk


def test_gitignore_is_written_with_the_directory(tmp_path: Path) -> None:
    ResultCache.open(tmp_path, KEY).close()
    assert (tmp_path / CACHE_DIR / ".gitignore").read_text(encoding="utf-8") == "*\n"


@pytest.mark.parametrize(
    "content",
    [b"garbage, not a database\x00\xff" * 200, b"SQLite format 3\x00" + b"\x00" * 50],
    ids=["garbage", "truncated"],
)
def test_corrupt_file_is_replaced(tmp_path: Path, content: bytes) -> None:
    database(tmp_path).parent.mkdir()
    database(tmp_path).write_bytes(content)
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.enabled
        assert cache.get(POST, (120, 5, 0)) is None
        cache.put(POST, (120, 5, 0), RESULT)
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.get(POST, (120, 5, 0)) == RESULT


def test_foreign_sqlite_file_is_replaced(tmp_path: Path) -> None:
    database(tmp_path).parent.mkdir()
    foreign = sqlite3.connect(database(tmp_path))
    foreign.execute("CREATE TABLE results (path TEXT, payload TEXT)")
    foreign.execute("INSERT INTO results VALUES (?, 'x')", (POST,))
    foreign.commit()
    foreign.close()
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.enabled
        assert cache.get(POST, (120, 5, 0)) is None
        cache.put(POST, (120, 5, 0), RESULT)
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.get(POST, (120, 5, 0)) == RESULT


def test_other_schema_version_is_replaced(tmp_path: Path) -> None:
    with ResultCache.open(tmp_path, KEY) as cache:
        cache.put(POST, (120, 5, 0), RESULT)
    connection = sqlite3.connect(database(tmp_path))
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.enabled
        assert cache.get(POST, (120, 5, 0)) is None


def test_damaged_payload_is_a_miss(tmp_path: Path) -> None:
    with ResultCache.open(tmp_path, KEY) as cache:
        cache.put(POST, (120, 5, 0), RESULT)
    connection = sqlite3.connect(database(tmp_path))
    connection.execute('UPDATE results SET payload = \'{"d":[[1,2]],"f":{}}\'')
    connection.commit()
    connection.close()
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.get(POST, (120, 5, 0)) is None


def test_unwritable_root_disables_the_cache_silently(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    root.mkdir()
    root.chmod(0o500)
    try:
        if os.access(root, os.W_OK):
            pytest.skip("chmod does not stop this user (root) from writing")
        with ResultCache.open(root, KEY) as cache:
            assert not cache.enabled
            cache.put(POST, (120, 5, 0), RESULT)
            assert cache.get(POST, (120, 5, 0)) is None
        assert not (root / CACHE_DIR).exists()
    finally:
        root.chmod(0o700)


def test_unusable_location_disables_the_cache_silently(tmp_path: Path) -> None:
    (tmp_path / CACHE_DIR).write_text("a file where the cache folder should be", encoding="utf-8")
    with ResultCache.open(tmp_path, KEY) as cache:
        assert not cache.enabled
        cache.put(POST, (120, 5, 0), RESULT)
        assert cache.get(POST, (120, 5, 0)) is None
        cache.prune(set())


def test_missing_root_disables_the_cache_silently(tmp_path: Path) -> None:
    with ResultCache.open(tmp_path / "nowhere", KEY) as cache:
        assert not cache.enabled
    assert not (tmp_path / "nowhere").exists()


def test_prune_removes_rows_of_paths_not_kept(tmp_path: Path) -> None:
    gone = "_posts/2021-05-05-gone.md"
    with ResultCache.open(tmp_path, KEY) as cache:
        cache.put(POST, (120, 5, 0), RESULT)
        cache.put(gone, (80, 5, 0), RESULT)
    with ResultCache.open(tmp_path, KEY) as cache:
        cache.prune({POST})
        assert cache.get(gone, (80, 5, 0)) is None
    assert stored_paths(tmp_path) == {POST}
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.get(POST, (120, 5, 0)) == RESULT


def test_puts_are_written_in_batches_before_close(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsctl.validate.cache.FLUSH_EVERY", 3)
    cache = ResultCache.open(tmp_path, KEY)
    for number in range(4):
        cache.put(f"_posts/2022-01-0{number + 1}-x.md", (1, 1, 0), RESULT)
    assert len(stored_paths(tmp_path)) == 3
    cache.close()
    assert len(stored_paths(tmp_path)) == 4


def test_two_open_caches_both_keep_their_writes(tmp_path: Path) -> None:
    first = ResultCache.open(tmp_path, KEY)
    second = ResultCache.open(tmp_path, KEY)
    first.put("a.md", (1, 1, 1), RESULT)
    second.put("b.md", (1, 1, 1), RESULT)
    second.close()
    first.close()
    assert stored_paths(tmp_path) == {"a.md", "b.md"}


def test_close_twice_is_harmless(tmp_path: Path) -> None:
    cache = ResultCache.open(tmp_path, KEY)
    cache.close()
    cache.close()
    assert cache.get(POST, (120, 5, 0)) is None


def test_disabled_cache_never_hits(tmp_path: Path) -> None:
    with ResultCache.disabled(KEY) as cache:
        cache.put(POST, (120, 5, 0), RESULT)
        assert cache.get(POST, (120, 5, 0)) is None


def test_a_cache_with_no_row_under_its_key_asks_sqlite_nothing_per_file(tmp_path: Path) -> None:
    """A cold run (no cache yet, or one made by another newsctl or config) misses every file:
    it must not pay a query for each of them."""
    with ResultCache.open(tmp_path, "another key") as cache:
        cache.put(POST, (120, 5, 0), RESULT)
    with ResultCache.open(tmp_path, KEY) as cache:
        statements: list[str] = []
        assert cache._conn is not None
        cache._conn.set_trace_callback(statements.append)
        assert [cache.get(f"_posts/{n}.md", (1, 1, n)) for n in range(100)] == [None] * 100
        assert cache.get(POST, (120, 5, 0)) is None
        assert statements == []
        cache.put(POST, (120, 5, 0), RESULT)
    with ResultCache.open(tmp_path, KEY) as cache:  # rows under the key now: looked up
        assert cache.get(POST, (120, 5, 0)) == RESULT


def test_a_result_with_a_path_that_is_not_utf8_round_trips(tmp_path: Path) -> None:
    bad = "_posts/2022-01-01-caf\udce9.md"
    result = CachedResult((Diagnostic(bad, 1, 1, "NC101", "error", "bad \udce9"),), {"title": "caf\udce9"})
    with ResultCache.open(tmp_path, KEY) as cache:
        cache.put(bad, (1, 2, 3), result)
    with ResultCache.open(tmp_path, KEY) as cache:
        assert cache.get(bad, (1, 2, 3)) == result


@pytest.mark.parametrize(
    "facts",
    [
        {},
        {"url": "/a/b.html", "title": 'He said "hi"\n\t\\ ünï 中文 \u2028', "day": None, "site_root": "/tmp/x"},
        {"lead": "9f38", "count": 3, "flag": True, "list": ["a"]},  # not text: the general encoder
        {"title": "bad \udce9 name"},  # a name that is not UTF-8: escaped to ASCII as before
    ],
)
def test_payload_encoder_writes_what_json_dumps_writes_without_none_and_left_out_keys(
    facts: dict[str, object],
) -> None:
    import json

    from newsctl.validate.cache import encode_payload

    diagnostics = (*RESULT.diagnostics, Diagnostic("_posts/\udce9.md", 1, 2, "NC209", "error", 'a "quoted"\nmsg'))
    kept = {k: v for k, v in facts.items() if v is not None and k != "site_root"}
    data = {"d": [[d.path, d.line, d.column, d.code, d.severity, d.message] for d in diagnostics], "f": kept}
    try:
        expected = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        expected.encode("utf-8")
    except UnicodeEncodeError:
        expected = json.dumps(data, separators=(",", ":"))
    assert encode_payload(diagnostics, facts, leave_out="site_root") == expected  # type: ignore[arg-type]
    plain = {"d": [], "f": kept}
    try:
        expected = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
        expected.encode("utf-8")
    except UnicodeEncodeError:
        expected = json.dumps(plain, separators=(",", ":"))
    assert encode_payload((), facts, leave_out="site_root") == expected  # type: ignore[arg-type]
