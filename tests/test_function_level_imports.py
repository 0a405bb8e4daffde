"""Imports sit at the top of a module, and the modules of gpuatlas import each other without cycles.

An import inside a function hides what a module depends on and often hides an import cycle.
It is allowed only for
- an optional or heavy dependency (OPTIONAL_DEPENDENCIES): the package works without it, or it
  costs start-up time every command would pay although only one code path uses it;
- the command line (LAZY_ENTRY_PACKAGES): `gpuatlas --help` must not import any command's
  dependencies (tests/test_cli_command_index.py, benchmarks/cli_latency.py), so the command
  modules import the layers below inside the command functions;
- the few imports in ALLOWED, each with its reason; the test also fails when one of them is
  gone, so that list only shrinks.

The second contract: the module import graph (module-level imports only, `if TYPE_CHECKING:`
blocks excluded) has no cycle. Imports between packages are already ordered by layer
(tests/test_import_layers.py); this checks every module inside a package as well. A third test
finds no cycle even through lazy imports and `if TYPE_CHECKING:` ones: those may save start-up
time, never cut a cycle.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1] / "src"
PACKAGE_ROOT = SOURCE_ROOT / "gpuatlas"

# Top-level distribution module -> why an import of it may sit inside a function.
OPTIONAL_DEPENDENCIES: dict[str, str] = {
    "torch": "extra `inprocess`; multi-second import, only in-process benchmark runners use it",
    "diffusers": "extra `inprocess`; only the image benchmark runner uses it",
    "transformers": "extra `inprocess`; only the OCR benchmark runner uses it",
    "PIL": "extra `inprocess` (pillow); only the OCR benchmark runner uses it",
    "tokenizers": "installed with transformers (extra `inprocess`); exact-prompt benchmarks only",
    "gguf": "test extra; only writes the tiny GGUF model for engine tests",
    "huggingface_hub": "extra `hub`; catalog look-ups work offline without it",
    "pynvml": "needs the NVIDIA driver at runtime; only benchmarks on an NVIDIA GPU call it",
    "uvloop": "not on Windows; only the load generator and the reference server use it",
    "alembic": "heavy import (mako, templates) needed only when a migration runs; opening a "
    "migrated store reads the head revision from the scripts without it",
    "playwright": "test extra; only browser rendering uses it",
}

# Packages whose modules import lazily for start-up time (see the module docstring).
LAZY_ENTRY_PACKAGES = frozenset({"cli"})

# (importing file relative to src/gpuatlas, imported module): why it stays inside a function.
ALLOWED: dict[tuple[str, str], str] = {
    (
        "store/migrations/versions/0004_run_identity.py",
        "gpuatlas.records.identity",
    ): "a data migration runs with the record types of its time only when it upgrades; "
    "importing them at module level would load them whenever alembic scans the scripts",
    (
        "store/migrations/versions/0004_run_identity.py",
        "gpuatlas.records.result",
    ): "as above: the record types the 0004 data migration converts rows with",
    (
        "store/migrations/versions/0004_run_identity.py",
        "pydantic",
    ): "as above: the validation error the 0004 data migration catches",
    (
        "store/migrations/versions/0002_sources_and_covering_index.py",
        "hashlib",
    ): "a migration script is frozen as it ran (also listed in tests/test_import_layers.py)",
    ("catalog/gpus.py", "gpuatlas.catalog.gpu_records"): "the GPU files' pydantic schema and "
    "TOML parsing, needed only when the parsed-catalog cache misses (issue 13: start-up time)",
    ("catalog/prices.py", "gpuatlas.catalog.price_records"): "the price files' pydantic schema "
    "and CSV parsing, needed only when the parsed-catalog cache misses (issue 13: start-up)",
    ("report/__init__.py", "gpuatlas.report.build"): "the section builders and every model they "
    "run; a cached comparison is rendered without them (issue 13: compare under 1 s warm)",
    ("store/__init__.py", "gpuatlas.store.opening"): "SQLAlchemy and the migrations; the store's "
    "location and records import without them (issue 13: a cached comparison reads no database)",
    ("store/__init__.py", "gpuatlas.store.store"): "as above: the Store class imports SQLAlchemy, "
    "which a command answered from a cache never needs (issue 13: start-up time)",
    ("app/name_notes.py", "gpuatlas.performance.api"): "the memory model (NumPy) is needed only "
    "to say on which other variant a fit verdict flips; every answer document imports "
    "name_notes, so `gpus` and `gpu show A100` would load it (issue 13: catalog commands < 0.3 s)",
}


def _stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path, root: Path) -> str:
    name = _module_name(path, root)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _imported_modules(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [_absolute(node, package)]


def _imports_inside_functions(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for statement in function.body:
            # nested functions are visited on their own by ast.walk
            for node in _walk_without_nested_functions(statement):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node


def _walk_without_nested_functions(node: ast.AST) -> Iterator[ast.AST]:
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk_without_nested_functions(child)


def function_level_imports(root: Path) -> set[tuple[str, str]]:
    """(file relative to root, imported module) for every import inside a function."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        package = _package_of(path, root)
        for node in _imports_inside_functions(ast.parse(path.read_text(encoding="utf-8"))):
            for module in _imported_modules(node, package):
                found.add((path.relative_to(root).as_posix(), module))
    return found


def allowed_reason(importer: str, module: str) -> str | None:
    top = module.split(".")[0]
    if top in OPTIONAL_DEPENDENCIES:
        return OPTIONAL_DEPENDENCIES[top]
    if importer.split("/")[0] in LAZY_ENTRY_PACKAGES and not _stdlib(module):
        return "command line: imports inside the command it serves, for start-up time"
    return ALLOWED.get((importer, module))


def unexplained_function_level_imports(root: Path) -> set[tuple[str, str]]:
    return {
        (importer, module)
        for importer, module in function_level_imports(root)
        if allowed_reason(importer, module) is None
    }


def test_imports_inside_functions_are_optional_dependencies_or_explained() -> None:
    new = unexplained_function_level_imports(PACKAGE_ROOT)
    assert not new, (
        f"move these imports to the top of the module (or explain them in ALLOWED): {sorted(new)}"
    )


def test_allowed_entries_are_still_real_so_the_list_only_shrinks() -> None:
    gone = ALLOWED.keys() - function_level_imports(PACKAGE_ROOT)
    assert not gone, f"moved: remove from ALLOWED: {sorted(gone)}"


def test_every_allowance_has_a_reason() -> None:
    reasons = [*OPTIONAL_DEPENDENCIES.values(), *ALLOWED.values()]
    assert all(len(reason) > 20 for reason in reasons)


def test_the_checker_catches_an_import_inside_a_function(tmp_path: Path) -> None:
    root = tmp_path / "gpuatlas"
    (root / "economics").mkdir(parents=True)
    (root / "economics" / "hidden.py").write_text(
        "import json\n\n"
        "def cost():\n"
        "    from gpuatlas.performance import api\n"
        "    import torch\n\n"
        "    def inner():\n"
        "        from . import tco\n"
    )
    (root / "cli").mkdir()
    (root / "cli" / "command.py").write_text(
        "def run():\n    from gpuatlas.app import compare\n    import time\n"
    )
    assert unexplained_function_level_imports(root) == {
        ("economics/hidden.py", "gpuatlas.performance"),
        ("economics/hidden.py", "gpuatlas.economics"),
        ("cli/command.py", "time"),
    }


def _is_type_checking(test: ast.expr) -> bool:
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", "")
    return name == "TYPE_CHECKING"


def _module_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node.test):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            pending += [statement for handler in node.handlers for statement in handler.body]


def _targets(node: ast.Import | ast.ImportFrom, package: str, modules: set[str]) -> set[str]:
    """The gpuatlas modules one import statement runs. `from package import submodule` runs
    the submodule, not the package again (the package is already being initialised)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & modules
    base = _absolute(node, package)
    submodules = {f"{base}.{alias.name}" for alias in node.names} & modules
    names_only = len(submodules) < len(node.names)
    return (submodules | ({base} if names_only else set())) & modules


def _every_import(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement: module level, inside functions, under `if TYPE_CHECKING:`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def module_import_graph(root: Path, every_import: bool = False) -> dict[str, set[str]]:
    """Module -> the gpuatlas modules it imports at module level (`if TYPE_CHECKING:` blocks
    left out), or with `every_import` through any import statement of the file."""
    paths = {_module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    modules = set(paths)
    imports = _every_import if every_import else _module_level_imports
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = _package_of(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = (_targets(node, package, modules) for node in imports(tree))
        graph[name] = set().union(*targets) - {name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            successor = next(successors, None)
            if successor is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowest[parent] = min(lowest[parent], lowest[node])
                if lowest[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))
            elif successor not in index:
                index[successor] = lowest[successor] = len(index)
                stack.append(successor)
                on_stack.add(successor)
                work.append((successor, iter(sorted(graph[successor]))))
            elif successor in on_stack:
                lowest[node] = min(lowest[node], index[successor])
    return cycles


def test_modules_import_each_other_without_cycles() -> None:
    assert import_cycles(module_import_graph(PACKAGE_ROOT)) == []


def test_no_cycle_hides_behind_a_lazy_or_type_only_import() -> None:
    """Even counting the imports inside functions (lazy CLI imports, ALLOWED ones) and those
    under `if TYPE_CHECKING:`, two modules never need each other: a lazy import may save
    start-up time, never cut a cycle."""
    assert import_cycles(module_import_graph(PACKAGE_ROOT, every_import=True)) == []


def test_the_cycle_check_finds_a_cycle(tmp_path: Path) -> None:
    root = tmp_path / "gpuatlas"
    (root / "economics").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "economics" / "__init__.py").write_text("from gpuatlas.economics import tco\n")
    (root / "economics" / "tco.py").write_text("from gpuatlas.economics.power import watts\n")
    (root / "economics" / "power.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from gpuatlas.economics import tco\n"
        "if TYPE_CHECKING:\n    from gpuatlas.economics import plan\n"
    )
    (root / "economics" / "plan.py").write_text("from gpuatlas.economics.power import watts\n")
    assert import_cycles(module_import_graph(root)) == [
        ["gpuatlas.economics.power", "gpuatlas.economics.tco"]
    ]
    assert import_cycles(module_import_graph(root, every_import=True)) == [
        ["gpuatlas.economics.plan", "gpuatlas.economics.power", "gpuatlas.economics.tco"]
    ]
    (root / "economics" / "power.py").write_text(
        "def watts():\n    from gpuatlas.economics.plan import load\n"
    )
    assert import_cycles(module_import_graph(root)) == []
    assert import_cycles(module_import_graph(root, every_import=True)) == [
        ["gpuatlas.economics.plan", "gpuatlas.economics.power"]
    ]
