"""Baseline: the script a user would write instead of newsctl.

Loads every post under ARCHIVE/_posts with python-frontmatter and prints
"path<TAB>date". Single process, no filtering, no Jekyll rules.

Usage: python benchmarks/baseline_frontmatter.py ARCHIVE
"""

import sys
from pathlib import Path

import frontmatter


def main() -> None:
    root = Path(sys.argv[1]) / "_posts"
    out = sys.stdout
    for path in sorted(root.rglob("*.md")):
        post = frontmatter.load(path)
        out.write(f"{path}\t{post.get('date')}\n")


if __name__ == "__main__":
    main()
