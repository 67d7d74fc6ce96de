#!/usr/bin/env bash
# Two builds of newsctl side by side on the same archive, for a change that must cost nothing
# (a restructuring): start-up, list, validate, convert, index and search.
#
#   benchmarks/compare.sh OLD_NEWSCTL NEW_NEWSCTL ARCHIVE_OLD ARCHIVE_NEW [RUNS]
#
# Each build gets its own copy of the archive (ARCHIVE_OLD, ARCHIVE_NEW: same posts), so their
# indexes and caches never rebuild each other's. Results: hyperfine's mean ± sd, printed.
set -euo pipefail
OLD="$1" NEW="$2" A_OLD="$3" A_NEW="$4" RUNS="${5:-3}"
EXAMPLES="$(cd "$(dirname "$0")/.." && pwd)/examples"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

run() {  # name, then the command with {n} for newsctl and {a} for the archive
    local name="$1" cmd="$2"
    hyperfine -N --style none --runs "$RUNS" --warmup 1 --export-json "$OUT/$name.json" \
        -n old "${cmd//\{n\}/$OLD}" -n new "${cmd//\{n\}/$NEW}" >/dev/null 2>&1 || true
    python3 - "$OUT/$name.json" "$name" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
cells = [f"{r['command'].split()[0]}: {r['mean']:.3f} ± {r['stddev'] or 0:.3f} s" for r in results]
print(f"{sys.argv[2]:<28}", " | ".join(f"{n} {c.split(': ')[1]}" for n, c in zip(("old", "new"), cells)))
PY
}

# hyperfine -N cannot swap the archive per build, so the archive-bound commands run through sh.
both() {
    local name="$1" cmd="$2"
    hyperfine --style none --runs "$RUNS" --warmup 1 --export-json "$OUT/$name.json" \
        -n old "$(printf '%s' "$cmd" | sed "s#{n}#$OLD#g; s#{a}#$A_OLD#g")" \
        -n new "$(printf '%s' "$cmd" | sed "s#{n}#$NEW#g; s#{a}#$A_NEW#g")" >/dev/null 2>&1 || true
    python3 - "$OUT/$name.json" "$name" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
print(f"{sys.argv[2]:<28}", " | ".join(f"{n} {r['mean']:.3f} ± {r['stddev'] or 0:.3f} s" for n, r in zip(("old", "new"), results)))
PY
}

RUNS_SAVED="$RUNS"; RUNS=20
run "--help" "{n} --help"
run "list examples" "{n} list $EXAMPLES --no-index"
RUNS="$RUNS_SAVED"
both "list --no-index (100k)" "{n} list --no-index {a} > /dev/null"
both "validate --no-cache (100k)" "{n} validate --no-cache {a} > /dev/null || true"
both "convert --to text (100k)" "rm -rf {a}.txt; {n} convert --to text --out {a}.txt {a} 2>/dev/null"
# One build of each index (a first build), then refreshes and searches.
for side in OLD NEW; do
    n="${!side}"; a="A_$side"; a="${!a}"
    rm -rf "$a/.newsctl"
    /usr/bin/time -o "$OUT/time" -f "index first build ($side): %e s, %M KB" "$n" index "$a" >/dev/null 2>&1 || true
    cat "$OUT/time"
done
both "index, no change (100k)" "{n} index {a} 2>/dev/null"
both "list with index (100k)" "{n} list {a} > /dev/null"
for term in 银行 新能源汽车 芯片 AI 光伏 分红; do
    both "search $term (100k)" "{n} search $term {a} --format paths > /dev/null"
done
