"""Reference oracle: ask a real Jekyll 4 what it thinks the posts of a site are.

Used by tests to compare newsctl's post metadata against Jekyll's.  Only the
standard library is needed; Jekyll (and Ruby) must be on PATH.

The source site is copied to a temporary directory keeping only
``_config.yml`` (reduced to a few keys), every ``_posts`` and ``_drafts``
directory (at any depth) and neutralised ``_layouts``.  A ``posts.json`` page
is added that dumps ``site.posts`` as JSON, the site is built with
``jekyll build --safe`` and the JSON is parsed and returned.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["JekyllBuildError", "jekyll_available", "jekyll_posts"]

# Keys of the original _config.yml that are kept; everything else is dropped so
# that themes, plugins, exclude lists etc. cannot break (or slow) the build.
KEPT_CONFIG_KEYS = ("timezone", "permalink", "future", "show_drafts")

# Directory names copied from the source tree (at any depth).
CONTENT_DIRS = frozenset({"_posts", "_drafts"})

# Directories never descended into while looking for _posts/_drafts.
SKIPPED_DIRS = frozenset({"_site", ".git", ".jekyll-cache", ".sass-cache"})

OUTPUT_NAME = "posts.json"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Every value goes through jsonify so that escaping and types are Jekyll's own.
POSTS_TEMPLATE = """---
layout: null
---
[{% for post in site.posts %}
{"path": {{ post.path | jsonify }},
 "relative_path": {{ post.relative_path | jsonify }},
 "title": {{ post.title | jsonify }},
 "date": {{ post.date | date: "%Y-%m-%dT%H:%M:%S%:z" | jsonify }},
 "categories": {{ post.categories | jsonify }},
 "tags": {{ post.tags | jsonify }},
 "slug": {{ post.slug | jsonify }},
 "url": {{ post.url | jsonify }},
 "published": {{ post.published | jsonify }},
 "layout": {{ post.layout | jsonify }},
 "ext": {{ post.ext | jsonify }}}{% unless forloop.last %},{% endunless %}{% endfor %}
]
"""

# A layout that only passes the content through.
NEUTRAL_LAYOUT = "{{ content }}\n"

# Ruby one-liner that turns a YAML file into JSON (the way Jekyll loads it).
_YAML_TO_JSON = (
    'require "yaml"; require "json"; require "date"; '
    "d = YAML.safe_load(File.read(ARGV[0], encoding: 'bom|utf-8'), "
    "permitted_classes: [Date, Time], aliases: true); "
    "puts JSON.generate(d.is_a?(Hash) ? d : {})"
)


class JekyllBuildError(RuntimeError):
    """``jekyll build`` failed; the message carries Jekyll's stderr/stdout."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(f"jekyll build failed (exit {returncode}):\n{_summary(stderr + stdout)}")


def _summary(log: str) -> str:
    """Jekyll's messages without colours, Ruby backtraces and banner lines."""
    lines = []
    for line in _ANSI.sub("", log).splitlines():
        text = line.strip()
        if not text or text.startswith(("from ", "/usr/", "---", "^")):
            continue
        lines.append(line.rstrip())
    return "\n".join(lines)


def jekyll_available() -> bool:
    """Return True when both ``jekyll`` and ``ruby`` can be run."""
    if shutil.which("jekyll") is None or shutil.which("ruby") is None:
        return False
    try:
        proc = subprocess.run(
            ["jekyll", "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.startswith("jekyll ")


def _run_env(env: dict[str, str] | None) -> dict[str, str]:
    run_env = dict(os.environ)
    run_env.setdefault("LANG", "C.UTF-8")
    run_env.setdefault("LC_ALL", run_env["LANG"])
    run_env.pop("JEKYLL_ENV", None)
    if env:
        run_env.update(env)
    return run_env


def _read_config(config_file: Path, run_env: dict[str, str]) -> dict[str, object]:
    """Load ``_config.yml`` with Ruby's YAML (stdlib Python has no YAML parser)."""
    if not config_file.is_file():
        return {}
    proc = subprocess.run(
        ["ruby", "-e", _YAML_TO_JSON, str(config_file)],
        capture_output=True,
        text=True,
        env=run_env,
        check=False,
    )
    if proc.returncode != 0:
        # Jekyll itself would fail or ignore it; keep going with nothing.
        return {}
    loaded = json.loads(proc.stdout or "{}")
    return loaded if isinstance(loaded, dict) else {}


def _copy_content(source: Path, dest: Path) -> None:
    """Copy ``_posts``/``_drafts`` dirs (any depth) and neutralised layouts."""
    for root, dirs, _files in os.walk(source):
        root_path = Path(root)
        keep: list[str] = []
        for name in dirs:
            if name in SKIPPED_DIRS:
                continue
            if name in CONTENT_DIRS:
                rel = (root_path / name).relative_to(source)
                shutil.copytree(root_path / name, dest / rel, symlinks=True)
            else:
                keep.append(name)
        dirs[:] = keep
    layouts = source / "_layouts"
    if layouts.is_dir():
        for layout in layouts.rglob("*"):
            if layout.is_file():
                target = dest / "_layouts" / layout.relative_to(layouts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(NEUTRAL_LAYOUT, encoding="utf-8")


def jekyll_posts(
    source: Path,
    *,
    config_overrides: dict[str, object] | None = None,
    env: dict[str, str] | None = None,
) -> list[dict[str, object]]:
    """Return Jekyll's view of every post in ``site.posts`` (newest first).

    Each dict has the keys ``path``, ``relative_path``, ``title``, ``date``
    (``%Y-%m-%dT%H:%M:%S%:z``), ``categories``, ``tags``, ``slug``, ``url``,
    ``published``, ``layout`` and ``ext``, with JSON values as produced by
    Jekyll's ``jsonify``.

    ``config_overrides`` is merged into the reduced ``_config.yml``; a value of
    ``None`` removes the key.  ``env`` is merged into the process environment
    (e.g. ``{"TZ": "America/New_York"}``).  Raises :class:`JekyllBuildError`
    when the build fails.
    """
    source = Path(source)
    if not source.is_dir():
        raise FileNotFoundError(source)
    run_env = _run_env(env)

    original = _read_config(source / "_config.yml", run_env)
    config: dict[str, object] = {k: original[k] for k in KEPT_CONFIG_KEYS if k in original}
    config.setdefault("future", True)
    config.update(
        {
            "plugins": [],
            "theme": None,
            # Post bodies are never needed: do not let Liquid in them break the build.
            "defaults": [
                {
                    "scope": {"path": "", "type": "posts"},
                    "values": {"render_with_liquid": False},
                }
            ],
        }
    )
    for key, value in (config_overrides or {}).items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value

    posts = build_and_dump(source, config, POSTS_TEMPLATE, OUTPUT_NAME, run_env)
    if not isinstance(posts, list):
        raise JekyllBuildError(0, "", f"{OUTPUT_NAME} is not a JSON array")
    return posts


def build_and_dump(
    source: Path, config: dict[str, object], template: str, output_name: str, run_env: dict[str, str]
) -> object:
    """Build a throwaway copy of ``source`` with ``config`` plus a page ``output_name`` holding the
    Liquid ``template``; return that page's output parsed as JSON."""
    with tempfile.TemporaryDirectory(prefix="jekyll-ref-") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        _copy_content(source, site)
        # JSON is valid YAML, so no YAML writer is needed.
        (site / "_config.yml").write_text(json.dumps(config, indent=1), encoding="utf-8")
        (site / output_name).write_text(template, encoding="utf-8")
        command = ["jekyll", "build", "--safe", "--disable-disk-cache", "-s", str(site), "-d", str(site / "_site")]
        proc = subprocess.run(command, capture_output=True, text=True, env=run_env, cwd=tmp, check=False)
        output = site / "_site" / output_name
        if proc.returncode != 0 or not output.is_file():
            raise JekyllBuildError(proc.returncode, proc.stdout, proc.stderr)
        return json.loads(output.read_text(encoding="utf-8"))
