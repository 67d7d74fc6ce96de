"""Posts as search-engine documents: metadata, every front-matter field and the plain text a
reader sees, one per post; and the Elasticsearch/OpenSearch index definition they load into.

For archives that outgrow one machine the search belongs in Elasticsearch or OpenSearch; this
streams what their ``_bulk`` API takes (or plain JSON Lines for any other engine).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from typing import Any

from newsctl.convert.body import ConvertOptions, convert_body
from newsctl.errors import PostError
from newsctl.filters import PostFilter
from newsctl.jekyll.discovery import Candidate, Found
from newsctl.jekyll.frontmatter import json_safe
from newsctl.jekyll.post import Post, read
from newsctl.jekyll.site import site_for
from newsctl.output.formats import post_record

TEXT = ConvertOptions("text")
# Front-matter keys whose meaning the document keys already carry (as Jekyll reads them).
INTERPRETED = frozenset({"title", "date", "categories", "tags", "slug", "layout", "published"})
MAX_ID_BYTES = 512  # Elasticsearch's and OpenSearch's limit on _id


def document(post: Post) -> dict[str, Any]:
    """The post's metadata (keys as in ``list --format json``), ``text`` (its body as the plain
    text a reader sees), then every other front-matter field, ``_config.yml`` defaults included
    (dates as ISO strings). A field named like a document key (``url``, ``path``, ``text``) or
    starting with ``_`` (Elasticsearch's own fields) is kept as ``front_matter_<name>``."""
    record = post_record(post)
    record["text"] = convert_body(post, TEXT).strip()
    fields = post.front_matter
    if post.site_root:
        fields = _merged(site_for(post.path).front_matter_defaults(post.relative_path), fields)
    for key, value in json_safe(fields).items():
        if key in INTERPRETED:
            continue
        record[f"front_matter_{key}" if key in record or key.startswith("_") or not key else key] = value
    return record


def _merged(defaults: dict[str, Any], written: dict[str, Any]) -> dict[str, Any]:
    """Jekyll's merge of defaults and front matter: written values win, a null one does not,
    nested mappings merge."""
    merged = dict(defaults)
    for key, value in written.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = _merged(merged[key], value)
        elif value is not None or key not in merged:
            merged[key] = value
    return merged


def document_id(post: Post, prefix: str | None = None) -> str:
    """An id unique across archives: ``prefix`` + the post's path in its site when given; else
    the site's ``url`` + ``baseurl`` + the post's URL (Jekyll's absolute_url) when the site sets
    ``url``; else the post's absolute path. Longer than Elasticsearch takes, it is cut and ends
    in a hash of the whole."""
    if prefix is not None:
        doc_id = prefix + (post.relative_path if post.site_root else post.path)
    else:
        site = site_for(post.path) if post.site_root else None
        if site is not None and site.url and post.url:
            base = site.baseurl.strip("/")
            doc_id = site.url.rstrip("/") + (f"/{base}" if base else "") + post.url
        else:
            doc_id = os.path.abspath(post.path)
    encoded = doc_id.encode("utf-8", "surrogateescape")
    if len(encoded) <= MAX_ID_BYTES:
        return doc_id
    digest = hashlib.sha256(encoded).hexdigest()[:32]
    head = encoded[: MAX_ID_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{head}~{digest}"


def export_one(
    item: Found, id_prefix: str | None = None, wanted: PostFilter | None = None
) -> tuple[str, str] | PostError | Found | None:
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
        return document_id(post, id_prefix), json.dumps(document(post), ensure_ascii=False)
    except Exception as exc:  # one unconvertible post must not stop a million
        return PostError(item.path, f"cannot convert: {type(exc).__name__}: {exc}", None, "convert")


def bulk_lines(doc_id: str, doc: str, *, index: str | None) -> Iterator[str]:
    """JSON Lines (``index`` None) or the ``_bulk`` pair: an action line, then the document."""
    if index is not None:
        yield json.dumps({"index": {"_index": index, "_id": doc_id}}, ensure_ascii=False) + "\n"
    yield doc + "\n"


def index_definition(analyzer: str = "cjk") -> dict[str, Any]:
    """The body of ``PUT /<index>`` for the documents above (Elasticsearch 7+, OpenSearch 1+).

    Text (title, text, other string fields) is analysed with ``analyzer``: ``cjk`` is built in
    (bigrams of Chinese, Japanese, Korean; standard words elsewhere); ``smartcn`` and
    ``ik_max_word`` need their plugins. Categories, tags, path, slug, URL and layout are
    keywords (exact, for filters and aggregations). Other front-matter fields are mapped as
    they come, strings as text with a ``.keyword`` sub-field, without guessing dates or numbers
    from strings; a value that does not fit a field's type is left unindexed, not rejected."""
    keyword = {"type": "keyword"}
    text_and_keyword = {
        "type": "text", "analyzer": analyzer, "fields": {"keyword": {"type": "keyword", "ignore_above": 256}},
    }  # fmt: skip
    return {
        "settings": {"index": {"mapping": {"ignore_malformed": True}}},
        "mappings": {
            "date_detection": False,
            "numeric_detection": False,
            "dynamic_templates": [{"strings": {"match_mapping_type": "string", "mapping": text_and_keyword}}],
            "properties": {
                "path": keyword,
                "title": text_and_keyword,
                "date": {"type": "date"},  # ISO 8601 with offset: the default format reads it
                "categories": keyword,
                "tags": keyword,
                "slug": keyword,
                "url": keyword,
                "layout": keyword,
                "published": {"type": "boolean"},
                "text": {"type": "text", "analyzer": analyzer},
            },
        },
    }
