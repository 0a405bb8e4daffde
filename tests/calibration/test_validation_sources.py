"""Leave-one-source-out validation: what a source is, that a held-out source never helps
predict itself, range coverage, and that held-out rows stay out of the calibration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from gpuatlas.calibration import validation
from gpuatlas.calibration.fitting import observations
from gpuatlas.calibration.validation import (
    Prediction,
    cross_validate,
    honest_errors,
    inside_range,
    source_key,
    source_of,
)
from gpuatlas.catalog.measurements import (
    MeasuredRow,
    all_measurements,
    load_holdout,
    load_measurements,
)
from gpuatlas.performance.calibration_table import Calibration, shipped_calibration


@pytest.mark.parametrize(
    ("source", "publication"),
    [
        (
            "https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference (README.md @00dd2bd)",
            "github.com/xiongjiedai/gpu-benchmarks-on-llm-inference",
        ),
        (
            "https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference (LLaMA 3/A40_v3.ipynb)",
            "github.com/xiongjiedai/gpu-benchmarks-on-llm-inference",
        ),
        (
            "https://github.com/ggml-org/llama.cpp/discussions/4167#discussioncomment-7561",
            "github.com/ggml-org/llama.cpp/discussions/4167",
        ),
        (
            "https://github.com/ggml-org/llama.cpp/pull/4766 (PR 'ggml-backend integration')",
            "github.com/ggml-org/llama.cpp/pull/4766",
        ),
        (
            "https://github.com/ollama/ollama/issues/2195?x=1",
            "github.com/ollama/ollama/issues/2195",
        ),
        (
            "https://github.com/NVIDIA/TensorRT-LLM/blob/v0.6.1/docs/source/performance.md",
            "github.com/nvidia/tensorrt-llm",
        ),
        (
            "https://www.databasemart.com/blog/vllm-gpu-benchmark-a40/ ('A40 vLLM Benchmark')",
            "databasemart.com/blog/vllm-gpu-benchmark-a40",
        ),
        (
            "GPU Atlas seed page shared/seeds/001.txt ('A100 vs RTX 4090')",
            "gpu atlas seed page shared/seeds/001.txt",
        ),
    ],
)
def test_a_source_is_the_publication_not_the_row(source: str, publication: str) -> None:
    assert source_key(source) == publication


def test_rows_of_one_repository_share_one_source_and_the_data_set_has_many() -> None:
    rows = all_measurements()
    by_source = {source_of(row) for row in rows}
    xiongjie = {source_of(r) for r in rows if "XiongjieDai" in r.source}
    assert len(xiongjie) == 1  # README and notebooks of one repository: one publication
    assert len(by_source) >= 15


def test_leave_one_source_out_never_fits_on_the_held_out_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [r for r in all_measurements() if r.metric == "decode_tok_s"]
    seen: list[tuple[str, set[str]]] = []

    def recording_fit(
        training: Sequence[MeasuredRow], base: Calibration, version: str
    ) -> Calibration:
        # what each fold trains on is the point; the fit itself (minutes: every fitted share is
        # refitted per fold) is not, so each fold predicts with the shipped calibration
        seen.append((version, {source_of(r) for r in training}))
        return replace(base, version=version)

    monkeypatch.setattr(validation, "fit_calibration", recording_fit)
    result = cross_validate(rows, shipped_calibration(), source_of)
    sources = {source_of(r) for r in rows}
    assert len(seen) == len(sources)
    for version, trained_on in seen:
        held_out = version.removeprefix("cv-without-")
        assert held_out in sources and held_out not in trained_on
        assert trained_on == sources - {held_out}
    assert result.predictions
    assert {source_of(p.observation.row) for p in result.predictions} <= sources


def test_folds_fitted_in_worker_processes_give_the_same_cross_validation() -> None:
    files = (
        "llamacpp_pull_requests.csv",
        "llamacpp_radeon_threads.csv",
        "llamacpp_pascal_p40_prs.csv",
    )
    rows = [r for r in all_measurements() if r.file in files]
    assert len({source_of(r) for r in rows}) >= 3
    one = cross_validate(rows, shipped_calibration(), source_of)
    two = cross_validate(rows, shipped_calibration(), source_of, jobs=2)
    assert one.predictions and [p.predicted for p in two.predictions] == [
        p.predicted for p in one.predictions
    ]
    assert [p.observation.row for p in two.predictions] == [
        p.observation.row for p in one.predictions
    ]
    assert two.fitted_by_group == one.fitted_by_group


def _prediction(ratio: float, extrapolated: bool = False) -> Prediction:
    row = next(r for r in all_measurements() if r.metric == "decode_tok_s")
    item = observations([row])[0]
    return Prediction(item, row.value * ratio, extrapolated)


def test_inside_range_uses_the_kinds_band_and_widens_extrapolated_cases() -> None:
    errors = {"decode": {"n": 10.0, "median_ape": 0.05, "p90_ape": 0.2, "log_band": 0.1}}
    assert inside_range(_prediction(1.05), errors)
    assert inside_range(_prediction(0.92), errors)
    assert not inside_range(_prediction(1.15), errors)
    assert inside_range(_prediction(1.15, extrapolated=True), errors)  # 0.1 x 1.75 = 0.175


def test_honest_errors_report_loso_figures_with_the_wider_band() -> None:
    narrow = [_prediction(1.02), _prediction(1.04), _prediction(0.97)]
    wide = [_prediction(1.5), _prediction(0.6), _prediction(1.3)]
    errors = honest_errors(narrow, wide)
    assert errors["decode"]["median_ape"] == pytest.approx(0.03)
    assert errors["decode"]["log_band"] >= 0.26  # from the wider cross-validation


def test_shipped_bands_are_at_least_the_leave_one_source_out_errors() -> None:
    calibration = shipped_calibration()
    for kind in ("decode", "prefill", "serving", "image", "train"):
        record = calibration.errors[kind]
        assert record["log_band"] >= 0.05
        assert record["median_ape"] > 0


def test_held_out_rows_never_reach_the_calibration() -> None:
    packaged = {row.row_id for row in load_measurements()}
    held_out = load_holdout()
    assert held_out
    assert not {row.row_id for row in held_out} & packaged
    assert all(row.file not in {r.file for r in load_measurements()} for row in held_out)
    packaged_sources = {source_of(r) for r in load_measurements()}
    assert not {source_of(r) for r in held_out} & packaged_sources
