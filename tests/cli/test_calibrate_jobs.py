"""`gpuatlas calibrate --jobs N` runs the cross-validation's folds in N processes and writes
the same calibration a single process writes."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from gpuatlas.cli.main import app

FILES = ("llamacpp_pull_requests.csv", "llamacpp_radeon_threads.csv", "llamacpp_pascal_p40_prs.csv")


def _data(folder: Path) -> Path:
    folder.mkdir()
    packaged = resources.files("gpuatlas.catalog") / "data" / "measurements"
    for name in FILES:
        shutil.copy(Path(str(packaged / name)), folder / name)
    return folder


def _calibrate(data: Path, output: Path, jobs: str) -> dict[str, object]:
    arguments = ["calibrate", "--data", str(data), "--output", str(output), "--jobs", jobs]
    result = CliRunner().invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert isinstance(document, dict)
    return document


def test_folds_in_two_processes_write_the_calibration_one_process_writes(tmp_path: Path) -> None:
    data = _data(tmp_path / "rows")
    one = _calibrate(data, tmp_path / "one.json", "1")
    two = _calibrate(data, tmp_path / "two.json", "2")
    assert one["version"] == two["version"] and one["errors"] == two["errors"]
    assert (tmp_path / "one.json").read_text() == (tmp_path / "two.json").read_text()
    written = json.loads((tmp_path / "two.json").read_text())
    assert written["version"] == two["version"]


def test_zero_jobs_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    data = _data(tmp_path / "rows")
    result = CliRunner().invoke(
        app, ["calibrate", "--data", str(data), "--output", str(tmp_path / "x.json"), "-j", "0"]
    )
    assert result.exit_code != 0
    assert "--jobs" in result.output
    assert not (tmp_path / "x.json").exists()
