"""A result is never lost: `bench run ... -o results/` wrote a file called results and the next
run overwrote it; an existing result file is refused before the run. Importing one file twice
gives one id (stored once), not a new random id each time (n = 2 from one run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.bench.importers import import_file
from gpuatlas.cli.main import app

pytestmark = pytest.mark.unit
REAL = Path(__file__).resolve().parents[1] / "fixtures" / "bench" / "real" / "vllm-c4.json"


def _import(*options: str) -> int:
    return CliRunner().invoke(app, ["bench", "import", str(REAL), *options]).exit_code


def test_an_output_without_json_is_a_folder_of_results(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    assert _import("-o", str(folder)) == 0
    (written,) = folder.iterdir()
    assert written.name.startswith("external-vllm-bench-serve-") and written.suffix == ".json"


def test_an_existing_result_file_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    target.write_text("{}", encoding="utf-8")
    assert _import("-o", str(target)) == 2
    assert target.read_text(encoding="utf-8") == "{}"


def test_one_file_imported_twice_has_one_id(tmp_path: Path) -> None:
    first, again = import_file(REAL), import_file(REAL)
    assert [r.result_id for r in first] == [r.result_id for r in again]
    document = json.loads(REAL.read_text(encoding="utf-8"))
    document["output_throughput"] = float(document["output_throughput"]) + 1.0
    other = tmp_path / "other-run.json"
    other.write_text(json.dumps(document), encoding="utf-8")
    assert import_file(other)[0].result_id != first[0].result_id  # another run, another id


def test_a_guidellm_import_is_dated_when_it_ran_not_when_imported() -> None:
    (result,) = import_file(REAL.parent / "guidellm-c4.json")  # its scheduler started 23:22:25
    assert str(result.created_at).startswith("2026-12-01T23:22:25")
