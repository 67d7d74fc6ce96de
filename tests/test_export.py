"""`newsctl export`: documents for a search engine, in the shape the _bulk API documents."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLES, WritePost, run

KEYS = ["path", "title", "date", "categories", "tags", "slug", "url", "layout", "published", "text"]


def test_jsonl_is_one_document_per_post_with_the_visible_text() -> None:
    code, out, _ = run("export", str(EXAMPLES / "_posts"))
    docs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(docs) == 15
    assert all(list(doc) == KEYS for doc in docs)
    bank = next(doc for doc in docs if doc["path"].endswith("2024-01-16-bank-dividend.html"))
    assert bank["title"] == "多家银行首次推出中期分红"
    assert "东岳银行\t1.52\t5.8%" in bank["text"] and "<" not in bank["text"]


def test_es_bulk_is_action_and_source_pairs_ending_in_a_newline() -> None:
    # The _bulk body: newline-delimited JSON, an action line ({"index": {"_index", "_id"}}) then
    # the document, and a final newline (Elasticsearch rejects a body without it).
    code, out, _ = run("export", "--format", "es-bulk", "--index", "news-2024", str(EXAMPLES / "_posts"))
    assert code == 0 and out.endswith("\n")
    lines = out.split("\n")[:-1]
    assert len(lines) == 30
    ids = []
    for action_line, source_line in zip(lines[::2], lines[1::2], strict=True):
        action, source = json.loads(action_line), json.loads(source_line)
        assert list(action) == ["index"] and set(action["index"]) == {"_index", "_id"}
        assert action["index"]["_index"] == "news-2024"
        assert list(source) == KEYS
        ids.append(action["index"]["_id"])
    assert len(set(ids)) == len(ids) and all(i.startswith("_posts/") for i in ids)


def test_ids_are_stable_between_runs() -> None:
    first = run("export", "--format", "es-bulk", str(EXAMPLES))[1]
    assert run("export", "--format", "es-bulk", "-j", "1", str(EXAMPLES))[1] == first


def test_a_bad_post_is_reported_and_the_rest_exported(tmp_path: Path, write: WritePost) -> None:
    write("site/_config.yml", "timezone: UTC\n")
    write("site/_posts/2022-01-01-good.md", "---\ntitle: Good\n---\nBody text\n")
    write("site/_posts/2022-01-02-bad.md", "---\ntitle: x\ndate: nonsense\n---\n")
    code, out, err = run("export", str(tmp_path / "site"))
    assert code == 1
    assert [json.loads(line)["title"] for line in out.splitlines()] == ["Good"]
    assert "2022-01-02-bad.md:3: error: invalid date" in err
