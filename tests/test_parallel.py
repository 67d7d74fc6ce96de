"""``newsctl.parallel``: workers die with their parent and leave Ctrl-C to it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from newsctl.parallel import parallel_map

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")

# A parent that maps a slow function over enough items to start a pool; each worker writes
# its pid to a file, then the parent is killed.
PARENT = """
import os, sys, time
from newsctl.parallel import parallel_map

folder = sys.argv[1]

def slow(item):
    open(os.path.join(folder, str(os.getpid())), "w").close()
    time.sleep(60)
    return item

for _ in parallel_map(slow, range(2000), jobs=2):
    pass
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _started_workers(folder: Path, parent: subprocess.Popen[bytes]) -> list[int]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(os.listdir(folder)) < 2:
        assert parent.poll() is None
        time.sleep(0.05)
    return [int(name) for name in os.listdir(folder)]


def test_workers_die_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(PARENT), encoding="utf-8")
    pids = tmp_path / "pids"
    pids.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(pids)])
    workers = _started_workers(pids, parent)
    assert workers
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "workers outlived their parent"


def test_ctrl_c_stops_the_workers_without_their_tracebacks(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(PARENT), encoding="utf-8")
    pids = tmp_path / "pids"
    pids.mkdir()
    # Ctrl-C at a terminal reaches the whole process group.
    parent = subprocess.Popen([sys.executable, str(script), str(pids)], stderr=subprocess.PIPE, start_new_session=True)
    workers = _started_workers(pids, parent)
    os.killpg(parent.pid, signal.SIGINT)
    _, err = parent.communicate(timeout=20)
    assert err.decode().count("Traceback") <= 1  # the parent's own KeyboardInterrupt, not one per worker
    assert "KeyboardInterrupt" in err.decode()
    assert not [pid for pid in workers if _alive(pid)]


def test_results_come_back_in_order() -> None:
    assert list(parallel_map(abs, range(-1000, 0), jobs=2)) == list(range(1000, 0, -1))


def test_ctrl_c_during_index_says_what_was_done_and_exits_130(tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    posts.mkdir()
    body = "word " * 5000  # slow enough to convert that Ctrl-C comes mid-build
    for number in range(600):
        (posts / f"2020-01-01-post-{number}.md").write_text(f"---\ntitle: t{number}\n---\n{body}\n")
    index = subprocess.Popen(
        [sys.executable, "-m", "newsctl", "index", "--jobs", "2", str(tmp_path)],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while not (tmp_path / ".newsctl" / "index.sqlite").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert index.poll() is None
    os.killpg(index.pid, signal.SIGINT)
    _, err = index.communicate(timeout=20)
    assert index.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted: indexed" in err and "the index is consistent" in err
    assert err.count("interrupted") == 1, err  # said once, with what was done
    done = subprocess.run(
        [sys.executable, "-m", "newsctl", "index", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "600 posts" in done.stdout


# Each worker is in the middle of writing a file (its temporary file made, the data not yet
# complete) when Ctrl-C comes.
MID_WRITE = """
import os, sys, time
from newsctl.parallel import parallel_map

folder = sys.argv[1]

def slow_write(item):
    temporary = os.path.join(folder, f".newsctl-{os.getpid()}-{item}.tmp")
    try:
        with open(temporary, "w") as handle:
            handle.write("half")
            handle.flush()
            time.sleep(60)
    except BaseException:
        os.unlink(temporary)
        raise
    return item

for _ in parallel_map(slow_write, range(2000), jobs=2):
    pass
"""


def test_ctrl_c_lets_workers_remove_what_they_were_writing(tmp_path: Path) -> None:
    """Ctrl-C stops the workers so that their cleanup runs (files.write_atomic removes its
    temporary file): killed outright, they left a `.newsctl-PID-*.tmp` beside the converted posts."""
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(MID_WRITE), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(out)], stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(os.listdir(out)) < 2:
        assert parent.poll() is None
        time.sleep(0.05)
    assert len(os.listdir(out)) == 2  # both workers mid-write
    os.killpg(parent.pid, signal.SIGINT)
    _, err = parent.communicate(timeout=20)
    assert "KeyboardInterrupt" in err.decode()
    assert os.listdir(out) == []


# A command interrupted while a thread that never ends is alive (as a worker pool's feeder
# thread is when it blocks writing to a pipe its stopped workers no longer read).
STUCK_THREAD = """
import sys, threading
import newsctl.cli.index as command
from newsctl.cli import main

threading.Thread(target=threading.Event().wait).start()

def interrupted(*args, **kwargs):
    raise KeyboardInterrupt

command.open_archive = interrupted
main(["index", sys.argv[1]])
"""


def test_ctrl_c_exits_130_even_with_a_thread_that_never_ends(tmp_path: Path) -> None:
    """Seen once in a terminal: Ctrl-C during a first build printed "interrupted", then the
    process never ended (the interpreter's exit waits for every thread)."""
    script = tmp_path / "stuck.py"
    script.write_text(textwrap.dedent(STUCK_THREAD), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "newsctl: interrupted\n"
