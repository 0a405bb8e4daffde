"""Where an engine upcasts a format's routed-expert weights inside its grouped GEMMs on an
architecture without matrix units for the format (engines.toml upcast_expert_formats and
upcast_expert_families: vLLM's Triton MXFP4 MoE on CDNA3), the expert GEMMs reach only a fitted
share of the engine's grouped-GEMM rate (calibration.json upcast_expert_gemm_share, fitted by
gpuatlas calibrate on the serving rows that pay it; the model_constants prior 1 where none was
fitted). Other formats, architectures, engines and dense models do not pay it."""

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

SHARE = 0.25  # a share as a calibration could have fitted it


def _with_share(share: float, version: str) -> table.Calibration:
    return replace(
        table.shipped_calibration(), version=version, upcast_expert={"share": share, "n": 1}
    )


def _runtime(
    calibration: table.Calibration, gpu: str, model: str, weights: str, engine: str
) -> LlmRuntime:
    with table.using_calibration(calibration):
        return llm_runtime(gpu, model, weights, engine)


def test_gpt_oss_mxfp4_on_mi300x_runs_its_expert_gemms_at_the_share() -> None:
    # The experts' FLOPs count 1 / (moe_gemm_efficiency x share) times at the dense rate.
    runtime = _runtime(
        _with_share(SHARE, "test-upcast-on"), "mi300x", "gpt-oss-120b", "mxfp4", "vllm-rocm"
    )
    assert runtime.expert_gemm_share == SHARE
    assert runtime.compute_precision == "bf16"  # formats.toml: no MXFP4 matrix units on CDNA3
    expert = runtime.shape.expert_flops_per_token
    expected = expert * (1.0 / (runtime.engine.moe_gemm_efficiency * SHARE) - 1.0)
    assert runtime.expert_extra_flops_per_token == pytest.approx(expected, rel=1e-12)


def test_a_large_batch_step_is_slower_with_the_share_and_model_flops_are_unchanged() -> None:
    on = _runtime(
        _with_share(SHARE, "test-upcast-step-on"), "mi300x", "gpt-oss-120b", "mxfp4", "vllm-rocm"
    )
    off = _runtime(
        _with_share(1.0, "test-upcast-step-off"), "mi300x", "gpt-oss-120b", "mxfp4", "vllm-rocm"
    )
    assert float(on.decode_step_s(256, 1024)) > float(off.decode_step_s(256, 1024))
    # MFU counts the FLOPs the model performs, not the slower GEMM's equivalent.
    assert float(on.prefill_model_flops(1024)) == pytest.approx(
        float(off.prefill_model_flops(1024))
    )


@pytest.mark.parametrize(
    ("gpu", "model", "weights", "engine"),
    [
        ("mi355x", "gpt-oss-120b", "mxfp4", "vllm-rocm"),  # CDNA4: MXFP4 scaled MFMA on gfx950
        ("mi300x", "qwen3-30b-a3b", "fp8", "vllm-rocm"),  # FP8 experts run on FP8 MFMA
        ("mi300x", "gpt-oss-120b", "mxfp4", "sglang-rocm"),  # its own AITER path, not this one
        ("h100-sxm", "gpt-oss-120b", "mxfp4", "vllm"),  # CUDA vLLM: no upcast family listed
    ],
)
def test_who_does_not_pay_it(gpu: str, model: str, weights: str, engine: str) -> None:
    runtime = _runtime(_with_share(SHARE, "test-upcast-others"), gpu, model, weights, engine)
    assert runtime.expert_gemm_share == 1.0


def test_the_share_round_trips_through_the_calibration_file_and_defaults_to_the_prior() -> None:
    document = table.calibration_document(_with_share(0.4, "test-upcast-file"), "test")
    assert document["upcast_expert_gemm_share"] == {"share": 0.4, "n": 1}
    assert table.parse_calibration(json.dumps(document)).upcast_expert_gemm_share == 0.4
    unfitted = replace(table.shipped_calibration(), upcast_expert={})
    assert "upcast_expert_gemm_share" not in table.calibration_document(unfitted, "test")
    # the prior is the model before the term: the grouped GEMMs' rate unchanged
    assert unfitted.upcast_expert_gemm_share == table.UPCAST_EXPERT_SHARE_PRIOR == 1.0


HEADER = (
    "gpu,gpu_count,engine,engine_version,model,weights,kv_cache,batch,input_tokens,"
    "output_tokens,resolution,steps,metric,value,unit,source,source_date,notes,parallelism,"
    "backend,variant,requests"
)


def _synthetic_rows(tmp_path: Path, share: float) -> list[fitting.Observation]:
    """gpt-oss-120b MXFP4 serving rows on one MI300X (vLLM on ROCm) whose measured values are
    what the model predicts at `share`: the fit must find that share again."""
    lines = [HEADER]
    for concurrency in (64, 256):
        lines.append(
            f"mi300x,1,vllm,0.17.0,openai/gpt-oss-120b,mxfp4,,{concurrency},922,922,,,"
            "serving_output_tok_s,1000,tok/s,https://example.org/upcast-test,2026-04-17,"
            f"synthetic,none,rocm,,{concurrency * 10}"
        )
    path = tmp_path / "synthetic.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = fitting.observations(load_measurements(path))
    predictions = predict_all(items, _with_share(share, f"test-upcast-synthetic-{share:.4f}"))
    rows = [replace(p.observation.row, value=p.predicted) for p in predictions]
    return fitting.observations(rows)


def test_the_fit_finds_the_share_its_rows_were_made_with_and_shrinks_it(tmp_path: Path) -> None:
    share = fitting.UPCAST_SHARE_GRID[6]  # 1.2^-6 = 0.335
    paying = _synthetic_rows(tmp_path, share)
    assert fitting.upcast_expert_rows(paying) == paying
    serving = [i for i in fitting.observations(load_measurements()) if i.kind == "serving"]
    start = replace(table.shipped_calibration(), version="test-upcast-fit")
    fitted = fitting.fit_upcast_expert_share(start, serving + paying).upcast_expert
    assert fitted["n"] == 1  # one GPU
    weight = 1 / (1 + fitting.PRIOR_ROWS)  # shrunk toward the prior 1 in log space
    assert math.exp(math.log(fitted["share"]) / weight) == pytest.approx(share, rel=1e-9)


def test_without_paying_rows_the_fit_keeps_the_prior() -> None:
    others = [
        item
        for item in fitting.observations(load_measurements())
        if item.kind == "serving" and item.row.weights != "mxfp4"
    ]
    fitted = fitting.fit_upcast_expert_share(
        replace(table.shipped_calibration(), version="test-upcast-none"), others
    )
    assert fitted.upcast_expert == {}
