"""Turn benchmarks/results/ into the Markdown tables of BENCHMARKS.md.

Usage: python benchmarks/summarize.py [RESULTS_DIR]

Each hyperfine export (NAME.json) becomes a table; REQUIREMENTS maps
(NAME, command name) to a time limit in seconds, checked against the mean.
memory.tsv (from `run.sh memory` and `run.sh validate`) becomes the memory/CPU
table and the growth checks; validate-memory-extra.tsv (`run.sh validate_memory`)
the same for validate with its cache. time-convert-*.txt (`run.sh convert`) give
convert's memory and CPU; convert-1k.json compares it with pandoc; fidelity.md
(benchmarks/fidelity.py) is copied in. Then: validate beside `jekyll build`, the
parallel speed-ups, and one table of every requirement with its mark.
Adding a benchmark: add its NAME to TITLES and, when it has a requirement, a
row to REQUIREMENTS (and to `requirement_rows`).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from typing import Any

Result = dict[str, Any]  # one hyperfine result (or a whole export)
Memory = dict[tuple[str, str], dict[str, str]]  # memory.tsv rows by (command, archive)

TITLES = {
    "startup": "Start-up",
    "list-10k": "`list --format paths`, 10k posts",
    "list-100k": "`list --format paths`, 100k posts",
    "list-filtered-10k": "`list --category emnews --since 2023-01 --format paths`, 10k posts",
    "list-filtered-100k": "`list --category emnews --since 2023-01 --format paths`, 100k posts",
    "validate-10k": "`validate`, cold (`.newsctl/` cache deleted before each run), 10k posts",
    "validate-100k": "`validate`, cold (`.newsctl/` cache deleted before each run), 100k posts",
    "validate-warm-10k": "`validate`, warm (cache filled, nothing changed), 10k posts",
    "validate-warm-100k": "`validate`, warm (cache filled, nothing changed), 100k posts",
    "jekyll-10k": "`jekyll build`, 10k posts (one run)",
    "convert-100k": "`convert --out DIR` (DIR deleted before each run), 100k posts",
    "convert-10k": "`convert --to markdown --out DIR`, all cores vs `-j 1`, 10k posts",
    "convert-1k": "`convert --to markdown` vs pandoc once per post, 1000-post slice",
}

VALIDATE_COLD = "newsctl validate, cold (all cores)"
VALIDATE_COLD_J1 = "newsctl validate, cold, -j 1"
VALIDATE_WARM = "newsctl validate, warm (nothing changed)"
JEKYLL = "jekyll build (10k posts)"
CONVERT_MD = "newsctl convert --to markdown (all cores)"
CONVERT_MD_J1 = "newsctl convert --to markdown -j 1"
CONVERT_TEXT = "newsctl convert --to text (all cores)"
PANDOC = "pandoc -f markdown -t gfm --wrap=none, once per post"

# (export name, hyperfine command name) -> limit on the mean, seconds
REQUIREMENTS = {
    ("startup", "newsctl --version"): 0.150,
    ("startup", "newsctl --help"): 0.150,
    ("list-100k", "newsctl list (all cores)"): 15.0,
    ("validate-100k", VALIDATE_COLD): 40.0,
    ("validate-warm-100k", VALIDATE_WARM): 3.0,
    ("convert-100k", CONVERT_MD): 240.0,
    ("convert-100k", CONVERT_TEXT): 180.0,
}

# time-convert-NAME.txt (`/usr/bin/time -v` of the last hyperfine run) -> what it measured
CONVERT_TIME_V = {
    "markdown-100k": "`convert --to markdown`, 100k, all cores",
    "text-100k": "`convert --to text`, 100k, all cores",
    "markdown-10k": "`convert --to markdown`, 10k, all cores",
    "markdown-j1-10k": "`convert --to markdown -j 1`, 10k",
}

CPU_MIN_PERCENT = 150  # "well above 100 % on 2 cores", for `list` and `validate` with all cores on 100k
PARSE_FLAT_RATIO = 1.25  # parse peak on 100k at most 1.25 x the peak on 10k
VALIDATE_FLAT_RATIO = 1.25  # the same bound for a cold `validate`
POSTS = {"10k": 10_000, "100k": 100_000}  # overridden by the counts in machine-*.txt

EXTRA_VALIDATE = (  # validate-memory-extra.tsv: one-off runs as users run validate (see BENCHMARKS.md)
    "validate-cold-cache",
    "validate-cold-cache-j1",
    "validate-cold-nocache-j1",
    "validate-warm",
)


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mark(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def cpu_percent(r: Result) -> float:
    """(user + system) / wall of a hyperfine result, in %."""
    return 100 * float(r["user"] + r["system"]) / float(r["mean"])


def wall_seconds(text: str) -> float:
    """`/usr/bin/time -v` elapsed time ("m:ss.ss" or "h:mm:ss") in seconds."""
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def load_hyperfine(results: Path, name: str) -> Result | None:
    f = results / f"{name}.json"
    data: Result | None = json.loads(f.read_text()) if f.exists() else None
    return data


def find(data: Result | None, command: str) -> Result | None:
    if data is None:
        return None
    return next((r for r in data["results"] if r["command"] == command), None)


def post_counts(results: Path) -> dict[str, int]:
    """Posts per archive label, from the machine-*.txt files (defaults: POSTS)."""
    counts = dict(POSTS)
    for machine in results.glob("machine-*.txt"):
        for label in POSTS:
            m = re.search(rf"^archive_{label}: \S+ \((\d+) posts", machine.read_text(), re.M)
            if m:
                counts[label] = int(m.group(1))
    return counts


def hyperfine_table(name: str, data: Result) -> list[str]:
    rows = [
        "| command | mean ± sd | median | min | max | runs | CPU % (user+sys)/wall | requirement |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in data["results"]:
        cmd = r["command"]
        limit = REQUIREMENTS.get((name, cmd))
        req = f"mean < {fmt_time(limit)}: {mark(r['mean'] < limit)}" if limit is not None else ""
        rows.append(
            f"| {cmd} | {fmt_time(r['mean'])} ± {fmt_time(r['stddev'] or 0)} | {fmt_time(r['median'])} "
            f"| {fmt_time(r['min'])} | {fmt_time(r['max'])} | {len(r['times'])} | {cpu_percent(r):.0f} | {req} |"
        )
    return rows


def read_memory(path: Path) -> Memory:
    with path.open() as fh:
        return {(r["command"], r["archive"]): r for r in csv.DictReader(fh, delimiter="\t")}


def tree_mb(by: Memory, cmd: str, label: str) -> float:
    return int(by[(cmd, label)]["tree_peak_kb"]) / 1024


def largest_mb(by: Memory, cmd: str, label: str) -> float:
    return int(by[(cmd, label)]["max_rss_kb"]) / 1024


def both(by: Memory, cmd: str) -> bool:
    return (cmd, "10k") in by and (cmd, "100k") in by


def parse_is_flat(by: Memory) -> bool:
    return all(
        tree_mb(by, c, "100k") <= tree_mb(by, c, "10k") * PARSE_FLAT_RATIO
        for c in ("parse-jsonl", "parse-jsonl-j1")
        if both(by, c)
    )


def per_1000(growth_mb: float, posts: dict[str, int]) -> str:
    """Growth from the 10k to the 100k archive, per 1000 extra posts."""
    extra = posts["100k"] - posts["10k"]
    return f"{growth_mb * 1024 / (extra / 1000):.0f} KB per 1000 posts"


def validate_memory_ok(by: Memory) -> bool:
    return all(
        get(by, "validate-cold", "100k") <= get(by, "validate-cold", "10k") * VALIDATE_FLAT_RATIO
        for get in (tree_mb, largest_mb)
    )


MEMORY_ORDER = (
    "list-paths", "list-paths-j1", "list-filtered", "parse-jsonl", "parse-jsonl-j1", "frontmatter-loop",
    "validate-cold",
)  # fmt: skip


def memory_rows(by: Memory) -> list[str]:
    out = [
        "| command | archive | max RSS, largest process (MB) | peak PSS, process tree (MB) | CPU % | wall |",
        "|---|---|---|---|---|---|",
    ]
    order = list(MEMORY_ORDER) + list(EXTRA_VALIDATE)
    labels = list(POSTS)

    def key(item: tuple[tuple[str, str], dict[str, str]]) -> tuple[int, int]:
        (cmd, label), _ = item
        return (labels.index(label) if label in labels else len(labels),
                order.index(cmd) if cmd in order else len(order))  # fmt: skip

    for _, r in sorted(by.items(), key=key):
        out.append(
            f"| {r['command']} | {r['archive']} | {int(r['max_rss_kb']) / 1024:.1f} "
            f"| {int(r['tree_peak_kb']) / 1024:.1f} | {r['cpu_percent']} | {r['wall']} |"
        )
    return out


def growth_rows(by: Memory, posts: dict[str, int], commands: tuple[str, ...], ratio: float) -> list[str]:
    out = []
    for cmd in commands:
        if both(by, cmd):
            for what, get in (("tree peak PSS", tree_mb), ("largest process", largest_mb)):
                a, b = get(by, cmd, "10k"), get(by, cmd, "100k")
                out.append(
                    f"| {cmd} {what} (MB) | {a:.1f} | {b:.1f} | x{b / a:.2f}, {b - a:+.1f} MB "
                    f"({per_1000(b - a, posts)}) | 100k ≤ {ratio} x 10k: {mark(b <= a * ratio)} |"
                )
    return out


def memory_tables(by: Memory, posts: dict[str, int]) -> list[str]:
    out = memory_rows(by)
    out.append("")
    out.append("| check | 10k | 100k | growth | requirement |")
    out.append("|---|---|---|---|---|")

    # `list` keeps its result rows (it sorts them); everything else it holds is what `parse`, which
    # keeps nothing, holds too. So list's growth beyond the rows is parse's growth.
    parse_flat = parse_is_flat(by)
    for cmd in ("list-paths", "list-paths-j1", "list-filtered"):
        if both(by, cmd):
            a, b = tree_mb(by, cmd, "10k"), tree_mb(by, cmd, "100k")
            out.append(
                f"| {cmd} tree peak PSS (MB) | {a:.1f} | {b:.1f} | {b - a:+.1f} MB "
                f"| growth beyond result rows = parse growth (below): {mark(parse_flat)} |"
            )
    out += growth_rows(by, posts, ("parse-jsonl", "parse-jsonl-j1"), PARSE_FLAT_RATIO)
    out += growth_rows(by, posts, ("validate-cold",), VALIDATE_FLAT_RATIO)
    for cmd in ("list-paths", "validate-cold"):
        if both(by, cmd):
            cpu = int(by[(cmd, "100k")]["cpu_percent"])
            out.append(
                f"| {cmd} CPU % (one run) | {by[(cmd, '10k')]['cpu_percent']} | {cpu} | "
                f"| 100k ≥ {CPU_MIN_PERCENT} %: {mark(cpu >= CPU_MIN_PERCENT)} |"
            )
    return out


def extra_validate_tables(by: Memory, posts: dict[str, int]) -> list[str]:
    out = memory_rows(by)
    out += ["", "| check | 10k | 100k | growth | requirement |", "|---|---|---|---|---|"]
    out += growth_rows(by, posts, EXTRA_VALIDATE, VALIDATE_FLAT_RATIO)
    return out


def jekyll_table(results: Path, posts: dict[str, int]) -> list[str]:
    """`jekyll build` on 10k (measured once) beside validate; 100k for jekyll is 10k scaled linearly."""
    jekyll = find(load_hyperfine(results, "jekyll-10k"), JEKYLL)
    if jekyll is None:
        return []
    scale = posts["100k"] / posts["10k"]
    pages = results / "jekyll-10k-output.tsv"
    written = ""
    if pages.exists():
        m = re.search(r"html_pages\t(\d+)", pages.read_text())
        written = f" ({m.group(1)} HTML pages written)" if m else ""
    j10 = jekyll["mean"]
    out = [
        "| command | 10k posts | 100k posts | jekyll build 10k ÷ this, 10k |",
        "|---|---|---|---|",
        f"| `jekyll build --safe` | {fmt_time(j10)}, one run{written} "
        f"| {fmt_time(j10 * scale)} (estimate: 10k time × {scale:.0f}, not measured) | 1.0 |",
    ]
    for label, cmd in (("cold (all cores)", VALIDATE_COLD), ("cold, -j 1", VALIDATE_COLD_J1),
                       ("warm (nothing changed)", VALIDATE_WARM)):  # fmt: skip
        prefix = "validate-warm" if cmd == VALIDATE_WARM else "validate"
        r10 = find(load_hyperfine(results, f"{prefix}-10k"), cmd)
        r100 = find(load_hyperfine(results, f"{prefix}-100k"), cmd)
        cell10 = f"{fmt_time(r10['mean'])} (mean of {len(r10['times'])})" if r10 else "—"
        cell100 = f"{fmt_time(r100['mean'])} (mean of {len(r100['times'])})" if r100 else "—"
        ratio = f"{j10 / r10['mean']:.1f}" if r10 else "—"
        out.append(f"| `newsctl validate`, {label} | {cell10} | {cell100} | {ratio} |")
    return out


def speedup_table(results: Path, by: Memory | None) -> list[str]:
    out = ["| benchmark | -j 1 | all cores | speed-up |", "|---|---|---|---|"]
    pairs = [
        ("list, 10k", "list-10k", "newsctl list -j 1", "newsctl list (all cores)"),
        ("list, 100k", "list-100k", "newsctl list -j 1", "newsctl list (all cores)"),
        ("filtered list, 10k", "list-filtered-10k", "newsctl list -c emnews --since 2023-01 -j 1",
         "newsctl list -c emnews --since 2023-01 (all cores)"),
        ("filtered list, 100k", "list-filtered-100k", "newsctl list -c emnews --since 2023-01 -j 1",
         "newsctl list -c emnews --since 2023-01 (all cores)"),
        ("validate cold, 10k", "validate-10k", VALIDATE_COLD_J1, VALIDATE_COLD),
        ("validate cold, 100k", "validate-100k", VALIDATE_COLD_J1, VALIDATE_COLD),
        ("convert --to markdown, 10k", "convert-10k", CONVERT_MD_J1, CONVERT_MD),
    ]  # fmt: skip
    for title, name, one, all_ in pairs:
        data = load_hyperfine(results, name)
        a, b = find(data, one), find(data, all_)
        if a and b:
            out.append(f"| {title} | {fmt_time(a['mean'])} | {fmt_time(b['mean'])} | {a['mean'] / b['mean']:.2f} |")
    if by:
        for label in ("10k", "100k"):
            if ("parse-jsonl", label) in by and ("parse-jsonl-j1", label) in by:
                one_s = wall_seconds(by[("parse-jsonl-j1", label)]["wall"])
                all_s = wall_seconds(by[("parse-jsonl", label)]["wall"])
                out.append(
                    f"| parse --format jsonl, {label} (one run, `time -v` wall) | {fmt_time(one_s)} "
                    f"| {fmt_time(all_s)} | {one_s / all_s:.2f} |"
                )
    return out


def timed(r: Result) -> str:
    return f"{fmt_time(r['mean'])} ± {fmt_time(r['stddev'] or 0)} (max {fmt_time(r['max'])})"


def time_v(path: Path) -> dict[str, str] | None:
    """Max RSS (KB), CPU % and wall of a `/usr/bin/time -v` output file."""
    if not path.exists():
        return None
    text = path.read_text()
    fields = {
        "max_rss_kb": r"Maximum resident set size \(kbytes\): (\d+)",
        "cpu_percent": r"Percent of CPU this job got: (\d+)%",
        "wall": r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)",
    }
    out = {}
    for key, pattern in fields.items():
        m = re.search(pattern, text)
        if not m:
            return None
        out[key] = m.group(1)
    return out


def convert_cpu(results: Path, name: str) -> int | None:
    tv = time_v(results / f"time-convert-{name}.txt")
    return int(tv["cpu_percent"]) if tv else None


def convert_tables(results: Path) -> list[str]:
    """`time -v` figures of convert (the last hyperfine run of each), and newsctl vs pandoc on 1000 posts."""
    out = [
        "| command | max RSS, largest process (MB) | CPU % | wall |",
        "|---|---|---|---|",
    ]
    for name, title in CONVERT_TIME_V.items():
        tv = time_v(results / f"time-convert-{name}.txt")
        if tv:
            out.append(f"| {title} | {int(tv['max_rss_kb']) / 1024:.1f} | {tv['cpu_percent']} | {tv['wall']} |")
    if len(out) == 2:
        out = []
    data = load_hyperfine(results, "convert-1k")
    nc, pd = find(data, CONVERT_MD), find(data, PANDOC)
    if nc and pd:
        out += [
            "",
            "| 1000 posts | mean | per post | CPU % | pandoc ÷ newsctl |",
            "|---|---|---|---|---|",
            f"| newsctl convert --to markdown (all cores) | {fmt_time(nc['mean'])} | {fmt_time(nc['mean'] / 1000)} "
            f"| {cpu_percent(nc):.0f} | 1.0 |",
            f"| pandoc once per post (shell loop) | {fmt_time(pd['mean'])} | {fmt_time(pd['mean'] / 1000)} "
            f"| {cpu_percent(pd):.0f} | {pd['mean'] / nc['mean']:.1f} |",
        ]
        tsv = results / "convert-1k-output.tsv"
        if tsv.exists():
            counts = dict(line.split("\t") for line in tsv.read_text().split("\n") if "\t" in line)
            out += [
                "",
                f"Outputs (`convert-1k-output.tsv`): newsctl wrote {counts.get('newsctl_files', '?')} files, "
                f"{counts.get('newsctl_front_matter', '?')} of them starting with the `---` of the front matter; "
                f"pandoc wrote {counts.get('pandoc_files', '?')} files, "
                f"{counts.get('pandoc_front_matter', '?')} of them starting with `---`.",
            ]
    return out


def fidelity_table(results: Path) -> list[str]:
    """The table (and the lines around it) of fidelity.md, written by benchmarks/fidelity.py."""
    f = results / "fidelity.md"
    if not f.exists():
        return []
    lines = f.read_text().splitlines()
    return [line for line in lines if not line.startswith("# ")]


def requirement_rows(
    results: Path, by: Memory | None, posts: dict[str, int], extra: Memory | None = None
) -> list[tuple[str, str, bool]]:
    rows: list[tuple[str, str, bool]] = []
    startup = load_hyperfine(results, "startup")
    for cmd in ("newsctl --version", "newsctl --help"):
        r = find(startup, cmd)
        if r:
            limit = REQUIREMENTS[("startup", cmd)]
            rows.append((f"`{cmd}` < {fmt_time(limit)}", timed(r), r["mean"] < limit))

    r = find(load_hyperfine(results, "list-100k"), "newsctl list (all cores)")
    if r:
        limit = REQUIREMENTS[("list-100k", "newsctl list (all cores)")]
        ok = r["mean"] < limit and cpu_percent(r) >= CPU_MIN_PERCENT
        rows.append((f"`list --format paths` on 100k < {fmt_time(limit)}, using both cores",
                     f"{timed(r)}, CPU {cpu_percent(r):.0f} %", ok))  # fmt: skip
    if r and by and ("list-paths", "100k") in by:
        cpu = int(by[("list-paths", "100k")]["cpu_percent"])
        rows.append((f"CPU % of `list` on 100k (2 cores) well above 100 % (taken as ≥ {CPU_MIN_PERCENT} %)",
                     f"{cpu} % (`time -v`), {cpu_percent(r):.0f} % (hyperfine mean)",
                     cpu >= CPU_MIN_PERCENT and cpu_percent(r) >= CPU_MIN_PERCENT))  # fmt: skip
    if by and both(by, "list-paths") and both(by, "list-paths-j1"):
        g = tree_mb(by, "list-paths", "100k") - tree_mb(by, "list-paths", "10k")
        g1 = tree_mb(by, "list-paths-j1", "100k") - tree_mb(by, "list-paths-j1", "10k")
        p1 = tree_mb(by, "parse-jsonl-j1", "100k") - tree_mb(by, "parse-jsonl-j1", "10k")
        rows.append(("`list` memory does not grow with the archive beyond the result rows",
                     f"{g:+.1f} MB (all cores) / {g1:+.1f} MB (`-j 1`) tree PSS from 10k to 100k; "
                     f"`parse` (no rows kept) {p1:+.1f} MB (`-j 1`)", parse_is_flat(by)))  # fmt: skip
    if by and both(by, "parse-jsonl") and both(by, "parse-jsonl-j1"):
        cells = []
        for cmd, what in (("parse-jsonl", "all cores"), ("parse-jsonl-j1", "`-j 1`")):
            a, b = tree_mb(by, cmd, "10k"), tree_mb(by, cmd, "100k")
            cells.append(f"x{b / a:.2f} ({what}, {a:.1f} → {b:.1f} MB PSS)")
        rows.append((f"`parse --format jsonl` memory flat from 10k to 100k (≤ {PARSE_FLAT_RATIO} x)",
                     ", ".join(cells), parse_is_flat(by)))  # fmt: skip

    cold = find(load_hyperfine(results, "validate-100k"), VALIDATE_COLD)
    if cold:
        limit = REQUIREMENTS[("validate-100k", VALIDATE_COLD)]
        ok = cold["mean"] < limit and cpu_percent(cold) >= CPU_MIN_PERCENT
        cpu_tv = ""
        if by and ("validate-cold", "100k") in by:
            cpu_tv = f"; `--no-cache` run under `time -v`: {by[('validate-cold', '100k')]['cpu_percent']} %"
        rows.append((f"`validate` cold on 100k < {fmt_time(limit)}, using both cores (CPU ≥ {CPU_MIN_PERCENT} %)",
                     f"{timed(cold)}, CPU {cpu_percent(cold):.0f} %{cpu_tv}", ok))  # fmt: skip
    warm = find(load_hyperfine(results, "validate-warm-100k"), VALIDATE_WARM)
    if warm:
        limit = REQUIREMENTS[("validate-warm-100k", VALIDATE_WARM)]
        rows.append((f"`validate` warm (nothing changed) on 100k < {fmt_time(limit)}", timed(warm),
                     warm["mean"] < limit))  # fmt: skip
    if by and both(by, "validate-cold"):
        cells = []
        for what, get in (("tree PSS", tree_mb), ("largest process RSS", largest_mb)):
            a, b = get(by, "validate-cold", "10k"), get(by, "validate-cold", "100k")
            cells.append(f"{what} {a:.1f} → {b:.1f} MB (x{b / a:.2f}, {b - a:+.1f} MB = {per_1000(b - a, posts)})")
        ok = validate_memory_ok(by)
        measured = "`--no-cache` (run.sh): " + "; ".join(cells)
        if extra and both(extra, "validate-cold-cache"):
            a, b = largest_mb(extra, "validate-cold-cache", "10k"), largest_mb(extra, "validate-cold-cache", "100k")
            measured += (f". Cold with the cache written (default, `run.sh validate_memory`): "
                         f"largest process {a:.1f} → {b:.1f} MB "
                         f"(x{b / a:.2f}, {b - a:+.1f} MB = {per_1000(b - a, posts)})")  # fmt: skip
            ok = ok and b <= a * VALIDATE_FLAT_RATIO
        rows.append((f"`validate` memory flat as the archive grows (cold, 100k ≤ {VALIDATE_FLAT_RATIO} x 10k)",
                     measured, ok))  # fmt: skip
    conv = load_hyperfine(results, "convert-100k")
    for cmd, tv_name, what in ((CONVERT_MD, "markdown-100k", "Markdown"), (CONVERT_TEXT, "text-100k", "text")):
        r = find(conv, cmd)
        if r:
            limit = REQUIREMENTS[("convert-100k", cmd)]
            cpu_tv = convert_cpu(results, tv_name)
            cpu_cell = f", `time -v` (last run): {cpu_tv} %" if cpu_tv is not None else ""
            ok = r["mean"] < limit and cpu_percent(r) >= CPU_MIN_PERCENT and (cpu_tv or 0) >= CPU_MIN_PERCENT
            rows.append((f"`convert --to {'markdown' if what == 'Markdown' else 'text'}` of 100k < "
                         f"{limit / 60:.0f} min, using both cores (CPU ≥ {CPU_MIN_PERCENT} %)",
                         f"{timed(r)}, {len(r['times'])} runs, CPU {cpu_percent(r):.0f} % (hyperfine){cpu_cell}",
                         ok))  # fmt: skip
    return rows


def main() -> None:
    results = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results"
    posts = post_counts(results)
    for machine in sorted(results.glob("machine-*.txt")):
        print(f"`{machine.name}`:\n\n```\n" + machine.read_text().rstrip() + "\n```\n")
    for name, title in TITLES.items():
        data = load_hyperfine(results, name)
        if data is not None:
            print(f"### {title}\n")
            print("\n".join(hyperfine_table(name, data)))
            print()
    mem = results / "memory.tsv"
    by = read_memory(mem) if mem.exists() else None
    if by:
        print("### Peak memory and CPU\n")
        print("\n".join(memory_tables(by, posts)))
        print()
    extra_file = results / "validate-memory-extra.tsv"
    extra = read_memory(extra_file) if extra_file.exists() else None
    if extra:
        print("### `validate` memory as users run it (`run.sh validate_memory`, `validate-memory-extra.tsv`)\n")
        print("\n".join(extra_validate_tables(extra, posts)))
        print()
    jekyll = jekyll_table(results, posts)
    if jekyll:
        print("## `newsctl validate` beside `jekyll build`\n")
        print("\n".join(jekyll))
        print()
    conv = convert_tables(results)
    if conv:
        print("### `convert`: memory and CPU, newsctl vs pandoc\n")
        print("\n".join(conv))
        print()
    fid = fidelity_table(results)
    if fid:
        print("## Conversion fidelity (`benchmarks/fidelity.py`)\n")
        print("\n".join(fid).strip())
        print()
    speedup = speedup_table(results, by)
    if len(speedup) > 2:
        print("## Parallel speed-up (`-j 1` mean / all-cores mean)\n")
        print("\n".join(speedup))
        print()
    reqs = requirement_rows(results, by, posts, extra)
    if reqs:
        print("## Requirements\n")
        print("| requirement | measured | result |")
        print("|---|---|---|")
        for req, measured, ok in reqs:
            print(f"| {req} | {measured} | {mark(ok)} |")
        print()


if __name__ == "__main__":
    main()
