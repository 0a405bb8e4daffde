"""mlx-lm wires the model's weights into GPU residency at every generate call (generate.py
wired_limit; MLX ResidencySets::resize), so one run's prompt pays a time per GB of weights that
calibrate fits per prefill group; served requests and other engines pay none."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from gpuatlas.calibration.fitting import MAX_NEUTRAL_ETA, OVERHEAD_SCALE_MS, PRIOR_ROWS
from gpuatlas.calibration.kernel_fit import WIRE_MS_PER_GB_SCALE, fit_kernel_overhead_group
from gpuatlas.performance.calibration_table import shipped_calibration, using_calibration
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.predict import llm_runtime, predict_runtime

pytestmark = pytest.mark.unit


def _wire_calibration(ms_per_gb: float):  # type: ignore[no-untyped-def]
    base = shipped_calibration()
    groups = dict(base.groups)
    keys = [key for key in groups if key.startswith("prefill|mlx-lm|")] or ["prefill|mlx-lm|*|*"]
    for key in keys:  # every mlx-lm prefill group, so that no fitted value overrides it
        groups[key] = {**groups.get(key, {}), "wire_ms_per_gb": ms_per_gb}
    return replace(base, version=f"test-wire-{ms_per_gb}", groups=groups)


def test_only_mlx_lm_wires_its_weights_per_call() -> None:
    assert resolve_engine("mlx-lm").wires_weights_per_call
    assert not resolve_engine("llama.cpp").wires_weights_per_call
    with using_calibration(_wire_calibration(10.0)):
        runtime = llm_runtime("apple-m4-max-40c", "qwen3-8b", "q4_k_m", "llama.cpp")
        assert runtime.call_wire_s == 0.0


def test_a_call_pays_the_weights_gb_times_the_fitted_time() -> None:
    with using_calibration(_wire_calibration(10.0)):
        runtime = llm_runtime("apple-m4-max-40c", "qwen3-8b", "mlx-4bit", "mlx-lm")
        held_gb = runtime.shape.held_weight_bytes / 1e9
        assert runtime.call_wire_s == pytest.approx(held_gb * 10.0e-3)
        assert 3.0 < held_gb < 6.0  # an 8B model at ~4.5 bits per weight


def test_the_wiring_time_is_in_a_runs_first_token_not_in_its_decode() -> None:
    def run(ms_per_gb: float):  # type: ignore[no-untyped-def]
        with using_calibration(_wire_calibration(ms_per_gb)):
            runtime = llm_runtime("apple-m4-max-40c", "qwen3-8b", "mlx-4bit", "mlx-lm")
            return predict_runtime(runtime, batch=1, input_tokens=512, output_tokens=128)

    slow, fast = run(10.0), run(0.0)
    with using_calibration(_wire_calibration(10.0)):
        wire_ms = (
            llm_runtime("apple-m4-max-40c", "qwen3-8b", "mlx-4bit", "mlx-lm").call_wire_s * 1e3
        )
    assert slow.ttft_ms.value - fast.ttft_ms.value == pytest.approx(wire_ms, rel=1e-6)
    assert slow.tpot_ms.value == pytest.approx(fast.tpot_ms.value)


@dataclass(frozen=True)
class _Terms:
    x_s: float
    overheads: float
    fixed_s: float
    measured_s: float
    other_s: float = 0.0
    weight: float = 1.0
    kernels: float = 0.0  # here: MB of weights wired per call


def test_fit_recovers_the_wiring_time_per_gb() -> None:
    # prompts of 128-2048 tokens on 15 and 28 GB of weights, made with η 0.8, 0.6 ms per step
    # and 14 ms per GB (each shape 5 times); the uninformative prior (0 ± 100 ms/GB) lets the
    # rows decide
    eta, overhead_s, ms_per_gb = 0.8, 0.6e-3, 14.0
    shapes = [(0.1, 15e3), (0.4, 15e3), (1.6, 15e3), (0.1, 28e3), (0.4, 28e3), (1.6, 28e3)]
    terms = [
        _Terms(x, 1.0, 0.0, x / eta + overhead_s + mb * ms_per_gb * 1e-6, kernels=mb)
        for x, mb in shapes * 5
    ]
    fitted_eta, _, fitted = fit_kernel_overhead_group(
        terms,
        (0.7, 0.6, 0.0),
        PRIOR_ROWS,
        OVERHEAD_SCALE_MS,
        MAX_NEUTRAL_ETA,
        WIRE_MS_PER_GB_SCALE,
    )
    assert fitted == pytest.approx(14.0, abs=0.5)
    assert fitted_eta == pytest.approx(0.8, rel=0.03)
