"""What newsctl guarantees while other processes write to the archive and the user presses
Ctrl-C: another process's write is never lost, an interrupted run exits 130 with every written
file complete, a post that vanishes mid-run is not an error, a closed pipe never hides a failure."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import WritePost, run

POST = "---\ntitle: Post {n}\ndate: 2020-01-01 10:00:00\n---\n<p>Body <em>{n}</em>.</p>\n"


def newsctl(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsctl", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


def make_posts(folder: Path, count: int) -> list[Path]:
    posts = folder / "_posts"
    posts.mkdir(parents=True)
    (folder / "_config.yml").write_text("title: t\n", encoding="utf-8")
    paths = []
    for n in range(count):
        path = posts / f"2020-01-01-p{n:05d}.md"
        path.write_text(POST.format(n=n), encoding="utf-8")
        paths.append(path)
    return paths


def test_convert_in_place_never_loses_an_append_made_while_it_runs(tmp_path: Path) -> None:
    paths = make_posts(tmp_path / "site", 800)
    appended: list[tuple[Path, str]] = []
    stop = threading.Event()

    def appender() -> None:
        chooser = random.Random(13)
        n = 0
        while not stop.is_set():
            path = chooser.choice(paths)
            marker = f"appendmarker{n}"
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(f"\n{marker}\n")
            appended.append((path, marker))
            n += 1
            time.sleep(0.001)

    thread = threading.Thread(target=appender)
    thread.start()
    try:
        result = newsctl("convert", "--in-place", "-j", "2", str(tmp_path / "site"))
    finally:
        stop.set()
        thread.join()
    assert result.returncode in (0, 1), result.stderr
    lost = [marker for path, marker in appended if marker not in path.read_text(encoding="utf-8")]
    assert len(appended) > 100
    assert lost == []
    # what was converted was converted: the first post nobody touched is Markdown now
    untouched = set(paths) - {path for path, _ in appended}
    assert all("*" in p.read_text(encoding="utf-8") or "<em>" in p.read_text(encoding="utf-8") for p in untouched)
    assert "Traceback" not in result.stderr


@pytest.fixture
def vanishing(site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site of three posts, one of which is deleted just after discovery finds it."""
    from newsctl.jekyll import discovery

    write("site/_posts/2023-01-01-a.md", "---\ntitle: A\n---\n<p>a</p>\n")
    write("site/_posts/2023-01-02-gone.md", "---\ntitle: Gone\n---\n<p>gone</p>\n")
    write("site/_posts/2023-01-03-c.md", "---\ntitle: C\n---\n<p>c</p>\n")
    walk = discovery.discover

    def discover_then_delete(*args: object, **kwargs: object) -> Iterator[discovery.Found]:
        for item in walk(*args, **kwargs):  # type: ignore[arg-type]
            if "gone" in item.path and os.path.exists(item.path):
                os.unlink(item.path)
            yield item

    monkeypatch.setattr(discovery, "discover", discover_then_delete)
    return site


@pytest.mark.parametrize(
    "command",
    [["list", "--no-index"], ["stats", "--no-index"], ["parse"], ["export"], ["convert", "--out", "{out}"]],
    ids=["list", "stats", "parse", "export", "convert"],
)
def test_a_post_deleted_while_the_command_runs_is_not_an_error(
    vanishing: Path, tmp_path: Path, command: list[str]
) -> None:
    args = [arg.format(out=tmp_path / "out") for arg in command]
    code, out, err = run(*args, "-j", "1", str(vanishing))
    assert (code, err.replace("\n", " ") if "converted" not in err else "") == (0, "")
    assert "Gone" not in out and "gone" not in err
    if command[0] == "convert":
        assert err.startswith("converted 2, unchanged 0, skipped 0, failed 0 in ")
