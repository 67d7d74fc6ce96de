"""What ``newsctl validate`` reports with no configuration: an error is what makes Jekyll fail,
drop or move a post, or publish plainly broken metadata; house rules are opt-in (issue 13, item 9).

Checked against Jekyll 4.3: a missing layout is a build warning and the post is published
without it; a missing ``date:`` is taken from the file name; a missing ``title:`` is made from
the slug; ``title: ""`` is published as an empty title."""

from __future__ import annotations

from pathlib import Path

from newsctl.jekyll.discovery import discover
from newsctl.validate.checks import validate
from newsctl.validate.config import ValidateConfig
from newsctl.validate.diagnostics import Diagnostic
from tests.conftest import WritePost

POST = "site/_posts/2022-01-05-a.md"
DATE = "2022-01-05 10:00:00 +0800"


def found(*paths: Path, config: ValidateConfig | None = None) -> list[Diagnostic]:
    return validate(discover([str(p) for p in paths]), config or ValidateConfig(), jobs=1).diagnostics


def test_post_without_date_or_title_passes_by_default(site: Path, write: WritePost) -> None:
    assert found(write(POST, "---\nlayout: none\n---\nbody\n")) == []


def test_required_fields_are_opt_in(site: Path, write: WritePost) -> None:
    config = ValidateConfig(required=("title", "date"))
    assert sorted(d.code for d in found(write(POST, "---\nlayout: none\n---\nbody\n"), config=config)) == [
        "NC301",
        "NC301",
    ]


def test_present_but_empty_title_is_an_error_by_default(site: Path, write: WritePost) -> None:
    (diagnostic,) = found(write(POST, f'---\ntitle: ""\ndate: {DATE}\n---\nbody\n'))
    assert (diagnostic.code, diagnostic.severity, diagnostic.line) == ("NC301", "error", 2)
    assert "empty" in diagnostic.message


def test_missing_layout_is_a_warning_as_in_jekyll(site: Path, write: WritePost) -> None:
    (diagnostic,) = found(write(POST, f"---\ntitle: A\ndate: {DATE}\nlayout: artcle\n---\nbody\n"))
    assert (diagnostic.code, diagnostic.severity) == ("NC208", "warning")


def test_remote_theme_provides_the_layouts(tmp_path: Path, write: WritePost) -> None:
    write("site/_config.yml", "remote_theme: pages-themes/cayman@v0.2.0\nplugins: [jekyll-remote-theme]\n")
    assert found(write(POST, f"---\ntitle: A\ndate: {DATE}\nlayout: post\n---\nbody\n")) == []


def test_theme_added_after_a_cached_run_is_seen(tmp_path: Path, write: WritePost) -> None:
    from newsctl.jekyll.site import forget_sites
    from newsctl.validate.cache import ResultCache

    write("site/_config.yml", "title: x\n")
    path = write(POST, f"---\ntitle: A\ndate: {DATE}\nlayout: post\n---\nbody\n")
    with ResultCache.open(tmp_path, "k") as cache:
        assert [d.code for d in validate(discover([str(path)]), ValidateConfig(), cache=cache, jobs=1).diagnostics] == [
            "NC208"
        ]
    write("site/_config.yml", "theme: minima\n")
    forget_sites()
    with ResultCache.open(tmp_path, "k") as cache:
        assert validate(discover([str(path)]), ValidateConfig(), cache=cache, jobs=1).diagnostics == []
