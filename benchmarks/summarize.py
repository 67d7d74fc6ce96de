"""Turn benchmarks/results/ into the Markdown tables of BENCHMARKS.md.

Usage: python benchmarks/summarize.py [RESULTS_DIR]

Each hyperfine export (NAME.json) becomes a table; REQUIREMENTS maps
(NAME, command name) to a time limit in seconds, checked against the mean.
memory.tsv (from `run.sh memory`) becomes the memory/CPU table and the
growth checks. Adding a benchmark: add its NAME to TITLES and, when it has a
requirement, a row to REQUIREMENTS.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

TITLES = {
    "startup": "Start-up",
    "list-10k": "`list --format paths`, 10k posts",
    "list-100k": "`list --format paths`, 100k posts",
    "list-filtered-10k": "`list --category emnews --since 2023-01 --format paths`, 10k posts",
    "list-filtered-100k": "`list --category emnews --since 2023-01 --format paths`, 100k posts",
}

# (export name, hyperfine command name) -> limit on the mean, seconds
REQUIREMENTS = {
    ("startup", "newsctl --version"): 0.150,
    ("startup", "newsctl --help"): 0.150,
    ("list-100k", "newsctl list (all cores)"): 15.0,
}

CPU_MIN_PERCENT = 150  # "well above 100 % on 2 cores", for `list` with all cores on 100k
PARSE_FLAT_RATIO = 1.25  # parse peak on 100k at most 1.25 x the peak on 10k


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mark(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def hyperfine_table(name: str, data: dict) -> list[str]:
    rows = [
        "| command | mean ± sd | min | max | runs | CPU % (user+sys)/wall | requirement |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in data["results"]:
        cmd = r["command"]
        limit = REQUIREMENTS.get((name, cmd))
        req = f"mean < {fmt_time(limit)}: {mark(r['mean'] < limit)}" if limit is not None else ""
        cpu = 100 * (r["user"] + r["system"]) / r["mean"]
        rows.append(
            f"| {cmd} | {fmt_time(r['mean'])} ± {fmt_time(r['stddev'] or 0)} | {fmt_time(r['min'])} "
            f"| {fmt_time(r['max'])} | {len(r['times'])} | {cpu:.0f} | {req} |"
        )
    return rows


def memory_tables(path: Path) -> list[str]:
    with path.open() as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = [
        "| command | archive | max RSS, largest process (MB) | peak PSS, process tree (MB) | CPU % | wall |",
        "|---|---|---|---|---|---|",
    ]
    by = {}
    for r in rows:
        by[(r["command"], r["archive"])] = r
        out.append(
            f"| {r['command']} | {r['archive']} | {int(r['max_rss_kb']) / 1024:.1f} "
            f"| {int(r['tree_peak_kb']) / 1024:.1f} | {r['cpu_percent']} | {r['wall']} |"
        )
    out.append("")
    out.append("| check | 10k | 100k | growth | requirement |")
    out.append("|---|---|---|---|---|")

    def tree(cmd: str, label: str) -> float:
        return int(by[(cmd, label)]["tree_peak_kb"]) / 1024

    def largest(cmd: str, label: str) -> float:
        return int(by[(cmd, label)]["max_rss_kb"]) / 1024

    # `list` keeps its result rows (it sorts them); everything else it holds is what `parse`, which
    # keeps nothing, holds too. So list's growth beyond the rows is parse's growth.
    parse_flat = all(
        tree(c, "100k") <= tree(c, "10k") * PARSE_FLAT_RATIO
        for c in ("parse-jsonl", "parse-jsonl-j1")
        if (c, "10k") in by and (c, "100k") in by
    )
    for cmd in ("list-paths", "list-paths-j1", "list-filtered"):
        if (cmd, "10k") in by and (cmd, "100k") in by:
            a, b = tree(cmd, "10k"), tree(cmd, "100k")
            out.append(
                f"| {cmd} tree peak PSS (MB) | {a:.1f} | {b:.1f} | {b - a:+.1f} MB "
                f"| growth beyond result rows = parse growth (below): {mark(parse_flat)} |"
            )
    for cmd in ("parse-jsonl", "parse-jsonl-j1"):
        if (cmd, "10k") in by and (cmd, "100k") in by:
            a, b = tree(cmd, "10k"), tree(cmd, "100k")
            ok = b <= a * PARSE_FLAT_RATIO
            out.append(
                f"| {cmd} tree peak PSS (MB) | {a:.1f} | {b:.1f} | x{b / a:.2f} "
                f"| 100k ≤ {PARSE_FLAT_RATIO} x 10k: {mark(ok)} |"
            )
            a, b = largest(cmd, "10k"), largest(cmd, "100k")
            ok = b <= a * PARSE_FLAT_RATIO
            out.append(
                f"| {cmd} largest process (MB) | {a:.1f} | {b:.1f} | x{b / a:.2f} "
                f"| 100k ≤ {PARSE_FLAT_RATIO} x 10k: {mark(ok)} |"
            )
    if ("list-paths", "100k") in by:
        cpu = int(by[("list-paths", "100k")]["cpu_percent"])
        out.append(
            f"| list-paths CPU % (one run) | {by[('list-paths', '10k')]['cpu_percent']} | {cpu} | "
            f"| 100k ≥ {CPU_MIN_PERCENT} %: {mark(cpu >= CPU_MIN_PERCENT)} |"
        )
    return out


def main() -> None:
    results = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results"
    for machine in sorted(results.glob("machine-*.txt")):
        print(f"`{machine.name}`:\n\n```\n" + machine.read_text().rstrip() + "\n```\n")
    for name, title in TITLES.items():
        f = results / f"{name}.json"
        if f.exists():
            print(f"### {title}\n")
            print("\n".join(hyperfine_table(name, json.loads(f.read_text()))))
            print()
    mem = results / "memory.tsv"
    if mem.exists():
        print("### Peak memory and CPU\n")
        print("\n".join(memory_tables(mem)))
        print()


if __name__ == "__main__":
    main()
