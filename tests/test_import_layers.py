"""The layers of docs/architecture.md, enforced: a package imports only packages below it.

catalog < store < (performance | bench) < (calibration | economics | compare) < report < app <
(cli | web); packages on one level never import each other (performance and bench, cli and
web). Each import that breaks a contract today is listed in KNOWN_VIOLATIONS with the change
that removes it; the test also fails when one of those is gone, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "src" / "gpuatlas"

LAYER_OF = {
    "errors": 0,
    "catalog": 1,
    "store": 2,
    "performance": 3,
    "bench": 3,
    "calibration": 4,
    "economics": 4,
    "compare": 4,
    "report": 5,
    "app": 6,
    "cli": 7,
    "web": 7,
}

# (importing file relative to src/gpuatlas, imported package): why it is still here.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {
    ("store/convert.py", "bench"): "the result record type lives in bench/result.py (issue 14)",
    ("store/plausibility.py", "bench"): "reads the suite definition (issue 14)",
    ("store/seed.py", "bench"): "the result record type lives in bench/result.py (issue 14)",
    ("store/store.py", "bench"): "the result record type lives in bench/result.py (issue 14)",
    ("cli/store_agent.py", "web"): "the fleet agent lives in web/agent.py (issue 14)",
    ("cli/bench_commands.py", "web"): "bench host pushes with the agent in web/agent.py (issue 14)",
    ("store/sanitize.py", "bench"): "the result record type lives in bench/result.py (issue 14)",
    ("store/validity.py", "bench"): "the result record type lives in bench/result.py (issue 14)",
    ("store/migrations/versions/0004_run_identity.py", "bench"):
        "the migration computes run identities with bench/identity.py (issue 14)",
}


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


def test_the_checker_catches_a_broken_contract(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "leaky.py").write_text("from gpuatlas.report import build\n")
    (tmp_path / "performance").mkdir()
    (tmp_path / "performance" / "sideways.py").write_text("import gpuatlas.bench.suite\n")
    assert contract_violations(tmp_path) == {
        ("catalog/leaky.py", "report"),
        ("performance/sideways.py", "bench"),
    }
