"""Which files are posts: Jekyll's reader (reader.rb, post_reader.rb, entry_filter.rb) in Python.

Inside a Jekyll site the posts are the files of every ``_posts`` folder (in any non-special
folder of the site, at any depth below ``_posts``) whose names Jekyll's matcher accepts, with or
without front matter; ``_drafts`` too when asked. Outside a site, a post is any ``.md``,
``.markdown``, ``.html`` or ``.htm`` file that opens with front matter (the loader checks that,
so each file is read once).

Files in ``_posts`` that Jekyll skips without a word are yielded as ``Skipped`` so commands can
report them; hidden files (``.gitkeep``) are not, as Jekyll never lists them either.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from newsctl.jekyll.names import is_special, match_dated_name, match_dateless_name
from newsctl.jekyll.site import LOOSE, Site, load_site, site_for

LOOSE_EXTENSIONS = (".md", ".markdown", ".html", ".htm")

Kind = Literal["post", "draft", "loose"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to load as a post. ``relative`` is site-relative for site files."""

    path: str
    site: Site
    relative: str
    kind: Kind
    explicit: bool = False
    # A file of a Jekyll site outside _posts/ (a page): read when asked, never validated as a post.
    page: bool = False


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file Jekyll silently leaves out of ``site.posts``, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Missing:
    """A path given on the command line that does not exist."""

    path: str


Found = Candidate | Skipped | Missing


_SPECIAL_START = frozenset(".#_~")

# Told every folder the walk lists, when a caller asks (the index keeps a snapshot of them).
Listed = Callable[[str], None] | None


def _skip_reason(entry: str) -> str | None:
    """Why Jekyll drops a file at ``entry`` (relative to ``_posts``), or None if it is a post."""
    if (
        entry[:1] not in _SPECIAL_START
        and "/" not in entry
        and not entry.endswith((".", "~", ".yml", ".yaml", ".YML", ".YAML"))
        and match_dated_name(entry) is not None
    ):
        return None  # the common case, decided without the slower checks below
    name = os.path.basename(entry)
    if entry.endswith("."):
        return "Jekyll ignores file names ending in '.'"
    if entry.endswith("~"):
        return "Jekyll ignores backup files ending in '~'"
    if is_special(entry):
        return f"Jekyll ignores names starting with {name[0] if is_special(name) else entry[0]!r}"
    if match_dated_name(entry) is None:
        return "file name is not YYYY-MM-DD-title.ext, so Jekyll does not read it as a post"
    if os.path.splitext(name)[1].lower() in (".yml", ".yaml"):
        return "Jekyll reads .yml/.yaml files in _posts as data and never publishes them"
    return None


#: Why a FIFO, socket or device is never opened: reading one blocks forever or never ends.
NOT_REGULAR = "not a regular file (a FIFO, socket or device): newsctl does not open it"


def _scan(directory: str, listed: Listed) -> Iterator[tuple[str, str]]:
    """(name, kind) for each entry, sorted by name so output order is the same everywhere;
    kind is "dir" (walk into it), "file" (read it) or "special" (a FIFO, socket or device:
    never opened).

    Only names are kept while the folder is walked, not DirEntry objects nor a tuple per entry:
    a news archive's ``_posts`` may hold a million files in one folder."""
    if listed is not None:
        listed(directory)
    names: list[str] = []
    folders: set[str] = set()
    specials: set[str] = set()
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                kind = _kind(entry)
                if kind == "dir":
                    folders.add(entry.name)
                elif kind == "special":
                    specials.add(entry.name)
                if kind != "linked-dir":
                    names.append(entry.name)
    except OSError:
        pass  # an unreadable folder holds nothing we can read; what was listed still counts
    names.sort()
    for name in names:
        yield name, "dir" if name in folders else "special" if name in specials else "file"


def _kind(entry: os.DirEntry[str]) -> str:
    """ "dir" to walk into, "file" to read, "special" never to open, or "linked-dir" to leave
    alone: Jekyll's ``**`` glob lists a link to a folder but never enters it (so a link loop
    cannot make a post appear forty times). A link that cannot be resolved is a file, and
    reading it reports the problem."""
    try:
        if entry.is_dir(follow_symlinks=False):
            return "dir"
        if entry.is_file():
            return "file"
        if entry.is_symlink():
            return "linked-dir" if entry.is_dir() else "file" if not os.path.exists(entry.path) else "special"
        return "special"
    except OSError:
        return "file"


def _is_special(path: str) -> bool:
    """A path that exists but is not a regular file or folder (after links)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _walk_posts(directory: str, site: Site, prefix: str, drafts: bool, listed: Listed) -> Iterator[Found]:
    """Every file below a ``_posts`` (or ``_drafts``) folder, as Jekyll's ``Dir["**/*"]`` lists it."""
    site_dir = site.relative(directory)
    for name, kind in _scan(directory, listed):
        if name.startswith("."):
            continue  # Ruby's glob does not list hidden files or enter hidden folders
        if kind == "dir":
            yield from _walk_posts(os.path.join(directory, name), site, prefix + name + "/", drafts, listed)
            continue
        if kind == "special":
            yield Skipped(os.path.join(directory, name), NOT_REGULAR)
            continue
        found = _post_file(directory, site, site_dir, prefix, name, drafts)
        if found is not None:
            yield found


def _post_file(directory: str, site: Site, site_dir: str, prefix: str, name: str, drafts: bool) -> Found | None:
    """What Jekyll makes of the file ``name`` in a folder of ``_posts`` (``_drafts`` with
    ``drafts``); ``prefix`` is the folder's path below ``_posts``, ``site_dir`` below the site."""
    path = os.path.join(directory, name)
    rel_entry = prefix + name
    relative = f"{site_dir}/{name}"
    if site.exclude and site.excluded(relative):
        return None
    if drafts:
        if is_special(rel_entry) or match_dateless_name(rel_entry) is None:
            return Skipped(path, "Jekyll ignores this name in _drafts")
        return Candidate(path, site, relative, "draft")
    reason = _skip_reason(rel_entry)
    return Skipped(path, reason) if reason else Candidate(path, site, relative, "post")


def rediscover(directory: str, names: Iterable[str]) -> list[Found] | None:
    """What a walk with drafts would find among the entries ``names`` of ``directory`` (a
    folder such a walk lists), without listing the folder: for a watcher that was told which
    entries changed. None when the answer needs the walk: a folder outside ``_posts`` and
    ``_drafts``, or an entry that is a folder. A name that no longer exists yields nothing."""
    site = site_for(directory)
    if not site.is_jekyll:
        return None
    site_dir = site.relative(directory)
    parts = site_dir.split("/")
    first = next((i for i, part in enumerate(parts) if part in ("_posts", "_drafts")), None)
    if first is None:
        return None
    prefix = "".join(part + "/" for part in parts[first + 1 :])
    found: list[Found] = []
    for name in sorted(names):
        if name.startswith("."):
            continue
        path = os.path.join(directory, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue  # gone (or unreadable as the walk would find it: gone to it too)
        if stat.S_ISDIR(info.st_mode):
            return None
        if stat.S_ISLNK(info.st_mode) and os.path.isdir(path):
            continue  # a link to a folder: listed by the walk, never entered nor read
        if _is_special(path):
            found.append(Skipped(path, NOT_REGULAR))
            continue
        item = _post_file(directory, site, site_dir, prefix, name, parts[first] == "_drafts")
        if item is not None:
            found.append(item)
    return found


def _walk_site(
    directory: str, site: Site, drafts: bool, listed: Listed, seen: list[str] | None = None
) -> Iterator[Found]:
    """A folder of a site outside ``_posts``: look for ``_posts`` folders, as Reader does.

    Every ``_posts``/``_drafts`` folder met is noted in ``seen``."""
    for name, kind in _scan(directory, listed):
        if kind != "dir":
            continue
        path = os.path.join(directory, name)
        if name in ("_posts", "_drafts") and seen is not None:
            seen.append(path)
        if name == "_posts":
            yield from _walk_posts(path, site, "", False, listed)
        elif name == "_drafts" and drafts:
            yield from _walk_posts(path, site, "", True, listed)
        elif not is_special(name) and not site.excluded(site.relative(path)):
            yield from _walk_site(path, site, drafts, listed, seen)


def _walk_loose(
    directory: str, site: Site, base: str, drafts: bool, listed: Listed, page: bool = False
) -> Iterator[Found]:
    """A folder in no site: front-matter files, and any Jekyll site found below it."""
    for name, kind in _scan(directory, listed):
        if name.startswith("."):
            continue
        path = os.path.join(directory, name)
        if kind == "dir":
            if os.path.isfile(os.path.join(path, "_config.yml")) or os.path.isdir(os.path.join(path, "_posts")):
                yield from _walk_site(path, load_site(os.path.abspath(path)), drafts, listed)
            elif name not in ("node_modules", "_site"):
                yield from _walk_loose(path, site, base, drafts, listed, page)
        elif kind == "special":
            if name.lower().endswith(LOOSE_EXTENSIONS):
                yield Skipped(path, NOT_REGULAR)
        elif name.lower().endswith(LOOSE_EXTENSIONS):
            yield Candidate(path, site, os.path.relpath(path, base), "loose", page=page)


def _loose_in(site: Site) -> Site:
    # Files a site does not publish as posts still take the site's time zone.
    return Site(root=None, timezone=site.timezone)


def _walk_directory(path: str, drafts: bool, listed: Listed) -> Iterator[Found]:
    site = site_for(path)
    if not site.is_jekyll:
        yield from _walk_loose(path, LOOSE, path, drafts, listed)
        return
    parts = site.relative(path).split("/")
    for special, is_draft in (("_posts", False), ("_drafts", True)):
        if special in parts:
            if is_draft and not drafts:
                return
            prefix = "/".join(parts[parts.index(special) + 1 :])
            yield from _walk_posts(path, site, prefix + "/" if prefix else "", is_draft, listed)
            return
    relative = site.relative(path)
    if relative != "." and site.excluded(relative):
        # A folder the site excludes (such as a folder of broken examples), named on the
        # command line: read its front-matter files as loose posts, in the site's zone.
        yield from _walk_loose(path, _loose_in(site), path, drafts, listed)
        return
    seen: list[str] = []
    yield from _walk_site(path, site, drafts, listed, seen)
    if not seen:
        # A folder of a site with no _posts below it: its front-matter files (pages), as loose posts.
        yield from _walk_loose(path, _loose_in(site), path, drafts, listed, page=True)


#: What a file named on the command line that Jekyll would not read as a post is told.
NOT_A_POST = "not a post: "
_NOT_MARKUP = "outside a Jekyll site, posts are .md, .markdown, .html and .htm files"


def classify_file(path: str) -> Found:
    """A file named on the command line: a Candidate read with the rules of the site it lives in,
    or Skipped when Jekyll would not read it as a post: a file of ``_posts`` Jekyll drops (the
    reason as for a walk), a file outside any site that is not Markdown or HTML ("not a post:
    why"). Another file of a site is a Candidate marked ``page`` (``posts_only`` makes it
    Skipped; validate and the index leave it out); files of a folder the site excludes are read
    as loose posts (a folder of broken examples)."""
    if _is_special(path):
        return Skipped(path, NOT_REGULAR)
    site = site_for(path)
    if not site.is_jekyll:
        if not path.lower().endswith(LOOSE_EXTENSIONS):
            return Skipped(path, NOT_A_POST + _NOT_MARKUP)
        return Candidate(path, site, os.path.basename(path), "loose", explicit=True)
    relative = site.relative(path)
    parts = relative.split("/")
    for special, kind in (("_posts", "post"), ("_drafts", "draft")):
        if special in parts:
            entry = "/".join(parts[parts.index(special) + 1 :])
            if kind == "post":
                reason = _skip_reason(entry)
                if reason:
                    return Skipped(path, reason)
            return Candidate(path, site, relative, "post" if kind == "post" else "draft", explicit=True)
    page = not site.excluded(relative)
    return Candidate(path, _loose_in(site), os.path.basename(path), "loose", explicit=True, page=page)


def _why_not_a_post(path: str) -> str:
    site = site_for(path)
    if any(is_special(part) for part in site.relative(path).split("/")):
        return f"Jekyll publishes nothing named with a leading '_', '.', '#' or '~' (site {site.root})"
    return f"Jekyll reads it as a page of the site {site.root}, outside _posts/"


def posts_only(found: Iterable[Found]) -> Iterator[Found]:
    """``found``, with each file named on the command line that Jekyll reads as a page (or as
    data, or ``_config.yml``), not as a post, turned into Skipped("not a post: why")."""
    for item in found:
        if isinstance(item, Candidate) and item.page and item.explicit:
            yield Skipped(item.path, NOT_A_POST + _why_not_a_post(item.path))
        else:
            yield item


def discover(paths: Iterable[str], *, drafts: bool = False, listed: Listed = None) -> Iterator[Found]:
    """Posts (and skipped files) under ``paths``, each path given once, in a stable order.

    ``listed`` is called with every folder the walk lists, as it lists it."""
    paths = list(paths)
    # Only several paths can name a file twice; one path needs no memory of what it listed.
    seen: set[str] | None = set() if len(paths) > 1 else None
    for path in paths:
        if os.path.isdir(path):
            items: Iterable[Found] = _walk_directory(path, drafts, listed)
        elif os.path.exists(path):
            items = [classify_file(path)]
        else:
            items = [Missing(path)]
        for item in items:
            if seen is not None:
                key = os.path.abspath(item.path)
                if key in seen:
                    continue
                seen.add(key)
            yield item
