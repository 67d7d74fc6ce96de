"""Run a command and report the peak of the summed PSS of its whole process tree.

GNU time's "Maximum resident set size" is the peak of the single largest
process, so for a command that forks worker processes it misses the workers'
share. This samples /proc every INTERVAL seconds and sums the PSS (proportional
set size: pages shared after fork() are split between the processes sharing
them, so they are not counted twice) of every process in the tree of the
launched process, the launched process included.

Usage: python peak_rss.py [--interval 0.02] -- COMMAND [ARGS...]
Prints "tree_peak_kb<TAB>N" to stderr as its last line; the command's stdout is
passed through; the exit status is the command's.
"""

import os
import subprocess
import sys
import time


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the field after the ")" that closes comm: state, ppid, ...
        rest = stat[stat.rfind(b")") + 2 :].split()
        kids.setdefault(int(rest[1]), []).append(int(name))
    return kids


def _tree_rss_kb(root: int) -> int:
    kids = _children_map()
    total = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(kids.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError):
            pass
    return total


def main() -> int:
    args = sys.argv[1:]
    interval = 0.02
    if args[:1] == ["--interval"]:
        interval = float(args[1])
        args = args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    proc = subprocess.Popen(args)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(interval)
    print(f"tree_peak_kb\t{peak}", file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
