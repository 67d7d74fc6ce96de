"""Where things are: the site a path belongs to, and the archive root ``.newsctl/`` goes in.

Kept apart from ``newsctl.validate.config`` and ``newsctl.jekyll.site`` (YAML, TOML, the rules table) so that
``search`` and ``list`` find their index without importing them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

#: The file names that hold a configuration, in order of preference within one folder.
CONFIG_FILES = (".newsctl.toml", "newsctl.toml", "pyproject.toml")


@lru_cache(maxsize=4096)
def find_site_root(directory: str) -> str | None:
    """The root of the Jekyll site holding ``directory`` (an absolute path), if any.

    The nearest folder at or above it with a ``_config.yml``; failing that, the highest folder
    at or above it that holds a ``_posts`` folder.
    """
    outermost_posts: str | None = None
    current = directory
    while True:
        if os.path.isfile(os.path.join(current, "_config.yml")):
            return current
        if os.path.isdir(os.path.join(current, "_posts")):
            outermost_posts = current
        parent = os.path.dirname(current)
        if parent == current:
            return outermost_posts
        current = parent


def site_root_of(path: str) -> str | None:
    """The root of the site a file or folder belongs to (without reading its config)."""
    absolute = os.path.abspath(path)
    directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    # A file inside _posts or _drafts belongs to the site above that folder, even without config.
    parts = directory.split(os.sep)
    for special in ("_posts", "_drafts"):
        if special in parts:
            above = os.sep.join(parts[: parts.index(special)]) or os.sep
            return find_site_root(above) or above
    return find_site_root(directory)


def archive_root(paths: list[str]) -> Path:
    """Where .newsctl/ goes for PATHS: the configuration's folder, else the site root, else the
    folder given (see ``newsctl.validate.config.archive_root``)."""
    first = Path(paths[0] if paths else ".")
    start = (first if first.is_dir() else first.parent).resolve()
    if any((folder / name).is_file() for folder in (start, *start.parents) for name in CONFIG_FILES):
        # Only then is the configuration read (a pyproject.toml may hold no newsctl table).
        from newsctl.validate.config import archive_root as root_for
        from newsctl.validate.config import find_config, load_config

        return Path(root_for(load_config(find_config(start)), paths or ["."]))
    return Path(unconfigured_root(paths))


def unconfigured_root(paths: list[str]) -> str:
    """The archive root without a configuration: the site root, else the folder given."""
    first = paths[0] if paths else "."
    return site_root_of(first) or os.path.abspath(first if os.path.isdir(first) else os.path.dirname(first) or ".")
