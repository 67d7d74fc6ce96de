#!/usr/bin/env bash
# Benchmarks for newsctl. Results go to $RESULTS_DIR (default benchmarks/results/, git-ignored).
#
#   bash benchmarks/run.sh                 # every benchmark
#   bash benchmarks/run.sh startup list    # only these
#   bash benchmarks/run.sh --list          # names of the benchmarks
#
# Environment (defaults in brackets):
#   ARCHIVE_10K   [/tmp/archive-10k]    generated with make-archive when missing
#   ARCHIVE_100K  [/tmp/archive-100k]   generated with make-archive when missing
#   MAKE_ARCHIVE  [/work/shared/tools/make-archive]
#   NEWSCTL       [benchmarks/.venv-user/bin/newsctl]: newsctl as the README's first command
#                 installs it (`pip install .`, not editable), reinstalled from this tree
#                 at the start of every run; PYTHON [.venv/bin/python] runs the scripts
#   RESULTS_DIR   [benchmarks/results]
#   RUNS_SMALL    [10]  hyperfine runs on the 10k archive
#   RUNS_LARGE    [5]   hyperfine runs on the 100k archive
#   RUNS_CONVERT  [2]   hyperfine runs of `convert` on the 100k archive (about a minute each)
#   SLICE_1K      [/tmp/slice-1k]  first 1000 posts of ARCHIVE_10K + its _config.yml (made by `convert`)
#   ARCHIVE_1M    [/tmp/archive-1m]     for `search_1m` only (generated when missing: ~3.5 GB, 2 min)
#   RUNS_SEARCH   [10]  hyperfine runs per search command (10k and 100k); RUNS_1M [3] on 1M
#
# Adding a benchmark: write a function `bench_NAME` and add NAME to BENCHMARKS below.
# Each function writes its files under $RESULTS_DIR; benchmarks/summarize.py turns them
# into the Markdown tables of BENCHMARKS.md (add the requirement there too).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"

ARCHIVE_10K="${ARCHIVE_10K:-/tmp/archive-10k}"
ARCHIVE_100K="${ARCHIVE_100K:-/tmp/archive-100k}"
MAKE_ARCHIVE="${MAKE_ARCHIVE:-/work/shared/tools/make-archive}"
USER_VENV="$HERE/.venv-user"
NEWSCTL="${NEWSCTL:-}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
RESULTS_DIR="${RESULTS_DIR:-$HERE/results}"
RUNS_SMALL="${RUNS_SMALL:-10}"
RUNS_LARGE="${RUNS_LARGE:-5}"
RUNS_CONVERT="${RUNS_CONVERT:-2}"
SLICE_1K="${SLICE_1K:-/tmp/slice-1k}"
ARCHIVE_1M="${ARCHIVE_1M:-/tmp/archive-1m}"
RUNS_SEARCH="${RUNS_SEARCH:-10}"
RUNS_1M="${RUNS_1M:-3}"
# Search terms: Chinese words of 3+ characters (trigram index) and of 1-2 characters (the
# character-pair index), rare to very common in the generated archives, and one English word.
TERMS_LONG=(特斯拉 新能源汽车 人民银行 Tesla)
TERMS_SHORT=(蔚来 芯片 银行 车)

BENCHMARKS=(startup list list_filtered memory profile validate validate_memory jekyll convert index search)
# Not in the default set (long): search_1m

log() { printf '\n== %s\n' "$*" >&2; }

need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || {
            echo "missing: $tool (apt-get install -y hyperfine ripgrep time)" >&2
            exit 2
        }
    done
}

# ensure_archive PATH POSTS: generate the archive when PATH/_posts does not exist.
ensure_archive() {
    local path="$1" posts="$2"
    if [[ ! -d "$path/_posts" ]]; then
        log "generating $path ($posts posts)"
        "$MAKE_ARCHIVE" --posts "$posts" --out "$path"
    fi
}

# archives: "label path runs" lines, small first.
archives() {
    printf '%s %s %s\n' 10k "$ARCHIVE_10K" "$RUNS_SMALL" 100k "$ARCHIVE_100K" "$RUNS_LARGE"
}

# source_state: commit and a hash of the newsctl sources as installed (editable), so results
# can be tied to the code they measured even when the working tree is dirty.
source_state() {
    local commit sources
    commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    sources="$(cd "$ROOT" && find newsctl -name '*.py' -print0 | sort -z | xargs -0 cat | sha1sum | cut -c1-12)"
    echo "$commit sources=$sources"
}

machine_info() {
    {
        echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
        echo "nproc: $(nproc)"
        echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
        echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MB"}')"
        echo "kernel: $(uname -r)"
        echo "python: $("$PYTHON" --version 2>&1)"
        echo "newsctl: $NEWSCTL ($("$NEWSCTL" --version 2>&1))"
        echo "benchmarks: $*"
        echo "code: $START_STATE"
        echo "hyperfine: $(hyperfine --version)"
        echo "rg: $(rg --version | head -1)"
        echo "archive_10k: $ARCHIVE_10K ($(find "$ARCHIVE_10K/_posts" -name '*.md' | wc -l) posts, $(du -sm "$ARCHIVE_10K" | cut -f1) MB)"
        echo "archive_100k: $ARCHIVE_100K ($(find "$ARCHIVE_100K/_posts" -name '*.md' | wc -l) posts, $(du -sm "$ARCHIVE_100K" | cut -f1) MB)"
    } >"$RESULTS_DIR/machine-$1.txt"
    cat "$RESULTS_DIR/machine-$1.txt" >&2
}

# hf NAME [hyperfine args...]: hyperfine with JSON and Markdown exports named NAME.
hf() {
    local name="$1"
    shift
    hyperfine --style basic \
        --export-json "$RESULTS_DIR/$name.json" \
        --export-markdown "$RESULTS_DIR/$name.md" \
        "$@"
}

# --- benchmarks --------------------------------------------------------------

bench_startup() {
    log "start-up"
    hf startup -N --warmup 3 --runs 20 \
        -n "python -c pass" "$PYTHON -c pass" \
        -n "newsctl --version" "$NEWSCTL --version" \
        -n "newsctl --help" "$NEWSCTL --help"
}

bench_list() {
    local label path runs
    while read -r label path runs; do
        log "list $label"
        hf "list-$label" --warmup 1 --runs "$runs" \
            -n "newsctl list (all cores)" "$NEWSCTL list $path --format paths > /dev/null" \
            -n "newsctl list -j 1" "$NEWSCTL list $path --format paths -j 1 > /dev/null" \
            -n "python-frontmatter loop" "$PYTHON $HERE/baseline_frontmatter.py $path > /dev/null" \
            -n "rg --files" "rg --files --glob '*.md' $path/_posts > /dev/null"
    done < <(archives)
}

bench_list_filtered() {
    local label path runs
    while read -r label path runs; do
        log "filtered list $label"
        hf "list-filtered-$label" --warmup 1 --runs "$runs" \
            -n "newsctl list -c emnews --since 2023-01 (all cores)" \
            "$NEWSCTL list $path --category emnews --since 2023-01 --format paths > /dev/null" \
            -n "newsctl list -c emnews --since 2023-01 -j 1" \
            "$NEWSCTL list $path --category emnews --since 2023-01 --format paths -j 1 > /dev/null" \
            -n "python-frontmatter loop --category emnews --since 2023-01" \
            "$PYTHON $HERE/baseline_frontmatter.py $path --category emnews --since 2023-01 > /dev/null" \
            -n "rg -l '^categories: emnews' (filename glob 202[3-9]-*)" \
            "rg -l --glob '202[3-9]-*.md' '^categories: emnews' $path/_posts | wc -l > /dev/null"
    done < <(archives)
}

# measure NAME LABEL CMD...: one run under /usr/bin/time -v (max RSS of the largest single
# process, CPU%, wall time), then one run under peak_rss.py (summed RSS of the process tree,
# workers included). Separate runs so that sampling does not disturb the timing.
# Appends a row to $MEMORY_TSV (default $RESULTS_DIR/memory.tsv).
measure() {
    local name="$1" label="$2"
    shift 2
    local tv="$RESULTS_DIR/time-$name-$label.txt"
    # validate exits 1 when it finds something; only the measurements matter here.
    [[ -z "${PRE_RUN:-}" ]] || eval "$PRE_RUN"
    /usr/bin/time -v -o "$tv" "$@" >/dev/null || true
    local maxrss cpu wall tree
    maxrss="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tv")"
    cpu="$(sed -n 's/.*Percent of CPU this job got: //p' "$tv" | tr -d '%')"
    wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tv")"
    [[ -z "${PRE_RUN:-}" ]] || eval "$PRE_RUN"
    tree="$("$PYTHON" "$HERE/peak_rss.py" -- "$@" 2>&1 >/dev/null | sed -n 's/^tree_peak_kb\t//p')" || true
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$label" "$maxrss" "$tree" "$cpu" "$wall" >>"${MEMORY_TSV:-$RESULTS_DIR/memory.tsv}"
    printf '%-28s %-5s maxrss=%s KB tree=%s KB cpu=%s%% wall=%s\n' "$name" "$label" "$maxrss" "$tree" "$cpu" "$wall" >&2
}

# memory_forget CMD...: start memory.tsv (header) when missing and drop earlier rows of these
# commands, so that re-running one benchmark replaces its rows and keeps the other benchmarks' rows.
memory_forget() {
    local f="${MEMORY_TSV:-$RESULTS_DIR/memory.tsv}"
    [[ -s "$f" ]] || printf 'command\tarchive\tmax_rss_kb\ttree_peak_kb\tcpu_percent\twall\n' >"$f"
    awk -F'\t' -v cmds="$*" 'BEGIN { n = split(cmds, a, " "); for (i = 1; i <= n; i++) drop[a[i]] = 1 }
        NR == 1 || !($1 in drop)' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
}

# Memory and CPU use (both come from the same /usr/bin/time -v runs).
bench_memory() {
    need /usr/bin/time
    log "peak memory and CPU"
    memory_forget list-paths list-paths-j1 list-filtered parse-jsonl parse-jsonl-j1 frontmatter-loop
    local label path runs
    while read -r label path runs; do
        measure "list-paths" "$label" "$NEWSCTL" list "$path" --format paths
        measure "list-paths-j1" "$label" "$NEWSCTL" list "$path" --format paths -j 1
        measure "list-filtered" "$label" "$NEWSCTL" list "$path" --category emnews --since 2023-01 --format paths
        measure "parse-jsonl" "$label" "$NEWSCTL" parse "$path" --format jsonl
        measure "parse-jsonl-j1" "$label" "$NEWSCTL" parse "$path" --format jsonl -j 1
        measure "frontmatter-loop" "$label" "$PYTHON" "$HERE/baseline_frontmatter.py" "$path"
    done < <(archives)
}

bench_profile() {
    log "profile: newsctl list $ARCHIVE_10K --format paths -j 1"
    local out="$RESULTS_DIR/profile-list-10k.txt"
    "$PYTHON" -m cProfile -o "$RESULTS_DIR/profile-list-10k.pstats" -m newsctl \
        list "$ARCHIVE_10K" --format paths -j 1 >/dev/null
    "$PYTHON" - "$RESULTS_DIR/profile-list-10k.pstats" >"$out" <<'EOF'
import pstats, sys
s = pstats.Stats(sys.argv[1])
s.sort_stats("cumulative").print_stats(40)
s.sort_stats("tottime").print_stats(25)
EOF
    sed -n '1,60p' "$out" >&2
}

# newsctl validate: a cold run (no cache), a warm run (nothing changed), and -j 1 for the
# parallel speed-up; memory of cold runs on both archives.
bench_validate() {
    need /usr/bin/time
    memory_forget validate-cold
    local label path runs
    while read -r label path runs; do
        log "validate $label"
        hf "validate-$label" --runs "$runs" \
            --prepare "rm -rf $path/.newsctl" \
            -n "newsctl validate, cold (all cores)" "$NEWSCTL validate $path > /dev/null || true" \
            -n "newsctl validate, cold, -j 1" "$NEWSCTL validate -j 1 $path > /dev/null || true"
        "$NEWSCTL" validate "$path" >/dev/null || true
        hf "validate-warm-$label" --warmup 1 --runs "$runs" \
            -n "newsctl validate, warm (nothing changed)" "$NEWSCTL validate $path > /dev/null || true"
        rm -rf "$path/.newsctl"
        measure "validate-cold" "$label" "$NEWSCTL" validate --no-cache "$path"
    done < <(archives)
}

# validate memory as users run it (with its cache), into validate-memory-extra.tsv: cold with the
# cache written (all cores and -j 1; .newsctl/ deleted before each of the two runs of `measure`),
# --no-cache -j 1, and warm (cache filled by the previous run, nothing changed).
bench_validate_memory() {
    need /usr/bin/time
    local MEMORY_TSV="$RESULTS_DIR/validate-memory-extra.tsv"
    memory_forget validate-cold-cache validate-cold-cache-j1 validate-cold-nocache-j1 validate-warm
    local label path runs
    while read -r label path runs; do
        log "validate memory $label"
        rm -rf "$path/.newsctl"
        measure_cold "validate-cold-cache" "$label" "$path" "$NEWSCTL" validate "$path"
        measure_cold "validate-cold-cache-j1" "$label" "$path" "$NEWSCTL" validate -j 1 "$path"
        measure "validate-cold-nocache-j1" "$label" "$NEWSCTL" validate --no-cache -j 1 "$path"
        rm -rf "$path/.newsctl"
        "$NEWSCTL" validate "$path" >/dev/null || true
        measure "validate-warm" "$label" "$NEWSCTL" validate "$path"
        rm -rf "$path/.newsctl"
    done < <(archives)
}

# measure_cold NAME LABEL ARCHIVE CMD...: `measure` with ARCHIVE/.newsctl deleted before each of its
# two runs (the `time -v` run and the peak_rss.py run).
measure_cold() {
    local name="$1" label="$2" path="$3"
    shift 3
    local PRE_RUN="rm -rf $path/.newsctl"
    measure "$name" "$label" "$@"
}

# What users wait for without newsctl: `jekyll build` on the 10k archive (one run; it is the
# build that fails, or silently drops posts, at the end).
bench_jekyll() {
    need jekyll
    log "jekyll build $ARCHIVE_10K"
    local out
    out="$(mktemp -d)"
    hf "jekyll-10k" --runs 1 \
        -n "jekyll build (10k posts)" "jekyll build --safe -q -s $ARCHIVE_10K -d $out/site > /dev/null 2>&1 || true"
    # The timing is only meaningful if the build got to the end: record how many pages it wrote.
    printf 'html_pages\t%s\n' "$(find "$out/site" -name '*.html' 2>/dev/null | wc -l)" >"$RESULTS_DIR/jekyll-10k-output.tsv"
    cat "$RESULTS_DIR/jekyll-10k-output.tsv" >&2
    rm -rf "$out"
}

# make_slice: SLICE_1K/_posts with the first 1000 posts (by name) of the 10k archive, and its _config.yml.
make_slice() {
    if [[ -d "$SLICE_1K/_posts" && "$(find "$SLICE_1K/_posts" -name '*.md' | wc -l)" -eq 1000 ]]; then
        return
    fi
    log "making $SLICE_1K (first 1000 posts of $ARCHIVE_10K)"
    rm -rf "$SLICE_1K"
    mkdir -p "$SLICE_1K/_posts"
    cp "$ARCHIVE_10K/_config.yml" "$SLICE_1K/"
    # sed, not head: head closing the pipe early would make sort fail under pipefail
    find "$ARCHIVE_10K/_posts" -maxdepth 1 -name '*.md' -printf '%f\n' | LC_ALL=C sort | sed -n '1,1000p' |
        while read -r f; do cp "$ARCHIVE_10K/_posts/$f" "$SLICE_1K/_posts/"; done
}

# newsctl convert: 100k to Markdown and to text (output folder deleted before each run; each run
# wrapped in `/usr/bin/time -v`, the file keeps the last run), 10k Markdown with all cores and -j 1,
# and on a 1000-post slice newsctl against pandoc run once per post as a user would script it.
bench_convert() {
    need /usr/bin/time pandoc
    make_slice
    local out=/tmp/newsctl-bench-convert tv="$RESULTS_DIR/time-convert"
    log "convert 100k"
    hf "convert-100k" --runs "$RUNS_CONVERT" --prepare "rm -rf $out" \
        -n "newsctl convert --to markdown (all cores)" \
        "/usr/bin/time -v -o $tv-markdown-100k.txt $NEWSCTL convert $ARCHIVE_100K --to markdown --out $out > /dev/null 2>&1" \
        -n "newsctl convert --to text (all cores)" \
        "/usr/bin/time -v -o $tv-text-100k.txt $NEWSCTL convert $ARCHIVE_100K --to text --out $out > /dev/null 2>&1"
    log "convert 10k, all cores vs -j 1"
    hf "convert-10k" --runs "$RUNS_LARGE" --prepare "rm -rf $out" \
        -n "newsctl convert --to markdown (all cores)" \
        "/usr/bin/time -v -o $tv-markdown-10k.txt $NEWSCTL convert $ARCHIVE_10K --to markdown --out $out > /dev/null 2>&1" \
        -n "newsctl convert --to markdown -j 1" \
        "/usr/bin/time -v -o $tv-markdown-j1-10k.txt $NEWSCTL convert $ARCHIVE_10K --to markdown -j 1 --out $out > /dev/null 2>&1"
    log "convert 1k slice: newsctl vs pandoc per post"
    hf "convert-1k" --runs 3 --prepare "rm -rf $out && mkdir -p $out" \
        -n "newsctl convert --to markdown (all cores)" \
        "$NEWSCTL convert $SLICE_1K --to markdown --out $out > /dev/null 2>&1" \
        -n "pandoc -f markdown -t gfm --wrap=none, once per post" \
        "cd $SLICE_1K && for f in _posts/*.md; do pandoc -f markdown -t gfm --wrap=none \"\$f\" -o \"$out/\${f##*/}\"; done"
    # What the outputs hold: $out has the last pandoc run; newsctl once more into a second folder.
    rm -rf "$out-newsctl"
    "$NEWSCTL" convert "$SLICE_1K" --to markdown --out "$out-newsctl" >/dev/null 2>&1 || true
    # files written, and files whose first line is `---` (front matter kept)
    printf 'newsctl_files\t%s\npandoc_files\t%s\nnewsctl_front_matter\t%s\npandoc_front_matter\t%s\n' \
        "$(find "$out-newsctl" -type f | wc -l)" "$(find "$out" -type f | wc -l)" \
        "$(find "$out-newsctl" -type f -exec awk 'FNR == 1 && /^---$/ { print FILENAME }' {} + | wc -l)" \
        "$(find "$out" -type f -exec awk 'FNR == 1 && /^---$/ { print FILENAME }' {} + | wc -l)" \
        >"$RESULTS_DIR/convert-1k-output.tsv"
    cat "$RESULTS_DIR/convert-1k-output.tsv" >&2
    rm -rf "$out" "$out-newsctl"
}

# index_settle PATH: refresh the index, wait out the 2 s "racy" window, refresh again, so the
# folder snapshot is stored and the next run takes the no-change path as a user's would.
index_settle() {
    "$NEWSCTL" index "$1" >/dev/null 2>&1 || true
    sleep 3
    "$NEWSCTL" index "$1" >/dev/null 2>&1 || true
}

# newsctl index: the first build (one run, with /usr/bin/time -v), a refresh with nothing
# changed, a refresh after 100 new posts were copied in; then the index's size on disk.
bench_index() {
    need /usr/bin/time
    local label path runs extra=/tmp/newsctl-bench-extra
    if [[ ! -d "$extra/_posts" ]]; then
        # 100 posts dated after every post of the archives, so their names never collide.
        "$MAKE_ARCHIVE" --posts 100 --seed 99 --start 2025-07-01 --end 2025-12-31 --out "$extra" >/dev/null
    fi
    printf 'archive\tposts\tposts_bytes\tindex_bytes\n' >"$RESULTS_DIR/index-size.tsv"
    while read -r label path runs; do
        log "index build $label"
        hf "index-build-$label" --runs 1 --prepare "rm -rf $path/.newsctl" \
            -n "newsctl index (first build)" \
            "/usr/bin/time -v -o $RESULTS_DIR/time-index-build-$label.txt $NEWSCTL index $path > /dev/null 2>&1"
        printf '%s\t%s\t%s\t%s\n' "$label" "$(find "$path/_posts" -name '*.md' | wc -l)" \
            "$(du -sb "$path/_posts" | cut -f1)" "$(du -sb "$path/.newsctl" | cut -f1)" >>"$RESULTS_DIR/index-size.tsv"
        index_settle "$path"
        log "index refresh $label"
        hf "index-nochange-$label" --warmup 2 --runs "$RUNS_SEARCH" \
            -n "newsctl index (nothing changed)" "$NEWSCTL index $path > /dev/null 2>&1"
        local names
        names="$(cd "$extra/_posts" && ls | sed "s|^|$path/_posts/|" | tr '\n' ' ')"
        hf "index-add100-$label" --runs 5 \
            --prepare "rm -f $names && $NEWSCTL index $path > /dev/null 2>&1; cp $extra/_posts/* $path/_posts/" \
            -n "newsctl index (100 posts added)" "$NEWSCTL index $path > /dev/null 2>&1"
        rm -f $names
        index_settle "$path"
    done < <(archives)
    cat "$RESULTS_DIR/index-size.tsv" >&2
}

# search_terms NAME PATH RUNS: every term three ways (newsctl with its refresh, newsctl
# --no-refresh, rg -l -F over the same posts), and the number of posts each finds; then newsctl
# with its refresh again, a watcher (`newsctl index --watch`) running.
search_terms() {
    local name="$1" path="$2" runs="$3" term args=()
    printf 'term\tnewsctl_posts\trg_files\n' >"$RESULTS_DIR/$name-hits.tsv"
    for term in "${TERMS_LONG[@]}" "${TERMS_SHORT[@]}"; do
        args+=(-n "newsctl search $term" "$NEWSCTL search $term $path --format paths > /dev/null"
            -n "newsctl search $term --no-refresh" "$NEWSCTL search $term $path --format paths --no-refresh > /dev/null"
            -n "rg -l -F $term" "rg -l -F $term $path/_posts > /dev/null")
        printf '%s\t%s\t%s\n' "$term" "$("$NEWSCTL" search "$term" "$path" --format paths --no-refresh | wc -l)" \
            "$(rg -l -F "$term" "$path/_posts" | wc -l)" >>"$RESULTS_DIR/$name-hits.tsv"
    done
    # -i: rg exits 1 when a term is in no file, newsctl search too; both are fine here.
    hf "$name" -i --warmup 1 --runs "$runs" "${args[@]}"
    # The same search with `newsctl index --watch` running: it answers for the refresh.
    local watch_log="$RESULTS_DIR/$name-watch.log" pid
    "$NEWSCTL" index --watch "$path" 2>"$watch_log" &
    pid=$!
    until grep -q watching "$watch_log"; do
        kill -0 "$pid" || { cat "$watch_log" >&2; exit 1; }
        sleep 0.5
    done
    args=()
    for term in "${TERMS_LONG[@]}" "${TERMS_SHORT[@]}"; do
        args+=(-n "newsctl search $term (watcher)" "$NEWSCTL search $term $path --format paths > /dev/null")
    done
    hf "$name-watch" -i --warmup 1 --runs "$runs" "${args[@]}"
    kill "$pid"
    wait "$pid" || true
}

# newsctl search beside rg, index warm and page cache warm; and `list` from the index.
bench_search() {
    local label path runs
    while read -r label path runs; do
        log "search $label"
        index_settle "$path"
        rg -l -F zzzz "$path/_posts" >/dev/null || true # page cache warm for rg too
        search_terms "search-$label" "$path" "$RUNS_SEARCH"
        hf "list-indexed-$label" --warmup 1 --runs "$RUNS_SEARCH" \
            -n "newsctl list -c emnews --since 2023-01 (index)" \
            "$NEWSCTL list $path -c emnews --since 2023-01 --format paths > /dev/null" \
            -n "newsctl list -c emnews --since 2023-01 --no-index" \
            "$NEWSCTL list $path -c emnews --since 2023-01 --format paths --no-index > /dev/null"
    done < <(archives)
}

# The same on 1,000,000 posts (long: the first index build is about 15 minutes).
bench_search_1m() {
    need /usr/bin/time
    ensure_archive "$ARCHIVE_1M" 1000000
    if [[ ! -f "$ARCHIVE_1M/.newsctl/index.sqlite" ]]; then
        log "index build 1m"
        /usr/bin/time -v -o "$RESULTS_DIR/time-index-build-1m.txt" "$NEWSCTL" index "$ARCHIVE_1M" >/dev/null 2>&1
        printf '1m\t%s\t%s\t%s\n' "$(find "$ARCHIVE_1M/_posts" -name '*.md' | wc -l)" \
            "$(du -sb "$ARCHIVE_1M/_posts" | cut -f1)" "$(du -sb "$ARCHIVE_1M/.newsctl" | cut -f1)" \
            >"$RESULTS_DIR/index-size-1m.tsv"
    fi
    index_settle "$ARCHIVE_1M"
    rg -l -F zzzz "$ARCHIVE_1M/_posts" >/dev/null || true
    hf "index-nochange-1m" --warmup 1 --runs "$RUNS_1M" \
        -n "newsctl index (nothing changed)" "$NEWSCTL index $ARCHIVE_1M > /dev/null 2>&1"
    search_terms "search-1m" "$ARCHIVE_1M" "$RUNS_1M"
    log "list and stats from the index, 1m"
    hf "list-1m" --warmup 1 --runs "$RUNS_1M" \
        -n "newsctl list -c emnews --since 2023-01 --format paths" \
        "$NEWSCTL list $ARCHIVE_1M -c emnews --since 2023-01 --format paths > /dev/null" \
        -n "newsctl list -c emnews --since 2023-01 --format paths --no-refresh" \
        "$NEWSCTL list $ARCHIVE_1M -c emnews --since 2023-01 --format paths --no-refresh > /dev/null" \
        -n "newsctl list -n 20 --no-refresh" "$NEWSCTL list $ARCHIVE_1M -n 20 --no-refresh > /dev/null" \
        -n "newsctl stats --by month --no-refresh" "$NEWSCTL stats $ARCHIVE_1M --by month --no-refresh > /dev/null"
}

# --- main --------------------------------------------------------------------

main() {
    if [[ "${1:-}" == "--list" ]]; then
        printf '%s\n' "${BENCHMARKS[@]}"
        return
    fi
    local selected=("$@")
    ((${#selected[@]})) || selected=("${BENCHMARKS[@]}")
    local b
    for b in "${selected[@]}"; do
        declare -F "bench_$b" >/dev/null || {
            echo "unknown benchmark: $b (known: ${BENCHMARKS[*]})" >&2
            exit 2
        }
    done

    need hyperfine rg
    mkdir -p "$RESULTS_DIR"
    # The baselines (python-frontmatter, html2text) are not newsctl's dependencies: the bench extra.
    "$PYTHON" -m pip install -q --disable-pip-version-check -e "$ROOT[bench]"
    # `pip install` byte-compiles a package; an editable install under PYTHONDONTWRITEBYTECODE
    # (set on this machine) would otherwise compile newsctl's modules on every start (~15 ms).
    "$PYTHON" -m compileall -q "$ROOT/newsctl"
    if [[ -z "$NEWSCTL" ]]; then
        # What a user runs: an editable install adds its import hook to every start (~15 ms).
        [[ -x "$USER_VENV/bin/pip" ]] || python3 -m venv "$USER_VENV"
        "$USER_VENV/bin/pip" install -q --disable-pip-version-check "$ROOT"
        "$USER_VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$ROOT"
        NEWSCTL="$USER_VENV/bin/newsctl"
    fi
    ensure_archive "$ARCHIVE_10K" 10000
    ensure_archive "$ARCHIVE_100K" 100000
    local b
    for b in "${selected[@]}"; do
        # Per benchmark: the code this benchmark measured, and whether it changed during it.
        START_STATE="$(source_state)"
        machine_info "$b"
        "bench_$b"
        local now
        now="$(source_state)"
        echo "code at end: $now" >>"$RESULTS_DIR/machine-$b.txt"
        if [[ "$now" != "$START_STATE" ]]; then
            echo "WARNING: newsctl changed during the run ($START_STATE -> $now); results of '$b' mix versions" >&2
        fi
    done
    log "results in $RESULTS_DIR; tables: $PYTHON $HERE/summarize.py"
}

main "$@"
