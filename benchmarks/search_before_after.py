"""Issue 15's latency check: the same 12 searches with two builds of newsctl, each on its own
copy of one archive (each build keeps its own index), interleaved run by run.

    python benchmarks/search_before_after.py OLD_NEWSCTL OLD_ARCHIVE NEW_NEWSCTL NEW_ARCHIVE [--runs N] [--limit N]

The old build is the one of the issue's "today" (06a843e: 1-2 character terms unranked, the
index with positions, 3.2x the posts); the new one ranks every term. Both refresh as users run
them (no watcher), `--format paths` to /dev/null, every match (the whole ranking) or, with
`--limit`, the first N (`-n N`: what a terminal shows, 20). Prints a Markdown table: per term the
median wall time of each, the matches (without --limit), and new ÷ old; then the medians over the
12 terms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from floors import TERMS


def wall(newsctl: str, archive: str, term: str, limit: int | None) -> tuple[float, int]:
    command = [*newsctl.split(), "search", term, archive, "--format", "paths"]
    if limit is not None:
        command += ["-n", str(limit)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start, done.stdout.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old")
    parser.add_argument("old_archive")
    parser.add_argument("new")
    parser.add_argument("new_archive")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=int, help="the first N results only (-n N)")
    args = parser.parse_args()
    for newsctl, archive in ((args.old, args.old_archive), (args.new, args.new_archive)):
        subprocess.run([*newsctl.split(), "index", archive], capture_output=True, check=False)
    print("| term | matches | old | new | new ÷ old |")
    print("|---|---|---|---|---|")
    olds, news = [], []
    for term in TERMS:
        old_runs, new_runs = [], []
        for _ in range(args.runs):
            seconds, found = wall(args.old, args.old_archive, term, args.limit)
            old_runs.append(seconds)
            seconds, found = wall(args.new, args.new_archive, term, args.limit)
            new_runs.append(seconds)
        old, new = statistics.median(old_runs), statistics.median(new_runs)
        olds.append(old)
        news.append(new)
        print(f"| {term} | {found:,} | {old * 1000:.0f} ms | {new * 1000:.0f} ms | {new / old:.2f} |", flush=True)
    old, new = statistics.median(olds), statistics.median(news)
    print(f"| median of the {len(TERMS)} | | {old * 1000:.0f} ms | {new * 1000:.0f} ms | {new / old:.2f} |")


if __name__ == "__main__":
    main()
