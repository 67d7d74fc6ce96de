"""The renderer's speed floors of issue 14, in CPU seconds (``time.process_time``, best of N).

    .venv/bin/python benchmarks/markdown_speed.py [ARCHIVE] [--posts 400] [--runs 5] [--only NAMES]

- ``posts``: ``body_html`` and the whole ``convert_body`` (text) per post, on the first N posts of
  ARCHIVE by file name (default ``/tmp/archive-10k``; make one with ``make-archive``);
- ``dense``: a synthetic 1 MB Markdown post of every common construct (the floor: under 1 s);
- ``real``: archive post bodies joined to 1 MB;
- hostile inputs (floor: under 2 s per MB, no RecursionError): 10,000-deep lists and quotes,
  100,000 ``[`` and ``*``, ``**a `` x 100,000, a 1 MB table.

Runs on any checkout with ``newsctl.markdown`` (the old markdown-it build has only ``posts``).
"""

from __future__ import annotations

import argparse
import glob
import os
import time
from collections.abc import Callable

DENSE_BLOCK = """## A heading with *emphasis* and `code`

Some **strong text**, a [link](http://example.com/a?b=c&d=e "title") and an ![image](/i.png),
"smart quotes" -- dashes... and a <span class="x">span</span> &amp; entities &copy; here.
A line with a hard break\x20\x20
and an autolink <http://example.com/x>, a footnote[^n] and ~~struck~~ text_with_underscores.

- item one with *em*
- item two with [ref link][r]
  1. nested `code` item
  2. another **one**

> A quote with _emphasis_
> and a second line.

| col a | col b |
|-------|:-----:|
| `x`   | *y*   |

```ruby
def x; end
```

[r]: http://example.com/r
[^n]: A note.

"""


def dense_post(size: int = 1_000_000) -> str:
    return (DENSE_BLOCK * (size // len(DENSE_BLOCK) + 1))[:size]


def hostile_inputs() -> dict[str, str]:
    row = "| " + " | ".join(f"c{i} *e*" for i in range(8)) + " |\n"
    table = "| " + " | ".join(f"h{i}" for i in range(8)) + " |\n|" + "---|" * 8 + "\n"
    return {
        "lists 10k deep": "- " * 10_000 + "x\n",
        "quotes 10k deep": "> " * 10_000 + "x\n",
        "[ x 100k": "[" * 100_000 + "\n",
        "* x 100k": "*" * 100_000 + "\n",
        "'**a ' x 100k": "**a " * 100_000 + "\n",
        "1 MB table": table + row * (1_000_000 // len(row)),
    }


def cpu_best(function: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def archive_posts(archive: str, count: int) -> list[object]:
    try:
        from newsctl.jekyll.post import load_path
    except ImportError:  # the markdown-it build (06a843e)
        from newsctl.post import load_path  # type: ignore[no-redef]
    paths = sorted(glob.glob(os.path.join(archive, "_posts", "**", "*.md"), recursive=True))[:count]
    return [load_path(path) for path in paths]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive", nargs="?", default=os.environ.get("ARCHIVE_10K", "/tmp/archive-10k"))
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="posts,dense,real,hostile")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if "posts" in only:
        try:
            from newsctl.convert.body import ConvertOptions, body_html, convert_body
        except ImportError:
            from newsctl.convert import ConvertOptions, body_html, convert_body  # type: ignore[no-redef]
        posts = archive_posts(args.archive, args.posts)
        text = ConvertOptions("text")
        for post in posts[:50]:
            convert_body(post, text)  # type: ignore[arg-type]
        html = cpu_best(lambda: [body_html(p) for p in posts], args.runs)  # type: ignore[arg-type]
        whole = cpu_best(lambda: [convert_body(p, text) for p in posts], args.runs)  # type: ignore[arg-type]
        per_post = f"body_html {html / len(posts) * 1000:.3f} ms, convert_body {whole / len(posts) * 1000:.3f} ms"
        print(f"posts: {per_post} per post ({len(posts)} posts, CPU, best of {args.runs})")
    if only & {"dense", "real", "hostile"}:
        from newsctl.markdown import render
    if "dense" in only:
        source = dense_post()
        print(f"dense 1 MB post: {cpu_best(lambda: render(source), max(1, args.runs // 2)):.2f} s CPU")
    if "real" in only:
        bodies = [p.body for p in archive_posts(args.archive, 1000)]  # type: ignore[attr-defined]
        joined = ""
        for body in bodies:
            if len(joined) >= 1_000_000:
                break
            joined += body + "\n\n"
        seconds = cpu_best(lambda: render(joined), max(1, args.runs // 2))
        print(f"real posts joined to {len(joined) / 1e6:.1f} MB: {seconds:.2f} s CPU")
    if "hostile" in only:
        for name, source in hostile_inputs().items():
            seconds = cpu_best(lambda source=source: render(source), max(1, args.runs // 2))  # type: ignore[misc]
            print(f"hostile {name} ({len(source) / 1e6:.2f} MB): {seconds:.2f} s CPU")


if __name__ == "__main__":
    main()
