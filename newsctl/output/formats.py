"""Every output format, for every command: JSON, JSON Lines, CSV, paths, and rich tables.

Machine formats are exact and stable: keys in a fixed, documented order, UTF-8 text (no
``\\u`` escapes), one record per line for ``jsonl``.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # the heavy modules (PyYAML) load only when a post is rendered
    from newsctl.jekyll.post import Post

LIST_COLUMNS = ("date", "categories", "tags", "title", "path")
CSV_COLUMNS = ("path", "title", "date", "categories", "tags", "slug", "url", "layout", "published")


def post_record(post: Post, *, full: bool = False, body: bool = True) -> dict[str, Any]:
    """A post as a JSON object. Keys: path, title, date, categories, tags, slug, url, layout,
    published; with ``full`` also front_matter and (unless ``body`` is False) body."""
    from newsctl.jekyll.dates import iso

    record: dict[str, Any] = {
        "path": post.path,
        "title": post.title,
        "date": iso(post.date) if post.date else None,
        "categories": list(post.categories),
        "tags": list(post.tags),
        "slug": post.slug,
        "url": post.url,
        "layout": post.layout,
        "published": post.published,
    }
    if full:
        from newsctl.jekyll.frontmatter import json_safe

        record["front_matter"] = json_safe(post.front_matter)
        if body:
            record["body"] = post.body
    return record


def _dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def write_json(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """A JSON array, written one element at a time (memory stays flat)."""
    count = 0
    for record in records:
        out.write("[\n  " if count == 0 else ",\n  ")
        out.write(_dumps(record))
        count += 1
    out.write("[]\n" if count == 0 else "\n]\n")
    return count


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(_dumps(record) + "\n")
        count += 1
    return count


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def write_csv(records: Iterable[dict[str, Any]], out: IO[str], columns: Sequence[str] = CSV_COLUMNS) -> int:
    """RFC 4180 CSV with a header row; lists joined with ``;``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
        count += 1
    return count


def write_paths(paths: Iterable[str], out: IO[str], *, null: bool = False) -> int:
    count = 0
    end = "\0" if null else "\n"
    for path in paths:
        out.write(path + end)
        count += 1
    return count


def _list_cells(post: Post) -> list[str]:
    return [
        post.date.strftime("%Y-%m-%d %H:%M") if post.date else "",
        ", ".join(post.categories),
        ", ".join(post.tags),
        post.title,
        post.path,
    ]


def write_tsv(posts: Iterable[Post], out: IO[str]) -> int:
    """The table for a pipe: tab-separated date, categories, tags, title, path, no header."""
    count = 0
    for post in posts:
        out.write("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in _list_cells(post)) + "\n")
        count += 1
    return count


def write_table(posts: Sequence[Post], out: IO[str]) -> int:
    """A rich table for people at a terminal (colour unless NO_COLOR is set)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("date", style="cyan", no_wrap=True)
    table.add_column("categories", style="magenta")
    table.add_column("tags", style="green")
    table.add_column("title", ratio=1)
    table.add_column("path", style="dim", overflow="fold")
    for post in posts:
        table.add_row(*_list_cells(post))
    Console(file=out).print(table)
    return len(posts)


def stdout_is_tty() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def records(posts: Iterable[Post], **kwargs: Any) -> Iterator[dict[str, Any]]:
    return (post_record(post, **kwargs) for post in posts)
