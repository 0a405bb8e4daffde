"""Decode attention without flash attention: llama.cpp multiplies KQ and KQV as plain batched
mat-vecs that broadcast each KV head over the query heads sharing it (ggml mul_mat broadcast
factor r2 = ne12/ne02; engines.toml decode_attention_per_query_head), so a step reads every
cached K/V row once per query head and moves the scores through memory; fused attention
kernels read each KV head once. llama-bench ran that path until b9437 (the llama.cpp-2025
generation: 'llama.cpp b6000'); llama-server and llama-cli run flash attention by default since
PR #15434 (2025-08), as the current llama.cpp profile does."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime
from gpuatlas.performance.resolve import as_model

SCORE_BYTES = 16.0  # llama.cpp's f32 score written, soft-maxed, read (engines.toml)
BENCH = "llama.cpp b6000"  # a build whose llama-bench ran without flash attention


def _kv_bytes_per_token(model_id: str) -> float:
    """K and V of one token in fp16 over every layer, from the config alone."""
    model = as_model(model_id)
    assert isinstance(model, ModelArch)
    return 2 * model.num_kv_heads * model.head_dim * 2.0 * model.num_layers


def _context_bytes(runtime: LlmRuntime, context: int) -> float:
    """Bytes a batch-1 decode step moves at `context` cached tokens beyond the weights."""
    with_context = runtime.decode_terms(1, context)[1]
    without = runtime.decode_terms(1, 0)[1]
    return float(with_context - without)


def test_grouped_query_kv_is_read_once_per_query_head_without_flash_attention() -> None:
    # Llama 3 8B: 32 query heads share 8 KV heads (4 per KV head), 32 layers.
    runtime = llm_runtime("rtx-4090", "llama-3-8b", "gguf-f16", BENCH, "fp16")
    context = 4096
    kv = _kv_bytes_per_token("llama-3-8b") * context
    scores = 32 * context * SCORE_BYTES * 32  # heads x positions x bytes x layers
    assert _context_bytes(runtime, context) == pytest.approx(4 * kv + scores, rel=1e-9)


def test_multi_head_attention_reads_each_kv_row_once() -> None:
    # Llama 2 7B: 32 KV heads for 32 query heads, so no re-reads, only the scores.
    runtime = llm_runtime("rtx-4090", "llama-2-7b", "gguf-f16", BENCH, "fp16")
    context = 2048
    kv = _kv_bytes_per_token("llama-2-7b") * context
    scores = 32 * context * SCORE_BYTES * 32
    assert _context_bytes(runtime, context) == pytest.approx(kv + scores, rel=1e-9)


@pytest.mark.parametrize(
    ("gpu", "weights", "engine"),
    [
        ("h100-sxm", "bf16", "vllm"),
        ("apple-m3-max-40c", "mlx-4bit", "mlx-lm"),
        ("rtx-4090", "gguf-f16", "llama.cpp"),  # llama-server's flash attention ('-fa auto')
        ("apple-m3-max-40c", "gguf-f16", "llama.cpp"),  # on Metal too
    ],
)
def test_fused_attention_reads_each_kv_head_once(gpu: str, weights: str, engine: str) -> None:
    # vLLM's paged attention and MLX's fused SDPA read a KV head once for its query heads
    # (mlx-lm copies llama.cpp's profile otherwise: engines.toml extends).
    runtime = llm_runtime(gpu, "llama-3-8b", weights, engine, "fp16")
    context = 4096
    kv = _kv_bytes_per_token("llama-3-8b") * context
    assert _context_bytes(runtime, context) == pytest.approx(kv, rel=1e-9)


def test_long_context_decode_slows_more_under_grouped_query_attention() -> None:
    # The same KV cache per token grows 4x in traffic: Llama 3 8B's decode at 4096 tokens of
    # context on an M1 Max (400 GB/s) costs the KV x 4 at the memory rate over its 512-token
    # step, where fused attention would add the KV once.
    runtime = llm_runtime("apple-m1-max-32c", "llama-3-8b", "gguf-f16", BENCH, "fp16")
    rate = runtime.bandwidth_bytes_s * runtime.decode.eta_memory
    added_s = runtime.decode_step_s(1, 4096) - runtime.decode_step_s(1, 512)
    kv = _kv_bytes_per_token("llama-3-8b") * (4096 - 512)
    assert added_s > 3.9 * kv / rate


def test_server_flash_attention_makes_long_context_decode_faster_than_the_bench_path() -> None:
    """Llama 3 8B F16 at 32k tokens on an M1 Max: the bench path reads the 4 GiB of KV four
    times plus the scores; llama-server's flash attention reads it once."""
    bench = llm_runtime("apple-m1-max-32c", "llama-3-8b", "gguf-f16", BENCH, "fp16")
    server = llm_runtime("apple-m1-max-32c", "llama-3-8b", "gguf-f16", "llama.cpp", "fp16")
    assert server.engine.id == "llama.cpp-metal" and bench.engine.id == "llama.cpp-metal-2025"
    saved_bytes = _context_bytes(bench, 32768) - _context_bytes(server, 32768)
    kv = _kv_bytes_per_token("llama-3-8b") * 32768
    assert saved_bytes == pytest.approx(3 * kv + 32 * 32768 * SCORE_BYTES * 32, rel=1e-9)
    assert server.decode_step_s(1, 32768) < 0.75 * bench.decode_step_s(1, 32768)


def test_tensorrt_llm_before_xqa_reads_kv_once_per_query_head() -> None:
    """TensorRT-LLM before v0.8 decodes with the masked MHA kernel only (one block per query
    head): Llama 2 70B's 64 query heads over 8 KV heads read each KV head 8 times; no score
    traffic (the scores stay on chip). From v0.8 the XQA kernel reads a KV head once."""
    old = llm_runtime("h100-sxm", "llama-2-70b", "fp16", "tensorrt-llm 0.6.1", "fp16")
    assert old.engine.id == "tensorrt-llm-0.x"
    context = 2048
    kv = _kv_bytes_per_token("llama-2-70b") * context
    assert _context_bytes(old, context) == pytest.approx(8 * kv, rel=1e-9)
    xqa = llm_runtime("h100-sxm", "llama-2-70b", "fp16", "tensorrt-llm 0.12.0", "fp16")
    assert _context_bytes(xqa, context) == pytest.approx(kv, rel=1e-9)


def test_tensorrt_llm_before_xqa_costs_nothing_extra_under_multi_head_attention() -> None:
    # Llama 2 7B has one KV head per query head: the old kernel reads the KV once as well.
    runtime = llm_runtime("h100-sxm", "llama-2-7b", "fp16", "tensorrt-llm 0.6.1", "fp16")
    kv = _kv_bytes_per_token("llama-2-7b") * 2048
    assert _context_bytes(runtime, 2048) == pytest.approx(kv, rel=1e-9)
