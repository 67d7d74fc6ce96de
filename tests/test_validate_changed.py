"""``newsctl validate`` of some files of an archive (paths, or `git diff --name-only | newsctl
validate -`): the files given are checked against the whole archive, the other posts' facts
coming from the cache; only the files given are reported (issue 13, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import newsctl.validate.checks
from newsctl.cli import cli
from newsctl.validate.checks import run_validation
from tests.conftest import WritePost

STORY = "央行宣布下调金融机构存款准备金率0.5个百分点，释放长期资金约一万亿元，市场反应积极。\n"
ORIGINAL = f"---\ntitle: 央行降准\ndate: 2022-01-05 10:00:00 +0800\n---\n<https://example.com/n/1>\n\n{STORY}"


def codes(outcome_diagnostics: list[object]) -> list[tuple[str, str]]:
    return sorted((Path(d.path).name, d.code) for d in outcome_diagnostics)  # type: ignore[attr-defined]


def test_a_copied_story_given_by_path_is_a_duplicate_of_the_archives_post(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-05-a.md", ORIGINAL)
    copy = write("site/_posts/2022-01-05-b.md", ORIGINAL)
    outcome = run_validation([str(copy)], jobs=1)
    assert codes(outcome.run.diagnostics) == [("2022-01-05-b.md", "NC501"), ("2022-01-05-b.md", "NC502")]
    assert outcome.run.posts_checked == 1


def test_an_html_twin_with_the_same_url_is_a_collision(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-05-a.md", ORIGINAL)
    twin = write("site/_posts/2022-01-05-a.html", ORIGINAL.replace("央行降准", "另一个标题").replace("n/1", "n/2"))
    outcome = run_validation([str(twin)], jobs=1)
    assert [(Path(d.path).name, d.code) for d in outcome.run.diagnostics if d.code == "NC209"] == [
        ("2022-01-05-a.html", "NC209")
    ]


def test_changed_files_from_stdin_are_checked_against_the_archive_and_only_they_are_reported(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("site/_posts/2022-01-05-a.md", ORIGINAL)
    write("site/_posts/2022-01-01-broken.md", '---\ntitle: ""\n---\nbody\n')  # not changed: not reported
    write("site/_posts/2022-01-05-b.md", ORIGINAL.replace("央行降准", "降准了"))
    monkeypatch.chdir(site)
    result = CliRunner().invoke(
        cli, ["validate", "--format", "json", "-"], input="_posts/2022-01-05-b.md\n_config.yml\n"
    )
    found = [(r["path"], r["code"]) for r in json.loads(result.stdout)]
    assert found == [("_posts/2022-01-05-b.md", "NC502")]
    assert result.exit_code == 0  # a warning; the unchanged broken post is not this change's


def test_a_warm_run_reads_only_the_changed_files(site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch) -> None:
    for day in range(1, 21):
        write(f"site/_posts/2022-01-{day:02d}-p.md", ORIGINAL.replace("2022-01-05", f"2022-01-{day:02d}"))
    run_validation([str(site)], jobs=1)  # fills the cache
    changed = write("site/_posts/2022-01-05-b.md", ORIGINAL)
    checked: list[str] = []
    real = newsctl.validate.checks.check_file

    def check_file(item: object, config: object) -> object:
        checked.append(Path(item.path).name)  # type: ignore[attr-defined]
        return real(item, config)  # type: ignore[arg-type]

    monkeypatch.setattr(newsctl.validate.checks, "check_file", check_file)
    outcome = run_validation([str(changed)], jobs=1)
    assert checked == ["2022-01-05-b.md"]
    assert ("2022-01-05-b.md", "NC501") in codes(outcome.run.diagnostics)


def test_a_whole_archive_run_reports_as_before(site: Path, write: WritePost) -> None:
    write("site/_posts/2022-01-05-a.md", ORIGINAL)
    write("site/_posts/2022-01-05-b.md", ORIGINAL)
    outcome = run_validation([str(site)], jobs=1, use_cache=False)
    assert codes(outcome.run.diagnostics) == [("2022-01-05-b.md", "NC501"), ("2022-01-05-b.md", "NC502")]


def test_a_changed_config_alone_does_not_read_the_archive(
    site: Path, write: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("site/_posts/2022-01-05-a.md", ORIGINAL)

    def check_file(item: object, config: object) -> object:
        raise AssertionError(f"read {item}")

    monkeypatch.setattr(newsctl.validate.checks, "check_file", check_file)
    outcome = run_validation([str(site / "_config.yml")], jobs=1)
    assert outcome.run.not_posts == [str(site / "_config.yml")] and outcome.run.posts_checked == 0
