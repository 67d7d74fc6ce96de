"""Issue 16's table in one run: where users wait, on one archive, beside `rg -l` and the time
to read every file.

    python benchmarks/floors.py NEWSCTL ARCHIVE [--runs N] [--big-post MB] [--out FILE]
    python benchmarks/floors.py NEWSCTL ARCHIVE --search-only [--runs N] [--out FILE]

`--search-only` (for the 1,000,000-post archive): the first index build, then the 12-term
search without a watcher and again with `newsctl index --watch` running (`rg -l` beside each).

NEWSCTL is the `newsctl` to measure (installed as users install it); ARCHIVE a generated site
(`make-archive --posts 100000`). The archive's `.newsctl/` (index and validate cache) is
deleted and rebuilt on the way, so give the run an archive of its own. Each row is the median
of N runs (1 for the long ones: a first build, a cold validate, convert), with the largest
process's peak RSS (wait4's ru_maxrss: the largest of the process and the children it waited
for). Prints a Markdown table, and writes it to FILE when given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# 1 to 5 characters, rare to very common in the generated archives; Chinese words of one and
# two characters are the most common in queries.
TERMS = ("车", "股", "银行", "芯片", "白酒", "光伏", "AI", "新能源", "特斯拉", "人民银行", "新能源汽车", "Tesla")


def run(cmd: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of a shell command, its output thrown away. The RSS comes
    from GNU time around the shell, not from wait4 here: a child forked from this Python process
    starts its peak at this process's size, which hid every figure below it."""
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, "bash", "-c", cmd],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        return seconds, int(rss.read().split()[-1]) // 1024


def timed(cmd: str, runs: int) -> tuple[float, int]:
    """Median wall time and largest peak RSS over `runs` runs."""
    results = [run(cmd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def tree_bytes(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("newsctl")
    parser.add_argument("archive", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-post", type=int, default=50, help="size in MB of the one-post archive (0: skip)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--search-only", action="store_true", help="index build; search without, then with a watcher")
    args = parser.parse_args()
    n, archive, runs = args.newsctl, args.archive, args.runs
    posts = archive / "_posts"
    state = archive / ".newsctl"
    rows: list[tuple[str, str, str]] = []

    def row(task: str, seconds: float, rss: int, note: str = "") -> None:
        rows.append((task, f"{seconds:.3f} s", f"{rss} MB" + (f"; {note}" if note else "")))
        print(f"{task:<45} {seconds:8.3f} s {rss:6d} MB {note}", file=sys.stderr)

    posts_bytes = tree_bytes(posts)
    count = sum(1 for _ in posts.iterdir())

    def searches(label: str) -> None:
        ours, theirs = [], []
        for term in TERMS:
            mine, _ = timed(f"{n} search {term} {archive} --format paths > /dev/null", runs)
            rg, _ = timed(f"rg -l -F {term} {posts} > /dev/null", runs)
            ours.append(mine)
            theirs.append(rg)
            print(f"  search {term}: {mine * 1000:.0f} ms, rg -l {rg * 1000:.0f} ms", file=sys.stderr)
        ratios = [t / o for o, t in zip(ours, theirs, strict=True)]
        rows.append(
            (
                f"search, median over {len(TERMS)} terms, {label}",
                f"{statistics.median(ours) * 1000:.0f} ms",
                f"rg -l -F median {statistics.median(theirs) * 1000:.0f} ms; "
                f"{statistics.median(ratios):.1f}x faster than rg "
                f"(median of per-term ratios, {min(ratios):.1f}–{max(ratios):.1f}x)",
            )
        )

    def index_size() -> None:
        index_bytes = sum(p.stat().st_size for p in state.glob("index.sqlite*"))
        rows.append(
            (
                "index size",
                f"{index_bytes / 1e6:.0f} MB",
                f"{index_bytes / posts_bytes:.2f}x the posts ({posts_bytes / 1e6:.0f} MB)",
            )
        )

    if args.search_only:
        shutil.rmtree(state, ignore_errors=True)
        row("index, first build", *timed(f"{n} index {archive} > /dev/null", 1))
        index_size()
        searches("no watcher")
        with tempfile.TemporaryFile("w+") as log:
            watcher = subprocess.Popen([*n.split(), "index", "--watch", str(archive)], stderr=log, stdout=log)
            started = time.perf_counter()
            while "watching" not in (log.seek(0) or log.read()):
                time.sleep(0.2)
            rows.append(("watcher start", f"{time.perf_counter() - started:.1f} s", ""))
            searches("with a watcher")
            watcher.terminate()
            watcher.wait()
        report(rows, count, posts_bytes, args)
        return

    row("read every file (cat)", *timed(f"find {posts} -type f -print0 | xargs -0 cat > /dev/null", runs))
    shutil.rmtree(state, ignore_errors=True)
    row("list --no-index", *timed(f"{n} list {archive} --no-index --format paths > /dev/null", runs))
    row("validate, cold (no cache)", *timed(f"rm -rf {state}; {n} validate {archive} > /dev/null", 1))
    row("validate, nothing changed", *timed(f"{n} validate {archive} > /dev/null", runs))
    shutil.rmtree(state, ignore_errors=True)
    row("index, first build", *timed(f"{n} index {archive} > /dev/null", 1))
    row("index, nothing changed", *timed(f"{n} index {archive} > /dev/null", runs))
    row("list with the index", *timed(f"{n} list {archive} --format paths > /dev/null", runs))
    index_size()
    searches("no watcher")

    with tempfile.TemporaryDirectory() as out:
        for to in ("markdown", "text"):
            row(f"convert --to {to}", *timed(f"rm -rf {out}/c; {n} convert {archive} --to {to} --out {out}/c", 1))

    if args.big_post:
        with tempfile.TemporaryDirectory() as site:
            big = Path(site) / "_posts"
            big.mkdir()
            paragraph = "<p>" + "银行板块午后走强，新能源汽车产业链继续活跃。" * 40 + "</p>\n"
            body = paragraph * (args.big_post * 1024 * 1024 // len(paragraph.encode()))
            (big / "2024-01-02-big.md").write_text(f"---\ntitle: big\n---\n{body}", encoding="utf-8")
            row(f"index of one {args.big_post} MB post", *timed(f"{n} index {site} > /dev/null", 1))

    report(rows, count, posts_bytes, args)


def report(rows: list[tuple[str, str, str]], count: int, posts_bytes: int, args: argparse.Namespace) -> None:
    """The Markdown table, printed and written to ``--out``."""
    table = ["| task | figure | peak RSS / note |", "|---|---|---|"]
    table += [f"| {task} | {figure} | {note} |" for task, figure, note in rows]
    text = (
        f"{count} posts, {posts_bytes / 1e6:.0f} MB, {os.cpu_count()} cores, {args.newsctl}\n\n"
        + "\n".join(table)
        + "\n"
    )
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
