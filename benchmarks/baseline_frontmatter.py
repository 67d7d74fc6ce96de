"""Baseline: the script a user would write instead of newsctl.

Loads every post under ARCHIVE/_posts with python-frontmatter
(`frontmatter.load`) and prints "path<TAB>date". Single process, no Jekyll
rules (no filename-date check, no `published: false`, no defaults).

Optional naive filters, for comparison with `newsctl list --category/--since`:
  --category NAME   keep posts whose `categories` equals or contains NAME
  --since PREFIX    keep posts whose `date` string is >= PREFIX (e.g. 2023-01)

Usage: python benchmarks/baseline_frontmatter.py ARCHIVE [--category X] [--since D]
"""

import argparse
import sys
from pathlib import Path

import frontmatter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--category")
    parser.add_argument("--since")
    args = parser.parse_args()

    out = sys.stdout
    for path in sorted((Path(args.archive) / "_posts").rglob("*.md")):
        post = frontmatter.load(path)
        date = post.get("date")
        if args.category is not None:
            cats = post.get("categories") or []
            cats = cats.split() if isinstance(cats, str) else [str(c) for c in cats]
            if args.category not in cats:
                continue
        if args.since is not None and str(date) < args.since:
            continue
        out.write(f"{path}\t{date}\n")


if __name__ == "__main__":
    main()
