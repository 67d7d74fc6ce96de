"""The configuration of ``newsctl validate``: discovery, strict reading, rule selection, schemas."""

from __future__ import annotations

import datetime
import json
import pickle
import re
import sys
from pathlib import Path

import pytest

from newsctl.errors import NewsctlError, UsageError
from newsctl.validate.config import (
    KEYS,
    ConfigError,
    ValidateConfig,
    find_config,
    load_config,
    path_matches,
    schema_errors,
)
from tests.conftest import WritePost

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

# --- defaults and the three kinds of file ----------------------------------------------------


def test_no_file_gives_the_defaults() -> None:
    config = load_config(None)
    assert config == ValidateConfig()
    assert config.root is None
    assert config.required == ()  # house rules are opt-in: Jekyll needs no field
    assert config.select == ("ALL",)
    assert config.ignore == ()
    assert config.per_path_ignores == ()
    assert config.types == {} and config.allowed == {} and config.pattern == {}
    assert config.timezone is None and config.duplicate_key is None and config.schema is None
    assert config.strict is False
    assert re.fullmatch(r"[0-9a-f]{64}", config.fingerprint)


def test_no_config_file_is_found_where_there_is_none(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None


FULL = """\
required = ["title", "date", "source"]
select = ["NC1", "NC3"]
ignore = ["NC104"]
timezone = "Asia/Shanghai"
duplicate-key = "source"
strict = true
watch = true

[types]
views = "integer"

[allowed]
categories = ["emnews", "macro"]

[pattern]
source = "^https?://"

[per-path-ignores]
"drafts/*" = ["NC3"]
"""


@pytest.mark.parametrize("name", [".newsctl.toml", "newsctl.toml"])
def test_newsctl_toml_files_hold_keys_at_the_top_level(write: WritePost, tmp_path: Path, name: str) -> None:
    path = write(name, FULL)
    assert find_config(tmp_path) == path
    config = load_config(path)
    assert config.root == tmp_path.resolve()
    assert config.required == ("title", "date", "source")
    assert config.select == ("NC1", "NC3")
    assert config.ignore == ("NC104",)
    assert config.timezone == "Asia/Shanghai"
    assert config.duplicate_key == "source"
    assert config.strict is True
    assert config.types == {"views": "integer"}
    assert config.allowed == {"categories": ("emnews", "macro")}
    assert config.pattern["source"].pattern == "^https?://"
    assert config.per_path_ignores == (("drafts/*", ("NC3",)),)


def test_pyproject_toml_holds_keys_in_tool_newsctl(write: WritePost, tmp_path: Path) -> None:
    path = write("pyproject.toml", '[project]\nname = "site"\n\n[tool.newsctl]\nrequired = ["title"]\n')
    assert find_config(tmp_path) == path
    assert load_config(path).required == ("title",)


def test_an_explicit_file_with_another_name_is_read_at_the_top_level(write: WritePost) -> None:
    path = write("ci/validate.toml", 'ignore = ["NC2"]\n')
    config = load_config(path)
    assert config.ignore == ("NC2",)
    assert config.root == path.parent.resolve()


def test_an_explicit_pyproject_without_tool_newsctl_is_an_error(write: WritePost) -> None:
    path = write("pyproject.toml", '[project]\nname = "site"\n')
    with pytest.raises(ConfigError, match=r"pyproject\.toml: no \[tool\.newsctl\] table"):
        load_config(path)


# --- discovery -------------------------------------------------------------------------------


def test_within_a_folder_dot_newsctl_toml_wins_then_newsctl_toml_then_pyproject(
    write: WritePost, tmp_path: Path
) -> None:
    write("pyproject.toml", "[tool.newsctl]\n")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    write("newsctl.toml", "")
    assert find_config(tmp_path) == tmp_path / "newsctl.toml"
    write(".newsctl.toml", "")
    assert find_config(tmp_path) == tmp_path / ".newsctl.toml"


def test_the_nearest_folder_with_a_config_wins(write: WritePost, tmp_path: Path) -> None:
    write("newsctl.toml", "")
    nearer = write("site/pyproject.toml", "[tool.newsctl]\n")
    post = write("site/_posts/2024-01-01-a.md", "---\ntitle: a\n---\n")
    assert find_config(post.parent) == nearer


def test_discovery_from_a_file_starts_in_its_folder(write: WritePost, tmp_path: Path) -> None:
    config = write("site/newsctl.toml", "")
    post = write("site/_posts/2024-01-01-a.md", "---\ntitle: a\n---\n")
    assert find_config(post) == config


def test_a_pyproject_without_tool_newsctl_is_passed_over(write: WritePost, tmp_path: Path) -> None:
    outer = write("newsctl.toml", "")
    write("site/pyproject.toml", '[tool.black]\nline-length = 100\n\n[tool.newsctlx]\nselect = ["ALL"]\n')
    assert find_config(tmp_path / "site") == outer


def test_an_unreadable_pyproject_not_mentioning_newsctl_is_passed_over(write: WritePost, tmp_path: Path) -> None:
    outer = write("newsctl.toml", "")
    write("site/pyproject.toml", "[tool.black\n")
    assert find_config(tmp_path / "site") == outer


def test_an_unreadable_pyproject_mentioning_newsctl_is_an_error(write: WritePost, tmp_path: Path) -> None:
    write("site/pyproject.toml", "[tool.newsctl]\nselect = [\n")
    found = find_config(tmp_path / "site")  # the file it probably is: reading it says what is wrong
    with pytest.raises(ConfigError, match=r"pyproject\.toml: invalid TOML"):
        load_config(found)


# --- strict reading ----------------------------------------------------------------------------

BAD = [
    pytest.param(
        "requierd = []\n",
        r"unknown key 'requierd' \(did you mean 'required'\? expected one of: allowed, ",
        id="unknown-key",
    ),
    pytest.param(
        "[pattern.source]\nregex = 'x'\n", r"'pattern\.source' must be a string, not a table", id="nested-table"
    ),
    pytest.param("required = 'title'\n", r"'required' must be a list of strings, not a string", id="string-for-list"),
    pytest.param(
        "required = ['title', 3]\n",
        r"'required' must be a list of strings, not a list holding an integer",
        id="list-item-type",
    ),
    pytest.param("strict = 'yes'\n", r"'strict' must be true or false, not a string", id="strict-not-bool"),
    pytest.param("watch = 'yes'\n", r"'watch' must be true or false, not a string", id="watch-not-bool"),
    pytest.param("duplicate-key = 1\n", r"'duplicate-key' must be a string, not an integer", id="duplicate-key-type"),
    pytest.param("types = ['x']\n", r"'types' must be a table, not a list", id="types-not-table"),
    pytest.param(
        "[types]\nviews = 'int'\n",
        r"'types\.views' names unknown type 'int' \(expected one of: string, ",
        id="unknown-type",
    ),
    pytest.param("[allowed]\nyear = [2023]\n", r"'allowed\.year' must be a list of strings", id="allowed-not-strings"),
    pytest.param("select = ['NC9']\n", r"'select' names unknown rule code 'NC9'", id="select-code"),
    pytest.param("ignore = ['NC101', 'E501']\n", r"'ignore' names unknown rule code 'E501'", id="ignore-code"),
    pytest.param(
        "[per-path-ignores]\n'drafts/*' = ['NC999']\n",
        r"""'per-path-ignores\."drafts/\*"' names unknown rule code 'NC999'""",
        id="per-path-code",
    ),
    pytest.param(
        "[per-path-ignores]\n'drafts/*' = 'NC1'\n",
        r"""'per-path-ignores\."drafts/\*"' must be a list of strings""",
        id="per-path-type",
    ),
    pytest.param(
        "[pattern]\nsource = '(['\n", r"'pattern\.source' is not a valid regular expression: ", id="bad-regex"
    ),
    pytest.param(
        "timezone = 'Asia/Shangai'\n", r"'timezone' is not a known time zone: 'Asia/Shangai'", id="unknown-timezone"
    ),
    pytest.param("timezone = '../../etc/passwd'\n", r"'timezone' is not a known time zone", id="timezone-path"),
    pytest.param("select = [\n", r"invalid TOML: ", id="bad-toml"),
    pytest.param("schema = 'missing.json'\n", r"'schema' cannot read 'missing\.json'", id="missing-schema"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_an_invalid_config_is_an_error_naming_file_and_key(write: WritePost, text: str, message: str) -> None:
    path = write("newsctl.toml", text)
    with pytest.raises(ConfigError, match=r"newsctl\.toml: " + message) as caught:
        load_config(path)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, NewsctlError)


def test_keys_in_pyproject_are_named_with_their_table(write: WritePost) -> None:
    path = write("pyproject.toml", "[tool.newsctl]\nselect = ['NC9']\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: 'tool\.newsctl\.select' names unknown rule code 'NC9'"):
        load_config(path)


def test_tool_newsctl_must_be_a_table(write: WritePost) -> None:
    path = write("pyproject.toml", "tool.newsctl = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: 'tool\.newsctl' must be a table"):
        load_config(path)


def test_every_documented_key_is_accepted(write: WritePost) -> None:
    text = 'schema = "schema.json"\n' + FULL
    assert set(tomllib.loads(text)) == set(KEYS)
    write("schema.json", "{}")
    assert load_config(write("newsctl.toml", text)).schema == {}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        pytest.param("{not json", r"'schema' 'schema\.json' is not valid JSON: ", id="not-json"),
        pytest.param("[1, 2]", r"'schema' 'schema\.json' must hold a JSON object, not a list", id="not-object"),
        pytest.param(
            '{"type": "objekt"}',
            r"'schema' 'schema\.json' is not a valid JSON Schema: .* \(at type\)",
            id="invalid-schema",
        ),
        pytest.param(
            '{"properties": {"title": {"minLength": "3"}}}',
            r"'schema' 'schema\.json' is not a valid JSON Schema: '3' is not of type 'integer' \(at properties/title/minLength\)",
            id="invalid-nested",
        ),
        pytest.param(
            '{"$schema": "https://example.com/mine"}',
            r"'schema' 'schema\.json' names an unknown '\$schema': https://example\.com/mine",
            id="unknown-dialect",
        ),
    ],
)
def test_an_invalid_schema_is_an_error(write: WritePost, schema: str, message: str) -> None:
    write("schema.json", schema)
    path = write("newsctl.toml", 'schema = "schema.json"\n')
    with pytest.raises(ConfigError, match=r"newsctl\.toml: " + message):
        load_config(path)


def test_the_schema_path_is_relative_to_the_config_file(
    write: WritePost, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("site/meta/schema.json", '{"type": "object"}')
    path = write("site/newsctl.toml", 'schema = "meta/schema.json"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(Path("site/newsctl.toml")).schema == {"type": "object"}
    assert load_config(path).schema_path == (tmp_path / "site/meta/schema.json").resolve()


# --- rule selection ------------------------------------------------------------------------------


def test_everything_is_enabled_by_default() -> None:
    config = ValidateConfig()
    assert config.enabled("NC101", "_posts/2024-01-01-a.md")
    assert config.enabled("NC502", "x.md")


def test_select_and_ignore_take_prefixes_and_ignore_wins() -> None:
    config = ValidateConfig(select=("NC1", "NC302"), ignore=("NC10",))
    assert config.enabled("NC110", "a.md")
    assert config.enabled("NC111", "a.md")
    assert not config.enabled("NC101", "a.md")  # ignored by the NC10 prefix
    assert config.enabled("NC302", "a.md")
    assert not config.enabled("NC301", "a.md")  # not selected
    assert not ValidateConfig(select=("NC101",), ignore=("NC1",)).enabled("NC101", "a.md")


def test_ignore_all_disables_everything() -> None:
    assert not ValidateConfig(ignore=("ALL",)).enabled("NC101", "a.md")


def test_per_path_ignores_apply_only_to_matching_paths(write: WritePost) -> None:
    path = write(
        "newsctl.toml",
        '[per-path-ignores]\n"drafts/*" = ["NC3"]\n"**/index.md" = ["NC401"]\n"*.html" = ["NC4"]\n',
    )
    config = load_config(path)
    assert not config.enabled("NC301", "drafts/2024-01-01-a.md")
    assert not config.enabled("NC301", "drafts/deep/2024-01-01-a.md")
    assert config.enabled("NC101", "drafts/2024-01-01-a.md")
    assert config.enabled("NC301", "_posts/2024-01-01-a.md")
    assert not config.enabled("NC401", "index.md")
    assert not config.enabled("NC401", "news/index.md")
    assert config.enabled("NC402", "news/index.md")
    assert not config.enabled("NC404", "_posts/2024-01-01-a.html")
    assert not config.enabled("NC301", "drafts\\2024-01-01-a.md")  # Windows separators
    assert not config.enabled("NC301", "./drafts/2024-01-01-a.md")


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("drafts/*", "drafts/a.md", True),
        ("drafts/*", "drafts/x/a.md", True),  # fnmatch: * crosses /
        ("drafts/*", "news/drafts/a.md", False),  # a glob with / is anchored at the config's folder
        ("drafts", "drafts/a.md", True),  # a matching folder covers its contents
        ("drafts", "news/drafts/a.md", True),  # a glob without / matches any part of the path
        ("drafts/", "drafts/a.md", True),
        ("drafts", "drafts-old/a.md", False),
        ("**/index.md", "index.md", True),
        ("**/index.md", "a/b/index.md", True),
        ("news/**", "news/2024/a.md", True),
        ("_posts/2019-*", "_posts/2019-01-01-a.md", True),
        ("_posts/2019-*", "_posts/2020-01-01-a.md", False),
        ("*.MD", "a.md", False),  # case-sensitive everywhere
        ("./drafts/*.md", "drafts/a.md", True),
        ("[ab].md", "b.md", True),
    ],
)
def test_path_matches(glob: str, path: str, expected: bool) -> None:
    assert path_matches(glob, path) is expected


def test_relative_path_is_relative_to_the_config_folder(write: WritePost, tmp_path: Path) -> None:
    config = load_config(write("site/newsctl.toml", ""))
    post = write("site/_posts/2024-01-01-a.md", "")
    assert config.relative_path(post) == "_posts/2024-01-01-a.md"
    assert config.relative_path(tmp_path / "elsewhere.md") == (tmp_path / "elsewhere.md").as_posix()
    assert ValidateConfig().relative_path("_posts\\a.md") == "_posts/a.md"


def test_cli_select_and_ignore_replace_the_files() -> None:
    config = ValidateConfig(select=("NC1",), ignore=("NC104",))
    assert config.with_cli(select=["NC3"]).select == ("NC3",)
    assert config.with_cli(select=["NC3"]).ignore == ("NC104",)
    assert config.with_cli(ignore=["NC2"]).ignore == ("NC2",)
    assert config.with_cli(extend_ignore=["NC105"]).ignore == ("NC104", "NC105")
    assert config.with_cli(ignore=["NC2"], extend_ignore=["NC105"]).ignore == ("NC2", "NC105")
    assert config.with_cli() is config
    assert config.select == ("NC1",)  # the original is unchanged


def test_cli_with_an_unknown_code_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"--select: unknown rule code 'NC0'"):
        ValidateConfig().with_cli(select=["NC0"])
    with pytest.raises(UsageError, match=r"--extend-ignore: unknown rule code 'X1'"):
        ValidateConfig().with_cli(extend_ignore=["X1"])


# --- fingerprint ---------------------------------------------------------------------------------


def test_fingerprint_is_stable_for_the_same_config(write: WritePost) -> None:
    write("schema.json", '{"type": "object"}')
    path = write("newsctl.toml", 'schema = "schema.json"\n' + FULL)
    assert load_config(path).fingerprint == load_config(path).fingerprint
    assert ValidateConfig().fingerprint == load_config(None).fingerprint


def test_fingerprint_ignores_the_order_of_selectors() -> None:
    assert ValidateConfig(select=("NC1", "NC2")).fingerprint == ValidateConfig(select=("NC2", "NC1")).fingerprint


@pytest.mark.parametrize(
    "change",
    [
        'required = ["title"]\n',
        'select = ["NC1"]\n',
        'ignore = ["NC1"]\n',
        "strict = true\n",
        'timezone = "UTC"\n',
        'duplicate-key = "source"\n',
        '[types]\nviews = "integer"\n',
        '[allowed]\nlayout = ["post"]\n',
        '[pattern]\nsource = "^https://"\n',
        '[per-path-ignores]\n"drafts/*" = ["NC3"]\n',
    ],
)
def test_fingerprint_changes_when_the_config_changes(write: WritePost, change: str) -> None:
    path = write("newsctl.toml", "")
    before = load_config(path).fingerprint
    path.write_text(change, encoding="utf-8")
    assert load_config(path).fingerprint != before


def test_fingerprint_changes_with_the_schema_content(write: WritePost) -> None:
    schema = write("schema.json", '{"type": "object"}')
    path = write("newsctl.toml", 'schema = "schema.json"\n')
    before = load_config(path).fingerprint
    schema.write_text('{"type": "object", "required": ["title"]}', encoding="utf-8")
    assert load_config(path).fingerprint != before


def test_fingerprint_changes_with_cli_options() -> None:
    config = ValidateConfig()
    assert config.with_cli(ignore=["NC1"]).fingerprint != config.fingerprint


def test_config_survives_pickling_for_worker_processes(write: WritePost) -> None:
    write("schema.json", '{"type": "object"}')
    config = load_config(write("newsctl.toml", 'schema = "schema.json"\n' + FULL))
    copy = pickle.loads(pickle.dumps(config))
    assert copy == config
    assert copy.fingerprint == config.fingerprint
    assert hash(copy) == hash(config)


# --- JSON Schema --------------------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "properties": {
        "author": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def schema_config(write: WritePost, schema: object) -> ValidateConfig:
    write("schema.json", json.dumps(schema))
    return load_config(write("newsctl.toml", 'schema = "schema.json"\n'))


def test_no_schema_means_no_schema_errors() -> None:
    assert schema_errors(ValidateConfig(), {"author": 7}) == []


def test_schema_errors_report_the_path_and_message(write: WritePost) -> None:
    config = schema_config(write, SCHEMA)
    assert schema_errors(config, {"author": 7, "tags": ["a", 3]}) == [
        (["author"], "7 is not of type 'string'"),
        (["tags", 1], "3 is not of type 'string'"),
    ]
    assert schema_errors(config, {"author": "张三", "tags": ["a"]}) == []


def test_yaml_dates_are_checked_as_iso_strings(write: WritePost) -> None:
    config = schema_config(write, SCHEMA)
    assert schema_errors(config, {"date": datetime.date(2024, 1, 1)}) == []
    assert schema_errors(config, {"date": "2024-13-01"}) == [(["date"], "'2024-13-01' is not a 'date'")]


def test_schema_dialect_follows_dollar_schema(write: WritePost) -> None:
    # Draft 7 reads "items" as a list of per-position schemas; 2020-12 would reject that schema.
    draft7 = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "properties": {"tags": {"items": [{"type": "string"}]}},
    }
    config = schema_config(write, draft7)
    assert schema_errors(config, {"tags": [1, "b"]}) == [(["tags", 0], "1 is not of type 'string'")]
