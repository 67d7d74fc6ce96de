#!/usr/bin/env bash
# `newsctl index --watch` on a large archive, by hand: how long the watcher takes to start, and
# how long a search takes right after a post is rewritten in place, added or deleted (the
# watcher applies the change before it answers). The post it appends to is restored at the end.
#
#   bash benchmarks/watch.sh [ARCHIVE]      # default /tmp/archive-1m (see run.sh search_1m)
set -u
A="${1:-/tmp/archive-1m}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# newsctl as run.sh installs it for users (not editable), else the development install.
N="${NEWSCTL:-$HERE/.venv-user/bin/newsctl}"
[[ -x "$N" ]] || N="$(dirname "$HERE")/.venv/bin/newsctl"
LOG="$(mktemp)"
"$N" index "$A" >/dev/null 2>&1
sleep 3 # older than the racy window: this refresh stores a folder snapshot
"$N" index "$A" 2>&1 | head -1
start=$(date +%s.%N)
"$N" index --watch "$A" 2>"$LOG" &
pid=$!
until grep -q watching "$LOG"; do sleep 0.1; done
echo "watcher ready in $(echo "$(date +%s.%N) - $start" | bc) s: $(head -1 "$LOG")"
f="$A/_posts/$(ls "$A/_posts" | head -1)"
cp -p "$f" "$LOG.post"
for i in 1 2 3 4 5; do
    echo "zebrawatch$i" >>"$f"
    /usr/bin/time -f "search right after an in-place append: %e s" "$N" search "zebrawatch$i" "$A" --format paths >/dev/null
done
cp "$f" "$A/_posts/2026-01-01-zebra-new.md"
/usr/bin/time -f "search right after a new post: %e s" "$N" search zebrawatch5 "$A" --format paths >/dev/null
rm "$A/_posts/2026-01-01-zebra-new.md"
/usr/bin/time -f "search right after a deletion: %e s" "$N" search zebrawatch5 "$A" --format paths >/dev/null
"$N" index --status "$A"
cp "$LOG.post" "$f"
sleep 0.5
kill "$pid"
wait "$pid"
cat "$LOG"
rm -f "$LOG" "$LOG.post"
