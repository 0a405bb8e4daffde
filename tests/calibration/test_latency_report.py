"""The accuracy report's latency-under-load section: every packaged row predicted (here with the
shipped calibration as every fold), and the tables naming every metric and source."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from gpuatlas.calibration.validation import CrossValidation, source_key, source_of
from gpuatlas.catalog.latency_under_load import load_latency_under_load
from gpuatlas.performance.calibration_table import current_calibration

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "estimate_accuracy.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("estimate_accuracy", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_latency_row_is_predicted_and_listed_per_metric_and_source() -> None:
    script = _script()
    rows = load_latency_under_load()
    sources = sorted({source_key(row.source) for row in rows})
    folds = CrossValidation([], {source: current_calibration() for source in sources}, source_of)
    errors = {"serving": {"log_band": 0.3}}
    lines = script.latency_report(current_calibration, folds, errors, residuals="latency")
    text = "\n".join(lines)
    assert f"latency rows: {len(rows)}; predicted: {len(rows)} (100% coverage)" in text
    for label in script.LATENCY_LABELS.values():
        assert f"| {label} | all | " in text
    for source in sources:
        assert f"| {source} | ttft_ms | " in text
    residuals = [line for line in lines if ".csv:" in line]
    assert len(residuals) == len(rows)  # --residuals latency lists every row once
