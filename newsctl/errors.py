"""The small exception hierarchy of newsctl (the CLI turns these into one-line messages) and
the exit codes every command returns."""

from __future__ import annotations


class NewsctlError(Exception):
    """Base class of every error newsctl reports to a user without a traceback."""


class PostError(NewsctlError):
    """A post that cannot be read as Jekyll would read it.

    ``line`` is 1-based and points into the file when the problem has a position.
    """

    def __init__(
        self, path: str, message: str, line: int | None = None, kind: str = "read", column: int | None = None
    ) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        # What went wrong, for validate's rule codes: read, binary, utf8, unterminated, yaml,
        # not-mapping, date, filename-date, categories, slug, permalink.
        self.kind = kind
        self.column = column

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: error: {self.message}"

    def __reduce__(self) -> tuple[type[PostError], tuple[str, str, int | None, str, int | None]]:
        # Errors cross process boundaries in bulk runs; keep every field.
        return (PostError, (self.path, self.message, self.line, self.kind, self.column))


class ConfigError(NewsctlError):
    """A configuration file that cannot be read or says something invalid: newsctl's own
    (``newsctl.toml`` and its kin) or a Jekyll site's ``_config.yml``."""


class DateParseError(NewsctlError):
    """A date string Ruby's ``Time.parse`` (and so Jekyll) would reject."""


class UsageError(NewsctlError):
    """Bad option values found after click's own checks (exit code 2)."""


# Exit codes, as grep, ripgrep and ruff use them.
OK = 0  # success: posts read, something matched
FINDINGS = 1  # no post matched, or some posts could not be read
ERROR = 2  # usage, configuration or internal error
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)
