"""`newsctl convert` and `newsctl show`, as a user sees them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsctl.convert.body import ConvertOptions, convert_body
from newsctl.jekyll.post import load_path
from tests.conftest import WritePost, run

HTML_POST = '---\ntitle: Bank B\ndate: 2023-01-04 10:00:00 +0800\ntags: [银行]\n---\n<p>Rates <em>rose</em>.</p>\n<p><a href="https://example.org/b">Source</a></p>\n'
MD_POST = "---\ntitle: Chips C\n---\n# Chips\n\nSome *text* here.\n"
FRONT = "---\ntitle: Bank B\ndate: 2023-01-04 10:00:00 +0800\ntags: [银行]\n---\n"


@pytest.fixture
def archive(site: Path, write: WritePost) -> Path:
    write("site/_posts/2023-01-04-b.html", HTML_POST)
    write("site/_posts/2023-06-30-c.md", MD_POST)
    write("site/_posts/2024/2024-02-29-d.md", "---\ntitle: Leap D\n---\nD\n")
    return site


def files_below(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_one_post_goes_to_stdout_with_its_front_matter_byte_for_byte(archive: Path) -> None:
    path = archive / "_posts/2023-01-04-b.html"
    code, out, err = run("convert", str(path))
    assert code == 0 and err == ""
    assert out == FRONT + "Rates *rose*.\n\n[Source](https://example.org/b)\n"
    assert out == FRONT + convert_body(load_path(str(path)), ConvertOptions())


def test_text_output_with_footnote_links(archive: Path) -> None:
    code, out, _ = run("convert", "--to", "text", "--links", "footnotes", str(archive / "_posts/2023-01-04-b.html"))
    assert code == 0 and out == FRONT + "Rates rose.\n\nSource[1]\n\n[1] https://example.org/b\n"


def test_body_only_leaves_the_front_matter_out(archive: Path) -> None:
    code, out, _ = run("convert", "--body-only", "--to", "text", str(archive / "_posts/2023-01-04-b.html"))
    assert code == 0 and out == "Rates rose.\n\nSource\n"


def test_a_folder_holding_one_post_goes_to_stdout(write: WritePost, tmp_path: Path) -> None:
    write("one/post.md", MD_POST)
    code, out, _ = run("convert", str(tmp_path / "one"))
    assert code == 0 and out.startswith("---\ntitle: Chips C\n---\n# Chips\n")


def test_several_posts_without_out_or_in_place_is_a_usage_error(archive: Path) -> None:
    code, out, err = run("convert", str(archive))
    assert code == 2 and out == "" and "--out DIR or --in-place" in err


def test_out_mirrors_the_input_paths_keeps_markdown_extensions_and_names_html_posts_md(
    archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "md"
    code, _, err = run("convert", str(archive), "--out", str(out))
    assert code == 0
    assert sorted(files_below(out)) == [
        "_posts/2023-01-04-b.md",  # Markdown under .html would be published as it is (issue 13, item 19)
        "_posts/2023-06-30-c.md",
        "_posts/2024/2024-02-29-d.md",
    ]
    assert (out / "_posts/2023-01-04-b.md").read_text(encoding="utf-8").startswith(FRONT + "Rates *rose*.")
    assert err.startswith("converted 3, unchanged 0, skipped 0, failed 0 in ")


def test_text_output_is_written_as_txt(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "txt"
    code, _, _ = run("convert", str(archive / "_posts"), "--to", "text", "--out", str(out))
    assert code == 0
    assert sorted(files_below(out)) == ["2023-01-04-b.txt", "2023-06-30-c.txt", "2024/2024-02-29-d.txt"]
    assert (out / "2023-06-30-c.txt").read_text(
        encoding="utf-8"
    ) == "---\ntitle: Chips C\n---\nChips\n\nSome text here.\n"


def test_ext_names_the_extension_of_the_outputs(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    code, _, _ = run("convert", str(archive), "--out", str(out), "--ext", ".md")
    assert code == 0 and "_posts/2023-01-04-b.md" in files_below(out)


def test_a_file_is_mirrored_relative_to_its_folder(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "one"
    code, _, _ = run("convert", str(archive / "_posts/2023-06-30-c.md"), "--out", str(out))
    assert code == 0 and list(files_below(out)) == ["2023-06-30-c.md"]


def test_in_place_replaces_markdown_posts(write: WritePost) -> None:
    path = write("site/_posts/2023-06-30-c.md", "---\ntitle: C\n---\n<p>Hello <b>world</b></p>\n")
    code, _, err = run("convert", str(path.parent), "--in-place")
    assert code == 0 and err.startswith("converted 1, unchanged 0, skipped 0, failed 0 in ")
    assert path.read_text(encoding="utf-8") == "---\ntitle: C\n---\nHello **world**\n"


def test_in_place_keeps_a_bom_and_crlf_front_matter_byte_for_byte(write: WritePost) -> None:
    front = b'\xef\xbb\xbf---\r\ntitle: "Bank"\r\ntags: [a, b]\r\n---\r\n'
    path = write("loose/post.md", front + b"<p>Hello <b>world</b></p>\r\n")
    code, _, _ = run("convert", str(path), "--in-place")
    assert code == 0 and path.read_bytes() == front + b"Hello **world**\r\n"  # CRLF stays CRLF


def test_in_place_refuses_to_leave_markdown_in_an_html_post(archive: Path) -> None:
    html = archive / "_posts/2023-01-04-b.html"
    code, _, err = run("convert", str(archive), "--in-place")
    assert code == 1 and html.read_text(encoding="utf-8") == HTML_POST
    assert err.splitlines()[0] == (
        f"{html}: error: Markdown in a .html file would be published as it is by Jekyll, not rendered; "
        "convert it in place with --ext md"
    )
    assert err.splitlines()[1].startswith("converted 0, unchanged 2, skipped 0, failed 1 in ")


def test_in_place_with_ext_writes_the_new_file_and_removes_the_post(archive: Path) -> None:
    code, _, _ = run("convert", str(archive / "_posts/2023-01-04-b.html"), "--in-place", "--ext", "md")
    assert code == 0
    assert not (archive / "_posts/2023-01-04-b.html").exists()
    assert (archive / "_posts/2023-01-04-b.md").read_text(encoding="utf-8").startswith(FRONT + "Rates *rose*.")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--in-place", "--to", "text"], "would replace each post's HTML"),
        (["--in-place", "--body-only"], "would delete each post's front matter"),
        (["--in-place", "--ext", "html"], "would leave Markdown in files Jekyll does not render"),
        (["--in-place", "--out", "elsewhere"], "exclude each other"),
        (["--links", "inline"], "--links applies to --to text only"),
        (["--to", "text", "--images", "keep"], "plain text cannot show images"),
    ],
)
def test_options_that_would_destroy_posts_or_do_nothing_are_refused(
    archive: Path, args: list[str], message: str
) -> None:
    before = files_below(archive)
    code, _, err = run("convert", str(archive), *args)
    assert code == 2 and message in err and files_below(archive) == before


def test_out_equal_to_the_input_folder_is_refused(archive: Path) -> None:
    code, _, err = run("convert", str(archive), "--out", str(archive))
    assert code == 2 and "is the input folder" in err


@pytest.mark.parametrize("out", ["site/converted", "."])
def test_out_inside_or_around_the_input_folder_is_refused(archive: Path, tmp_path: Path, out: str) -> None:
    code, _, err = run("convert", str(archive), "--out", str(tmp_path / out))
    assert code == 2 and "choose a folder outside it" in err


def test_a_second_run_skips_posts_whose_output_is_newer(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    run("convert", str(archive), "--out", str(out))
    code, _, err = run("convert", str(archive), "--out", str(out))
    assert code == 0 and err.startswith("converted 0, unchanged 0, skipped 3, failed 0 in ")


def test_a_post_edited_after_its_output_is_converted_again(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    run("convert", str(archive), "--out", str(out))
    post = archive / "_posts/2023-06-30-c.md"
    post.write_text(MD_POST + "\nMore.\n", encoding="utf-8")
    later = (out / "_posts/2023-06-30-c.md").stat().st_mtime_ns + 1_000_000_000
    os.utime(post, ns=(later, later))
    code, _, err = run("convert", str(archive), "--out", str(out))
    assert code == 0 and err.startswith("converted 1, unchanged 0, skipped 2, failed 0 in ")
    assert (out / "_posts/2023-06-30-c.md").read_text(encoding="utf-8").endswith("Some *text* here.\n\nMore.\n")


def test_force_converts_again_and_counts_identical_outputs_as_unchanged(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    run("convert", str(archive), "--out", str(out))
    (out / "_posts/2024/2024-02-29-d.md").write_text("stale\n", encoding="utf-8")
    code, _, err = run("convert", str(archive), "--out", str(out), "--force")
    assert code == 0 and err.startswith("converted 1, unchanged 2, skipped 0, failed 0 in ")
    assert (out / "_posts/2024/2024-02-29-d.md").read_text(encoding="utf-8") == "---\ntitle: Leap D\n---\nD\n"


def test_in_place_counts_posts_already_in_their_converted_form_as_unchanged(archive: Path) -> None:
    run("convert", str(archive), "--in-place", "--ext", "md")
    before = {p: p.stat().st_mtime_ns for p in archive.rglob("*.*")}
    code, _, err = run("convert", str(archive), "--in-place", "--ext", "md")
    assert code == 0 and err.startswith("converted 0, unchanged 3, skipped 0, failed 0 in ")
    assert {p: p.stat().st_mtime_ns for p in archive.rglob("*.*")} == before


def test_a_failing_post_is_reported_and_the_rest_are_converted(archive: Path, write: WritePost, tmp_path: Path) -> None:
    write("site/_posts/2023-02-01-bad.md", b"---\ntitle: x\n---\nbad \xff byte\n")
    out = tmp_path / "md"
    code, _, err = run("convert", str(archive), "--out", str(out))
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == (
        f"{archive}/_posts/2023-02-01-bad.md:4: error: not valid UTF-8 (byte 0xff at offset 21); Jekyll skips this post silently"
    )
    assert lines[1].startswith("converted 3, unchanged 0, skipped 0, failed 1 in ")
    assert len(files_below(out)) == 3


def test_a_bad_date_does_not_stop_the_conversion_of_the_body(write: WritePost) -> None:
    path = write("site/_posts/2023-02-01-x.md", "---\ntitle: x\ndate: nonsense\n---\n*hi*\n")
    code, out, _ = run("convert", str(path))
    assert code == 0 and out == "---\ntitle: x\ndate: nonsense\n---\n*hi*\n"


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    code, _, err = run("convert", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert code == 2 and "nope: error: no such file or directory" in err


def test_two_posts_with_the_same_output_do_not_overwrite_each_other(write: WritePost, tmp_path: Path) -> None:
    write("site/_posts/2023-01-04-b.html", HTML_POST)
    write("site/_posts/2023-01-04-b.md", MD_POST)
    out = tmp_path / "txt"
    code, _, err = run("convert", str(tmp_path / "site"), "--to", "text", "--out", str(out))
    assert code == 1 and "2023-01-04-b.txt is also the output of" in err
    assert (out / "_posts/2023-01-04-b.txt").read_text(encoding="utf-8").startswith(FRONT)


def test_writes_leave_no_temporary_files_behind(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    run("convert", str(archive), "--out", str(out))
    run("convert", str(archive), "--out", str(out), "--force")
    run("convert", str(archive), "--in-place", "--ext", "md")
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".newsctl-") or p.suffix == ".tmp"]
    assert leftovers == []


def test_outputs_get_the_mode_of_a_new_file(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    run("convert", str(archive), "--out", str(out))
    mask = os.umask(0)
    os.umask(mask)
    assert (out / "_posts/2023-06-30-c.md").stat().st_mode & 0o777 == 0o666 & ~mask


def test_parallel_and_serial_runs_write_the_same_outputs(site: Path, tmp_path: Path) -> None:
    posts = site / "_posts"
    posts.mkdir()
    for i in range(600):
        body = f"<p>Post <b>{i}</b> 第{i}条</p>\n<ul><li>a</li><li>b {i}</li></ul>\n"
        ext = "html" if i % 2 else "md"
        (posts / f"2023-01-{i % 28 + 1:02d}-post-{i}.{ext}").write_text(
            f"---\ntitle: P{i}\n---\n{body}", encoding="utf-8"
        )
    code_serial, _, _ = run("convert", str(site), "--out", str(tmp_path / "serial"), "-j", "1")
    code_parallel, _, err = run("convert", str(site), "--out", str(tmp_path / "parallel"), "-j", "4")
    assert code_serial == code_parallel == 0 and err.startswith("converted 600, ")
    serial, parallel = files_below(tmp_path / "serial"), files_below(tmp_path / "parallel")
    assert len(serial) == 600 and serial == parallel


def test_show_prints_the_metadata_and_the_body_without_a_terminal(archive: Path) -> None:
    code, out, _ = run("show", str(archive / "_posts/2023-01-04-b.html"))
    assert code == 0
    assert out == (
        "title: Bank B\n"
        "date: 2023-01-04 10:00:00+08:00\n"
        "categories: \n"
        "tags: 银行\n"
        "url: /2023/01/04/b.html\n"
        f"path: {archive}/_posts/2023-01-04-b.html\n"
        "\n"
        "Rates *rose*.\n\n[Source](https://example.org/b)\n"
    )


def test_show_text_prints_the_body_as_plain_text(archive: Path) -> None:
    code, out, _ = run("show", "--text", "--no-pager", str(archive / "_posts/2023-01-04-b.html"))
    assert code == 0 and out.endswith("\n\nRates rose.\n\nSource\n")


def test_show_reports_a_post_it_cannot_read_in_one_line(write: WritePost) -> None:
    path = write("loose/bad.md", b"---\ntitle: x\n---\n\xff\n")
    code, out, err = run("show", str(path))
    assert code == 1 and out == "" and err.startswith(f"{path}:4: error: not valid UTF-8")


def test_show_still_shows_a_post_with_a_bad_date(write: WritePost) -> None:
    path = write("site/_posts/2023-02-01-x.md", "---\ntitle: X\ndate: nonsense\n---\n*hi*\n")
    code, out, _ = run("show", str(path))
    assert code == 0 and out.startswith("title: X\n") and out.endswith("\n\n*hi*\n")


def test_in_place_writes_through_a_link_to_a_post_inside_the_archive(archive: Path) -> None:
    target = archive / "_posts/2023-06-30-c.md"
    link = archive / "_posts/2023-07-01-c-again.md"
    link.symlink_to(target.name)
    code, _, err = run("convert", "--in-place", str(link))
    assert code == 0, err
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("---\ntitle: Chips C\n---\n")


def test_in_place_leaves_a_link_to_a_file_outside_the_archive_as_it_is(archive: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\ntitle: Away\n---\n<p>Far <em>away</em>.</p>\n", encoding="utf-8")
    link = archive / "_posts/2023-07-02-away.md"
    link.symlink_to(outside)
    code, _, err = run("convert", "--in-place", str(archive))
    assert code == 1
    assert f"{link}: error: a link to {outside}, outside the archive; not rewritten\n" in err
    assert "left as they were 1" in err
    assert link.is_symlink() and outside.read_text(encoding="utf-8").endswith("<p>Far <em>away</em>.</p>\n")
    assert (archive / "_posts/2023-01-04-b.html").exists()  # the others were converted


def test_out_does_not_write_through_a_link_leading_out_of_the_output_folder(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    (out / "_posts").mkdir(parents=True)
    victim = tmp_path / "victim.md"
    victim.write_text("mine\n", encoding="utf-8")
    os.utime(victim, (0, 0))  # older than the post: not skipped as up to date
    (out / "_posts/2023-06-30-c.md").symlink_to(victim)
    code, _, err = run("convert", str(archive), "--out", str(out))
    assert code == 1 and "outside the archive; not rewritten" in err
    assert victim.read_text(encoding="utf-8") == "mine\n"
