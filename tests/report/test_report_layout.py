"""The report's layout contract: sections are views that import no other section (shared
helpers live in named non-section modules), and the report has no function-level imports
(except those listed, each with why; an entry whose import has moved to the top of its file is
simply no longer needed). Checked on the source, so a broken contract fails here."""

from __future__ import annotations

import ast
from pathlib import Path

REPORT = Path(__file__).resolve().parents[2] / "src" / "gpuatlas" / "report"
SECTIONS = "gpuatlas.report.sections"

# (file relative to report/, imported module): why the import is inside a function.
FUNCTION_LEVEL_IMPORTS: dict[tuple[str, str], str] = {
    ("measured.py", "gpuatlas.store"): "another change (read-only reports) is rewriting this file",
    ("measured.py", "gpuatlas.store.engine"): "the same",
    ("measured.py", "gpuatlas.catalog.measurements"): "the same",
    ("measured.py", "gpuatlas.store.public_data"): "the same",
    ("standins.py", "gpuatlas.performance.api"): "another change (benchmark identity) is "
                                                  "rewriting this file",
    ("pair_rows.py", "gpuatlas.compare.verdicts"): "pending: file in another change this session",
    ("suite_models.py", "gpuatlas.performance.api"): "pending: file in another change this "
                                                     "session",
}


def _modules(path: Path) -> list[tuple[str, bool]]:
    """(imported module, imported inside a function?) for every absolute import of a file."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, in_function))
                found.extend((f"{child.module}.{a.name}", in_function) for a in child.names)
            elif isinstance(child, ast.Import):
                found.extend((alias.name, in_function) for alias in child.names)
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, nested)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _section_modules() -> set[str]:
    return {f"{SECTIONS}.{p.stem}" for p in (REPORT / "sections").glob("*.py")
            if p.stem != "__init__"}


def test_no_section_imports_another_section() -> None:
    sections = _section_modules()
    assert len(sections) >= 10
    crossings = [
        (path.name, module)
        for path in sorted((REPORT / "sections").glob("*.py"))
        for module, _ in _modules(path)
        if module in sections or module == SECTIONS
    ]
    assert crossings == []


def test_only_the_builder_imports_sections() -> None:
    importers = sorted(
        str(path.relative_to(REPORT))
        for path in REPORT.rglob("*.py")
        if "sections" not in path.relative_to(REPORT).parts
        and any(module.startswith(SECTIONS) for module, _ in _modules(path))
    )
    assert importers == ["build.py"]


def test_no_function_level_imports_but_the_listed_ones() -> None:
    found = {
        (str(path.relative_to(REPORT)), module)
        for path in REPORT.rglob("*.py")
        for module, in_function in _modules(path)
        if in_function
    }
    listed = set(FUNCTION_LEVEL_IMPORTS)
    unlisted = {item for item in found if item not in listed
                and (item[0], item[1].rsplit(".", 1)[0]) not in listed}
    assert unlisted == set()


def _import_graph() -> dict[str, set[str]]:
    """Module → the report modules it imports at module level (a package's own submodules
    imported through the package count as the package)."""
    modules = {}
    for path in REPORT.rglob("*.py"):
        parts = ("gpuatlas", "report", *path.relative_to(REPORT).with_suffix("").parts)
        name = ".".join(parts).removesuffix(".__init__")
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported = {module for module, in_function in _modules(path) if not in_function}
        graph[name] = {module for module in imported if module in modules and module != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph (depth first), else None."""
    path: list[str] = []
    done: set[str] = set()

    def walk(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node):], node]
        if node in done:
            return None
        path.append(node)
        for following in sorted(graph[node]):
            found = walk(following)
            if found:
                return found
        path.pop()
        done.add(node)
        return None

    return next((cycle for name in sorted(graph) if (cycle := walk(name))), None)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_report_has_no_import_cycle() -> None:
    assert find_cycle(_import_graph()) is None
