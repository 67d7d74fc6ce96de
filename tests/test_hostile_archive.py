"""A hostile archive, every command: each finishes, exits as documented, and never shows a
traceback or an internal error (issue 13's "must show")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

HEAD = "---\ntitle: {title}\ndate: 2022-01-0{day} 10:00:00 +0800\n---\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".newsctl", "broken"))
    posts = root / "_posts"
    os.mkfifo(posts / "2022-01-01-fifo.md")
    (posts / os.fsdecode(b"2022-01-02-caf\xe9.md")).write_text(HEAD.format(title="Cafe", day=2) + "x\n")
    outside = root.parent / "outside.md"
    outside.write_text(HEAD.format(title="Outside", day=3) + "outside words\n")
    (posts / "2022-01-03-link-out.md").symlink_to(outside)
    (posts / "2022-01-04-unclosed.md").write_text("---\ntitle: never closed\nbody\n")
    big = "<p>" + "新能源汽车 word " * 800_000 + "</p>\n"  # 12 MB: past libxml2's 10 MB text limit
    (posts / "2022-01-05-big.html").write_text(HEAD.format(title="Big", day=5) + big)
    deep = "<div>" * 3_000 + "深处 deepword" + "</div>" * 3_000 + "\n"
    (posts / "2022-01-06-deep.html").write_text(HEAD.format(title="Deep", day=6) + deep)
    (posts / "2022-01-07-binary.md").write_bytes(b"\x00\x01\x02" * 100)
    (posts / "no-date.md").write_text(HEAD.format(title="No date", day=7) + "x\n")
    return root


COMMANDS = [
    ["parse", "--no-body"],
    ["list", "--no-index"],
    ["list", "--no-index", "--format", "jsonl"],
    ["list", "--no-index", "--format", "json"],
    ["list", "--no-index", "--format", "csv"],
    ["index"],
    ["list"],
    ["list", "--format", "jsonl"],
    ["search", "deepword"],
    ["search", "新能源汽车", "--format", "paths"],
    ["stats"],
    ["export"],
    ["validate", "--no-cache"],
    ["convert", "--to", "text", "--out", "{out}"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_finishes_on_a_hostile_archive(hostile: Path, tmp_path: Path, command: list[str]) -> None:
    args = [arg.format(out=tmp_path / "out") for arg in command]
    done = subprocess.run([sys.executable, "-m", "newsctl", *args, str(hostile)], capture_output=True, timeout=120)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    if command[0] == "search":
        assert done.returncode == 0, err  # the words of the big and the deep post are found
    if command[0] == "convert":
        texts = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.txt")}
        assert texts["2022-01-05-big.txt"].count("新能源汽车") == 800_000
        assert "深处 deepword" in texts["2022-01-06-deep.txt"]
        assert "outside words" in texts["2022-01-03-link-out.txt"]  # read, never rewritten
    assert (hostile.parent / "outside.md").read_text().endswith("outside words\n")


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "paths"])
def test_list_without_the_index_writes_a_name_that_is_not_utf8_as_its_bytes(hostile: Path, fmt: str) -> None:
    """The rows made in the workers once failed to encode such a name: an internal error on
    --format jsonl, json and csv without the index. (The index leaves such a post out and says
    so: a name it cannot store.)"""
    done = subprocess.run(
        [sys.executable, "-m", "newsctl", "list", "--no-index", "--format", fmt, str(hostile)],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # the post whose front matter is not closed
    assert b"internal error" not in done.stderr, done.stderr
    assert b"2022-01-02-caf\xe9.md" in done.stdout
