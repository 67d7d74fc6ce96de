"""kramdown fidelity: newsctl's Markdown rendering against real kramdown 2.4 as Jekyll 4.3 runs it.

Corpora (skipped when ../shared is absent):
  cases  kramdown's own test cases (``kramdown-testcases/{block,span}/**/NAME.text`` with the
         case's ``NAME.options`` over Jekyll's kramdown defaults)
  blogs  the posts of ``kramdown-blogs/*/`` (bodies as newsctl reads them, Jekyll's defaults)
A source passes when the visible text (tests/visible_text.py) of ``convert --to text`` and of
``convert --to markdown`` rendered back both equal the visible text of kramdown's HTML, and
every link and image target of kramdown's HTML is in the Markdown. The reference HTML is
rendered once, in one ruby process, and cached under /tmp/newsctl-kramdown-reference/.

Usage: .venv/bin/python benchmarks/kramdown_fidelity.py [--engine kramdown|markdown-it] [--show N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS  # noqa: E402
from tests.visible_text import link_targets, markdown_visible_text, normalise_text, visible_text  # noqa: E402

CASES = CORPUS / "kramdown-testcases"
BLOGS = CORPUS / "kramdown-blogs"
CACHE = Path("/tmp/newsctl-kramdown-reference")
RUBY = Path(__file__).resolve().parent / "kramdown_reference.rb"


def case_sources() -> list[tuple[str, str, str]]:
    """(name, text, options YAML) for every kramdown test case."""
    out = []
    for path in sorted(CASES.glob("*/**/*.text")):
        options = path.with_suffix(".options")
        yaml_text = options.read_text(encoding="utf-8") if options.exists() else ""
        out.append((path.relative_to(CASES).as_posix(), path.read_text(encoding="utf-8"), yaml_text))
    return out


def blog_sources() -> list[tuple[str, str, str]]:
    from newsctl.jekyll.post import load_path

    out = []
    for path in sorted(BLOGS.glob("*/**/*")):
        if path.is_file() and path.suffix in (".md", ".markdown"):
            out.append((path.relative_to(BLOGS).as_posix(), load_path(str(path)).body, ""))
    return out


def references(sources: list[tuple[str, str, str]]) -> list[str | None]:
    """kramdown's HTML for every source, from the cache or one ruby run."""
    payload = json.dumps([{"text": t, "options_yaml": o} for _, t, o in sources])
    key = hashlib.sha256((payload + RUBY.read_text()).encode()).hexdigest()[:20]
    cached = CACHE / f"{key}.json"
    if cached.exists():
        result: list[str | None] = json.loads(cached.read_text())
        return result
    proc = subprocess.run(["ruby", str(RUBY)], input=payload, capture_output=True, text=True, check=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(proc.stdout)
    result = json.loads(proc.stdout)
    return result


def case_options(yaml_text: str) -> Any:
    import yaml

    from newsctl.markdown import options_from

    try:
        data = yaml.safe_load(yaml_text.replace("\n:", "\n").lstrip(":")) if yaml_text.strip() else {}
    except yaml.YAMLError:
        data = {}
    return options_from(data if isinstance(data, dict) else {})


def check(name: str, html: str, reference: str) -> str | None:
    """None when newsctl's outputs keep kramdown's visible text and targets, else why not."""
    from newsctl.convert.body import ConvertOptions, convert_html

    expected = visible_text(reference)
    text = normalise_text(convert_html(html, ConvertOptions(to="text", images="drop", links="drop")))
    if text != visible_text(text_footnotes(reference)):
        return _first_difference(visible_text(text_footnotes(reference)), text)
    markdown = convert_html(html, ConvertOptions(to="markdown", images="keep", links="inline"))
    if markdown_visible_text(markdown) != expected:
        return "markdown: " + _first_difference(expected, markdown_visible_text(markdown))
    missing = [t for t in link_targets(reference) if t not in markdown]
    return f"missing targets {missing[:3]}" if missing else None


def text_footnotes(html: str) -> str:
    """kramdown's HTML with its footnotes as newsctl's text output writes them: a reference
    reads ``[1]``, a note ``[1] the note``, without the back-link arrows."""
    if "doc-endnotes" not in html and "doc-noteref" not in html:
        return html
    import lxml.html

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for sup in root.xpath('.//sup[@role="doc-noteref"]'):
        label = sup.text_content().strip()
        for child in list(sup):
            sup.remove(child)
        sup.text = f"[{label}]"
    for link in root.xpath('.//a[@role="doc-backlink"]'):
        parent = link.getparent()
        tail = (link.tail or "").replace("\u00a0", " ")
        previous = link.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(link)
    for ol in root.xpath('.//div[@role="doc-endnotes"]/ol'):
        start = ol.get("start") or "1"
        for number, li in enumerate(ol.findall("li"), int(start) if start.isdigit() else 1):
            li.text = f"[{number}] " + (li.text or "")
    return lxml.html.tostring(root, encoding="unicode")


def _first_difference(expected: str, got: str) -> str:
    index = next(
        (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b), min(len(expected), len(got))
    )
    start = max(0, index - 30)
    return f"at {index}: kramdown {expected[start : index + 40]!r} / newsctl {got[start : index + 40]!r}"


def score(label: str, sources: list[tuple[str, str, str]], engine: str, show: int) -> tuple[int, int]:
    from newsctl.convert.body import markdown_to_html
    from newsctl.markdown import render

    refs = references(sources)
    passed = total = 0
    failures = []
    started = time.perf_counter()
    for (name, text, yaml_text), reference in zip(sources, refs, strict=True):
        if reference is None:
            continue
        total += 1
        try:
            html = render(text, case_options(yaml_text)) if engine == "kramdown" else markdown_to_html(text)
            problem = check(name, html, reference)
        except Exception as error:  # a crash is a failure of that source, reported
            problem = f"{type(error).__name__}: {error}"
        if problem is None:
            passed += 1
        else:
            failures.append(f"  {name}: {problem}")
    elapsed = time.perf_counter() - started
    print(f"{label}: {passed}/{total} ({elapsed:.1f} s)")
    for line in failures[:show]:
        print(line)
    return passed, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["kramdown", "markdown-it"], default="kramdown")
    parser.add_argument("--show", type=int, default=200, metavar="N", help="failing names to list")
    args = parser.parse_args()
    if not CASES.is_dir() or not BLOGS.is_dir():
        print("the kramdown corpora are not under ../shared/corpus: nothing to measure", file=sys.stderr)
        return 1
    score("kramdown test cases", case_sources(), args.engine, args.show)
    score("kramdown blogs", blog_sources(), args.engine, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
