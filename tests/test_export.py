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
    assert all(list(doc)[: len(KEYS)] == KEYS for doc in docs)  # then the other front-matter fields
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
        assert list(source)[: len(KEYS)] == KEYS
        ids.append(action["index"]["_id"])
    # examples/_config.yml sets no url: the ids are the posts' absolute paths
    assert len(set(ids)) == len(ids) and all(i.startswith(str(EXAMPLES.resolve())) for i in ids)


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


def _ids(out: str) -> list[str]:
    return [json.loads(line)["index"]["_id"] for line in out.splitlines()[::2]]


def test_ids_are_the_sites_url_plus_the_posts_url_when_the_site_sets_url(tmp_path: Path, write: WritePost) -> None:
    write("site/_config.yml", "url: https://news.example.com\nbaseurl: /cn\n")
    write("site/_posts/2022-01-01-good.md", "---\ntitle: Good\ncategories: markets\n---\nBody\n")
    out = run("export", "--format", "es-bulk", str(tmp_path / "site"))[1]
    assert _ids(out) == ["https://news.example.com/cn/markets/2022/01/01/good.html"]


def test_two_archives_without_url_get_different_ids(tmp_path: Path, write: WritePost) -> None:
    for name in ("one", "two"):
        write(f"{name}/_config.yml", "timezone: UTC\n")
        write(f"{name}/_posts/2022-01-01-same.md", "---\ntitle: Same\n---\nBody\n")
    ids = [_ids(run("export", "--format", "es-bulk", str(tmp_path / name))[1])[0] for name in ("one", "two")]
    assert ids[0] != ids[1]
    assert ids[0] == str(tmp_path / "one" / "_posts" / "2022-01-01-same.md")  # the post's absolute path


def test_id_prefix_chooses_the_ids(tmp_path: Path, write: WritePost) -> None:
    write("site/_config.yml", "url: https://news.example.com\n")
    write("site/_posts/2022-01-01-good.md", "---\ntitle: Good\n---\nBody\n")
    out = run("export", "--format", "es-bulk", "--id-prefix", "finews:", str(tmp_path / "site"))[1]
    assert _ids(out) == ["finews:_posts/2022-01-01-good.md"]


FRONT = """---
title: Good
category: tech
author: 张三
source: [Reuters, 新华社]
updated: 2024-01-02 10:00:00 +08:00
views: 12
meta: {edited: true, when: 2024-01-03}
url: https://source.example.com/123
_id: abc
---
Body
"""


def test_every_front_matter_field_is_kept(tmp_path: Path, write: WritePost) -> None:
    write(
        "site/_config.yml", "timezone: UTC\ndefaults:\n  - scope: {path: ''}\n    values: {desk: 财经, author: Staff}\n"
    )
    write("site/_posts/2022-01-01-good.md", FRONT)
    (doc,) = [json.loads(line) for line in run("export", str(tmp_path / "site"))[1].splitlines()]
    assert list(doc)[: len(KEYS)] == KEYS and doc["categories"] == ["tech"]
    assert doc["author"] == "张三" and doc["desk"] == "财经"  # written fields win over _config.yml defaults
    assert doc["source"] == ["Reuters", "新华社"] and doc["views"] == 12 and doc["category"] == "tech"
    assert doc["updated"] == "2024-01-02T10:00:00+08:00"  # dates as ISO strings
    assert doc["meta"] == {"edited": True, "when": "2024-01-03"}
    # A field named like a document key newsctl computes, or like Elasticsearch's own fields,
    # is kept under front_matter_<name>; the document key keeps its meaning.
    assert doc["url"] == "/tech/2022/01/01/good.html" and doc["front_matter_url"] == "https://source.example.com/123"
    assert doc["front_matter__id"] == "abc" and "_id" not in doc


def test_a_long_id_is_cut_to_what_elasticsearch_takes_and_stays_unique(tmp_path: Path, write: WritePost) -> None:
    # _id is at most 512 bytes; a URL of percent-encoded Chinese slugs can be longer.
    slug = "很长的标题" * 12
    for n in ("1", "2"):
        write(f"site/_posts/2022-01-01-{slug}{n}.md", "---\ntitle: Long\n---\nBody\n")
    ids = _ids(run("export", "--format", "es-bulk", "--id-prefix", "x" * 400, str(tmp_path / "site"))[1])
    assert len(ids) == 2 and ids[0] != ids[1] and all(len(i.encode()) <= 512 for i in ids)


def test_mapping_is_an_index_definition_for_the_documents() -> None:
    code, out, _ = run("export", "--mapping")
    definition = json.loads(out)
    props = definition["mappings"]["properties"]
    assert code == 0 and set(KEYS) <= set(props)
    assert props["date"]["type"] == "date" and props["published"]["type"] == "boolean"
    assert props["categories"]["type"] == props["tags"]["type"] == props["path"]["type"] == "keyword"
    assert props["text"] == {"type": "text", "analyzer": "cjk"} and props["title"]["analyzer"] == "cjk"
    # Other front-matter fields: strings are text (and keyword), no guessing of dates or numbers.
    strings = definition["mappings"]["dynamic_templates"][0]["strings"]
    assert strings["match_mapping_type"] == "string" and strings["mapping"]["analyzer"] == "cjk"
    assert definition["mappings"]["date_detection"] is False


def test_mapping_takes_another_analyzer() -> None:
    out = run("export", "--mapping", "--analyzer", "smartcn")[1]
    assert json.loads(out)["mappings"]["properties"]["text"]["analyzer"] == "smartcn" and '"cjk"' not in out


def test_export_documents_match_the_mapping(tmp_path: Path, write: WritePost) -> None:
    # Every key newsctl computes has a type in the mapping; dates are what a date field parses.
    props = json.loads(run("export", "--mapping")[1])["mappings"]["properties"]
    write("site/_posts/2022-01-01-good.md", FRONT)
    (doc,) = [json.loads(line) for line in run("export", str(tmp_path / "site"))[1].splitlines()]
    assert set(doc) - set(props) == {
        "category",
        "author",
        "source",
        "updated",
        "views",
        "meta",
        "front_matter_url",
        "front_matter__id",
    }
    assert doc["date"].startswith("2022-01-01T00:00:00")
