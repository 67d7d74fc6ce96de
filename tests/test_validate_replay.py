"""A warm ``newsctl validate`` (nothing changed since the last run) replays the stored report:
same output, byte for byte, in every format; any change to what the report depends on (a post
edited, added, deleted or renamed, the configuration, the site's _config.yml, its layouts and
pages, today's date passing a future post's) makes it check again."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsctl.validate.cache import ResultCache
from tests.conftest import WritePost
from tests.test_validate_cli import EMPTY_TITLE, GOOD, NAIVE_DATE, NEWSCTL

FORMATS = ["text", "json", "github", "junit", "sarif"]
COPY = GOOD.replace("Good", "Good again")  # same day, other title; the same body opening: NC503


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(NEWSCTL, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _normal(out: str) -> str:
    """The run's own time (text summary, JUnit's time attributes) set aside."""
    return re.sub(r'time="[\d.]+"', 'time="T"', re.sub(r"in [\d.]+ s\b", "in T s", out))


def _clear_site_caches() -> None:
    # One process runs every invocation here: what a new `newsctl` would read afresh.
    from newsctl.jekyll.site import load_site
    from newsctl.validate import checks

    load_site.cache_clear()
    checks.site_layouts.cache_clear()
    checks.site_page_categories.cache_clear()


@pytest.fixture
def archive(site: Path, write: WritePost) -> Path:
    write("site/_layouts/post.html", "{{ content }}\n")
    write("site/_posts/2022-01-01-good.md", GOOD)
    write("site/_posts/2022-01-01-copy.md", COPY)
    write("site/_posts/2022-01-02-empty-title.md", EMPTY_TITLE)
    write("site/_posts/2022-01-03-naive.md", NAIVE_DATE)
    write("site/_posts/2022-01-04-categories.md", GOOD.replace("layout: post", "layout: post\ncategories: a b"))
    return site


@pytest.fixture
def replayed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every per-file cache lookup is noted: a replayed run makes none."""
    looked: list[str] = []
    real = ResultCache.get

    def get(self: ResultCache, path: str, *args: Any) -> Any:
        looked.append(path)
        return real(self, path, *args)

    monkeypatch.setattr(ResultCache, "get", get)
    return looked


def _same_as_a_full_run(archive: Path, *options: str) -> tuple[int, str, str]:
    _clear_site_caches()
    warm = run("validate", *options, archive)
    _clear_site_caches()
    full = run("validate", "--no-cache", *options, archive)
    assert (warm[0], _normal(warm[1]), warm[2]) == (full[0], _normal(full[1]), full[2])
    return warm


@pytest.mark.parametrize("fmt", FORMATS)
def test_warm_run_replays_the_report_byte_for_byte(archive: Path, replayed: list[str], fmt: str) -> None:
    cold = run("validate", "--format", fmt, archive)
    assert replayed  # the first run looked every post up
    replayed.clear()
    warm = run("validate", "--format", fmt, archive)
    assert replayed == []  # nothing decoded one by one
    assert (warm[0], _normal(warm[1]), warm[2]) == (cold[0], _normal(cold[1]), cold[2])
    assert cold[0] == 1 and {"NC301", "NC206", "NC207", "NC501"} <= set(re.findall(r"NC\d{3}", cold[1]))


def test_warm_run_with_statistics_and_strict_replays_too(archive: Path, replayed: list[str]) -> None:
    cold = run("validate", "--statistics", "--strict", archive)
    replayed.clear()
    warm = run("validate", "--statistics", "--strict", archive)
    assert replayed == [] and _normal(warm[1]) == _normal(cold[1]) and warm[0] == cold[0]


def test_edit_of_a_post_is_checked_again(archive: Path, write: WritePost, replayed: list[str]) -> None:
    run("validate", archive)
    write("site/_posts/2022-01-01-good.md", GOOD.replace("title: Good", "title: ''"))
    replayed.clear()
    _, out, _ = _same_as_a_full_run(archive, "--format", "json")
    assert replayed and '"2022-01-01-good.md' not in out and "good.md" in out


def test_edit_of_the_same_size_with_the_time_put_back_is_checked_again(archive: Path) -> None:
    post = archive / "_posts/2022-01-01-good.md"
    run("validate", archive)
    info = post.stat()
    post.write_text(GOOD.replace("title: Good", "title: ''  "), encoding="utf-8")
    assert post.stat().st_size == info.st_size
    os.utime(post, ns=(info.st_atime_ns, info.st_mtime_ns))
    _, out, _ = _same_as_a_full_run(archive, "--format", "json")
    assert "NC301" in out and "good.md" in out


def test_added_post_is_checked(archive: Path, write: WritePost) -> None:
    run("validate", archive)
    write("site/_posts/2022-01-01-third.md", GOOD)
    _, out, _ = _same_as_a_full_run(archive, "--format", "json")
    assert "third.md" in out  # NC501: same title on the same day


def test_deleted_post_is_no_longer_reported(archive: Path) -> None:
    run("validate", archive)
    (archive / "_posts/2022-01-02-empty-title.md").unlink()
    _, out, _ = _same_as_a_full_run(archive, "--format", "json")
    assert "empty-title" not in out


def test_renamed_post_is_reported_under_its_new_name(archive: Path) -> None:
    run("validate", archive)
    (archive / "_posts/2022-01-02-empty-title.md").rename(archive / "_posts/2022-01-02-renamed.md")
    _, out, _ = _same_as_a_full_run(archive, "--format", "json")
    assert "renamed.md" in out and "empty-title" not in out


def test_config_edit_is_applied(archive: Path, write: WritePost) -> None:
    run("validate", archive)
    write("site/.newsctl.toml", 'ignore = ["NC206"]\n')
    _, out, _ = _same_as_a_full_run(archive, "--format", "json")
    assert "NC206" not in out and "NC301" in out


def test_options_that_change_the_report_are_not_replayed_across(archive: Path) -> None:
    run("validate", archive)
    _, out, _ = _same_as_a_full_run(archive, "--format", "json", "--select", "NC206")
    assert "NC206" in out and "NC301" not in out


def test_site_config_edit_is_applied(archive: Path, write: WritePost) -> None:
    run("validate", archive)
    write("site/_config.yml", "timezone: Asia/Shanghai\ntheme: minima\n")  # layouts from the theme
    _same_as_a_full_run(archive, "--format", "json")
    write("site/_config.yml", "timezone: UTC\n")
    _, out, _ = _same_as_a_full_run(archive, "--format", "json")
    assert "NC206" in out


def test_layout_removed_or_page_added_is_noticed(archive: Path, write: WritePost) -> None:
    run("validate", archive)
    (archive / "_layouts/post.html").unlink()
    _, out, _ = _same_as_a_full_run(archive, "--format", "json")
    assert "NC208" in out
    write("site/a-b.md", "---\ncategory: a b\n---\n")
    _, out, _ = _same_as_a_full_run(archive, "--format", "json")
    assert "a page of the site declares it" in out


def test_moved_archive_reports_its_new_paths(archive: Path, tmp_path: Path) -> None:
    run("validate", archive)
    moved = tmp_path / "moved"
    shutil.copytree(archive, moved, copy_function=shutil.copy2)
    _, out, _ = _same_as_a_full_run(moved, "--format", "json")
    assert str(moved) in out and str(archive) + "/" not in out


def test_stored_report_expires_when_a_future_post_is_due(tmp_path: Path) -> None:
    from newsctl.validate.checks import ValidationRun

    report = ValidationRun([], [], 3, [])
    due = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc).timestamp()
    with ResultCache.open(tmp_path, "key") as cache:
        cache.put_run("digest", due, report)
    with ResultCache.open(tmp_path, "key") as cache:
        assert cache.get_run("digest", due - 1) == report
        assert cache.get_run("digest", due) is None
        assert cache.get_run("other", due - 1) is None
    with ResultCache.open(tmp_path, "another key") as cache:
        assert cache.get_run("digest", due - 1) is None


def test_a_future_post_sets_when_the_report_expires() -> None:
    from newsctl.validate.checks import ArchiveChecks, FileResult

    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    checks = ArchiveChecks(now)
    for day in (2026, 2027, 2024):
        epoch = dt.datetime(day, 1, 1, tzinfo=dt.timezone.utc).timestamp()
        checks.add(FileResult(f"{day}.md", (), {"epoch": str(epoch), "date": f"{day}-01-01", "site_root": None}))
    assert checks.expires == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp()


@pytest.mark.parametrize("count", [0, 1, 3, 2000])
def test_json_report_is_what_json_dumps_writes(count: int) -> None:
    """The JSON writer formats each finding itself (fast); the text must stay exactly what
    ``json.dumps(ensure_ascii=False, indent=2)`` gives, quotes, control characters, non-ASCII
    and surrogates included, across the 64 KB writes."""
    import io
    import json

    from newsctl.validate.diagnostics import Diagnostic, Summary
    from newsctl.validate.report import write_json

    tricky = ["plain", 'quote " back\\slash', "tab\tnew\nline\x01", "中文《标题》", "bad \udce9 name", "x" * 100]
    diagnostics = [
        Diagnostic(f"_posts/{tricky[i % 6]}-{i}.md", i + 1, i % 7 + 1, "NC402", "warning", tricky[(i + 3) % 6])
        for i in range(count)
    ]
    out = io.StringIO()
    write_json(diagnostics, Summary.of(diagnostics, count, 0.0), out)
    assert out.getvalue() == json.dumps([d.to_dict() for d in diagnostics], ensure_ascii=False, indent=2) + "\n"


def test_digest_does_not_depend_on_how_lines_are_batched() -> None:
    """RunDigest hashes its lines in batches: the digest must be the one of a line at a time."""
    from newsctl.jekyll.discovery import Candidate, Missing
    from newsctl.jekyll.site import LOOSE
    from newsctl.validate import replay

    items = [Candidate(f"/a/_posts/2024-01-01-p{i}.md", LOOSE, f"p{i}.md", "post") for i in range(5000)]
    digests = []
    for batch in (1, 7, replay._BATCH):
        digest = replay.RunDigest(["header"])
        original, replay._BATCH = replay._BATCH, batch
        try:
            for i, item in enumerate(items):
                digest.add(item, (i, i, i), context=bool(i % 2))
            digest.add(Missing("/gone.md"), None, context=False)
        finally:
            replay._BATCH = original
        digests.append(digest.hexdigest())
    assert len(set(digests)) == 1
