"""infra/ and the deployed code agree on the names they share (functions/maptag/names.py).

Read from the source with `ast` (nothing is synthesized here; tests/infrastructure/test_stacks.py
checks the synthesized functions' environment against the same names):
- every environment variable a handler reads is one the stack may set (names.LAMBDA_ENVIRONMENT);
- no module of functions/ or infra/ but names.py defines a shared name's value again.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from handlers.observability import HandlerEnvironment
from maptag import names

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = ROOT / "functions" / "handlers"
NAMES_FILE = ROOT / "functions" / "maptag" / "names.py"
# "maptag" (service, namespace, event source) is also the tool's name everywhere: not checked.
READERS = ("os.environ.get", "os.getenv", "os.environ.setdefault")
SHARED_VALUES = {
    value: name
    for name, value in vars(names).items()
    if name.isupper() and isinstance(value, str) and value != names.SERVICE
}


def _environ_reads(tree: ast.AST) -> Iterator[ast.expr]:
    """The key of every os.environ[...], os.environ.get(...) and os.getenv(...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            yield node.slice
        elif isinstance(node, ast.Call) and node.args and ast.unparse(node.func) in READERS:
            yield node.args[0]


def _value(key: ast.expr, path: Path) -> str:
    """A read's variable name: a string literal or a constant imported from maptag.names."""
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    name = key.id if isinstance(key, ast.Name) else key.attr if isinstance(key, ast.Attribute) else None
    value = getattr(names, name, None) if name else None
    assert isinstance(value, str), f"{path}:{key.lineno}: {ast.unparse(key)} is not a name from maptag.names"
    return value


def handler_reads() -> dict[str, str]:
    """Every environment variable the handlers read, each with where it is read."""
    reads = {}
    for path in sorted(HANDLERS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for key in _environ_reads(tree):
            reads[_value(key, path)] = f"{path.relative_to(ROOT)}:{key.lineno}"
    return reads


def test_every_variable_a_handler_reads_is_one_the_stack_may_set() -> None:
    reads = handler_reads()
    fields = {
        field.alias or name: "HandlerEnvironment" for name, field in HandlerEnvironment.model_fields.items()
    }

    unknown = {
        name: where for name, where in {**reads, **fields}.items() if name not in names.LAMBDA_ENVIRONMENT
    }

    assert {names.ENV_SERVICE_NAME, names.ENV_METRICS_NAMESPACE} <= set(reads)
    assert {names.ENV_CONFIG, names.ENV_REPORTS_BUCKET} <= set(fields)
    assert not unknown, f"read but not in maptag.names.LAMBDA_ENVIRONMENT: {unknown}"


def repeated_values(root: Path) -> list[str]:
    """Module-level `NAME = "value"` outside names.py whose value is a shared name's."""
    found = []
    for path in sorted([*(root / "functions").rglob("*.py"), *(root / "infra").rglob("*.py")]):
        if path == NAMES_FILE or "local" in path.relative_to(root).parts:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Constant) and value.value in SHARED_VALUES:
                shared = SHARED_VALUES[value.value]
                found.append(
                    f"{path.relative_to(root)}:{node.lineno}: {value.value!r} is maptag.names.{shared}"
                )
    return found


def test_no_module_defines_a_shared_name_again() -> None:
    assert {"runs/", "reports/", "MAPTAG_CONFIG", "FailedUnits", "pk"} <= set(SHARED_VALUES)

    assert repeated_values(ROOT) == []


def test_a_repeated_shared_name_is_found(tmp_path: Path) -> None:
    module = tmp_path / "functions" / "maptag" / "run_store.py"
    module.parent.mkdir(parents=True)
    module.write_text('RUNS_PREFIX = "runs/"\nOTHER = "other/"\n', encoding="utf-8")
    (tmp_path / "infra").mkdir()

    assert repeated_values(tmp_path) == [
        "functions/maptag/run_store.py:1: 'runs/' is maptag.names.RUNS_PREFIX"
    ]
