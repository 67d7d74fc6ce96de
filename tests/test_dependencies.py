"""pyproject declares what newsctl imports, no more, and README says what each one is for."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None, requirement
    return match.group().lower().replace("_", "-")


def _imported_distributions() -> dict[str, set[str]]:
    """The distributions of every module newsctl imports (lazy imports included) -> its files."""
    owners = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "newsctl").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top == "newsctl" or top in sys.stdlib_module_names:
                    continue
                for dist in owners.get(top, [top]):  # not installed (tomli on 3.11): by its name
                    found.setdefault(_name(dist), set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_every_import_is_declared_and_every_dependency_imported() -> None:
    declared = {_name(requirement) for requirement in PYPROJECT["project"]["dependencies"]}
    imported = _imported_distributions()
    assert set(imported) == declared, imported


def test_readme_says_what_each_dependency_is_for() -> None:
    section = README.split("- Dependencies:", 1)[1].split("\n- ", 1)[0]
    rows = {_name(row) for row in re.findall(r"^  \| ([^|]+?) \| [^|]+ \|$", section, re.M)} - {"package", "---"}
    assert rows == {_name(requirement) for requirement in PYPROJECT["project"]["dependencies"]}


def test_benchmark_baselines_are_an_extra_newsctl_does_not_import() -> None:
    bench = {_name(requirement) for requirement in PYPROJECT["project"]["optional-dependencies"]["bench"]}
    assert "html2text" in bench
    assert not bench & set(_imported_distributions())
