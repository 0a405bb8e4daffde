"""`gpuatlas compare` as a user runs it, again and again: a run after the first build answers
from the comparison cache with the same document (only `generated_at` differs) and without
importing the models, NumPy or the database layer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

RUN_AND_LIST_MODULES = """
import sys
from gpuatlas.cli.main import app
try:
    app(["compare", "rtx-4090", "l40s", "--format", "json", "-o", sys.argv[1]])
except SystemExit as done:
    assert not done.code, done.code
import gpuatlas
heavy = ("sqlalchemy", "numpy", "gpuatlas.report.build", "gpuatlas.performance.api")
print(gpuatlas.__file__)
print(" ".join(name for name in heavy if name in sys.modules))
"""


def installed_copy(tmp_path: Path) -> Path:
    """The package as an install holds it: a copy no one edits while the test runs (in a
    working tree, an edited file rightly changes the key and the run rebuilds)."""
    target = tmp_path / "site-packages"
    shutil.copytree(
        SRC / "gpuatlas", target / "gpuatlas", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def run_compare(tmp_path: Path, output: Path) -> str:
    environment = {
        **os.environ,
        "PYTHONPATH": str(tmp_path / "site-packages"),
        "GPUATLAS_CACHE_DIR": str(tmp_path / "cache"),
        "GPUATLAS_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "100",
    }
    environment.pop("GPUATLAS_NO_CACHE", None)
    environment.pop("GPUATLAS_DATABASE_URL", None)
    environment.pop("GPUATLAS_PRICE_FILES", None)
    completed = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, str(output)],
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
        timeout=300,
        check=True,
    )
    package, _, modules = completed.stdout.partition("\n")
    assert Path(package).is_relative_to(tmp_path / "site-packages")
    return modules.strip()


def test_a_repeated_compare_is_answered_from_the_cache(tmp_path: Path) -> None:
    installed_copy(tmp_path)
    run_compare(tmp_path, tmp_path / "creates-the-database.json")  # stores nothing
    first_modules = run_compare(tmp_path, tmp_path / "first.json")
    second_modules = run_compare(tmp_path, tmp_path / "second.json")
    assert "gpuatlas.report.build" in first_modules
    assert second_modules == ""
    first = json.loads((tmp_path / "first.json").read_text(encoding="utf-8"))
    second = json.loads((tmp_path / "second.json").read_text(encoding="utf-8"))
    assert first.pop("generated_at") <= second.pop("generated_at")
    assert first == second
