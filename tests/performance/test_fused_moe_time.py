"""A decode step of a MoE model on an engine profile with engines.toml fused_moe_group (SGLang
on ROCm: AITER's fused-MoE path) pays a fixed time per MoE layer, whether it runs alone or in a
serving batch. The time is the group's in the calibration (calibration.json fused_moe_layer_us,
fitted by gpuatlas calibrate on the group's MoE serving rows), the model_constants prior where
none was fitted. Dense models and engines of other groups do not pay it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import gpuatlas.performance.calibration_table as table
from gpuatlas.calibration.fitting import (
    FUSED_MOE_US_GRID,
    PRIOR_ROWS,
    fit_fused_moe_times,
    fused_moe_rows,
)
from gpuatlas.calibration.fitting import observations as to_observations
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.calibration_table import Calibration, shipped_calibration
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit

LAYER_US = 100.0  # a time per MoE layer as a calibration could have fitted it
QWEN3_MOE_LAYERS = 48  # Qwen3-30B-A3B config.json: 48 layers, every one MoE (128 experts, 8 used)


def _with_time(layer_us: float, version: str) -> Calibration:
    times = {"sglang-rocm": {"us": layer_us, "n": 1.0}}
    return replace(shipped_calibration(), version=version, fused_moe=times)


def _step_s(calibration: Calibration, model: str, weights: str, engine: str, batch: int) -> float:
    with table.using_calibration(calibration):
        runtime = llm_runtime("mi300x", model, weights, engine)
    return float(runtime.decode_step_s(batch, 1024))


@pytest.mark.parametrize("batch", [1, 16])
def test_a_moe_step_on_sglang_rocm_pays_each_moe_layer_once(batch: int) -> None:
    # 48 MoE layers x 100 us = 4.8 ms per decode step of Qwen3-30B-A3B, the same at one
    # sequence and at sixteen (the time is per step, not per token of the batch).
    with_time = _with_time(LAYER_US, "test-fused-moe-on")
    without = _with_time(0.0, "test-fused-moe-off")
    extra = _step_s(with_time, "qwen3-30b-a3b", "fp8", "sglang-rocm", batch)
    extra -= _step_s(without, "qwen3-30b-a3b", "fp8", "sglang-rocm", batch)
    assert extra == pytest.approx(QWEN3_MOE_LAYERS * LAYER_US * 1e-6, rel=1e-9)


def test_a_dense_model_pays_nothing() -> None:
    with_time = _with_time(LAYER_US, "test-fused-moe-dense-on")
    without = _with_time(0.0, "test-fused-moe-dense-off")
    extra = _step_s(with_time, "qwen3-8b", "bf16", "sglang-rocm", 1)
    extra -= _step_s(without, "qwen3-8b", "bf16", "sglang-rocm", 1)
    assert extra == 0.0


@pytest.mark.parametrize(
    ("engine", "group"),
    [
        ("sglang-rocm", "sglang-rocm"),
        ("sglang", ""),  # CUDA: its rows show no such time
        ("vllm", ""),
        ("vllm-rocm", ""),  # no MoE row of vLLM on ROCm calibrates one yet
        ("llama.cpp", ""),  # pays llama.cpp's own time per MoE layer (moe_layer_time)
    ],
)
def test_who_belongs_to_a_fused_moe_group(engine: str, group: str) -> None:
    assert resolve_engine(engine).fused_moe_group == group


def test_the_prior_and_an_engine_without_a_group() -> None:
    unfitted = replace(shipped_calibration(), fused_moe={})
    assert unfitted.fused_moe_layer_us("sglang-rocm") == table.MOE_LAYER_US_PRIOR == 0.0
    assert _with_time(LAYER_US, "test-fused-moe-none").fused_moe_layer_us("") == 0.0


def test_the_times_round_trip_through_the_calibration_file() -> None:
    document = table.calibration_document(_with_time(42.5, "test-fused-moe-file"), "test")
    assert document["fused_moe_layer_us"] == {"sglang-rocm": {"us": 42.5, "n": 1}}
    again = table.parse_calibration(json.dumps(document))
    assert again.fused_moe_layer_us("sglang-rocm") == pytest.approx(42.5)
    unfitted = table.calibration_document(replace(shipped_calibration(), fused_moe={}), "test")
    assert "fused_moe_layer_us" not in unfitted


def test_the_fit_reads_the_groups_moe_serving_rows_and_shrinks_by_their_gpus() -> None:
    serving = [i for i in to_observations(load_measurements()) if i.kind == "serving"]
    paying = fused_moe_rows(serving)["sglang-rocm"]
    assert paying and all(item.row.engine == "sglang" for item in paying)
    fitted = fit_fused_moe_times(replace(shipped_calibration(), version="test-fused-fit"), serving)
    record = fitted.fused_moe["sglang-rocm"]
    gpus = len({item.row.gpu for item in paying})
    assert record["n"] == gpus
    unshrunk = record["us"] * (gpus + PRIOR_ROWS) / gpus  # the prior is 0
    assert min(abs(unshrunk - us) for us in FUSED_MOE_US_GRID) == pytest.approx(0.0, abs=1e-9)


def test_without_paying_rows_the_fit_keeps_the_prior() -> None:
    dense = [
        item
        for item in to_observations(load_measurements())
        if item.kind == "serving" and item.row.gpu.startswith("mi3") and item.row.engine == "vllm"
    ]
    assert dense
    fitted = fit_fused_moe_times(replace(shipped_calibration(), version="test-fused-none"), dense)
    assert fitted.fused_moe == {}
