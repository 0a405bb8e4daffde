"""Engines that run one GEMM per expert a prompt step touches (engines.toml expert_pass_tokens:
ggml's mul_mat_id on every backend) reach only a fitted share of their dense prompt-GEMM rate
in those GEMMs (calibration.json routed_expert_gemm_share_by_backend, fitted by gpuatlas
calibrate per backend on the prefill rows of MoE models; the model_constants prior 1 where none
was fitted). Dense models and engines on grouped-GEMM libraries do not pay it."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

import gpuatlas.calibration.fitting as fitting
import gpuatlas.performance.calibration_table as table
from gpuatlas.calibration.validation import predict_all
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime

pytestmark = pytest.mark.unit

CUDA_SHARE = 0.5  # shares as a calibration could have fitted them
POOLED_SHARE = 0.8


def _with_shares(shares: dict[str, float], version: str) -> table.Calibration:
    return replace(
        table.shipped_calibration(),
        version=version,
        routed_expert_shares={key: {"share": value, "n": 1} for key, value in shares.items()},
    )


def _runtime(
    calibration: table.Calibration, gpu: str, model: str, weights: str, engine: str
) -> LlmRuntime:
    with table.using_calibration(calibration):
        return llm_runtime(gpu, model, weights, engine)


SHARES = {"cuda": CUDA_SHARE, table.ALL_BACKENDS: POOLED_SHARE}


def test_a_llama_cpp_moe_prompt_on_cuda_runs_its_expert_gemms_at_the_cuda_share() -> None:
    # The routed experts' FLOPs count 1 / share times at the dense rate (llama.cpp's
    # moe_gemm_efficiency is 1: its own per-expert cost is expert_pass_tokens).
    runtime = _runtime(
        _with_shares(SHARES, "test-routed-cuda"), "rtx-4090", "qwen3-30b-a3b", "q4_k_m", "llama.cpp"
    )
    assert runtime.engine.moe_gemm_efficiency == 1.0
    assert runtime.expert_gemm_share == CUDA_SHARE
    expert = runtime.shape.expert_flops_per_token
    assert expert > 0.0
    expected = expert * (1.0 / CUDA_SHARE - 1.0)
    assert runtime.expert_extra_flops_per_token == pytest.approx(expected, rel=1e-12)


def test_a_backend_without_its_own_share_pays_the_pooled_one_else_the_prior() -> None:
    metal = _runtime(
        _with_shares(SHARES, "test-routed-metal"),
        "apple-m4-max-40c",
        "qwen3-30b-a3b",
        "q4_k_m",
        "llama.cpp",
    )
    assert metal.expert_gemm_share == POOLED_SHARE
    unfitted = _runtime(
        _with_shares({}, "test-routed-none"), "rtx-4090", "qwen3-30b-a3b", "q4_k_m", "llama.cpp"
    )
    assert unfitted.expert_gemm_share == table.ROUTED_EXPERT_SHARE_PRIOR == 1.0


def test_the_prompt_is_slower_by_the_routed_flops_and_model_flops_are_unchanged() -> None:
    on = _runtime(
        _with_shares(SHARES, "test-routed-on"), "rtx-4090", "qwen3-30b-a3b", "q4_k_m", "llama.cpp"
    )
    off = _runtime(
        _with_shares({}, "test-routed-off"), "rtx-4090", "qwen3-30b-a3b", "q4_k_m", "llama.cpp"
    )
    assert float(on.prefill_s(2048)) > float(off.prefill_s(2048))
    extra_flops = 2048 * on.shape.expert_flops_per_token * (1.0 / CUDA_SHARE - 1.0)
    on_flops, _ = on.prefill_terms(2048, 1)
    off_flops, _ = off.prefill_terms(2048, 1)
    assert float(on_flops) - float(off_flops) == pytest.approx(extra_flops, rel=1e-9)
    # MFU counts the FLOPs the model performs, not the slower GEMMs' equivalent.
    assert float(on.prefill_model_flops(2048)) == pytest.approx(
        float(off.prefill_model_flops(2048))
    )


@pytest.mark.parametrize(
    ("gpu", "model", "weights", "engine"),
    [
        ("h100-sxm", "qwen3-30b-a3b", "bf16", "vllm"),  # grouped-GEMM kernels of its own
        ("apple-m4-max-40c", "qwen3-30b-a3b", "mlx-4bit", "mlx-lm"),  # MLX's gather_qmm
    ],
)
def test_who_does_not_pay_it(gpu: str, model: str, weights: str, engine: str) -> None:
    runtime = _runtime(_with_shares(SHARES, "test-routed-others"), gpu, model, weights, engine)
    assert runtime.expert_gemm_share == 1.0
    assert runtime.expert_extra_flops_per_token == pytest.approx(
        runtime.shape.expert_flops_per_token * (1.0 / runtime.engine.moe_gemm_efficiency - 1.0)
    )


def test_a_dense_model_on_llama_cpp_is_unchanged() -> None:
    on = _runtime(
        _with_shares(SHARES, "test-routed-dense-on"),
        "rtx-4090",
        "llama-3.1-8b",
        "q4_k_m",
        "llama.cpp",
    )
    off = _runtime(
        _with_shares({}, "test-routed-dense-off"),
        "rtx-4090",
        "llama-3.1-8b",
        "q4_k_m",
        "llama.cpp",
    )
    assert on.shape.expert_flops_per_token == 0.0
    assert on.expert_extra_flops_per_token == 0.0
    assert float(on.prefill_s(2048)) == float(off.prefill_s(2048))


def test_the_shares_round_trip_through_the_calibration_file() -> None:
    calibration = _with_shares({"cuda": 0.4, "*": 0.7}, "test-routed-file")
    document = table.calibration_document(calibration, "test")
    assert document["routed_expert_gemm_share_by_backend"] == {
        "*": {"share": 0.7, "n": 1},
        "cuda": {"share": 0.4, "n": 1},
    }
    parsed = table.parse_calibration(json.dumps(document))
    assert parsed.routed_expert_gemm_share("cuda") == 0.4
    assert parsed.routed_expert_gemm_share("rocm") == 0.7
    unfitted = _with_shares({}, "test-routed-file-none")
    assert "routed_expert_gemm_share_by_backend" not in table.calibration_document(unfitted, "t")


HEADER = (
    "gpu,gpu_count,engine,engine_version,model,weights,kv_cache,batch,input_tokens,"
    "output_tokens,resolution,steps,metric,value,unit,source,source_date,notes"
)


def _synthetic_rows(tmp_path: Path, shares: dict[str, float]) -> list[fitting.Observation]:
    """Qwen3-30B-A3B Q4_K_M llama-bench prompt rows on two CUDA GPUs whose measured values
    are what the model predicts with `shares`: the fit must find the CUDA share again."""
    lines = [HEADER]
    for gpu in ("rtx-4090", "rtx-3090"):
        for tokens in (512, 2048):
            lines.append(
                f"{gpu},1,llama.cpp,b9500,Qwen/Qwen3-30B-A3B,q4_k_m,,1,{tokens},0,,,"
                "prefill_tok_s,1000,tok/s,https://example.org/routed-test,2026-07-01,synthetic"
            )
    path = tmp_path / "synthetic.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = fitting.observations(load_measurements(path))
    made_with = replace(_with_shares(shares, "test-routed-made"), version="test-routed-made")
    predictions = predict_all(items, made_with)
    assert len(predictions) == len(items) == 4
    rows = [replace(p.observation.row, value=p.predicted) for p in predictions]
    return fitting.observations(rows)


def test_the_fit_finds_the_share_its_rows_were_made_with_and_shrinks_it(tmp_path: Path) -> None:
    share = fitting.ROUTED_SHARE_GRID[7]  # 1.1^-7 = 0.513
    paying = _synthetic_rows(tmp_path, {"cuda": share})
    assert set(fitting.routed_expert_keys(paying).values()) == {"cuda"}
    # levels as shipped, the synthetic rows scored against them: the fit sees only the share
    start = replace(table.shipped_calibration(), version="test-routed-fit")
    fitted = fitting.fit_routed_expert_shares(start, paying).routed_expert_shares
    weight = 2 / (2 + fitting.PRIOR_ROWS)  # two GPUs, shrunk toward the parent in log space
    pooled = fitted[table.ALL_BACKENDS]["share"]
    assert fitted[table.ALL_BACKENDS]["n"] == fitted["cuda"]["n"] == 2
    assert math.exp(math.log(pooled) / weight) == pytest.approx(share, rel=1e-9)
    expected_cuda = math.exp(weight * math.log(share) + (1 - weight) * math.log(pooled))
    assert fitted["cuda"]["share"] == pytest.approx(expected_cuda, rel=1e-9)


def test_without_moe_prompt_rows_on_such_engines_the_fit_keeps_the_prior() -> None:
    others = [
        item
        for item in fitting.observations(load_measurements())
        if item.kind == "prefill" and item.row.engine != "llama.cpp" and item.row.engine != "ollama"
    ]
    assert others
    assert fitting.routed_expert_keys(others) == {}
    fitted = fitting.fit_routed_expert_shares(
        replace(table.shipped_calibration(), version="test-routed-none-fit"), others
    )
    assert fitted.routed_expert_shares == {}


def test_a_refit_does_not_depend_on_the_shares_of_the_calibration_it_starts_from() -> None:
    # The prefill levels are fitted at the prior share: a base that already holds fitted
    # shares (the shipped calibration, from `gpuatlas calibrate`) must give the same fit.
    rows = [
        row
        for row in load_measurements()
        if row.file.endswith(("llamacpp_dgx_spark_depth.csv", "llamacpp_cuda_scoreboard.csv"))
    ]
    assert any("gpt-oss" in row.model for row in rows)
    fits = []
    for shares in ({}, {"cuda": 0.3, table.ALL_BACKENDS: 0.3}):
        base = _with_shares(shares, f"test-routed-base-{len(shares)}")
        fits.append(fitting.fit_calibration(rows, base, version="test-routed-refit"))
    assert fits[0].groups == fits[1].groups
    assert fits[0].routed_expert_shares == fits[1].routed_expert_shares
    assert fits[0].routed_expert_shares["cuda"]["n"] == 1  # one GPU: the GB10
