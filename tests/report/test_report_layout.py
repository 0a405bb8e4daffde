"""The report's layout contract: sections are views that import no other section (shared
helpers live in named non-section modules) and only the builder imports them. Checked on the
source, so a broken contract fails here. (Function-level imports and import cycles are checked
for the whole package by tests/test_function_level_imports.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

REPORT = Path(__file__).resolve().parents[2] / "src" / "gpuatlas" / "report"
SECTIONS = "gpuatlas.report.sections"


def _modules(path: Path) -> set[str]:
    """Every module a file imports absolutely (with each imported name as module.name, so
    `from gpuatlas.report.sections import training` counts as the training section)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def _section_modules() -> set[str]:
    return {
        f"{SECTIONS}.{p.stem}" for p in (REPORT / "sections").glob("*.py") if p.stem != "__init__"
    }


def test_no_section_imports_another_section() -> None:
    sections = _section_modules()
    assert len(sections) >= 10
    crossings = [
        (path.name, module)
        for path in sorted((REPORT / "sections").glob("*.py"))
        for module in sorted(_modules(path))
        if module in sections or module == SECTIONS
    ]
    assert crossings == []


def test_only_the_builder_imports_sections() -> None:
    importers = sorted(
        str(path.relative_to(REPORT))
        for path in REPORT.rglob("*.py")
        if "sections" not in path.relative_to(REPORT).parts
        and any(module.startswith(SECTIONS) for module in _modules(path))
    )
    assert importers == ["build.py"]
