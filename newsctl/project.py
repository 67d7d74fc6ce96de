"""Where things are: the site a path belongs to, the configuration file that applies to it,
and the archive root ``.newsctl/`` goes in.

Kept apart from ``newsctl.validate.config`` and ``newsctl.jekyll.site`` (YAML, the rules table, a
strict reading of the configuration) so that ``search`` and ``list`` find their index without
importing them, and without depending on validate's settings being valid. ``validate.config``
reads this module, never the reverse.
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


def find_config(start: Path) -> Path | None:
    """The configuration file that applies to ``start`` (a folder, or a file's folder), or None.

    Folders are searched from ``start`` upwards; the nearest folder with a configuration wins,
    and within a folder the first of ``CONFIG_FILES``. A ``pyproject.toml`` without
    ``[tool.newsctl]`` is passed over. Nothing is checked here: a file that cannot be read, or a
    ``pyproject.toml`` that is not valid TOML but mentions ``tool.newsctl``, is returned all the
    same (the configuration it probably holds is there), and reading it is for
    ``newsctl.validate.config.load_config`` to fail at. So a typo in validate's settings cannot
    stop a command that only needs to know where the archive's root is.
    """
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate_folder in (folder, *folder.parents):
        for name in CONFIG_FILES:
            candidate = candidate_folder / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml" or _may_hold_table(candidate):
                return candidate
    return None


def _may_hold_table(path: Path) -> bool:
    """Whether a ``pyproject.toml`` has (or, unreadable, probably has) a ``[tool.newsctl]`` table."""
    import re
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True  # the configuration loader says why it cannot be read
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return re.search(r"tool\s*\.\s*newsctl", text) is not None
    tool = data.get("tool")
    return isinstance(tool, dict) and "newsctl" in tool


def archive_root(paths: list[str], config_root: Path | None = None) -> Path:
    """Where .newsctl/ goes for PATHS: the folder of their configuration file (``config_root``
    when the caller already knows it, as ``validate --config`` does), else the site root, else
    the folder given. The configuration itself is not read."""
    if config_root is None:
        first = Path(paths[0] if paths else ".")
        config = find_config(first if first.is_dir() else first.parent)
        config_root = config.resolve().parent if config is not None else None
    if config_root is not None:
        return config_root
    return Path(unconfigured_root(paths))


def unconfigured_root(paths: list[str]) -> str:
    """The archive root without a configuration: the site root, else the folder given."""
    first = paths[0] if paths else "."
    return site_root_of(first) or os.path.abspath(first if os.path.isdir(first) else os.path.dirname(first) or ".")


def watch_configured(root: Path) -> bool:
    """Whether the configuration of the archive at ``root`` says ``watch = true`` (start a
    watcher the first time a command needs the index). A file that cannot be read or is not
    valid TOML says no here; ``validate`` reports what is wrong with it."""
    config = find_config(root)
    if config is None or config.resolve().parent != root.resolve():
        return False
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "watch" not in text:  # most configurations: no TOML parser loaded for nothing
        return False
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    if config.name == "pyproject.toml":
        tool = data.get("tool")
        data = tool.get("newsctl") if isinstance(tool, dict) else None
    return isinstance(data, dict) and data.get("watch") is True
