"""Conversion fidelity: how much of what a reader sees survives HTML -> Markdown/text conversion.

Over the posts of tests/test_convert_fidelity.py (shared corpus finews, jekyll-tests,
jekyll-html/*, plus examples/), for each tool: the share of posts whose visible text
(tests/visible_text.py) survives exactly, and the share of link/image targets of the body that
appear verbatim in the output.  Reference = the body HTML Jekyll renders
(tests/jekyll_render.py); without Jekyll, newsctl's ``body_html`` (the output says so).

Tools:
  newsctl text      convert_body(to="text", images="drop", links="drop"); whitespace-normalised
                    (no targets: a plain-text output with URLs would change the visible text)
  newsctl markdown  convert_body(to="markdown", images="keep", links="inline"), rendered with
                    markdown-it-py
  pandoc            the *source* body: Markdown extensions read with ``-f markdown``, everything
                    else (.html, and files Jekyll does not convert, e.g. .textile, which it
                    passes through as HTML) with ``-f html``; ``-t gfm --wrap=none``
  html2text         ``html2text.HTML2Text()`` defaults with ``body_width = 0`` on the reference HTML
  markdownify       ``markdownify.markdownify(html)`` on the reference HTML (benchmark-only
                    dependency: ``.venv/bin/pip install markdownify``)
All Markdown outputs are rendered with markdown-it-py for their visible text.

Usage: .venv/bin/python benchmarks/fidelity.py [--details N] [--out benchmarks/results/fidelity.md]
  --details N   also print, per tool, up to N failing posts with the text around the first
                difference and the missing targets.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsctl.errors import PostError  # noqa: E402
from newsctl.jekyll.post import Post, load_path  # noqa: E402
from tests.conftest import CORPUS, EXAMPLES  # noqa: E402
from tests.jekyll_render import jekyll_available, jekyll_rendered  # noqa: E402
from tests.visible_text import (  # noqa: E402
    describe_difference,
    link_targets,
    markdown_visible_text,
    normalise_text,
    visible_text,
)

MARKDOWN_EXTENSIONS = {"." + e for e in ["markdown", "mkdown", "mkdn", "mkd", "md"]}


@dataclass
class Item:
    label: str  # path shown in reports
    post: Post
    reference: str  # body HTML


@dataclass
class Score:
    tool: str
    measures_targets: bool
    exact: int = 0
    posts: int = 0
    kept: int = 0
    targets: int = 0
    errors: int = 0
    failures: list[str] = field(default_factory=list)


def site_roots() -> list[Path]:
    roots: list[Path] = []
    if CORPUS.is_dir():
        roots += [CORPUS / "finews", CORPUS / "jekyll-tests"]
        roots += sorted(p for p in (CORPUS / "jekyll-html").glob("*") if (p / "_posts").is_dir())
    roots.append(EXAMPLES)
    return roots


def collect(use_jekyll: bool, body_html: Callable[[Post], str] | None) -> tuple[list[Item], dict[str, int]]:
    items: list[Item] = []
    per_folder: dict[str, int] = {}
    for root in site_roots():
        rendered = jekyll_rendered(root) if use_jekyll else {}
        folders = [root / "_posts"] + ([root / "markets" / "_posts"] if root == EXAMPLES else [])
        for folder in folders:
            base = CORPUS if root.is_relative_to(CORPUS) else EXAMPLES.parent
            name = folder.relative_to(base).as_posix()
            for path in sorted(folder.glob("*")):
                if not path.is_file():
                    continue
                relative = path.relative_to(root).as_posix()
                if use_jekyll and relative not in rendered:
                    continue
                try:
                    post = load_path(str(path))
                except PostError:
                    if use_jekyll:
                        raise
                    continue
                if not use_jekyll and not post.published:
                    continue
                if use_jekyll:
                    reference = rendered[relative]
                else:
                    assert body_html is not None
                    reference = body_html(post)
                items.append(Item(path.relative_to(base).as_posix(), post, reference))
                per_folder[name] = per_folder.get(name, 0) + 1
    return items, per_folder


def pandoc_markdown(post: Post) -> str:
    source = "markdown" if post.path[post.path.rfind(".") :].lower() in MARKDOWN_EXTENSIONS else "html"
    proc = subprocess.run(
        ["pandoc", "-f", source, "-t", "gfm", "--wrap=none"],
        input=post.body,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def html2text_markdown(html: str) -> str:
    import html2text

    converter = html2text.HTML2Text()
    converter.body_width = 0
    return str(converter.handle(html))


def markdownify_markdown(html: str) -> str:
    import markdownify

    return str(markdownify.markdownify(html))


# tool -> (function(item) -> output, output is Markdown?, measure targets?)
Tool = tuple[Callable[[Item], str], bool, bool]


def tools(convert: Any) -> dict[str, Tool]:
    table: dict[str, Tool] = {}
    if convert is not None:
        text = convert.ConvertOptions(to="text", images="drop", links="drop")
        markdown = convert.ConvertOptions(to="markdown", images="keep", links="inline")
        table["newsctl text"] = (lambda item: convert.convert_body(item.post, text), False, False)
        table["newsctl markdown"] = (lambda item: convert.convert_body(item.post, markdown), True, True)
    if shutil.which("pandoc"):
        table["pandoc"] = (lambda item: pandoc_markdown(item.post), True, True)
    table["html2text"] = (lambda item: html2text_markdown(item.reference), True, True)
    try:
        import markdownify  # noqa: F401
    except ImportError:
        print("markdownify is not installed (.venv/bin/pip install markdownify): skipped", file=sys.stderr)
    else:
        table["markdownify"] = (lambda item: markdownify_markdown(item.reference), True, True)
    return table


def score(name: str, tool: Tool, items: list[Item], details: int) -> Score:
    function, is_markdown, measure_targets = tool
    result = Score(name, measure_targets)
    for item in items:
        result.posts += 1
        expected = visible_text(item.reference)
        targets = link_targets(item.reference) if measure_targets else set()
        result.targets += len(targets)
        try:
            output = function(item)
        except Exception as error:  # a crash loses everything
            result.errors += 1
            if len(result.failures) < details:
                result.failures.append(f"{item.label}: {type(error).__name__}: {error}")
            continue
        got = markdown_visible_text(output) if is_markdown else normalise_text(output)
        missing = sorted(t for t in targets if t not in output)
        result.kept += len(targets) - len(missing)
        if got == expected:
            result.exact += 1
        if (got != expected or missing) and len(result.failures) < details:
            lines = [f"{item.label}:"]
            if got != expected:
                diff = describe_difference(expected, got, expected_label="reference", got_label=name, max_lines=0)
                lines.append("  " + diff.replace("\n", "\n  "))
            if missing:
                lines.append(f"  missing targets: {missing[:5]}{' ...' if len(missing) > 5 else ''}")
            result.failures.append("\n".join(lines))
    return result


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def table(scores: list[Score]) -> str:
    lines = [
        "| tool | posts with exact visible text | % | link+image targets kept | % |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in scores:
        exact = f"{s.exact} / {s.posts}" + (f" ({s.errors} errors)" if s.errors else "")
        kept = f"{s.kept} / {s.targets}" if s.measures_targets else "n/a"
        pct = percent(s.kept, s.targets) if s.measures_targets else "n/a"
        lines.append(f"| {s.tool} | {exact} | {percent(s.exact, s.posts)} | {kept} | {pct} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--details", type=int, default=0, metavar="N")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fidelity.md")
    args = parser.parse_args()

    convert: Any
    try:
        import newsctl.convert.body as convert
    except ImportError:
        convert = None
        print("newsctl.convert.body is not available: newsctl rows skipped", file=sys.stderr)

    use_jekyll = jekyll_available()
    if not use_jekyll and convert is None:
        print("neither jekyll nor newsctl.convert.body is available: no reference HTML", file=sys.stderr)
        return 1
    if use_jekyll:
        reference_note = "Reference: the body HTML Debian's Jekyll renders (`post.content`, kramdown GFM, Liquid off)."
    else:
        reference_note = (
            "Reference: **jekyll is not installed**, so the reference is newsctl's own `body_html` "
            "(the newsctl rows are then only checked against newsctl's rendering)."
        )
    items, per_folder = collect(use_jekyll, convert.body_html if convert is not None else None)

    scores = [score(name, tool, items, args.details) for name, tool in tools(convert).items()]
    folders = ", ".join(f"{name}: {count}" for name, count in per_folder.items())
    report = "\n\n".join(
        [
            "# Conversion fidelity",
            f"{reference_note}\nPosts: {len(items)} ({folders}).",
            table(scores),
            "Visible text: tests/visible_text.py (whitespace-normalised, CJK line breaks ignored); Markdown "
            "outputs are rendered with markdown-it-py. A target is kept when it appears verbatim in the output.",
        ]
    )
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report + "\n", encoding="utf-8")
    if args.details:
        for s in scores:
            print(f"\n## {s.tool}: first {len(s.failures)} failures\n")
            print("\n\n".join(s.failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
