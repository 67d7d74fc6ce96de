"""Diagnostics: what ``newsctl validate`` finds, one record per problem, pointing into a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One finding. ``line`` and ``column`` are 1-based and point into the file (1, 1 when the
    problem is the file as a whole). Field order is the JSON key order."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals printed after a validation run."""

    errors: int
    warnings: int
    infos: int
    files_with_findings: int
    posts_checked: int
    seconds: float
    fixed: int = 0

    @classmethod
    def of(cls, diagnostics: list[Diagnostic], posts_checked: int, seconds: float, fixed: int = 0) -> Summary:
        return cls(
            errors=sum(d.severity == "error" for d in diagnostics),
            warnings=sum(d.severity == "warning" for d in diagnostics),
            infos=sum(d.severity == "info" for d in diagnostics),
            files_with_findings=len({d.path for d in diagnostics}),
            posts_checked=posts_checked,
            seconds=seconds,
            fixed=fixed,
        )


@dataclass
class ValidationRun:
    """The outcome of validating a set of paths."""

    diagnostics: list[Diagnostic]
    files: list[str]  # every file checked, kept only when asked (JUnit reports clean files too)
    posts_checked: int
    missing: list[str]
    not_posts: list[str] = field(default_factory=list)  # files given by name that are not posts
