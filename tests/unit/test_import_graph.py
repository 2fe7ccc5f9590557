"""The house's import rules, read from the source (DESIGN.md "Rules of the house").

Every ``import`` is found by walking each module's syntax tree: at module level and inside
functions and methods alike (an import hidden in a function is still a dependency, and a cycle
through one is still a cycle).  The rules:

- ``re_contract`` imports neither side, nor pytest, ncclient or filelock;
- ``emulator`` imports no ``harness`` (and no pytest, ncclient or filelock);
- ``harness`` imports ``emulator`` only in its one fixture module, ``harness/emulated.py``;
- ``suites`` use fixtures and the harness API only: no ``emulator``;
- no import cycle between modules, at module level or through imports inside functions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("re_contract", "emulator", "harness", "suites")
#: The one harness module allowed to import the emulator (it starts it in-process).
FIXTURE_MODULE = "harness.emulated"
TEST_ONLY = ("pytest", "_pytest", "ncclient", "filelock", "xdist")


@dataclass(frozen=True, slots=True)
class Edge:
    """One import: who imports what, where, and whether it runs at import time."""

    source: str
    target: str
    where: str
    module_level: bool


def module_name(path: Path, root: Path) -> str:
    """Return the dotted module name of ``path`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """Return the module a ``from ... import`` names, resolving relative imports."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _function_nodes(tree: ast.AST) -> set[int]:
    """Return the ids of the import nodes that sit inside a function (run only when called)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside.update(id(sub) for sub in ast.walk(node) if sub is not node)
    return inside


def imports_of(path: Path, module: str, known: Iterable[str]) -> Iterator[Edge]:
    """Yield every import of the file ``path`` (module ``module``), anywhere in it.

    ``from X import y`` is an import of ``X.y`` when that is a known module, else of ``X``.
    """
    known = set(known)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    hidden = _function_nodes(tree)
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for target in dict.fromkeys(targets):
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            yield Edge(module, target, f"{shown}:{node.lineno}", id(node) not in hidden)


def scan(root: Path, packages: Iterable[str]) -> list[Edge]:
    """Return every import of every module of ``packages`` under ``root``."""
    files = {module_name(p, root): p
             for pkg in packages for p in sorted((root / pkg).rglob("*.py"))}
    return [edge for module, path in files.items() for edge in imports_of(path, module, files)]


def _within(target: str, package: str) -> bool:
    return target == package or target.startswith(f"{package}.")


def violations(edges: Iterable[Edge], source: str, forbidden: Iterable[str],
               allowed_sources: Iterable[str] = ()) -> list[str]:
    """Return ``where: source imports target`` for each import of package ``source`` into one
    of ``forbidden``, except from the modules ``allowed_sources``."""
    forbidden, allowed = tuple(forbidden), set(allowed_sources)
    return [f"{e.where}: {e.source} imports {e.target}" for e in edges
            if _within(e.source, source) and e.source not in allowed
            and any(_within(e.target, f) for f in forbidden)]


def cycles(edges: Iterable[Edge], modules: Iterable[str]) -> list[list[str]]:
    """Return the import cycles among ``modules``: each strongly connected component of more
    than one module, or a module importing itself (Tarjan's algorithm, iteratively)."""
    modules = set(modules)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for e in edges:
        if e.source in modules and e.target in modules:
            graph[e.source].add(e.target)
    return [sorted(c) for c in _components(graph) if len(c) > 1 or c[0] in graph[c[0]]]


def _components(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of ``graph``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return scan(ROOT, PACKAGES)


def _modules(edges: list[Edge]) -> set[str]:
    return {e.source for e in edges} | {
        module_name(p, ROOT) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


# --------------------------------------------------------------------------- the rules


def test_the_contract_imports_neither_side_nor_test_tools(edges: list[Edge]) -> None:
    assert violations(edges, "re_contract", ("harness", "emulator", *TEST_ONLY)) == []


def test_the_emulator_never_imports_the_harness_nor_test_tools(edges: list[Edge]) -> None:
    assert violations(edges, "emulator", ("harness", *TEST_ONLY)) == []


def test_the_harness_imports_the_emulator_only_in_its_fixture_module(edges: list[Edge]) -> None:
    assert violations(edges, "harness", ("emulator",), allowed_sources=(FIXTURE_MODULE,)) == []
    # ... and the fixture module does import it (else the rule would be empty words).
    assert any(e.source == FIXTURE_MODULE and _within(e.target, "emulator") for e in edges)


def test_suites_use_the_harness_only(edges: list[Edge]) -> None:
    assert violations(edges, "suites", ("emulator", "re_contract")) == []


def test_no_import_cycle_at_module_level(edges: list[Edge]) -> None:
    assert cycles([e for e in edges if e.module_level], _modules(edges)) == []


def test_no_import_cycle_hidden_in_functions(edges: list[Edge]) -> None:
    assert cycles(edges, _modules(edges)) == []


# --------------------------------------------------------------------------- the checker itself


def _tree(tmp_path: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checker_finds_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "def f():\n    from . import a\n    return a\n",
        "pkg/c.py": "import pkg.a\n",
    })
    found = scan(root, ["pkg"])
    modules = {e.source for e in found} | {"pkg.c"}
    assert cycles([e for e in found if e.module_level], modules) == []
    assert cycles(found, modules) == [["pkg.a", "pkg.b"]]


def test_the_checker_finds_a_forbidden_import_inside_a_method(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "side/__init__.py": "",
        "side/m.py": "class C:\n    def run(self):\n        import other.x\n",
    })
    found = scan(root, ["side"])
    assert [v.split(": ", 1)[1] for v in violations(found, "side", ["other"])] == [
        "side.m imports other.x"]
