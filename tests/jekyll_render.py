"""Reference oracle: the body HTML that a real Jekyll 4 renders for every post of a site.

Companion of ``tests/jekyll_reference.py`` (same throwaway-copy approach, same helpers):
the site's ``_posts``/``_drafts`` directories are copied into a temporary site with a reduced
``_config.yml``, a ``bodies.json`` page dumps ``{{ post.content | jsonify }}`` for every post in
``site.posts``, and the site is built with ``jekyll build --safe``.  ``post.content`` is the
converted body *without* the layout.

Rendering settings:

* Liquid in post bodies is off (``render_with_liquid: false`` for every post, through
  ``defaults``), so ``{{ ... }}`` and ``{% ... %}`` stay verbatim.  (Liquid is still rendered
  in the ``bodies.json`` page itself.)
* Markdown goes through Jekyll's defaults: kramdown with ``input: GFM`` and the other
  ``kramdown`` defaults of ``jekyll-4.3.1/lib/jekyll/configuration.rb`` (auto ids, smart quotes,
  ``entity_output: as_char``, rouge highlighting).  Nothing is overridden; the site's own
  ``kramdown`` and ``markdown_ext`` settings are kept when it has them, and so is
  ``markdown`` when it names kramdown (another engine is not available in safe mode, and none of
  the corpus sites asks for one).
* Plugins and themes are dropped (as in ``jekyll_reference``): GitHub-Pages-only plugins such
  as jemoji or jekyll-mentions, which would rewrite bodies on github.io, are not applied.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tests.jekyll_reference import (
    KEPT_CONFIG_KEYS,
    JekyllBuildError,
    _read_config,
    _run_env,
    build_and_dump,
    jekyll_available,
)

__all__ = ["JekyllBuildError", "jekyll_available", "jekyll_rendered"]

OUTPUT_NAME = "bodies.json"

# Keys of the site's _config.yml that change how bodies are converted.
RENDER_CONFIG_KEYS = ("kramdown", "markdown_ext")

BODIES_TEMPLATE = """---
layout: null
---
{ {% for post in site.posts %}{{ post.relative_path | jsonify }}: {{ post.content | jsonify }}{% unless forloop.last %},
{% endunless %}{% endfor %} }
"""


def _config(source: Path, run_env: dict[str, str]) -> dict[str, object]:
    original = _read_config(source / "_config.yml", run_env)
    config: dict[str, object] = {k: original[k] for k in (*KEPT_CONFIG_KEYS, *RENDER_CONFIG_KEYS) if k in original}
    if str(original.get("markdown", "")).lower() == "kramdown":
        config["markdown"] = original["markdown"]
    config.setdefault("future", True)
    config.update(
        {
            "plugins": [],
            "theme": None,
            "defaults": [
                {
                    "scope": {"path": "", "type": "posts"},
                    "values": {"render_with_liquid": False},
                }
            ],
        }
    )
    return config


@cache
def _build(source: str, env: tuple[tuple[str, str], ...]) -> dict[str, str]:
    source_path = Path(source)
    run_env = _run_env(dict(env))
    config = _config(source_path, run_env)
    bodies = build_and_dump(source_path, config, BODIES_TEMPLATE, OUTPUT_NAME, run_env)
    if not isinstance(bodies, dict):
        raise JekyllBuildError(0, "", f"{OUTPUT_NAME} is not a JSON object")
    return {str(key): str(value) for key, value in bodies.items()}


def jekyll_rendered(source: Path, *, env: dict[str, str] | None = None) -> dict[str, str]:
    """Return ``{post.relative_path: post.content}`` for every post Jekyll publishes in ``source``.

    ``relative_path`` is relative to ``source`` (e.g. ``_posts/2022-01-01-x.md`` or
    ``markets/_posts/...``); ``post.content`` is the rendered body HTML without layout.
    The build is done once per (source folder, env) in a process and cached; each call returns
    a fresh dict.  ``env`` is merged into the process environment.  Raises
    :class:`JekyllBuildError` when the build fails.
    """
    source = Path(source).resolve()
    if not source.is_dir():
        raise FileNotFoundError(source)
    return dict(_build(str(source), tuple(sorted((env or {}).items()))))
