"""Imports run one way: cli -> features -> jekyll/markdown -> base, and never in a circle.

Every ``newsctl`` import counts, at module level or inside a function (a lazy import still runs,
and a circle through one is still a circle). Imports under ``if TYPE_CHECKING:`` never run, so
they are left out of the cycle check; they must still respect the layers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "newsctl"

#: Higher layers may import lower ones (and features one another), never the reverse. A module's layer is that of its
#: longest prefix listed here.
LAYERS = {
    "newsctl.cli": 4,
    "newsctl.__main__": 4,
    "newsctl.api": 4,  # the library for scripts: over the features, like the command line
    # features
    "newsctl.validate": 3,
    "newsctl.convert": 3,
    "newsctl.index": 3,
    "newsctl.stats": 3,
    "newsctl.export": 3,
    "newsctl.filters": 3,
    "newsctl.output": 3,
    # the reading model
    "newsctl.jekyll": 2,
    "newsctl.markdown": 2,
    # base
    "newsctl.errors": 1,
    "newsctl.files": 1,
    "newsctl.project": 1,
    "newsctl.parallel": 1,
    "newsctl.fingerprint": 1,
    "newsctl": 1,  # the package itself: __version__ only
}

#: Known breaches other work is removing: (importer, imported) -> why it is tolerated for now.
#: The lead empties this list once those branches are merged; a fixed breach left here fails
#: ``test_the_allow_list_holds_only_live_breaches``.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    type_only: bool


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[Import]:
    """Every newsctl module ``name`` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def targets(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
            return
        base = node.module or ""
        if node.level:  # relative: from . import x, from ..a import b
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            yield submodule if submodule in known else base  # from newsctl.index import freshness

    def walk(node: ast.AST, type_only: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for target in targets(child):
                    if target == "newsctl" or target.startswith("newsctl."):
                        yield Import(name, target, child.lineno, type_only)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                yield from walk(ast.Module(body=child.body, type_ignores=[]), True)
                yield from walk(ast.Module(body=child.orelse, type_ignores=[]), type_only)
            else:
                yield from walk(child, type_only)

    yield from walk(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)


@lru_cache(maxsize=1)
def _all_imports() -> tuple[Import, ...]:
    known = _modules()
    return tuple(item for name, path in known.items() for item in _imports(name, path, known) if item.imported != name)


def layer(module: str) -> int:
    prefix = module
    while prefix not in LAYERS:
        assert "." in prefix, f"{module} has no layer: add it to LAYERS"
        prefix = prefix.rpartition(".")[0]
    return LAYERS[prefix]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _breaches() -> dict[tuple[str, str], list[int]]:
    breaches: dict[tuple[str, str], list[int]] = {}
    for item in _all_imports():
        if layer(item.imported) > layer(item.importer):
            breaches.setdefault((item.importer, item.imported), []).append(item.line)
    return breaches


def test_every_module_has_a_layer() -> None:
    for name in _modules():
        layer(name)


def test_no_import_goes_up_a_layer() -> None:
    breaches = {pair: lines for pair, lines in _breaches().items() if pair not in ALLOWED}
    shown = [
        f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)}) at line {lines}" for (a, b), lines in breaches.items()
    ]
    assert not shown, "\n".join(shown)


def test_the_allow_list_holds_only_live_breaches() -> None:
    fixed = set(ALLOWED) - set(_breaches())
    assert not fixed, f"no longer needed, remove from ALLOWED: {sorted(fixed)}"


def test_no_import_cycle_lazy_imports_included() -> None:
    edges: dict[str, set[str]] = {}
    for item in _all_imports():
        if not item.type_only:
            edges.setdefault(item.importer, set()).add(item.imported)
    assert _cycles(edges) == []


def test_the_checker_sees_lazy_imports_and_cycles() -> None:
    """The test above would pass vacuously if imports inside functions went unseen."""
    known = _modules()
    lazy = {item.imported for item in _imports("newsctl.index.schema", known["newsctl.index.schema"], known)}
    assert "newsctl.index.watch_client" in lazy  # imported inside a function
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_command_line_runs_no_sql_and_opens_no_post() -> None:
    """cli/ parses options, calls one function and renders: SQL and file reading live below it."""
    import re

    forbidden = re.compile(r"\.execute\(|\bSELECT\b|\bINSERT\b|\bsqlite3\b|\bopen\(|read_bytes\(|read_text\(")
    cli = Path(__file__).resolve().parent.parent / "newsctl" / "cli"
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(cli.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line) and "os.open(os.devnull" not in line
    ]
    assert not found, "\n".join(found)
