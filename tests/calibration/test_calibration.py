"""Calibration: the fit recovers known parameters; the shipped file is consistent."""

from __future__ import annotations

import json

import pytest

from gpuatlas.calibration.fitting import LinearTerms, fit_linear_group
from gpuatlas.errors import DataFileError
from gpuatlas.performance.calibration_table import (
    calibration_document,
    calibration_text,
    group_keys,
    parse_calibration,
    shipped_calibration,
)


def test_linear_fit_recovers_efficiency_and_overhead() -> None:
    # Synthetic decode steps made with η = 0.8 and 1.5 ms overhead.
    terms = [
        LinearTerms(x_s=x, overheads=1.0, fixed_s=0.0, measured_s=x / 0.8 + 0.0015, other_s=0.0)
        for x in (0.002, 0.005, 0.010, 0.020, 0.040)
    ]
    for _ in range(7):
        terms += terms  # many rows: the prior's pull becomes negligible
    eta, overhead_ms = fit_linear_group(terms, prior_eta=0.5, prior_overhead_ms=5.0)
    assert eta == pytest.approx(0.8, rel=0.02)
    assert overhead_ms == pytest.approx(1.5, rel=0.05)


def test_linear_fit_with_no_rows_returns_the_prior() -> None:
    eta, overhead_ms = fit_linear_group([], prior_eta=0.6, prior_overhead_ms=2.0)
    assert eta == pytest.approx(0.6)
    assert overhead_ms == pytest.approx(2.0)


def test_group_keys_go_from_general_to_specific() -> None:
    keys = group_keys("decode", "vllm", "hopper/hbm", "8bit")
    assert keys[0] == "decode|vllm|*|*"
    assert keys[-1] == "decode|vllm|hopper/hbm|8bit"
    assert "decode|vllm|hbm|*" in keys


def test_shipped_calibration_has_version_errors_and_bands() -> None:
    calibration = shipped_calibration()
    assert calibration.version
    for kind in ("decode", "prefill", "serving", "image"):
        assert calibration.errors[kind]["n"] > 0
        assert calibration.log_band(kind) > 0
    low, high = calibration.band(100.0, "decode", extrapolated=False)
    assert low < 100.0 < high


def test_calibration_document_round_trips() -> None:
    calibration = parse_calibration(calibration_text())
    document = calibration_document(calibration, "test")
    again = parse_calibration(json.dumps(document))
    assert again.version == calibration.version
    assert again.groups.keys() == calibration.groups.keys()


def test_bad_calibration_file_lists_problems() -> None:
    with pytest.raises(DataFileError, match="version"):
        parse_calibration(json.dumps({"model": "x"}))
