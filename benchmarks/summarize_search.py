"""The search and index tables of BENCHMARKS.md, from `run.sh index search search_1m` results.

Usage: python benchmarks/summarize_search.py [RESULTS_DIR]

Reads index-build-*.json, time-index-build-*.txt, index-size*.tsv, index-nochange-*.json,
index-add100-*.json, search-*.json with search-*-hits.tsv, list-indexed-*.json. The search
requirements are on the median (as the issue states them); the rest on the mean.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from summarize import Result, find, fmt_time, load_hyperfine, mark, time_v, wall_seconds

LABELS = ("10k", "100k", "1m")
BUILD_LIMIT = 120.0
NOCHANGE_LIMIT = 1.0
ADD100_LIMIT = 3.0
SEARCH_LONG_LIMIT = 0.400  # median, refresh included, terms of 3+ characters
SEARCH_SHORT_LIMIT = 0.600  # median, refresh included, terms of 1-2 characters
NO_REFRESH_LIMIT = 0.150  # median
RG_RATIO_1M = 10.0


def sizes(results: Path) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for name in ("index-size.tsv", "index-size-1m.tsv"):
        path = results / name
        if path.exists():
            lines = path.read_text().splitlines()
            header = ["archive", "posts", "posts_bytes", "index_bytes"]
            for line in lines:
                values = line.split("\t")
                if values[0] != "archive":
                    rows[values[0]] = dict(zip(header, values, strict=False))
    return rows


def build_rows(results: Path) -> list[str]:
    out = [
        "| archive | posts | posts on disk | index on disk | first build (wall) | CPU % | peak RSS | requirement |",
        "|---|---|---|---|---|---|---|---|",
    ]
    by_size = sizes(results)
    for label in LABELS:
        tv = time_v(results / f"time-index-build-{label}.txt")
        size = by_size.get(label)
        if tv is None or size is None:
            continue
        wall = wall_seconds(tv["wall"])
        req = f"< {BUILD_LIMIT:.0f} s: {mark(wall < BUILD_LIMIT)}" if label == "100k" else ""
        out.append(
            f"| {label} | {int(size['posts']):,} | {int(size['posts_bytes']) / 1e6:,.0f} MB "
            f"| {int(size['index_bytes']) / 1e6:,.0f} MB | {fmt_time(wall)} | {tv['cpu_percent']} "
            f"| {int(tv['max_rss_kb']) / 1024:.0f} MB | {req} |"
        )
    return out


def refresh_rows(results: Path) -> list[str]:
    out = [
        "| archive | `newsctl index`, nothing changed: mean (median) | 100 posts added: mean (median) | requirement |",
        "|---|---|---|---|",
    ]
    for label in LABELS:
        same = find(load_hyperfine(results, f"index-nochange-{label}"), "newsctl index (nothing changed)")
        added = find(load_hyperfine(results, f"index-add100-{label}"), "newsctl index (100 posts added)")
        if same is None:
            continue
        cells = [f"{fmt_time(same['mean'])} ({fmt_time(same['median'])})"]
        cells.append(f"{fmt_time(added['mean'])} ({fmt_time(added['median'])})" if added else "-")
        req = ""
        if label == "100k":
            req = f"< {NOCHANGE_LIMIT:.0f} s: {mark(same['mean'] < NOCHANGE_LIMIT)}"
            if added:
                req += f"; < {ADD100_LIMIT:.0f} s: {mark(added['mean'] < ADD100_LIMIT)}"
        out.append(f"| {label} | {' | '.join(cells)} | {req} |")
    return out


def hits(results: Path, label: str) -> dict[str, tuple[str, str]]:
    path = results / f"search-{label}-hits.tsv"
    if not path.exists():
        return {}
    with path.open() as handle:
        return {r["term"]: (r["newsctl_posts"], r["rg_files"]) for r in csv.DictReader(handle, delimiter="\t")}


def search_rows(results: Path, label: str) -> tuple[list[str], list[float], list[float]]:
    """The table for one archive, and the rg/newsctl ratios (refresh included; watcher running)."""
    data = load_hyperfine(results, f"search-{label}")
    if data is None:
        return [], [], []
    found = hits(results, label)
    watched = load_hyperfine(results, f"search-{label}-watch")
    out = [
        "| term | chars | posts newsctl finds | files rg finds | newsctl search (with refresh) | "
        "newsctl search, watcher running | newsctl search --no-refresh | rg -l -F | rg ÷ newsctl (with refresh) "
        "| rg ÷ newsctl (watcher) | rg ÷ newsctl --no-refresh | requirement (medians) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ratios = []
    watch_ratios = []
    for term, (posts, files) in found.items():
        full = find(data, f"newsctl search {term}")
        quick = find(data, f"newsctl search {term} --no-refresh")
        rg = find(data, f"rg -l -F {term}")
        watch = find(watched, f"newsctl search {term} (watcher)") if watched is not None else None
        if full is None or quick is None or rg is None:
            continue
        limit = SEARCH_LONG_LIMIT if len(term) >= 3 else SEARCH_SHORT_LIMIT
        req = ""
        if label == "100k":
            req = (
                f"< {fmt_time(limit)}: {mark(full['median'] < limit)}; "
                f"--no-refresh < {fmt_time(NO_REFRESH_LIMIT)}: {mark(quick['median'] < NO_REFRESH_LIMIT)}"
            )
        ratio = rg["median"] / full["median"]
        ratios.append(ratio)
        watch_time = median(watch) if watch else "-"
        watch_ratio = f"{rg['median'] / watch['median']:.1f}x" if watch else "-"
        if watch:
            watch_ratios.append(rg["median"] / watch["median"])
        out.append(
            f"| {term} | {len(term)} | {int(posts):,} | {int(files):,} | {median(full)} | {watch_time} "
            f"| {median(quick)} | {median(rg)} | {ratio:.1f}x | {watch_ratio} | {rg['median'] / quick['median']:.1f}x "
            f"| {req} |"
        )
    return out, ratios, watch_ratios


def median(r: Result) -> str:
    return f"{fmt_time(r['median'])} (mean {fmt_time(r['mean'])})"


def list_rows(results: Path) -> list[str]:
    out = ["| archive | `list -c emnews --since 2023-01` from the index | the same, `--no-index` |", "|---|---|---|"]
    for label in ("10k", "100k"):
        data = load_hyperfine(results, f"list-indexed-{label}")
        if data is None:
            continue
        cells = [f"{fmt_time(r['mean'])} ± {fmt_time(r['stddev'] or 0)}" for r in data["results"]]
        out.append(f"| {label} | {' | '.join(cells)} |")
    return out


def main() -> None:
    results = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results"
    print("### Index: first build and size\n")
    print("\n".join(build_rows(results)) + "\n")
    print("### Index: refresh\n")
    print("\n".join(refresh_rows(results)) + "\n")
    for label in LABELS:
        rows, ratios, watch_ratios = search_rows(results, label)
        if rows:
            print(f"### `newsctl search TERM --format paths` beside `rg -l -F TERM _posts`, {label} posts\n")
            print("\n".join(rows) + "\n")
            if label == "1m" and ratios:
                worst = min(ratios)
                print(f"rg ÷ newsctl at 1M, worst term: {worst:.1f}x (>= {RG_RATIO_1M:.0f}x: {mark(worst >= 10)})\n")
            if label == "1m" and watch_ratios:
                worst = min(watch_ratios)
                print(
                    f"rg ÷ newsctl at 1M with `newsctl index --watch` running, worst term: {worst:.1f}x "
                    f"(>= {RG_RATIO_1M:.0f}x: {mark(worst >= 10)})\n"
                )
    print("### `list` from the index\n")
    print("\n".join(list_rows(results)) + "\n")
    data = load_hyperfine(results, "list-1m")
    if data is not None:
        print("### `list` and `stats` from the index, 1m posts\n")
        print("| command | mean ± sd | median |\n|---|---|---|")
        for r in data["results"]:
            spread = f"{fmt_time(r['mean'])} ± {fmt_time(r['stddev'] or 0)}"
            print(f"| {r['command']} | {spread} | {fmt_time(r['median'])} |")
        print()


if __name__ == "__main__":
    main()
