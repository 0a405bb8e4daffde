"""A prefill step on an engine profile of an engines.toml eager_prefill_group (SGLang: its extend
forward runs eager PyTorch while decode replays CUDA graphs) takes at least the host time of
its layers, which its GPU work runs under: a short prompt waits for the host, a long one for
the GPU. The time per layer is the group's in the calibration (calibration.json
eager_prefill_layer_us, fitted by gpuatlas calibrate on the group's prefill rows), the
model_constants prior where none was fitted. Engines outside a group do not pay it, and their
decode steps never do."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import gpuatlas.performance.calibration_table as table
from gpuatlas.calibration.fitting import (
    EAGER_PREFILL_US_GRID,
    PRIOR_ROWS,
    eager_prefill_rows,
    fit_eager_prefill_times,
)
from gpuatlas.calibration.fitting import observations as to_observations
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.calibration_table import Calibration, shipped_calibration
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit

LAYER_US = 1000.0  # a host time per layer as a calibration could have fitted it
LLAMA_8B_LAYERS = 32  # Llama-3.1-8B config.json num_hidden_layers


def _with_time(layer_us: float, version: str) -> Calibration:
    times = {"sglang": {"us": layer_us, "n": 1.0}}
    return replace(shipped_calibration(), version=version, eager_prefill=times)


def _prefill_s(calibration: Calibration, engine: str, tokens: int) -> float:
    with table.using_calibration(calibration):
        runtime = llm_runtime("h100-sxm", "llama-3.1-8b", "bf16", engine)
        return float(runtime.prefill_s(tokens))


def _gpu_s(calibration: Calibration, tokens: int) -> float:
    """The prefill without the eager host time: what the GPU work takes."""
    without = replace(
        calibration, version=f"{calibration.version}-gpu", eager_prefill={"sglang": {"us": 0.0}}
    )
    return _prefill_s(without, "sglang", tokens)


def test_a_short_prompt_waits_for_the_host_time_of_every_layer() -> None:
    # 32 layers x 1 ms = 32 ms of host time; 64 tokens of an 8B model read its 16 GB of weights
    # once (~6 ms of H100 time), all of it hidden under the host time.
    calibration = _with_time(LAYER_US, "test-eager-short")
    host_s = LLAMA_8B_LAYERS * LAYER_US * 1e-6
    with table.using_calibration(calibration):
        runtime = llm_runtime("h100-sxm", "llama-3.1-8b", "bf16", "sglang")
        fixed_s = (runtime.prefill.step_overhead_ms + runtime.layers_overhead_ms) * 1e-3
    assert _gpu_s(calibration, 64) - fixed_s < host_s / 4
    assert _prefill_s(calibration, "sglang", 64) == pytest.approx(host_s + fixed_s, rel=1e-9)


def test_a_long_prompt_hides_the_host_time_under_its_gpu_work() -> None:
    # 8,192 tokens of an 8B model, one step: ~130 TFLOP, far more than 32 ms of H100 time,
    # so the step takes what its GPU work takes.
    calibration = _with_time(LAYER_US, "test-eager-long")
    gpu_s = _gpu_s(calibration, 8192)
    assert gpu_s > 4 * LLAMA_8B_LAYERS * LAYER_US * 1e-6
    assert _prefill_s(calibration, "sglang", 8192) == pytest.approx(gpu_s, rel=1e-9)


def test_the_long_prompt_pays_the_host_time_once_per_step_it_is_not_hidden() -> None:
    # each step's host time is hidden up to the GPU time: what remains is added once per step
    calibration = _with_time(LAYER_US, "test-eager-steps")
    with table.using_calibration(calibration):
        runtime = llm_runtime("h100-sxm", "llama-3.1-8b", "bf16", "sglang")
        assert runtime.eager_prefill_host_s == pytest.approx(LLAMA_8B_LAYERS * LAYER_US * 1e-6)
        assert float(runtime.prefill_host_hidden_s(10.0, 3)) == pytest.approx(
            3 * runtime.eager_prefill_host_s
        )
        assert float(runtime.prefill_host_hidden_s(0.001, 3)) == pytest.approx(0.001)


def test_decode_steps_replay_graphs_and_pay_no_eager_time() -> None:
    with table.using_calibration(_with_time(LAYER_US, "test-eager-decode-on")):
        paying = llm_runtime("h100-sxm", "llama-3.1-8b", "bf16", "sglang").decode_step_s(1, 512)
    with table.using_calibration(_with_time(0.0, "test-eager-decode-off")):
        free = llm_runtime("h100-sxm", "llama-3.1-8b", "bf16", "sglang").decode_step_s(1, 512)
    assert float(paying) == float(free)


def test_vllm_pays_no_eager_prefill_time() -> None:
    on = _prefill_s(_with_time(LAYER_US, "test-eager-vllm-on"), "vllm", 64)
    off = _prefill_s(_with_time(0.0, "test-eager-vllm-off"), "vllm", 64)
    assert on == off


@pytest.mark.parametrize(
    ("engine", "group"),
    [("sglang", "sglang"), ("sglang rocm", "sglang"), ("vllm", ""), ("llama.cpp", "")],
)
def test_who_belongs_to_an_eager_prefill_group(engine: str, group: str) -> None:
    assert resolve_engine(engine).eager_prefill_group == group


def test_the_prior_and_an_engine_without_a_group() -> None:
    unfitted = replace(shipped_calibration(), eager_prefill={})
    assert unfitted.eager_prefill_layer_us("sglang") == table.EAGER_PREFILL_LAYER_US_PRIOR
    assert table.EAGER_PREFILL_LAYER_US_PRIOR == 700.0
    assert _with_time(LAYER_US, "test-eager-none").eager_prefill_layer_us("") == 0.0


def test_the_times_round_trip_through_the_calibration_file() -> None:
    document = table.calibration_document(_with_time(812.5, "test-eager-file"), "test")
    assert document["eager_prefill_layer_us"] == {"sglang": {"us": 812.5, "n": 1}}
    again = table.parse_calibration(json.dumps(document))
    assert again.eager_prefill_layer_us("sglang") == pytest.approx(812.5)
    unfitted = table.calibration_document(replace(shipped_calibration(), eager_prefill={}), "test")
    assert "eager_prefill_layer_us" not in unfitted


def _prefill_items() -> list:
    return [i for i in to_observations(load_measurements()) if i.kind == "prefill"]


def test_the_fit_reads_the_groups_prefill_rows_and_shrinks_by_their_gpus() -> None:
    prefill = _prefill_items()
    paying = eager_prefill_rows(prefill)["sglang"]
    assert paying and all(item.row.engine == "sglang" for item in paying)
    start = replace(shipped_calibration(), version="test-eager-fit")
    record = fit_eager_prefill_times(start, prefill).eager_prefill["sglang"]
    gpus = len({item.row.gpu for item in paying})
    assert record["n"] == gpus
    prior = table.EAGER_PREFILL_LAYER_US_PRIOR
    unshrunk = (record["us"] * (gpus + PRIOR_ROWS) - PRIOR_ROWS * prior) / gpus
    assert min(abs(unshrunk - us) for us in EAGER_PREFILL_US_GRID) == pytest.approx(0.0, abs=1e-6)


def test_without_paying_rows_the_fit_keeps_the_prior() -> None:
    others = [item for item in _prefill_items() if item.row.engine != "sglang"]
    fitted = fit_eager_prefill_times(replace(shipped_calibration(), version="test-eager-0"), others)
    assert fitted.eager_prefill == {}
