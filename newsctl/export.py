"""Posts as search-engine documents: metadata plus the plain text a reader sees, one per post.

For archives that outgrow one machine the search belongs in Elasticsearch or OpenSearch; this
streams what their ``_bulk`` API takes (or plain JSON Lines for any other engine).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from newsctl.convert.body import ConvertOptions, convert_body
from newsctl.errors import PostError
from newsctl.filters import PostFilter
from newsctl.jekyll.discovery import Candidate, Found
from newsctl.jekyll.post import Post, read
from newsctl.output.formats import post_record

TEXT = ConvertOptions("text")


def document(post: Post) -> dict[str, Any]:
    """The post's metadata (keys as in ``list --format json``) plus ``text``: its body as the
    plain text a reader sees."""
    record = post_record(post)
    record["text"] = convert_body(post, TEXT).strip()
    return record


def document_id(post: Post) -> str:
    """A stable id: the post's path inside its site (or its own path outside one)."""
    return post.relative_path if post.site_root else post.path


def export_one(item: Found, wanted: PostFilter | None = None) -> tuple[str, str] | PostError | Found | None:
    """In a worker: (id, document JSON) for a candidate (None when ``wanted`` does not match
    it); other discoveries pass through."""
    if not isinstance(item, Candidate):
        return item
    result = read(item)
    if result.error is not None:
        return result.error
    post = result.post
    if post is None or (wanted is not None and not wanted.matches(post)):
        return None
    try:
        return document_id(post), json.dumps(document(post), ensure_ascii=False)
    except Exception as exc:  # one unconvertible post must not stop a million
        return PostError(item.path, f"cannot convert: {type(exc).__name__}: {exc}", None, "convert")


def bulk_lines(doc_id: str, doc: str, *, index: str | None) -> Iterator[str]:
    """JSON Lines (``index`` None) or the ``_bulk`` pair: an action line, then the document."""
    if index is not None:
        yield json.dumps({"index": {"_index": index, "_id": doc_id}}, ensure_ascii=False) + "\n"
    yield doc + "\n"
