"""The layers of docs/architecture.md, enforced: a package imports only packages below it.

(errors, numbers, settings, statistics, memo) < catalog < records < store < (performance | bench) <
(calibration | economics | compare | fleet) < report < app < web < cli; packages on one level
never import each other (performance and bench, compare and fleet, ...). The command line is the
top: it starts the web server (`gpuatlas serve`); the web app never imports the command line.
Each import that breaks a contract today is listed in KNOWN_VIOLATIONS with the change
that removes it; the test also fails when one of those is gone, so the list only shrinks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "src" / "gpuatlas"

LAYER_OF = {
    "errors": 0,
    "numbers": 0,
    "settings": 0,
    "statistics": 0,
    "choices": 1,
    "table_fit": 0,
    "memo": 0,
    "catalog": 1,
    "records": 2,
    "store": 3,
    "performance": 4,
    "bench": 4,
    "calibration": 5,
    "economics": 5,
    "compare": 5,
    "fleet": 5,
    "report": 6,
    "app": 7,
    "web": 8,
    "cli": 9,
}

# The record layer holds data types every other layer shares: nothing beyond these outside
# the standard library.
RECORDS_THIRD_PARTY = frozenset({"pydantic"})

# (importing file relative to src/gpuatlas, imported package): why it is still here.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


def imported_packages(path: Path) -> set[str]:
    """The gpuatlas top-level packages one module imports (at any depth of the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found |= {name.split(".")[1] for name in names if name.startswith("gpuatlas.")}
    return found


def breaks_contract(importer: str, imported: str) -> bool:
    if importer == imported or importer not in LAYER_OF or imported not in LAYER_OF:
        return False
    return LAYER_OF[imported] >= LAYER_OF[importer]


def contract_violations(root: Path) -> set[tuple[str, str]]:
    violations = set()
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        importer = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        for imported in imported_packages(path):
            if breaks_contract(importer, imported):
                violations.add((relative.as_posix(), imported))
    return violations


def test_no_package_imports_a_layer_above_or_beside_it() -> None:
    new = contract_violations(PACKAGE_ROOT) - KNOWN_VIOLATIONS.keys()
    assert not new, f"imports that break the layer contract: {sorted(new)}"


def test_known_violations_are_still_real_so_the_list_only_shrinks() -> None:
    gone = KNOWN_VIOLATIONS.keys() - contract_violations(PACKAGE_ROOT)
    assert not gone, f"fixed: remove from KNOWN_VIOLATIONS: {sorted(gone)}"


def test_every_package_has_a_layer() -> None:
    found = {path.stem for path in PACKAGE_ROOT.glob("*.py") if path.stem != "__init__"}
    found |= {path.name for path in PACKAGE_ROOT.iterdir() if (path / "__init__.py").exists()}
    assert found - LAYER_OF.keys() == set(), "place each new package in LAYER_OF"


def test_records_depend_only_on_the_standard_library_pydantic_and_lower_layers() -> None:
    outside = set()
    for path in (PACKAGE_ROOT / "records").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                outside.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                outside |= {alias.name.split(".")[0] for alias in node.names}
    third_party = outside - set(sys.stdlib_module_names) - {"__future__", "gpuatlas"}
    assert third_party <= RECORDS_THIRD_PARTY


# Packages whose imports all sit at the top of their files, but these (file: why).
TOP_LEVEL_IMPORT_PACKAGES = ("records", "store", "fleet", "statistics.py")
FUNCTION_LEVEL_IMPORTS: dict[tuple[str, str], str] = {
    ("store/migrate.py", "alembic.config"): "Alembic loads only when a database is migrated",
    ("store/migrate.py", "alembic.script"): "the same",
    ("store/migrate.py", "alembic.runtime.migration"): "the same",
    ("store/migrate.py", "alembic"): "the same",
    (
        "store/migrations/versions/0002_sources_and_covering_index.py",
        "hashlib",
    ): "a migration, frozen as it ran",
    ("store/migrations/versions/0004_run_identity.py", "pydantic"): "the same",
    ("store/migrations/versions/0004_run_identity.py", "gpuatlas.records.identity"): "the same",
    ("store/migrations/versions/0004_run_identity.py", "gpuatlas.records.result"): "the same",
    ("store/__init__.py", "gpuatlas.store.opening"): "open_store loads SQLAlchemy on first use: "
    "store.location and store.records import without it (a cached comparison reads no database)",
    ("store/__init__.py", "gpuatlas.store.store"): "the same, for the Store class",
}


def function_level_imports(path: Path) -> set[str]:
    """Modules a file imports inside a function (at any depth)."""
    found: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.ImportFrom) and child.module:
                found.add(child.module)
            elif in_function and isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_lower_packages_import_at_the_top_of_their_files() -> None:
    found = {
        (path.relative_to(PACKAGE_ROOT).as_posix(), module)
        for name in TOP_LEVEL_IMPORT_PACKAGES
        for path in (
            PACKAGE_ROOT.glob(name) if name.endswith(".py") else (PACKAGE_ROOT / name).rglob("*.py")
        )
        for module in function_level_imports(path)
    }
    assert found - FUNCTION_LEVEL_IMPORTS.keys() == set()
    assert FUNCTION_LEVEL_IMPORTS.keys() - found == set(), "moved to the top: drop the entry"


def test_the_checker_catches_a_broken_contract(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "leaky.py").write_text("from gpuatlas.report import build\n")
    (tmp_path / "performance").mkdir()
    (tmp_path / "performance" / "sideways.py").write_text("import gpuatlas.bench.suite\n")
    assert contract_violations(tmp_path) == {
        ("catalog/leaky.py", "report"),
        ("performance/sideways.py", "bench"),
    }
