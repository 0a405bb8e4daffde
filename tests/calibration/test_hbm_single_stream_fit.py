"""The HBM single-stream share (a one-sequence decode step of an engine's own mat-vec
kernels on an HBM GPU) is a calibrated parameter: fitted inside the calibration fit on the
rows that pay it, so every cross-validation fold refits it; the model_constants prior where
nothing was fitted."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import (
    SINGLE_STREAM_GRID,
    Observation,
    _best_on_grid,
    _shrunk_share,
    fit_hbm_single_stream_share,
    observations,
    predicted_value,
    single_stream_rows,
)
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.calibration_table import (
    HBM_SINGLE_STREAM_SHARE_PRIOR,
    Calibration,
    calibration_document,
    parse_calibration,
    shipped_calibration,
    using_calibration,
)
from gpuatlas.performance.peak_rates import hardware_class

pytestmark = pytest.mark.unit


def _with_share(share: float, version: str) -> Calibration:
    record = {"share": share, "n": 5.0}
    return replace(shipped_calibration(), version=version, hbm_single_stream=record)


def _decode_items(engines: tuple[str, ...]) -> list[Observation]:
    rows = [row for row in load_measurements() if row.engine.startswith(engines)]
    return [item for item in observations(rows) if item.kind == "decode"]


def test_the_share_round_trips_through_the_calibration_file() -> None:
    again = parse_calibration(json.dumps(calibration_document(_with_share(0.73, "t"), "test")))
    assert again.hbm_single_stream_share == pytest.approx(0.73)
    assert again.hbm_single_stream["n"] == 5
    unfitted = replace(shipped_calibration(), hbm_single_stream={})
    document = calibration_document(unfitted, "test")
    assert "hbm_single_stream_memory_share" not in document
    assert parse_calibration(json.dumps(document)).hbm_single_stream_share == 1.0


def test_only_batch_one_rows_of_own_kernels_on_hbm_pay_the_share() -> None:
    items = _decode_items(("llama.cpp", "mlc", "vllm", "transformers"))
    paying = single_stream_rows(items)
    assert paying
    for item in paying:
        assert item.case.batch in (1, None)
        assert hardware_class(gpu_by_id(item.row.gpu)).endswith("/hbm")
        assert not item.case.engine.startswith(("vllm", "transformers"))


def test_a_flat_score_keeps_the_share_nearest_the_prior() -> None:
    best = _best_on_grid(SINGLE_STREAM_GRID, [1.0] * len(SINGLE_STREAM_GRID), 1.0)
    assert all(abs(math.log(best)) <= abs(math.log(share)) for share in SINGLE_STREAM_GRID)


def test_a_fit_without_paying_rows_keeps_the_prior() -> None:
    # Cross-validation folds start from the shipped calibration: its fitted share must not
    # leak into a fold that has no rows to fit it on.
    fitted = fit_hbm_single_stream_share(_with_share(0.6, "test-no-rows"), [])
    assert fitted.hbm_single_stream == {}
    assert fitted.hbm_single_stream_share == HBM_SINGLE_STREAM_SHARE_PRIOR


def test_the_fit_recovers_the_share_the_rows_were_made_with() -> None:
    # llama.cpp and MLC LLM decode rows (GDDR and HBM, every batch) re-measured by the model
    # itself at a share of 0.6: the fit, starting from no groups, finds that share again
    # (within the grid's steps, the refitted levels and the shrinkage toward the prior).
    truth = _with_share(0.6, "test-hbm-truth-0.6")
    made = []
    with using_calibration(truth):
        for item in _decode_items(("llama.cpp", "mlc")):
            value = predicted_value(item)
            if value is not None:
                made.append(replace(item.row, value=value))
    remade = [item for item in observations(made) if item.kind == "decode"]
    start = replace(truth, version="test-hbm-fit-0.6", groups={}, hbm_single_stream={})
    fitted = fit_hbm_single_stream_share(start, remade)
    gpus = fitted.hbm_single_stream["n"]
    assert gpus >= 3
    expected = _shrunk_share(0.6, gpus, HBM_SINGLE_STREAM_SHARE_PRIOR)
    assert fitted.hbm_single_stream_share == pytest.approx(expected, rel=0.1)
    assert fitted.hbm_single_stream_share < 0.75
