"""`gpuatlas calibrate`: fit the efficiencies to the measured rows, write the calibration file
and answer with gpuatlas.calibration/1 (an action of the CLI only: the web never writes files)."""

from __future__ import annotations

import datetime
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from gpuatlas.app.documents import versioned
from gpuatlas.calibration.validation import calibrate
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.calibration_table import (
    Calibration,
    calibration_document,
    calibration_text,
    parse_calibration,
)


def packaged_calibration_path() -> Path:
    """The calibration file shipped with the package (what `calibrate` rewrites by default)."""
    return Path(str(resources.files("gpuatlas.performance") / "data" / "calibration.json"))


def calibrate_document(
    data: Path | None, output: Path | None, jobs: int | None = None
) -> dict[str, Any]:
    """Fit on the rows of `data` (default: the packaged measurements), write the calibration to
    `output` (default: the packaged file) and return gpuatlas.calibration/1: its version, the
    path written and the leave-one-source-out errors per kind. The cross-validation's folds run
    in `jobs` processes (default: one per CPU)."""
    rows = load_measurements(data)
    base = parse_calibration(calibration_text())
    fitted = calibrate(rows, base, datetime.date.today().isoformat(), jobs or default_jobs())
    target, written = write_calibration(fitted, len(rows), output)
    return versioned(
        "calibration",
        {
            "request": {"data": data, "output": output, "jobs": jobs},
            "version": fitted.version,
            "path": target,
            "errors": written["errors"],
        },
    )


def default_jobs() -> int:
    """Fold processes when none are asked for: one per CPU this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def write_calibration(
    fitted: Calibration, row_count: int, output: Path | None
) -> tuple[Path, dict[str, Any]]:
    """Write `fitted` as the calibration file to `output` (default: the packaged file); the
    path written and the document."""
    written = calibration_document(fitted, f"{row_count} measured rows")
    target = output or packaged_calibration_path()
    target.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    return target, written
