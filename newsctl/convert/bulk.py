"""``newsctl convert`` and ``newsctl show``: posts written out as Markdown or plain text.

Data flows one way: discovery finds the files, worker processes read and convert one post each
(``convert_one``, which returns the new bytes, or None when the output already holds them), and
the main process writes them (``save``), so every file is written by one process, atomically:
a temporary file in the same folder, then a rename. With ``--in-place`` a post is replaced only
once its new content is completely on disk; an interrupted run leaves each post old or new.

The front matter is kept byte for byte (with the byte-order mark, if any); only the body is
converted (``newsctl.convert.body``).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import IO, Literal

from newsctl.convert.body import ConvertOptions, convert_body
from newsctl.errors import PostError, UsageError
from newsctl.files import ChangedMeanwhile, Stamp, UnsafeLink, new_file_mode, stamp_of, write_atomic
from newsctl.filters import PostFilter
from newsctl.jekyll.discovery import Candidate, Found, Missing, Skipped, classify_file
from newsctl.jekyll.names import MARKDOWN_EXTS
from newsctl.jekyll.post import Post, read
from newsctl.jekyll.site import site_for
from newsctl.parallel import parallel_map

# The extensions Jekyll (and ``convert.body_html``) render as Markdown.
MARKDOWN_EXTENSIONS = frozenset(MARKDOWN_EXTS)

Status = Literal["converted", "unchanged", "skipped", "failed", "ignored", "refused"]

# How often a post that changed while it was converted is read and converted again before it is
# left as it is (a scraper appending to it every few milliseconds).
RETRIES = 3


@dataclass(frozen=True, slots=True)
class ConvertJob:
    """What to convert to and where it goes.

    Output goes to ``out_dir`` (the input paths mirrored below it, relative to ``root``), over
    the posts themselves (``in_place``), or, with neither, to the caller (stdout). ``ext`` is
    the output files' extension without the dot (default: the input's for Markdown, ``txt``
    for text). ``force`` converts posts whose output is already newer than the post. ``wanted``
    selects posts (the others are ``ignored``).
    """

    options: ConvertOptions = field(default_factory=ConvertOptions)
    out_dir: str | None = None
    root: str = "."
    in_place: bool = False
    body_only: bool = False
    ext: str | None = None
    force: bool = False
    wanted: PostFilter | None = None

    @property
    def to_stdout(self) -> bool:
        return self.out_dir is None and not self.in_place

    @property
    def renames(self) -> bool:
        """Whether an output's extension can differ from its post's (so two posts could meet)."""
        return self.ext is not None or self.options.to == "text"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one post.

    ``output`` is None for stdout. ``data`` is the content still to be written (None when there
    is nothing to write: unchanged, skipped, failed, or already written by ``save``).
    ``ignored`` is a loose file that turned out to have no front matter (not a post), or a post
    deleted after discovery found it. ``refused``: not written, as the post changed after it was
    read (``error.kind`` "changed") or is a link out of the archive ("link"). ``stamp`` is the
    post's stamp as read, compared before it is replaced; ``within`` the folder a link may point
    into to be written through (the site's root in place, the output folder with ``--out``).
    """

    path: str
    output: str | None
    status: Status
    data: bytes | None = None
    error: PostError | None = None
    stamp: Stamp | None = None
    within: str | None = None


def plan(
    paths: Sequence[str],
    options: ConvertOptions,
    *,
    out_dir: str | None = None,
    in_place: bool = False,
    body_only: bool = False,
    ext: str | None = None,
    force: bool = False,
) -> ConvertJob:
    """Check the options together and against the paths; raises UsageError for what cannot work.

    Refused: ``out_dir`` with ``in_place``; ``in_place`` with text output, ``body_only`` or an
    ``ext`` Jekyll does not render as Markdown (each would destroy what the posts hold; a post
    that is not Markdown fails on its own, in ``convert_one``, unless ``ext`` is md); an
    ``out_dir`` that is an input folder, lies inside one or holds one (outputs would overwrite
    posts, or be found and converted again); ``images="keep"`` for text (it would do nothing).
    """
    if out_dir is not None and in_place:
        raise UsageError("--out and --in-place exclude each other: write the output elsewhere or over the posts")
    if in_place and options.to == "text":
        raise UsageError(
            "--in-place --to text would replace each post's HTML and Markdown with plain text; "
            "write the text to another folder with --out DIR"
        )
    if in_place and body_only:
        raise UsageError("--in-place --body-only would delete each post's front matter; use --out DIR")
    if options.to == "text" and options.images == "keep":
        raise UsageError("plain text cannot show images: use --images alt or --images drop")
    if ext is not None:
        ext = ext.strip().removeprefix(".")
        if not ext or "/" in ext or os.sep in ext:
            raise UsageError(f"--ext takes an extension such as md or txt, not {ext!r}")
        if in_place and ext.lower() not in MARKDOWN_EXTENSIONS:
            raise UsageError(f"--in-place --ext {ext} would leave Markdown in files Jekyll does not render as Markdown")
    root = "."
    if out_dir is not None or in_place:
        root = input_root(paths)
    if out_dir is not None:
        _check_out_dir(paths, out_dir)
    job = ConvertJob(options, out_dir, root, in_place, body_only, ext, force)
    if out_dir is not None:
        for path in paths:
            output = output_path(path, job)
            if os.path.isfile(path) and output is not None and _same_file(output, path):
                raise UsageError(f"the output of {path} would be the post itself; use --in-place to rewrite posts")
    return job


def input_root(paths: Sequence[str]) -> str:
    """The folder the inputs share: each folder given, or the folder of each file given."""
    folders = [os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths]
    return os.path.commonpath(folders) if folders else os.path.abspath(".")


def _check_out_dir(paths: Sequence[str], out_dir: str) -> None:
    out = os.path.realpath(out_dir)
    for path in paths:
        if not os.path.isdir(path):
            continue  # a file's own output is checked in plan(); its folder is not walked
        folder = os.path.realpath(path)
        if out == folder:
            raise UsageError(f"--out {out_dir} is the input folder {path}; choose a folder outside it")
        if _inside(out, folder):
            raise UsageError(
                f"--out {out_dir} is inside the input folder {path}: its files would be read as posts; "
                "choose a folder outside it"
            )
        if _inside(folder, out):
            raise UsageError(
                f"--out {out_dir} holds the input folder {path}: outputs could overwrite posts; "
                "choose a folder outside it"
            )


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def _same_file(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def output_path(path: str, job: ConvertJob) -> str | None:
    """Where the conversion of the post at ``path`` goes (None: stdout)."""
    if job.to_stdout:
        return None
    stem, ext = os.path.splitext(path)
    if job.ext is not None:
        ext = "." + job.ext
    elif job.options.to == "text":
        ext = ".txt"
    elif not job.in_place and ext.lower() in (".html", ".htm"):
        ext = ".md"  # Markdown under an .html name would be published as it is, not rendered
    if job.in_place:
        return stem + ext
    assert job.out_dir is not None
    relative = os.path.relpath(os.path.abspath(stem), job.root)
    return os.path.join(job.out_dir, relative + ext)


def convert_data(data: bytes, name: str, job: ConvertJob) -> str:
    """One post given as bytes (``convert -``: stdin), read with Jekyll's rules for a file at
    ``name`` (its date and slug, the site it would live in) without reading that file; its
    conversion. Raises PostError (naming ``name``) when it cannot be read or converted."""
    found = classify_file(name)
    if not isinstance(found, Candidate):  # a name Jekyll would skip: still read it, as a loose post
        found = Candidate(name, site_for(name), os.path.basename(name), "loose", explicit=True)
    result = read(found, data, collect=True)
    if result.error is not None:
        raise result.error
    if result.post is None:
        raise PostError(name, "no front matter: not a post", None, "convert")
    return convert_text(result.post, job)


def convert_text(post: Post, job: ConvertJob) -> str:
    """The converted post: its byte-order mark and front matter as they are, then the converted
    body (only the body with ``job.body_only``). Raises PostError when the converter fails."""
    try:
        body = convert_body(post, job.options)
    except Exception as exc:  # a converter bug in one post must not stop a batch of a million
        raise PostError(post.path, f"cannot convert: {type(exc).__name__}: {exc}", None, "convert") from None
    if not post.front_matter_raw or job.body_only:
        body = _not_front_matter(body)
    if "\r\n" in post.front_matter_raw or "\r\n" in post.body:
        body = body.replace("\n", "\r\n")  # a CRLF post stays CRLF throughout
    if job.body_only:
        return body
    return ("\ufeff" if post.bom else "") + post.front_matter_raw + body


_FRONT_MATTER_START = re.compile(r"\A(?:---|\+\+\+)[ \t]*(?=\n|\Z)")


def _not_front_matter(body: str) -> str:
    """``body`` with a first line that would read back as the start of front matter (a rule
    written ``---``, a line ``+++``) written so that it does not: ``***`` for a rule, ``\\+++``."""
    match = _FRONT_MATTER_START.match(body)
    if match is None:
        return body
    line = "***" if match.group().startswith("-") else "\\+++"
    return line + body[match.end() :]


def convert_one(item: Found, job: ConvertJob) -> Outcome | Skipped | Missing:
    """Read and convert one post (in a worker process); nothing is written here.

    Skipped and Missing pass through. A post whose output is newer than the post is skipped
    without reading it, unless ``job.force``."""
    if not isinstance(item, Candidate):
        return item
    path = item.path
    output = output_path(path, job)
    within = job.out_dir if not job.in_place else item.site.root or job.root
    try:
        if job.in_place and output is not None and _extension(output) not in MARKDOWN_EXTENSIONS:
            message = (
                f"Markdown in a .{_extension(output)} file would be published as it is by Jekyll, not rendered; "
                "convert it in place with --ext md"
            )
            raise PostError(path, message, None, "extension")
        if output is not None and output != path:
            if job.in_place and os.path.lexists(output):
                message = f"{output} already exists; converting in place with --ext would overwrite it"
                raise PostError(path, message, None, "exists")
            if job.in_place and os.path.islink(path):
                message = "a link: converting it in place with --ext would replace it by a copy; convert its target"
                return Outcome(path, output, "refused", error=PostError(path, message, None, "link"))
            if not job.in_place and not job.force and _newer(output, path):
                return Outcome(path, output, "skipped")
        post, stamp = _read(item)
        if post is None or (job.wanted is not None and not job.wanted.matches(post)):
            return Outcome(path, output, "ignored")
        text = convert_text(post, job)
        data = text.encode("utf-8")
        if output is not None:
            if output == path:
                original = ("\ufeff" if post.bom else "") + post.front_matter_raw + post.body
                if text == original:
                    return Outcome(path, output, "unchanged")
            elif not job.in_place and _holds(output, data):
                return Outcome(path, output, "unchanged")
        return Outcome(path, output, "converted", data, stamp=stamp, within=within)
    except PostError as exc:
        return Outcome(path, output, "failed", error=exc)
    except (OSError, UnicodeError) as exc:
        return Outcome(path, output, "failed", error=PostError(path, f"cannot convert: {exc}", None, "convert"))


def _extension(path: str) -> str:
    return os.path.splitext(path)[1].lstrip(".").lower()


def _read(candidate: Candidate) -> tuple[Post | None, Stamp | None]:
    """Load a post for converting, and its stamp as read: a bad value (date, categories, slug,
    permalink) does not stop it, as only the body is converted and the front matter is copied as
    it is; what leaves no body to convert (unreadable, not UTF-8, binary, broken front matter)
    raises PostError. The post is None for a loose file without front matter and for a post
    deleted since discovery found it."""
    result = read(candidate, collect=True)
    if result.error is not None:
        raise result.error
    return result.post, None if result.stat is None else stamp_of(result.stat)


def read_post(path: str) -> Post:
    """The post at ``path`` read for converting or showing (with the rules of its site, and as
    forgiving of bad values as ``convert_one``). Raises PostError when there is nothing to show."""
    from newsctl.jekyll.discovery import classify_file

    found = classify_file(path)
    if isinstance(found, Skipped):
        raise PostError(path, found.reason)
    assert isinstance(found, Candidate)
    post, _ = _read(found)
    if post is None:  # only loose files found in a folder walk have no front matter
        raise PostError(path, "no front matter")
    return post


def _newer(output: str, path: str) -> bool:
    try:
        return os.stat(output).st_mtime_ns > os.stat(path).st_mtime_ns
    except OSError:
        return False


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at ``path`` exists with exactly ``data`` (its size is checked first)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def save(outcome: Outcome, job: ConvertJob) -> Outcome:
    """Write what ``outcome`` holds (in the main process); a write that fails makes it failed,
    one refused (the post changed since it was read, a link out of the archive) refused.

    In place, the post is replaced atomically, and only when it is still as it was read (or,
    with a new extension, the new file is fully written and synced before the post, unchanged,
    is removed). Outputs elsewhere are written to a temporary file and renamed; an unchanged
    output is touched so that it counts as up to date.
    """
    output = outcome.output
    if output is None:
        return outcome
    if outcome.status == "unchanged" and not job.in_place:
        with contextlib.suppress(OSError):
            os.utime(output)
    if outcome.data is None:
        return outcome
    try:
        if not job.in_place:
            write_atomic(output, outcome.data, mode=new_file_mode(), sync=False, within=outcome.within)
        elif output == outcome.path:
            write_atomic(output, outcome.data, expect=outcome.stamp, within=outcome.within)
        else:
            _rename_in_place(outcome, output)
    except ChangedMeanwhile:
        message = "changed while newsctl converted it; left as it is (run again to convert it)"
        return replace(outcome, status="refused", data=None, error=PostError(outcome.path, message, None, "changed"))
    except UnsafeLink as exc:
        reason = str(exc).removeprefix(f"{output}: ")
        return replace(outcome, status="refused", data=None, error=PostError(outcome.path, reason, None, "link"))
    except OSError as exc:
        error = PostError(outcome.path, f"cannot write {output}: {exc.strerror or exc}", None, "write")
        return replace(outcome, status="failed", data=None, error=error)
    return replace(outcome, data=None)


def _rename_in_place(outcome: Outcome, output: str) -> None:
    """``--in-place --ext``: write the new file, then remove the post, unless it changed since it
    was read (then the new file goes and ChangedMeanwhile is raised)."""
    assert outcome.data is not None
    write_atomic(output, outcome.data, mode=os.stat(outcome.path).st_mode & 0o7777)
    try:
        unchanged = outcome.stamp is None or stamp_of(os.lstat(outcome.path)) == outcome.stamp
    except FileNotFoundError:
        unchanged = False
    if not unchanged:
        os.unlink(output)
        raise ChangedMeanwhile(f"{outcome.path}: changed while newsctl worked on it; left as it is")
    os.unlink(outcome.path)


def convert_all(
    found: Iterable[Found], job: ConvertJob, *, jobs: int | None = None
) -> Iterator[Outcome | Skipped | Missing]:
    """Convert every post in ``found`` on ``jobs`` processes and write the outputs here,
    streaming, in the order found. Skipped and Missing pass through; failures are outcomes.
    A post that changed while it was converted is read and converted again (here), up to
    RETRIES times, then left as it is (refused)."""
    claims = _Claims() if job.renames and job.out_dir is not None else None
    worker: Callable[[Found], Outcome | Skipped | Missing] = partial(convert_one, job=job)
    results: Iterator[Outcome | Skipped | Missing] = parallel_map(worker, found, jobs=jobs)
    for result in results:
        if isinstance(result, Outcome):
            if claims is not None:
                result = claims.check(result)
            result = save(result, job)
            result = _retry_changed(result, job)
        yield result


def _retry_changed(outcome: Outcome, job: ConvertJob) -> Outcome:
    """Convert again a post that changed while it was converted (its new content read afresh)."""
    from newsctl.jekyll.discovery import classify_file

    for _ in range(RETRIES):
        if outcome.status != "refused" or outcome.error is None or outcome.error.kind != "changed":
            return outcome
        found = classify_file(outcome.path)
        if not isinstance(found, Candidate):
            return outcome
        again = convert_one(replace(found, explicit=False), job)  # gone by now: not an error
        if not isinstance(again, Outcome):
            return outcome
        outcome = save(again, job)
    return outcome


class _Claims:
    """Two posts of one folder that differ only in extension (``a.md``, ``a.html``) would write
    the same ``a.txt``: the second is failed, not written over the first. Only the current
    output folder is remembered, so memory stays flat (discovery lists a folder's files
    together)."""

    def __init__(self) -> None:
        self.folder: str | None = None
        self.owners: dict[str, str] = {}

    def check(self, outcome: Outcome) -> Outcome:
        output = outcome.output
        if output is None or outcome.status in ("failed", "ignored"):
            return outcome
        folder = os.path.dirname(output)
        if folder != self.folder:
            self.folder = folder
            self.owners.clear()
        owner = self.owners.setdefault(output, outcome.path)
        if owner == outcome.path:
            return outcome
        message = f"{output} is also the output of {owner}; give one of them another name"
        return replace(outcome, status="failed", data=None, error=PostError(outcome.path, message, None, "exists"))


def peek_posts(found: Iterable[Found], limit: int) -> tuple[int, Iterator[Found]]:
    """How many candidate posts ``found`` holds, counting up to ``limit``, and all of it again
    (only the files up to the ``limit``-th candidate are discovered ahead)."""
    iterator = iter(found)
    head: list[Found] = []
    count = 0
    for item in iterator:
        head.append(item)
        if isinstance(item, Candidate):
            count += 1
            if count >= limit:
                break
    return count, _chain(head, iterator)


def _chain(head: list[Found], rest: Iterator[Found]) -> Iterator[Found]:
    yield from head
    yield from rest


@dataclass(slots=True)
class Tally:
    """Counts for the summary line."""

    converted: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    refused: int = 0
    total: int | None = None  # how many posts there are, once counted
    started: float = field(default_factory=time.perf_counter)

    def add(self, outcome: Outcome) -> None:
        if outcome.status == "converted":
            self.converted += 1
        elif outcome.status == "unchanged":
            self.unchanged += 1
        elif outcome.status == "skipped":
            self.skipped += 1
        elif outcome.status == "failed":
            self.failed += 1
        elif outcome.status == "refused":
            self.refused += 1

    def count(self, total: int) -> int:
        self.total = total
        return total

    def done(self) -> str:
        """What an interrupted run did: every file it wrote is whole (written, then renamed)."""
        of = "" if self.total is None else f" of {self.total}"
        return f"converted {self.converted}{of} posts, every file written is complete"

    def summary(self) -> str:
        seconds = time.perf_counter() - self.started
        refused = f", left as they were {self.refused}" if self.refused else ""
        return (
            f"converted {self.converted}, unchanged {self.unchanged}, skipped {self.skipped}, "
            f"failed {self.failed}{refused} in {seconds:.2f} s"
        )


def with_progress(
    results: Iterable[Outcome | Skipped | Missing], tally: Tally, count: Callable[[], int] | None = None
) -> Iterator[Outcome | Skipped | Missing]:
    """``results`` unchanged, with a live bar on stderr (use only when stderr is a terminal):
    posts done, posts per second and failures so far; the total and an ETA once ``count`` (run
    on a thread, alongside the conversion) has counted the posts, a spinner until then."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("Converting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} posts/s"),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("Converting", total=None, rate="0", failed=0)
        if count is not None:

            def set_total() -> None:
                with contextlib.suppress(Exception):  # the total is a nicety; never fail for it
                    progress.update(task, total=count())

            threading.Thread(target=set_total, daemon=True).start()
        done = 0
        last = started = time.monotonic()
        for item in results:
            yield item
            if isinstance(item, Outcome):
                done += 1
                now = time.monotonic()
                if now - last >= 0.1:
                    last = now
                    rate = f"{done / (now - started):,.0f}"
                    progress.update(task, completed=done, rate=rate, failed=tally.failed)


def count_posts(paths: Sequence[str], *, drafts: bool = False) -> int:
    """How many candidate posts discovery finds below ``paths`` (a second, cheap walk)."""
    from newsctl.jekyll.discovery import discover

    return sum(1 for item in discover(paths, drafts=drafts) if isinstance(item, Candidate))


# --- newsctl show ------------------------------------------------------------------------------


def metadata_rows(post: Post) -> list[tuple[str, str]]:
    """The metadata ``show`` prints: title, date, categories, tags, url, path."""
    return [
        ("title", post.title),
        ("date", post.date.isoformat(sep=" ") if post.date else ""),
        ("categories", ", ".join(post.categories)),
        ("tags", ", ".join(post.tags)),
        ("url", post.url or ""),
        ("path", post.path),
    ]


def show_post(post: Post, out: IO[str], *, text: bool = False, terminal: bool = False, pager: bool = True) -> None:
    """Write ``post`` for a person: its metadata, then its body as Markdown (or ``text``).

    At a ``terminal``: a rich table and rich's rendering of the Markdown, through a pager when
    longer than the screen (unless ``pager`` is False). Elsewhere: ``key: value`` lines, a blank
    line and the converted body, without colour. Raises PostError when the body cannot be
    converted."""
    options = ConvertOptions(to="text" if text else "markdown")
    body = convert_text(post, ConvertJob(options, body_only=True))
    rows = metadata_rows(post)
    if not terminal:
        out.write("".join(f"{key}: {value}\n" for key, value in rows))
        if body:
            out.write("\n" + body)
        return

    from rich.console import Console, Group
    from rich.markdown import Markdown
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out)
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(key, value)
    content = Group(table, Text(""), Text(body.rstrip("\n")) if text else Markdown(body))
    if pager and len(console.render_lines(content, console.options, pad=False)) > console.height:
        os.environ.setdefault("LESS", "-R")  # less shows rich's colours instead of escape codes
        with console.pager(styles=True):
            console.print(content)
    else:
        console.print(content)
