"""Configuration of ``newsctl validate``: where it is found, what it may say, and what it means.

A configuration lives in one of three files, looked for from the archive upwards
(``newsctl.project.find_config``); in each folder the first of these wins, and the nearest folder
having one wins:

1. ``.newsctl.toml`` (keys at the top level),
2. ``newsctl.toml`` (keys at the top level),
3. ``pyproject.toml``, only when it has a ``[tool.newsctl]`` table.

Reading is strict: an unknown key, a value of the wrong type, an unknown rule code, a bad regular
expression, an unknown time zone or a schema that cannot be loaded raises :class:`ConfigError`
with a one-line message naming the file and the key. An invalid configuration is never ignored.

``jsonschema`` is imported only when a configuration names a schema.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import functools
import hashlib
import json
import os
import re
import sys
import warnings
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from newsctl.errors import ConfigError, UsageError
from newsctl.project import CONFIG_FILES, find_config
from newsctl.validate.rules import matches, unknown_selectors

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

__all__ = [
    "CONFIG_FILES",
    "FIELD_TYPES",
    "KEYS",
    "ConfigError",
    "ValidateConfig",
    "find_config",
    "load_config",
    "path_matches",
    "schema_errors",
]


#: The values ``types`` may give a field.
FIELD_TYPES = (
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "list",
    "list-of-strings",
    "string-or-list",
    "mapping",
)

#: Every key a configuration may hold (TOML spelling).
KEYS = (
    "allowed",
    "duplicate-key",
    "ignore",
    "pattern",
    "per-path-ignores",
    "required",
    "schema",
    "select",
    "strict",
    "timezone",
    "types",
    "watch",
)

_FINGERPRINT_VERSION = 1


@dataclass(frozen=True, eq=True)
class ValidateConfig:
    """The settings of ``newsctl validate``; ``ValidateConfig()`` is the configuration without a file.

    ``root`` is the folder of the configuration file (``None`` without one): relative paths in the
    file, and the paths ``per_path_ignores`` is matched against, are relative to it.
    ``fingerprint`` is computed from all other fields (a sha256 hex digest, stable across runs and
    machines for the same settings in the same place) and serves as a cache key.
    """

    root: Path | None = None
    required: tuple[str, ...] = ()
    types: dict[str, str] = field(default_factory=dict)
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pattern: dict[str, re.Pattern[str]] = field(default_factory=dict)
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    timezone: str | None = None
    duplicate_key: str | None = None
    schema: dict[str, Any] | None = None
    strict: bool = False
    #: The file the configuration was read from, for messages (``None`` without one).
    path: Path | None = field(default=None, compare=False)
    #: The file ``schema`` was read from, for messages.
    schema_path: Path | None = field(default=None, compare=False)
    fingerprint: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", _fingerprint(self))

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def enabled(self, code: str, relative_path: str) -> bool:
        """Whether rule ``code`` applies to the post at ``relative_path`` (relative to ``root``).

        A code is enabled when a ``select`` selector names it (``ALL``, a prefix such as ``NC2``
        or the full code) and no ``ignore`` selector does, nor any ``per-path-ignores`` entry
        whose glob matches the path (see :func:`path_matches`). Unlike ruff, a more specific
        ``select`` does not win over a broader ``ignore``: ignoring always wins.
        """
        if not matches(code, self.select) or matches(code, self.ignore):
            return False
        if self.per_path_ignores:
            posix = _posix(relative_path)
            for glob, codes in self.per_path_ignores:
                if matches(code, codes) and path_matches(glob, posix):
                    return False
        return True

    def relative_path(self, path: str | os.PathLike[str]) -> str:
        """``path`` relative to ``root`` with forward slashes, as :meth:`enabled` wants it.

        A path outside ``root`` (or any path without a configuration file) is returned as given,
        with forward slashes.
        """
        if self.root is not None:
            try:
                return Path(path).resolve().relative_to(self.root).as_posix()
            except ValueError:
                pass
        return _posix(os.fspath(path))

    def with_cli(
        self,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        extend_ignore: Iterable[str] | None = None,
    ) -> ValidateConfig:
        """A copy where ``--select`` and ``--ignore`` replace the file's lists (when given) and
        ``--extend-ignore`` adds to the resulting ``ignore``. Unknown codes raise UsageError."""
        changes: dict[str, Any] = {}
        for option, value in (("--select", select), ("--ignore", ignore), ("--extend-ignore", extend_ignore)):
            if value is None:
                continue
            codes = tuple(value)
            unknown = unknown_selectors(codes)
            if unknown:
                raise UsageError(f"{option}: unknown rule code {_quote_list(unknown)}")
            changes[option] = codes
        new_select = changes.get("--select", self.select)
        new_ignore = changes.get("--ignore", self.ignore) + changes.get("--extend-ignore", ())
        if new_select == self.select and new_ignore == self.ignore:
            return self
        return dataclasses.replace(self, select=new_select, ignore=new_ignore)


# --- loading ---------------------------------------------------------------------------------


def load_config(path: Path | None) -> ValidateConfig:
    """Read and check the configuration in ``path`` (``None``: the defaults).

    A file named ``pyproject.toml`` is read from its ``[tool.newsctl]`` table (which must exist);
    any other file from its top level.
    """
    if path is None:
        return ValidateConfig()
    shown = _display(path)
    try:
        data = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from None
    prefix = ""
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        if not isinstance(tool, dict) or "newsctl" not in tool:
            raise ConfigError(f"{shown}: no [tool.newsctl] table")
        data = tool["newsctl"]
        prefix = "tool.newsctl."
        if not isinstance(data, dict):
            raise ConfigError(f"{shown}: 'tool.newsctl' must be a table, not {_kind(data)}")
    root = path.resolve().parent
    return _Reader(shown, prefix, root).read(data, path.resolve())


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {_os_message(exc)}") from None


@dataclass(frozen=True)
class _Reader:
    """Checks one configuration table; every message starts with the file's name."""

    shown: str
    prefix: str
    root: Path

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.shown}: '{self.prefix}{key}' {message}")

    def read(self, data: dict[str, Any], path: Path) -> ValidateConfig:
        for key in data:
            if key not in KEYS:
                suggestion = difflib.get_close_matches(key, KEYS, n=1)
                hint = f"did you mean '{suggestion[0]}'? " if suggestion else ""
                raise ConfigError(
                    f"{self.shown}: unknown key '{self.prefix}{key}' ({hint}expected one of: {', '.join(KEYS)})"
                )
        values: dict[str, Any] = {"root": self.root, "path": path}
        if "required" in data:
            values["required"] = self.strings("required", data["required"])
        if "types" in data:
            values["types"] = self.types(data["types"])
        if "allowed" in data:
            table = self.table("allowed", data["allowed"])
            values["allowed"] = {
                name: self.strings(f"allowed.{_toml_key(name)}", value) for name, value in table.items()
            }
        if "pattern" in data:
            table = self.table("pattern", data["pattern"])
            values["pattern"] = {name: self.regex(f"pattern.{_toml_key(name)}", value) for name, value in table.items()}
        if "select" in data:
            values["select"] = self.codes("select", data["select"])
        if "ignore" in data:
            values["ignore"] = self.codes("ignore", data["ignore"])
        if "per-path-ignores" in data:
            table = self.table("per-path-ignores", data["per-path-ignores"])
            values["per_path_ignores"] = tuple(
                (glob, self.codes(f"per-path-ignores.{_toml_key(glob)}", codes)) for glob, codes in table.items()
            )
        if "timezone" in data:
            values["timezone"] = self.timezone(data["timezone"])
        if "duplicate-key" in data:
            values["duplicate_key"] = self.string("duplicate-key", data["duplicate-key"])
        if "schema" in data:
            values["schema_path"], values["schema"] = self.schema(data["schema"])
        if "strict" in data:
            if not isinstance(data["strict"], bool):
                raise self.error("strict", f"must be true or false, not {_kind(data['strict'])}")
            values["strict"] = data["strict"]
        # Read by newsctl.project for the index's watcher, not by validate: only checked here.
        if "watch" in data and not isinstance(data["watch"], bool):
            raise self.error("watch", f"must be true or false, not {_kind(data['watch'])}")
        return ValidateConfig(**values)

    def string(self, key: str, value: object) -> str:
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {_kind(value)}")
        if not value:
            raise self.error(key, "must not be empty")
        return value

    def strings(self, key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, f"must be a list of strings, not {_kind(value)}")
        return tuple(value)

    def table(self, key: str, value: object) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, not {_kind(value)}")
        return value

    def types(self, value: object) -> dict[str, str]:
        table = self.table("types", value)
        for name, kind in table.items():
            key = f"types.{_toml_key(name)}"
            if not isinstance(kind, str):
                raise self.error(key, f"must be a string, not {_kind(kind)}")
            if kind not in FIELD_TYPES:
                raise self.error(key, f"names unknown type '{kind}' (expected one of: {', '.join(FIELD_TYPES)})")
        return dict(table)

    def regex(self, key: str, value: object) -> re.Pattern[str]:
        text = self.string(key, value)
        try:
            return re.compile(text)
        except re.error as exc:
            raise self.error(key, f"is not a valid regular expression: {exc}") from None

    def codes(self, key: str, value: object) -> tuple[str, ...]:
        codes = self.strings(key, value)
        unknown = unknown_selectors(codes)
        if unknown:
            raise self.error(key, f"names unknown rule code {_quote_list(unknown)}")
        return codes

    def timezone(self, value: object) -> str:
        name = self.string("timezone", value)
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise self.error("timezone", f"is not a known time zone: '{name}'") from None
        return name

    def schema(self, value: object) -> tuple[Path, dict[str, Any]]:
        relative = self.string("schema", value)
        path = self.root / relative
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise self.error("schema", f"cannot read '{relative}': {_os_message(exc)}") from None
        try:
            schema = json.loads(text)
        except json.JSONDecodeError as exc:
            raise self.error("schema", f"'{relative}' is not valid JSON: {exc}") from None
        if not isinstance(schema, dict):
            raise self.error("schema", f"'{relative}' must hold a JSON object, not {_kind(schema)}")
        from jsonschema.exceptions import SchemaError

        try:
            _validator_class(schema).check_schema(schema)
        except ValueError as exc:
            raise self.error("schema", f"'{relative}' {exc}") from None
        except SchemaError as exc:
            where = "/".join(str(part) for part in exc.path)
            at = f" (at {where})" if where else ""
            message = exc.message.splitlines()[0]
            raise self.error("schema", f"'{relative}' is not a valid JSON Schema: {message}{at}") from None
        return path, schema


# --- JSON Schema -------------------------------------------------------------------------------


def _validator_class(schema: dict[str, Any]) -> type[Validator]:
    """The validator class named by ``$schema`` (Draft 2020-12 without one).

    Raises ValueError for a ``$schema`` jsonschema does not know.
    """
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    if "$schema" not in schema:
        return Draft202012Validator
    dialect = schema["$schema"]
    if not isinstance(dialect, str):
        raise ValueError(f"has a '$schema' that is not a string: {dialect!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            return validator_for(schema)
        except DeprecationWarning:
            raise ValueError(f"names an unknown '$schema': {dialect}") from None


@functools.lru_cache(maxsize=16)
def _validator(config: ValidateConfig) -> Validator:
    assert config.schema is not None
    cls = _validator_class(config.schema)
    return cls(config.schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(config: ValidateConfig, front_matter: Mapping[str, Any]) -> list[tuple[list[str | int], str]]:
    """Where ``front_matter`` breaks ``config.schema``: (path inside the document, message) pairs.

    An empty list when there is no schema. YAML dates and times are checked as their ISO 8601
    strings (so ``{"type": "string", "format": "date"}`` fits ``date: 2024-01-01``), keys as
    strings. ``format`` is asserted, not only annotated. Errors come sorted by path, then message.
    The validator is built once per configuration.
    """
    if config.schema is None:
        return []
    from referencing.exceptions import Unresolvable

    validator = _validator(config)
    try:
        errors = [
            (list(error.absolute_path), error.message) for error in validator.iter_errors(_jsonable(front_matter))
        ]
    except Unresolvable as exc:
        shown = _display(config.schema_path) if config.schema_path else "schema"
        raise ConfigError(f"{shown}: cannot resolve reference: {exc}".splitlines()[0]) from None
    errors.sort(key=_error_order)
    return errors


def _error_order(error: tuple[list[str | int], str]) -> tuple[list[tuple[int, int, str]], str]:
    """Sort by path (indexes numerically, before keys), then message."""
    path, message = error
    return [(0, part, "") if isinstance(part, int) else (1, 0, part) for part in path], message


def _jsonable(value: Any) -> Any:
    """YAML front matter as the JSON data model sees it."""
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


# --- paths -------------------------------------------------------------------------------------


def path_matches(glob: str, relative_path: str) -> bool:
    """Whether a ``per-path-ignores`` glob matches a path relative to the configuration's folder.

    The choice is gitignore-like ``fnmatch`` (case-sensitive on every system), not
    ``PurePath.match``:

    - ``*`` and ``?`` match any characters including ``/`` (as in ``fnmatch``), so
      ``drafts/*`` covers everything below ``drafts``; ``**`` means the same as ``*``, and a
      leading ``**/`` may also match nothing (``**/index.md`` matches ``index.md``);
    - a glob that matches a folder matches everything in it (``drafts``, ``_posts/2019-*``);
    - a glob without a ``/`` is matched against every part of the path, so ``*.html`` or
      ``drafts`` apply at any depth.
    """
    path = _posix(relative_path)
    pattern = glob.replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    pattern = pattern.rstrip("/") or "*"
    parts = PurePosixPath(path).parts
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
    candidates = [pattern]
    if pattern.startswith("**/"):
        candidates.append(pattern[3:])
    for end in range(len(parts), 0, -1):
        prefix = "/".join(parts[:end])
        if any(fnmatch.fnmatchcase(prefix, candidate) for candidate in candidates):
            return True
    return False


def _posix(path: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _display(path: Path) -> str:
    """A path as messages show it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


# --- fingerprint and small helpers --------------------------------------------------------------


def _fingerprint(config: ValidateConfig) -> str:
    """A sha256 of the settings that change what validation reports.

    ``select`` and ``ignore`` are sorted and deduplicated (their order means nothing); the
    schema's content, not its path, is included; so is ``root``, which per-path-ignores match
    against. ``path`` and ``schema_path`` (for messages only) are left out.
    """
    normal = {
        "version": _FINGERPRINT_VERSION,
        "root": config.root.as_posix() if config.root is not None else None,
        "required": list(config.required),
        "types": dict(sorted(config.types.items())),
        "allowed": {name: list(values) for name, values in sorted(config.allowed.items())},
        "pattern": {name: [p.pattern, p.flags] for name, p in sorted(config.pattern.items())},
        "select": sorted(set(config.select)),
        "ignore": sorted(set(config.ignore)),
        "per_path_ignores": [[glob, sorted(set(codes))] for glob, codes in config.per_path_ignores],
        "timezone": config.timezone,
        "duplicate_key": config.duplicate_key,
        "schema": config.schema,
        "strict": config.strict,
    }
    text = json.dumps(normal, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _kind(value: object) -> str:
    """A TOML-ish name for a value's type, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return "a list"
        return "a list holding " + ", ".join(sorted({_kind(item) for item in value if not isinstance(item, str)}))
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (datetime, date, time)):
        return "a date/time"
    return type(value).__name__


def _quote_list(items: Iterable[str]) -> str:
    return ", ".join(f"'{item}'" for item in items)


def _toml_key(name: str) -> str:
    """A table key as TOML writes it: bare when it can be, quoted otherwise."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name, ensure_ascii=False)


def _os_message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
