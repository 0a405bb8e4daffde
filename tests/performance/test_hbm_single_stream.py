"""A one-sequence decode step on an HBM GPU reaches a lower share of the fitted memory level
when the engine runs its own mat-vec kernels (engines.toml own_matvec_kernels); the share is
the calibration's (calibration.json hbm_single_stream_memory_share, fitted by gpuatlas
calibrate), the model_constants prior where none was fitted. Batched steps and
vendor-library engines keep the fitted level."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import decode_terms, observations
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.calibration_table import (
    HBM_SINGLE_STREAM_SHARE_PRIOR,
    Calibration,
    shipped_calibration,
    using_calibration,
)
from gpuatlas.performance.cases import case_system
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime

pytestmark = pytest.mark.unit

SHARE = 0.7  # a share as a calibration could have fitted it


def _with_share(share: float, version: str) -> Calibration:
    record = {"share": share, "n": 4.0}
    return replace(shipped_calibration(), version=version, hbm_single_stream=record)


def _library_kernels(runtime: LlmRuntime) -> LlmRuntime:
    """The same runtime with the engine's flag off (its fitted levels unchanged)."""
    return replace(runtime, engine=replace(runtime.engine, own_matvec_kernels=False))


def _memory_side_s(runtime: LlmRuntime, batch: int, context: int) -> float:
    """The step's time without its fixed and per-sequence parts (a memory-bound step)."""
    fixed = runtime.decode_overhead_s + batch * runtime.engine.sequence_overhead_us * 1e-6
    return float(runtime.decode_step_s(batch, context)) - fixed


def test_the_prior_is_the_neutral_share() -> None:
    # Round 13: the prior no longer comes from held-out residuals; 1 = no loss beyond the level.
    assert HBM_SINGLE_STREAM_SHARE_PRIOR == 1.0
    unfitted = replace(shipped_calibration(), hbm_single_stream={})
    assert unfitted.hbm_single_stream_share == 1.0


@pytest.mark.parametrize(
    ("gpu", "engine", "expected"),
    [
        ("a100-80gb-sxm", "llama.cpp", SHARE),
        ("h100-sxm", "llama.cpp-2024", SHARE),
        ("h100-sxm", "mlc-llm", SHARE),
        ("rtx-4090", "llama.cpp", 1.0),  # GDDR: the kernels reach the fitted level
        ("a100-80gb-sxm", "vllm", 1.0),  # cuBLAS / Marlin: library kernels
        ("a100-80gb-sxm", "transformers", 1.0),
    ],
)
def test_who_gets_the_single_stream_share(gpu: str, engine: str, expected: float) -> None:
    with using_calibration(_with_share(SHARE, "test-hbm-who")):
        runtime = llm_runtime(gpu, "llama-2-7b", "fp16", engine)
    assert runtime.single_stream_memory_share == expected


def test_a_batch_one_step_streams_its_bytes_at_the_share_of_the_level() -> None:
    # Llama 2 7B fp16 on an A100 at batch 1 is memory-bound (13.5 GB read for 13.5 GFLOP):
    # the weight-streaming part of the step takes 1/share times as long with own kernels.
    with using_calibration(_with_share(SHARE, "test-hbm-step")):
        own = llm_runtime("a100-80gb-sxm", "llama-2-7b", "fp16", "llama.cpp")
    library = _library_kernels(own)
    ratio = _memory_side_s(own, 1, 512) / _memory_side_s(library, 1, 512)
    assert ratio == pytest.approx(1.0 / SHARE, rel=0.01)


def test_a_batched_step_keeps_the_fitted_level() -> None:
    with using_calibration(_with_share(SHARE, "test-hbm-batched")):
        own = llm_runtime("a100-80gb-sxm", "llama-2-7b", "fp16", "llama.cpp")
    library = _library_kernels(own)
    for batch in (2, 16):
        assert own.decode_step_s(batch, 512) == library.decode_step_s(batch, 512)


def test_the_fit_reads_batch_one_rows_at_the_level_the_predictor_uses() -> None:
    # A batch-1 llama.cpp row on an HBM GPU: the decode fit's memory seconds at 100 % of the
    # level are the bytes at the share of the bandwidth, so the fitted level is the batched one.
    found = [
        item
        for item in observations(load_measurements())
        if item.kind == "decode"
        and item.family.endswith("/hbm")
        and item.case.engine.startswith("llama.cpp")
        and item.case.batch == 1
    ]
    assert found
    item = found[0]
    calibration = _with_share(SHARE, "test-hbm-terms")
    with using_calibration(calibration):
        terms = decode_terms(item)
        runtime = llm_runtime(
            case_system(item.case),
            item.case.model,
            item.case.weights,
            item.case.engine,
            item.case.kv_cache,
        )
    context = (item.case.input_tokens or 0) + (item.case.output_tokens or 0) / 2
    _, moved = runtime.decode_terms(1, context)
    memory_prior = calibration.family_priors(item.family)[0]
    assert terms is not None
    expected_s = float(moved) / runtime.bandwidth_bytes_s / memory_prior / SHARE
    assert terms.x_s == pytest.approx(expected_s, rel=1e-9)
