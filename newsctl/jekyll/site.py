"""Jekyll sites: where a site's root is, and the parts of ``_config.yml`` that shape its posts."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from newsctl.errors import ConfigError
from newsctl.jekyll.names import MARKDOWN_EXTS, posts_permalink_template, ruby_to_s
from newsctl.project import find_site_root, site_root_of


@dataclass(frozen=True)
class Site:
    """What newsctl needs of a site. ``root`` is None for loose files outside any site."""

    root: str | None
    timezone: str | None = None
    permalink: str = "/:categories/:year/:month/:day/:title:output_ext"
    markdown_exts: tuple[str, ...] = MARKDOWN_EXTS
    future: bool = False
    theme: str | None = None
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    defaults: tuple[tuple[str, str | None, tuple[tuple[str, Any], ...]], ...] = field(default=())
    # The Markdown engine (``markdown:``) and its ``kramdown:`` settings, as written.
    markdown: str = "kramdown"
    kramdown: tuple[tuple[str, Any], ...] = ()
    # ``url`` and ``baseurl``, as Jekyll's absolute_url joins them ("" when unset).
    url: str = ""
    baseurl: str = ""

    @property
    def is_jekyll(self) -> bool:
        return self.root is not None

    def relative(self, path: str) -> str:
        """``path`` relative to the site root, with ``/`` separators."""
        assert self.root is not None
        return os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")

    def excluded(self, relative: str) -> bool:
        """Whether ``exclude`` in _config.yml removes this site-relative path (and ``include`` does not)."""
        return _glob_hit(self.exclude, relative) and not _glob_hit(self.include, relative)

    def front_matter_defaults(self, relative: str) -> dict[str, Any]:
        """The ``defaults`` of _config.yml that apply to a post at ``relative``, later ones winning."""
        merged: dict[str, Any] = {}
        for scope_path, scope_type, values in self.defaults:
            if scope_type not in (None, "posts"):
                continue
            if scope_path and not (
                fnmatch.fnmatchcase(relative, scope_path.strip("/") + ("" if "*" in scope_path else "*"))
                or relative.startswith(scope_path.strip("/") + "/")
            ):
                continue
            merged.update(dict(values))
        return merged


LOOSE = Site(root=None)


def _glob_hit(patterns: tuple[str, ...], relative: str) -> bool:
    for pattern in patterns:
        pattern = pattern.strip("/")
        if fnmatch.fnmatchcase(relative, pattern) or relative == pattern or relative.startswith(pattern + "/"):
            return True
    return False


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(ruby_to_s(v) for v in value if v is not None)
    return ()


def _defaults(value: Any) -> tuple[tuple[str, str | None, tuple[tuple[str, Any], ...]], ...]:
    rules = []
    for rule in value if isinstance(value, list) else []:
        if not isinstance(rule, dict) or not isinstance(rule.get("values"), dict):
            continue
        scope = rule["scope"] if isinstance(rule.get("scope"), dict) else {}
        path = scope.get("path") or ""
        kind = scope.get("type")
        rules.append((ruby_to_s(path), None if kind is None else ruby_to_s(kind), tuple(rule["values"].items())))
    return tuple(rules)


@lru_cache(maxsize=256)
def load_site(root: str) -> Site:
    """Read ``root/_config.yml`` (absent is fine: Jekyll's defaults apply)."""
    import yaml

    config: Any = {}
    path = os.path.join(root, "_config.yml")
    try:
        with open(path, encoding="utf-8-sig") as handle:
            config = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except FileNotFoundError:
        config = {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read site config {path}: {exc}".splitlines()[0]) from None
    if not isinstance(config, dict):
        raise ConfigError(f"site config {path} is not a mapping")
    markdown = config.get("markdown_ext")
    timezone = config.get("timezone")
    return Site(
        root=root,
        timezone=None if timezone is None else ruby_to_s(timezone),
        permalink=posts_permalink_template(config),
        markdown_exts=tuple(ruby_to_s(markdown).split(",")) if markdown else MARKDOWN_EXTS,
        future=config.get("future") is True,
        theme=ruby_to_s(config.get("theme") or config.get("remote_theme") or "") or None,  # remote_theme: GitHub Pages
        exclude=_strings(config.get("exclude")),
        include=_strings(config.get("include")),
        defaults=_defaults(config.get("defaults")),
        markdown=ruby_to_s(config.get("markdown") or "kramdown"),
        kramdown=tuple(config["kramdown"].items()) if isinstance(config.get("kramdown"), dict) else (),
        url=ruby_to_s(config.get("url") or ""),
        baseurl=ruby_to_s(config.get("baseurl") or ""),
    )


def forget_sites() -> None:
    """Forget the sites read so far (their ``_config.yml`` and where their roots are), so that a
    long-lived process (the index watcher, a library user, the tests) sees a config created,
    edited or removed since. The roots are cached by ``newsctl.project.find_site_root``."""
    load_site.cache_clear()
    find_site_root.cache_clear()


def site_for(path: str) -> Site:
    """The site a file or folder belongs to, or ``LOOSE`` when it is in none."""
    root = site_root_of(path)
    return load_site(root) if root else LOOSE
