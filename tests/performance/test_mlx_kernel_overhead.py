"""mlx-lm pays a time per dependent stage of the kernels a step launches: the kernels and the
stages (kernels that must wait for each other; MLX runs the others concurrently between
barriers) are counted from mlx-lm's model code (llm/step_kernels.py), the time per stage is
fitted per decode group by calibrate (calibration/kernel_fit.py), and a step of an engine
without the term pays none."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from gpuatlas.calibration.fitting import MAX_NEUTRAL_ETA, OVERHEAD_SCALE_MS, PRIOR_ROWS
from gpuatlas.calibration.kernel_fit import KERNEL_US_GRID, fit_kernel_overhead_group
from gpuatlas.performance.calibration_table import (
    parse_calibration,
    shipped_calibration,
    using_calibration,
)
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_kernels import kernels_per_token, stages_per_token
from gpuatlas.performance.resolve import as_model

pytestmark = pytest.mark.unit


def test_dense_layer_kernels_from_mlx_lm_code() -> None:
    # Qwen3-0.6B: 28 layers x (attention 12 + q/k norms 2 + gated MLP 6) + 6 per token
    assert kernels_per_token(as_model("qwen3-0.6b")) == 28 * (12 + 2 + 6) + 6


def test_routed_expert_layer_kernels() -> None:
    # Qwen3-30B-A3B: 48 layers, every one with routed experts (14 kernels) and no shared expert
    assert kernels_per_token(as_model("qwen3-30b-a3b")) == 48 * (12 + 2 + 14) + 6


def test_linear_attention_layer_kernels() -> None:
    # Qwen3.6-27B: 48 Gated DeltaNet layers (19) and 16 gated softmax-attention layers (16)
    assert kernels_per_token(as_model("qwen3.6-27b")) == 48 * 19 + 16 * (12 + 2 + 2) + 64 * 6 + 6


def test_gemma_extra_norms_are_kernels() -> None:
    # Gemma 3 1B: four norms per layer, two beyond the block counts
    assert kernels_per_token(as_model("gemma-3-1b")) == 26 * (12 + 2 + 6 + 2) + 6


def test_dense_layer_stages_from_mlx_lm_code() -> None:
    # Qwen3-0.6B: 28 x (attention 8: q/k/v together, the two cache updates together; + the
    # q/k norms 1; gated MLP 5: gate and up together) + 6 per token
    assert stages_per_token(as_model("qwen3-0.6b")) == 28 * (8 + 1 + 5) + 6


def test_routed_expert_layer_stages() -> None:
    # Qwen3-30B-A3B: routed experts 10 (up/gate gather_qmm together, the score arithmetic beside)
    assert stages_per_token(as_model("qwen3-30b-a3b")) == 48 * (8 + 1 + 10) + 6


def test_linear_attention_and_shared_expert_stages() -> None:
    # Qwen3.6-35B-A3B: 30 Gated DeltaNet layers (13 of their 19 kernels are a chain), 10 gated
    # attention layers (8 + 1 + 1), every layer routed experts (10) + one shared expert beside
    # them (1: its add)
    assert stages_per_token(as_model("qwen3.6-35b-a3b")) == 30 * 13 + 10 * 10 + 40 * 11 + 6


def test_concurrent_kernels_cost_less_than_one_each() -> None:
    # every block has kernels that run beside others, so a step has fewer stages than kernels
    for name in ("qwen3-0.6b", "qwen3-30b-a3b", "qwen3.6-27b", "gemma-3-1b"):
        model = as_model(name)
        assert stages_per_token(model) < kernels_per_token(model)


def _mlx_calibration(kernel_us: float):  # type: ignore[no-untyped-def]
    base = shipped_calibration()
    groups = dict(base.groups)
    keys = [key for key in groups if key.startswith("decode|mlx-lm|")] or ["decode|mlx-lm|*|*"]
    for key in keys:  # every mlx-lm decode group, so that no fitted value overrides it
        groups[key] = {**groups.get(key, {}), "kernel_overhead_us": kernel_us}
    return replace(base, version=f"test-kernels-{kernel_us}", groups=groups)


def _runtime(engine: str, weights: str):  # type: ignore[no-untyped-def]
    return llm_runtime("apple-m4-max-40c", "qwen3-0.6b", weights, engine)


def test_step_pays_stages_times_the_fitted_time() -> None:
    # Qwen3-0.6B: 398 dependent stages (566 kernels)
    with using_calibration(_mlx_calibration(4.0)):
        runtime = _runtime("mlx-lm", "mlx-4bit")
        assert runtime.kernels_ms == pytest.approx(398 * 4.0e-3)
        slow = runtime.decode_step_s(1, 512)
    with using_calibration(_mlx_calibration(0.0)):
        fast = _runtime("mlx-lm", "mlx-4bit").decode_step_s(1, 512)
    assert slow - fast == pytest.approx(398 * 4.0e-6, rel=1e-6)


def test_engine_without_the_term_pays_nothing_per_kernel() -> None:
    assert resolve_engine("transformers").kernel_overhead_us == 0.0
    with using_calibration(_mlx_calibration(4.0)):
        assert _runtime("transformers", "fp16").kernels_ms == 0.0


def test_mlx_prompt_chunk_is_generate_step_prefill_step_size() -> None:
    assert resolve_engine("mlx-lm").prefill_chunk_tokens == 2048


@dataclass(frozen=True)
class _Terms:
    x_s: float
    overheads: float
    fixed_s: float
    measured_s: float
    other_s: float = 0.0
    weight: float = 1.0
    kernels: float = 0.0


def test_fit_recovers_the_time_per_kernel() -> None:
    # rows made with η 0.9, 0.5 ms per step and 3 µs per kernel, small and large models,
    # enough of them (each shape 5 times) for the data to outweigh the 5 µs prior
    eta, overhead_s, kernel_s = 0.9, 0.5e-3, 3e-6
    shapes = [(0.5e-3, 600), (1e-3, 1600), (4e-3, 600), (20e-3, 1500), (2e-3, 1350), (8e-3, 900)]
    terms = [
        _Terms(x, 1.0, 0.0, x / eta + overhead_s + kernels * kernel_s, kernels=kernels)
        for x, kernels in shapes * 5
    ]
    fitted_eta, fitted_overhead_ms, fitted_us = fit_kernel_overhead_group(
        terms, (0.8, 0.6, 5.0), PRIOR_ROWS, OVERHEAD_SCALE_MS, MAX_NEUTRAL_ETA
    )
    assert fitted_us == pytest.approx(3.0, abs=0.25)
    assert fitted_eta == pytest.approx(0.9, rel=0.03)
    assert fitted_overhead_ms == pytest.approx(0.5, abs=0.1)
    assert fitted_us in KERNEL_US_GRID


def test_no_rows_keep_the_prior_time_per_kernel() -> None:
    assert fit_kernel_overhead_group([], (0.8, 0.6, 5.0), PRIOR_ROWS, 1.0, MAX_NEUTRAL_ETA)[
        2
    ] == pytest.approx(5.0)


def test_calibration_file_carries_the_fitted_time() -> None:
    text = (
        '{"version": "t", "model": "m", "eta_memory_prior_by_family": {}, '
        '"eta_compute_prior_by_family": {}, "groups": {"decode|mlx-lm|*|*": '
        '{"eta_memory": 0.9, "step_overhead_ms": 0.6, "kernel_overhead_us": 4.25, "n": 3}}}'
    )
    calibration = parse_calibration(text)
    params = calibration.params("decode", (0.72, 0.45, 0.6), "mlx-lm", "apple9/gddr", "4bit")
    assert params.kernel_overhead_us == pytest.approx(4.25)


def test_the_vectorised_grid_fit_equals_fit_linear_group_at_every_candidate() -> None:
    # The grid fit evaluates fit_linear_group's closed form for all candidates at once; the
    # winner must be the candidate the loop over fit_linear_group would pick, with its η and
    # overhead (negative overheads clamped and η capped on both paths).
    from gpuatlas.calibration.fitting import fit_linear_group

    shapes = [(0.5e-3, 600, 1.0), (4e-3, 1600, 0.5), (20e-3, 900, 1.0), (1e-3, 300, 2.0)]
    for eta, overhead_s, kernel_s in [(0.9, 0.5e-3, 3e-6), (1.4, 0.0, 0.0), (0.6, 2e-3, 9e-6)]:
        terms = [
            _Terms(x, 1.0, 0.0, x / eta + overhead_s + k * kernel_s, weight=w, kernels=k)
            for x, k, w in shapes
        ]
        priors = (0.8, 0.6, 5.0)
        best = None
        for us in KERNEL_US_GRID:
            shifted = [
                _Terms(t.x_s, 1.0, t.fixed_s + t.kernels * us * 1e-6, t.measured_s, weight=t.weight)
                for t in terms
            ]
            e, o = fit_linear_group(shifted, priors[0], priors[1])  # type: ignore[arg-type]
            slope, o0 = 1.0 / e, 0.6e-3
            scale = max(o0, OVERHEAD_SCALE_MS * 1e-3)
            loss = PRIOR_ROWS * ((slope - 1 / 0.8) * 0.8) ** 2
            loss += PRIOR_ROWS * ((o * 1e-3 - o0) / scale) ** 2
            loss += sum(
                t.weight
                * ((slope * t.x_s + o * 1e-3 + t.fixed_s - t.measured_s) / t.measured_s) ** 2
                for t in shifted
            )
            loss += PRIOR_ROWS * ((us - 5.0) / 5.0) ** 2
            if best is None or loss < best[0]:
                best = (loss, e, o, us)
        assert best is not None
        found = fit_kernel_overhead_group(
            terms, priors, PRIOR_ROWS, OVERHEAD_SCALE_MS, MAX_NEUTRAL_ETA
        )
        assert found == pytest.approx(best[1:], rel=1e-9, abs=1e-12)
