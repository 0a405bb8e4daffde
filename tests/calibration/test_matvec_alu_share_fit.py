"""The mat-vec ALU issue share is a calibrated parameter: fitted per backend inside the
calibration fit (so every cross-validation fold refits it), pooled over every backend as the
fallback, the model_constants prior where nothing was fitted."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import (
    MATVEC_SHARE_GRID,
    PRIOR_ROWS,
    Observation,
    _best_share,
    _shrunk_share,
    fit_matvec_alu_shares,
    observations,
    predicted_value,
)
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.calibration_table import (
    ALL_BACKENDS,
    MATVEC_ALU_SHARE_PRIOR,
    Calibration,
    calibration_document,
    parse_calibration,
    shipped_calibration,
    using_calibration,
)
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit


def _with_shares(shares: dict[str, float], version: str = "test-shares") -> Calibration:
    records = {backend: {"share": share, "n": 3.0} for backend, share in shares.items()}
    return replace(shipped_calibration(), version=version, matvec_alu_shares=records)


def test_a_backend_uses_its_share_else_the_pooled_one_else_the_prior() -> None:
    calibration = _with_shares({"metal": 0.3, ALL_BACKENDS: 0.5})
    assert calibration.matvec_alu_share("metal") == 0.3
    assert calibration.matvec_alu_share("vulkan") == 0.5
    unfitted = replace(calibration, matvec_alu_shares={})
    assert unfitted.matvec_alu_share("metal") == MATVEC_ALU_SHARE_PRIOR


def test_the_runtime_takes_the_share_of_the_backend_it_runs_on() -> None:
    calibration = _with_shares({"metal": 0.3, "vulkan": 0.9, "cuda": 0.6}, "test-runtime-shares")
    with using_calibration(calibration):
        apple = llm_runtime("apple-m2-ultra-76c", "llama-2-7b", "q4_k_m", "llama.cpp")
        vulkan = llm_runtime("rx-7900-xtx", "llama-2-7b", "q4_k_m", "llama.cpp vulkan")
        p40 = llm_runtime("p40", "llama-2-7b", "q4_k_m", "llama.cpp")
        ada = llm_runtime("rtx-4090", "llama-2-7b", "q4_k_m", "llama.cpp")
    assert apple.matvec_alu_issue_share == 0.3
    assert vulkan.matvec_alu_issue_share == 0.9
    assert p40.matvec_alu_issue_share == 0.6
    assert ada.matvec_alu_issue_share == 0.0  # a separate INT32 pipe: no ALU term at all


def test_a_lower_share_makes_the_alu_work_take_longer() -> None:
    runtime = llm_runtime("p40", "llama-2-7b", "q2_k", "llama.cpp")
    half = replace(runtime, matvec_alu_issue_share=0.25)
    full = replace(runtime, matvec_alu_issue_share=0.5)
    assert float(half.matvec_alu_bytes(1)) == pytest.approx(2.0 * float(full.matvec_alu_bytes(1)))


def test_the_shares_round_trip_through_the_calibration_file() -> None:
    calibration = _with_shares({"metal": 0.31, ALL_BACKENDS: 0.42})
    again = parse_calibration(json.dumps(calibration_document(calibration, "test")))
    assert again.matvec_alu_share("metal") == pytest.approx(0.31)
    assert again.matvec_alu_share("rocm") == pytest.approx(0.42)
    assert again.matvec_alu_shares["metal"]["n"] == 3


def test_a_flat_score_keeps_the_share_nearest_the_parent() -> None:
    scores = [1.0] * len(MATVEC_SHARE_GRID)
    parent = 0.4
    best = _best_share(scores, parent)
    assert all(abs(math.log(best / parent)) <= abs(math.log(s / parent)) for s in MATVEC_SHARE_GRID)


def test_a_share_of_few_gpus_is_shrunk_toward_its_parent() -> None:
    # PRIOR_ROWS pseudo-GPUs at the parent: one GPU moves a third of the way in log space.
    assert _shrunk_share(0.2, 0.0, 0.5) == pytest.approx(0.5)
    expected = math.exp((math.log(0.2) + PRIOR_ROWS * math.log(0.5)) / (1.0 + PRIOR_ROWS))
    assert _shrunk_share(0.2, 1.0, 0.5) == pytest.approx(expected)
    assert _shrunk_share(0.2, 1e6, 0.5) == pytest.approx(0.2, rel=1e-4)


def test_a_fit_keeps_no_share_of_the_calibration_it_starts_from() -> None:
    # Cross-validation folds start from the shipped calibration: its fitted shares must not
    # leak into a fold that has no rows to fit them on.
    start = _with_shares({"metal": 0.3, ALL_BACKENDS: 0.5})
    assert fit_matvec_alu_shares(start, []).matvec_alu_shares == {}


def test_the_fit_recovers_the_share_the_rows_were_made_with() -> None:
    # Apple llama.cpp decode rows re-measured by the model itself at a share of 0.3 on Metal:
    # the fit, starting from no groups, finds that share again (within the grid's 1.2x
    # step and the shrinkage of the pooled value toward the prior).
    truth = _with_shares({ALL_BACKENDS: 0.3}, "test-truth-0.3")
    rows = [
        row
        for row in load_measurements()
        if row.gpu.startswith("apple-") and row.engine.startswith("llama.cpp")
    ]
    items = [item for item in observations(rows) if item.kind == "decode"]
    made = []
    with using_calibration(truth):
        for item in items:
            value = predicted_value(item)
            if value is not None:
                made.append(replace(item.row, value=value))
    remade = [item for item in observations(made) if item.kind == "decode"]
    assert len(remade) > 50
    start = replace(truth, version="test-fit-0.3", groups={}, matvec_alu_shares={})
    fitted = fit_matvec_alu_shares(start, remade)
    assert fitted.matvec_alu_share("metal") == pytest.approx(0.3, rel=0.15)
    assert fitted.matvec_alu_shares["metal"]["n"] > 10


def test_an_era_uses_its_share_else_its_backends() -> None:
    calibration = _with_shares({"metal/2026": 0.8, "metal": 0.3, ALL_BACKENDS: 0.5})
    assert calibration.matvec_alu_share("metal", "2026") == 0.8
    assert calibration.matvec_alu_share("metal") == 0.3
    assert calibration.matvec_alu_share("vulkan", "2026") == 0.5
    without_era = _with_shares({"metal": 0.3, ALL_BACKENDS: 0.5})
    assert without_era.matvec_alu_share("metal", "2026") == 0.3


def test_current_metal_builds_pay_the_era_share_and_older_builds_the_backends() -> None:
    calibration = _with_shares({"metal/2026": 0.8, "metal": 0.3}, "test-era-shares")
    with using_calibration(calibration):
        current = llm_runtime("apple-m4-10c", "llama-2-7b", "q4_k_m", "llama.cpp b9600")
        older = llm_runtime("apple-m4-10c", "llama-2-7b", "q4_k_m", "llama.cpp b4000")
        ollama_now = llm_runtime("apple-m4-10c", "llama-2-7b", "q4_k_m", "ollama 0.31.2")
        ollama_before = llm_runtime("apple-m4-10c", "llama-2-7b", "q4_k_m", "ollama 0.20.0")
    assert current.matvec_alu_issue_share == 0.8
    assert older.matvec_alu_issue_share == 0.3
    assert ollama_now.matvec_alu_issue_share == 0.8  # v0.30.0 on: the bundled llama-server
    assert ollama_before.matvec_alu_issue_share == 0.3


def _remade_apple_decode(truth: Calibration, engine_prefix: str) -> list[Observation]:
    """The data set's Apple decode rows of an engine, re-measured by the model at `truth`."""
    rows = [
        row
        for row in load_measurements()
        if row.gpu.startswith("apple-") and row.engine.startswith(engine_prefix)
    ]
    made = []
    with using_calibration(truth):
        for item in observations(rows):
            value = predicted_value(item) if item.kind == "decode" else None
            if value is not None:
                made.append(replace(item.row, value=value))
    return [item for item in observations(made) if item.kind == "decode"]


def test_an_eras_rows_fit_its_own_share_and_leave_the_backends() -> None:
    # Older Metal builds re-measured at a share of 0.3, the builds from b9437 at 0.9: the
    # backend keeps 0.3, the era's share moves from it toward 0.9 by its GPUs' weight.
    truth = _with_shares({"metal/2026": 0.9, ALL_BACKENDS: 0.3}, "test-truth-era")
    remade = _remade_apple_decode(truth, "llama.cpp")
    start = replace(truth, version="test-fit-era", groups={}, matvec_alu_shares={})
    fitted = fit_matvec_alu_shares(start, remade)
    era = fitted.matvec_alu_shares["metal/2026"]
    assert fitted.matvec_alu_share("metal") == pytest.approx(0.3, rel=0.15)
    assert era["n"] >= 2
    weight = era["n"] / (era["n"] + PRIOR_ROWS)
    expected = math.exp(weight * math.log(0.9) + (1 - weight) * math.log(0.3))
    assert era["share"] == pytest.approx(expected, rel=0.2)


def test_another_engines_rows_pay_the_share_but_do_not_fit_it() -> None:
    # Ollama's Metal rows re-measured by the model at a share of 1.5, llama.cpp's at 0.3: the
    # shares fitted on llama.cpp's own rows are those fitted without the Ollama rows.
    start = _with_shares({}, "test-fit-engines")
    start = replace(start, groups={})
    own = _remade_apple_decode(_with_shares({ALL_BACKENDS: 0.3}, "test-truth-own"), "llama.cpp")
    other = _remade_apple_decode(_with_shares({ALL_BACKENDS: 1.5}, "test-truth-other"), "ollama")
    assert len(other) >= 5
    alone = fit_matvec_alu_shares(start, own).matvec_alu_shares
    both = fit_matvec_alu_shares(start, [*own, *other]).matvec_alu_shares
    assert both == alone
