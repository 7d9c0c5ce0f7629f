"""No import cycles among maptag's own modules in functions/ (maptag, handlers) and infra/.

The rule, read from the source with `ast` (nothing is imported):
- every `import a.b` and `from a import b` statement counts, wherever it is: at the top, inside
  a function (a late import hides a cycle, it does not break it) and under `if TYPE_CHECKING:`
  (a type two modules share belongs in a module below both; pydantic also reads annotations
  at run time, so "annotations only" is no guarantee);
- `from a import b` is an edge to the module `a.b` when that module exists, else to `a`;
  relative imports are resolved against the importing module's package;
- only edges between the modules found here count; a package's own `__init__` running first
  is not an edge, nor is `importlib.import_module` (the resource-type registry's plugin loading).
A cycle is broken by moving the shared thing down into a module both import, or by passing it
in (docs/architecture.md, "Dependencies").
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# (directory that is on sys.path, top-level packages in it)
SOURCES = ((ROOT / "functions", ("maptag", "handlers")), (ROOT, ("infra",)))

Edges = dict[str, dict[str, str]]  # module -> {imported module: "path:line" of the import}


def modules(sources: tuple[tuple[Path, tuple[str, ...]], ...]) -> dict[str, Path]:
    """Every module of the given packages by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for base, packages in sources:
        for package in packages:
            for path in sorted((base / package).rglob("*.py")):
                parts = list(path.relative_to(base).with_suffix("").parts)
                if parts[-1] == "__init__":
                    parts.pop()
                found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, found: Mapping[str, Path]) -> Iterator[tuple[str, int]]:
    """(found module, line) for every import statement in the module, at any depth."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            # `from a import b`: the module a.b when there is one, else a name defined in a
            names = [f"{base}.{alias.name}" for alias in node.names]
            names = [dotted if dotted in found else base for dotted in names]
        else:
            continue
        for imported in names:
            while imported and imported not in found:  # `a.b.func` is the module a.b
                imported = imported.rpartition(".")[0]
            if imported:
                yield imported, node.lineno


def import_graph(found: Mapping[str, Path], root: Path) -> Edges:
    """The import edges between the found modules, each with where it is written."""
    edges: Edges = {name: {} for name in found}
    for name, path in found.items():
        for target, line in _imported(name, path, found):
            if target != name:
                edges[name].setdefault(target, f"{path.relative_to(root)}:{line}")
    return edges


def cycles(edges: Edges) -> list[list[str]]:
    """One cycle per strongly connected group of modules (Tarjan), as a closed path a -> ... -> a."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_closed_path(group[0], set(group), edges) for group in groups]


def _closed_path(start: str, group: set[str], edges: Edges) -> list[str]:
    """The shortest path from start back to itself inside the group (breadth first)."""
    paths = [[start]]
    seen = {start}
    while paths:
        path = paths.pop(0)
        for target in sorted(edges[path[-1]]):
            if target == start:
                return [*path, start]
            if target in group and target not in seen:
                seen.add(target)
                paths.append([*path, target])
    raise AssertionError(f"{start} is in a cycle group without a path back")  # Tarjan guarantees one


def describe(cycle: list[str], edges: Edges) -> str:
    """`a (where a imports b) -> b (where b imports a) -> a`: each hop names its import line."""
    hops = [f"{a} ({edges[a][b]})" for a, b in itertools.pairwise(cycle)]
    return " -> ".join([*hops, cycle[-1]])


def test_functions_and_infra_have_no_import_cycle() -> None:
    found = modules(SOURCES)
    assert {"maptag.cli", "maptag.report.model", "handlers.publish", "infra.stacks"} <= set(found)
    edges = import_graph(found, ROOT)

    found_cycles = [describe(cycle, edges) for cycle in cycles(edges)]

    assert not found_cycles, "import cycle(s):\n" + "\n".join(found_cycles)


def _package(tmp_path: Path, files: dict[str, str]) -> Edges:
    for relative, text in files.items():
        path = tmp_path / "pkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return import_graph(modules(((tmp_path, ("pkg",)),)), tmp_path)


def test_a_late_import_and_a_type_checking_import_are_cycles_and_are_named(tmp_path: Path) -> None:
    # Given a cycle closed by an import inside a function, and one closed under TYPE_CHECKING
    edges = _package(
        tmp_path,
        {
            "__init__.py": "",
            "cli.py": "from pkg.commands import demo\n",
            "commands/__init__.py": "",
            "commands/demo.py": "def run():\n    from pkg.cli import main\n",
            "outbox.py": "from .hub import TaskUpdate\n",
            "hub.py": "import typing\nif typing.TYPE_CHECKING:\n    from pkg.outbox import Outbox\n",
            "report.py": "import pkg.model\n",
            "model.py": "X = 1\n",
        },
    )

    # When the cycles are looked for
    found = [describe(cycle, edges) for cycle in cycles(edges)]

    # Then both are named, each hop with the file and line of its import; the acyclic pair is not
    assert found == [
        "pkg.cli (pkg/cli.py:1) -> pkg.commands.demo (pkg/commands/demo.py:2) -> pkg.cli",
        "pkg.hub (pkg/hub.py:3) -> pkg.outbox (pkg/outbox.py:1) -> pkg.hub",
    ]
