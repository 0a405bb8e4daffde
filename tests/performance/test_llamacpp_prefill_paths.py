"""llama.cpp's prompt-processing paths by build (engines.toml):

- from PR #3412 (2023-09-30) to PR #8075 (2024-06-23) a prompt of quantised weights went through
  cuBLAS: every ubatch dequantises the weights to fp16 (reads the quantised bytes, writes the
  fp16 copy) before the fp16 GEMM (`prefill_dequantizes_weights`);
- from PR #6017 (2024-03) GPUs holding consecutive layers (`-sm layer`) pipeline the ubatches of
  each batch of n_batch 2048 tokens (`pipeline_batch_tokens`).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import observe, prefill_terms
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.llm.ggml_nodes import ggml_nodes_per_token
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime
from gpuatlas.performance.llm.vectorised import predict_llm_many

DEC_2023 = "llama.cpp b1680"  # the XiongjieDai LLaMA-1 tables' builds
MAY_2024 = "llama.cpp b2837"
CURRENT = "llama.cpp b4426"


def _engine_changed(runtime: LlmRuntime, **changes: object) -> LlmRuntime:
    return replace(runtime, engine=replace(runtime.engine, **changes))


def test_a_2023_build_prefills_quantised_weights_at_the_fp16_gemm_plus_dequantisation() -> None:
    runtime = llm_runtime("rtx-4090", "llama-2-7b", "q4_0", DEC_2023)
    assert runtime.engine.id == "llama.cpp-2023"
    # the same build without the fp16 copy nor MMQ's block-scale epilogue (the MMQ path)
    direct = _engine_changed(runtime, prefill_dequantizes_weights=False, block_scale_ops=0.0)
    bits = runtime.weight_format.model_bits_per_weight
    assert bits == pytest.approx(4.5)  # q4_0: 18-byte blocks of 32 weights
    per_ubatch = runtime.shape.weight_read_bytes(512) * (1.0 + 16.0 / bits)
    rate = runtime.bandwidth_bytes_s * runtime.prefill.eta_memory
    for tokens, ubatches in ((512, 1), (494, 1), (2048, 4)):
        extra = runtime.prefill_s(tokens) - direct.prefill_s(tokens)
        assert extra == pytest.approx(ubatches * per_ubatch / rate)
    # 3.9 GB of q4_0 weights move ~17 GB per ubatch: on a 4090 that is comparable to the
    # fp16 GEMM itself, so the int8 MMQ path of later builds is much faster on the same levels
    assert runtime.prefill_s(512) / direct.prefill_s(512) > 1.2


def test_only_quantised_weights_and_only_builds_before_mmq_dequantise() -> None:
    f16 = llm_runtime("rtx-4090", "llama-2-7b", "gguf-f16", DEC_2023)
    assert f16.dequant_bytes(512, 1) == 0.0
    assert engine_profile("llama.cpp", version="b1680").prefill_dequantizes_weights
    assert engine_profile("llama.cpp", version="b2837").prefill_dequantizes_weights
    assert not engine_profile("llama.cpp", version="b4426").prefill_dequantizes_weights
    assert not resolve_engine("vllm").prefill_dequantizes_weights


def test_layer_split_gpus_pipeline_the_ubatches_of_a_long_prompt() -> None:
    four = llm_runtime("4x rtx-4000-ada", "llama-3-8b", "q4_k_m", MAY_2024)
    assert four.engine.multi_gpu == "layer-split"
    # 4 ubatches of 512 per 2048-token batch through 4 GPUs: 4 + 3 stages of a quarter each
    assert four.pipeline_share(4096, 1) == pytest.approx(7 / 16)
    assert four.pipeline_share(2048, 1) == pytest.approx(7 / 16)
    assert four.pipeline_share(1024, 1) == pytest.approx(5 / 8)
    assert four.pipeline_share(512, 1) == 1.0  # one ubatch: nothing to overlap
    sequential = _engine_changed(four, pipeline_batch_tokens=0)
    assert four.prefill_s(512) == sequential.prefill_s(512)
    assert four.prefill_s(4096) < 0.5 * sequential.prefill_s(4096)


def test_no_pipeline_on_one_gpu_in_tensor_parallel_or_before_pr_6017() -> None:
    assert llm_runtime("rtx-4090", "llama-3-8b", "q4_k_m", MAY_2024).pipeline_share(4096, 1) == 1
    assert llm_runtime("2x rtx-4090", "llama-3-8b", "q4_k_m", DEC_2023).pipeline_share(4096, 1) == 1
    assert (
        llm_runtime("2x a100-80gb-sxm", "llama-3-8b", "bf16", "vllm").pipeline_share(4096, 1) == 1
    )
    assert resolve_engine("exllamav2").pipeline_batch_tokens == 0
    assert engine_profile("llama.cpp", version="b4426").pipeline_batch_tokens == 2048


def test_the_many_case_path_gives_the_same_prefill() -> None:
    cases = [
        Case("rtx-4000-ada", 4, "llama-3-8b", "q4_k_m", MAY_2024, 1, tokens, 0, "prefill_tok_s")
        for tokens in (512, 1000, 4096, 8192)
    ] + [
        Case("rtx-4090", 1, "llama-2-7b", weights, DEC_2023, 1, 494, 0, metric)
        for weights in ("q4_0", "gguf-f16")
        for metric in ("prefill_tok_s", "ttft_ms")
    ]
    for case, value in zip(cases, predict_llm_many(cases), strict=True):
        assert math.isclose(value, predict_case(case).value, rel_tol=1e-9), case


def test_the_calibration_fit_reads_a_2023_row_with_its_dequantisation() -> None:
    rows = [
        row
        for row in load_measurements()
        if row.gpu == "rtx-4090"
        and row.weights == "q4_0"
        and row.metric == "prefill_tok_s"
        and "Dec 2023" in (row.engine_version or "")
    ]
    assert rows
    observation = observe(rows[0])
    assert observation is not None and observation.case.engine == "llama.cpp-2023"
    terms = prefill_terms(observation)
    assert terms is not None
    runtime = llm_runtime("rtx-4090", observation.case.model, "q4_0", "llama.cpp-2023")
    tokens = rows[0].input_tokens or 0
    streamed = runtime.score_bytes(tokens, 1) + runtime.dequant_bytes(tokens, 1)
    rate = runtime.bandwidth_bytes_s * runtime.prefill.eta_memory
    # its graph nodes x the profile's time per node (no per-layer time on a ggml profile)
    nodes = ggml_nodes_per_token(runtime.model)
    layers_s = nodes * runtime.engine.kernel_overhead_us * 1e-6
    assert runtime.engine.layer_overhead_ms == 0.0 and nodes > 0
    assert runtime.dequant_bytes(tokens, 1) > 0
    assert terms.fixed_s == pytest.approx(layers_s + streamed / rate)
