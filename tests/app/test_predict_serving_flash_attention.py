"""Serving with llama.cpp's flash-attention setting: `predict serving --flash-attn` and a
case's stated `-fa` reach the server's runtime (one replica or the best layout), and a
server of a build from b6327 runs `-fa auto` by default (engines.toml
server_flash_attention_from) while llama-bench rows of the same build keep `-fa 0`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gpuatlas.app.predict import PredictServingRequest, predict_serving_document
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.attention_setting import server_flash_attention
from gpuatlas.performance.llm.predict import llm_runtime, serving_estimate
from gpuatlas.performance.llm.vectorised import predict_llm_many

pytestmark = pytest.mark.unit

LONG_PROMPT = 8192
SERVED = ("rtx-4090", "llama-3.1-8b", "q4_k_m")


def _serving(**given: Any) -> dict[str, Any]:
    request = PredictServingRequest.model_validate(
        {
            "system": "rtx-4090",
            "model": "llama-3.1-8b",
            "weights": "q4_k_m",
            "engine": "llama.cpp b7000",
            "concurrency": 4,
            "input_tokens": LONG_PROMPT,
            "output_tokens": 128,
            **given,
        }
    )
    return predict_serving_document(request)


def _one_replica_tok_s(engine: str, flash: bool, concurrency: int = 4) -> float:
    runtime = replace(llm_runtime(*SERVED, engine), flash_attention=flash)
    return serving_estimate(runtime, concurrency, LONG_PROMPT, 128, "fp16").value


@pytest.mark.parametrize(
    ("engine", "expected"),
    [
        ("llama.cpp b7000", True),  # llama.cpp-2025-fused-moe, after -fa auto
        ("llama.cpp build: 2f68ce7cf (6918)", True),  # the build as llama-bench prints it
        ("llama.cpp b6400", True),  # llama.cpp-2025, after b6327
        ("llama.cpp b6000", None),  # llama.cpp-2025, before it: the profile's -fa 0
        ("llama.cpp 2025", None),  # no build: the generation spans both defaults
        ("llama.cpp b9500", None),  # the current profile is fused already
    ],
)
def test_the_servers_default_follows_the_build(engine: str, expected: bool | None) -> None:
    runtime = llm_runtime(*SERVED, engine)
    assert server_flash_attention(runtime, engine) is expected


def test_a_stated_flag_wins_over_the_servers_default() -> None:
    runtime = replace(llm_runtime(*SERVED, "llama.cpp b7000"), flash_attention=False)
    assert server_flash_attention(runtime, "llama.cpp b7000") is None


def test_predict_serving_runs_the_servers_default_and_says_so() -> None:
    document = _serving()
    attention = document["attention_assumed"]
    assert attention["flash_attention"] is True
    assert attention["reason"] == "the server's default"
    assert "b6327" in attention["note"]
    expected = _one_replica_tok_s("llama.cpp b7000", flash=True)
    assert document["serving_output_tok_s"]["value"] == pytest.approx(expected, rel=1e-9)


def test_predict_serving_takes_flash_attn_off_and_on() -> None:
    off, on = _serving(flash_attention="off"), _serving(flash_attention="on")
    assert off["attention_assumed"]["reason"] == "as set"
    assert off["attention_assumed"]["flash_attention"] is False
    unfused = _one_replica_tok_s("llama.cpp b7000", flash=False)
    fused = _one_replica_tok_s("llama.cpp b7000", flash=True)
    assert fused > 1.2 * unfused  # 8k prompts: the unfused scores cost real time
    assert off["serving_output_tok_s"]["value"] == pytest.approx(unfused, rel=1e-9)
    assert on["serving_output_tok_s"]["value"] == pytest.approx(fused, rel=1e-9)


def test_a_build_before_the_switch_keeps_the_bench_default() -> None:
    """(One request: llama-server of b6000 ran one slot by default.)"""
    document = _serving(engine="llama.cpp b6000", concurrency=1)
    assert document["attention_assumed"]["flash_attention"] is False
    expected = _one_replica_tok_s("llama.cpp b6000", flash=False, concurrency=1)
    assert document["serving_output_tok_s"]["value"] == pytest.approx(expected, rel=1e-9)


def test_the_best_layout_serves_each_replica_with_the_flag() -> None:
    """Two RTX 4090s serve an 8B model as two replicas: each runs the path set."""
    off = _serving(system="2x rtx-4090", flash_attention="off", concurrency=8)
    on = _serving(system="2x rtx-4090", flash_attention="on", concurrency=8)
    assert off["replicas"] == on["replicas"] == 2
    assert on["serving_output_tok_s"]["value"] == pytest.approx(
        2 * _one_replica_tok_s("llama.cpp b7000", flash=True), rel=1e-9
    )
    assert off["serving_output_tok_s"]["value"] == pytest.approx(
        2 * _one_replica_tok_s("llama.cpp b7000", flash=False), rel=1e-9
    )


def _case(**given: Any) -> Case:
    fields: dict[str, Any] = {
        "gpu": "rtx-4090",
        "gpu_count": 1,
        "model": "llama-3.1-8b",
        "weights": "q4_k_m",
        "engine": "llama.cpp b7000",
        "engine_text": "llama.cpp b7000",
        "batch": 4,
        "input_tokens": LONG_PROMPT,
        "output_tokens": 128,
        "metric": "serving_output_tok_s",
        **given,
    }
    return Case(**fields)


@pytest.mark.parametrize(
    ("variant", "gpu_count", "flash"),
    [(None, 1, True), ("fa 0", 1, False), ("-fa 1", 1, True), ("fa 0", 2, False), (None, 2, True)],
)
def test_a_serving_case_runs_its_stated_or_default_path(
    variant: str | None, gpu_count: int, flash: bool
) -> None:
    """Row and vectorised paths alike; on two GPUs the best layout (two replicas)."""
    layout = "auto" if gpu_count > 1 else "tensor"
    case = _case(variant=variant, gpu_count=gpu_count, batch=4 * gpu_count, layout=layout)
    expected = gpu_count * _one_replica_tok_s("llama.cpp b7000", flash=flash)
    assert predict_case(case).value == pytest.approx(expected, rel=1e-9)
    if gpu_count == 1:
        assert predict_llm_many([case])[0] == pytest.approx(expected, rel=1e-9)


def test_a_bench_row_of_the_same_build_keeps_fa_0() -> None:
    """llama-bench kept -fa 0 until b9437: a decode row of b7000 is the unfused path, even
    when a serving row of the same configuration is batched with it."""
    decode = _case(metric="decode_tok_s", batch=1, input_tokens=LONG_PROMPT, output_tokens=128)
    serving = _case()
    runtime = llm_runtime(*SERVED, "llama.cpp b7000")
    assert runtime.flash_attention is None and runtime.attention_per_query_head
    values = predict_llm_many([decode, serving])
    assert values[0] == pytest.approx(predict_case(decode).value, rel=1e-9)
    assert values[1] == pytest.approx(predict_case(serving).value, rel=1e-9)
    fused_decode = predict_case(_case(metric="decode_tok_s", batch=1, variant="fa 1")).value
    assert predict_case(decode).value < fused_decode
