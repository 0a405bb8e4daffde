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


def _context_bytes(runtime: LlmRuntime, context: int, batch: int = 1) -> float:
    """Bytes a decode step moves per sequence at `context` cached tokens beyond the weights."""
    with_context = runtime.decode_terms(batch, context)[1]
    without = runtime.decode_terms(batch, 0)[1]
    return float(with_context - without) / batch


def _slab_bytes(model_id: str, context: int) -> float:
    """One KV head's keys of one layer over `context` tokens in fp16: what one query head's
    mat-vec streams before the next query head re-reads it."""
    model = as_model(model_id)
    assert isinstance(model, ModelArch)
    return context * model.head_dim * 2.0


def test_grouped_query_kv_is_read_once_per_query_head_without_flash_attention() -> None:
    # Llama 3 8B: 32 query heads share 8 KV heads (4 per KV head), 32 layers. An M1 Max's
    # cache is not in the catalog, so every re-read comes from memory.
    runtime = llm_runtime("apple-m1-max-32c", "llama-3-8b", "gguf-f16", BENCH, "fp16")
    assert runtime.system.gpu.l2_cache_mb is None
    context = 4096
    kv = _kv_bytes_per_token("llama-3-8b") * context
    scores = 32 * context * SCORE_BYTES * 32  # heads x positions x bytes x layers
    assert _context_bytes(runtime, context) == pytest.approx(4 * kv + scores, rel=1e-9)


def _llama3_bytes(context: int, kv_reads: float) -> float:
    """Llama 3 8B's context bytes of a step without flash attention: the fp16 KV read
    `kv_reads` times plus the f32 scores of its 32 query heads in 32 layers."""
    kv = _kv_bytes_per_token("llama-3-8b") * context
    return kv_reads * kv + 32 * context * SCORE_BYTES * 32


def test_query_heads_re_read_their_kv_head_from_l2_while_the_slab_fits() -> None:
    # On an RTX 4090 (72 MB L2) a KV head's keys of one layer at 32,768 tokens are 8.4 MB:
    # the three re-reads of Llama 3 8B's grouped heads hit the L2, so a one-sequence step
    # reads the KV once (the scores still go through memory).
    runtime = llm_runtime("rtx-4090", "llama-3-8b", "gguf-f16", BENCH, "fp16")
    assert runtime.system.gpu.l2_cache_mb == 72.0
    context = 32768
    assert _slab_bytes("llama-3-8b", context) < 72e6
    assert _context_bytes(runtime, context) == pytest.approx(_llama3_bytes(context, 1), rel=1e-9)


def test_the_share_of_a_slab_beyond_the_l2_is_read_again_from_memory() -> None:
    # An RTX 3090 has 6 MB of L2: at 32,768 tokens the 8.4 MB slab misses it by
    # 1 - 6 / 8.39 of its bytes, and each of the three re-reads pays that share.
    runtime = llm_runtime("rtx-3090", "llama-3-8b", "gguf-f16", BENCH, "fp16")
    context = 32768
    missed = 1.0 - 6e6 / _slab_bytes("llama-3-8b", context)
    expected = _llama3_bytes(context, 1.0 + 3.0 * missed)
    assert _context_bytes(runtime, context) == pytest.approx(expected, rel=1e-9)
    # A short context fits: the KV once.
    assert _context_bytes(runtime, 2048) == pytest.approx(_llama3_bytes(2048, 1), rel=1e-9)


def test_a_batched_step_reads_the_kv_once_per_query_head_whatever_the_l2() -> None:
    # Two sequences multiply KQ as a matrix product over their tokens, not the mat-vec whose
    # row order keeps the re-reads in the L2: every query head's read counts.
    runtime = llm_runtime("rtx-4090", "llama-3-8b", "gguf-f16", BENCH, "fp16")
    expected = _llama3_bytes(4096, 4)
    assert _context_bytes(runtime, 4096, batch=2) == pytest.approx(expected, rel=1e-9)


def test_hybrid_model_decode_at_depth_pays_its_full_attention_layers_kv_once_on_a_4090() -> None:
    """Qwen3.5-27B (16 full-attention layers of 64, 4 KV heads of 256 for 24 query heads) at
    32,768 cached tokens on an RTX 4090, llama-bench's -fa 0: the step adds its KV bytes once
    and the scores (the slab is 16.8 MB, inside the 72 MB L2), not six times the KV."""
    runtime = llm_runtime("rtx-4090", "Qwen/Qwen3.5-27B", "q4_k_m", "llama.cpp b8820", "fp16")
    model = runtime.model
    context = 32768
    kv = 2 * model.num_kv_heads * model.head_dim * 2.0 * model.full_attention_layers * context
    scores = model.num_attention_heads * context * SCORE_BYTES * model.full_attention_layers
    assert _context_bytes(runtime, context) == pytest.approx(kv + scores, rel=1e-9)


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
    head): in a batched step Llama 2 70B's 64 query heads over 8 KV heads read each KV head 8
    times; no score traffic (the scores stay on chip). From v0.8 the XQA kernel reads a KV
    head once. One sequence's re-reads of a 0.5 MB slab hit the H100's 50 MB L2."""
    old = llm_runtime("h100-sxm", "llama-2-70b", "fp16", "tensorrt-llm 0.6.1", "fp16")
    assert old.engine.id == "tensorrt-llm-0.x"
    context = 2048
    kv = _kv_bytes_per_token("llama-2-70b") * context
    assert _context_bytes(old, context, batch=2) == pytest.approx(8 * kv, rel=1e-9)
    assert _context_bytes(old, context) == pytest.approx(kv, rel=1e-9)
    xqa = llm_runtime("h100-sxm", "llama-2-70b", "fp16", "tensorrt-llm 0.12.0", "fp16")
    assert _context_bytes(xqa, context, batch=2) == pytest.approx(kv, rel=1e-9)


def test_tensorrt_llm_before_xqa_costs_nothing_extra_under_multi_head_attention() -> None:
    # Llama 2 7B has one KV head per query head: the old kernel reads the KV once as well.
    runtime = llm_runtime("h100-sxm", "llama-2-7b", "fp16", "tensorrt-llm 0.6.1", "fp16")
    kv = _kv_bytes_per_token("llama-2-7b") * 2048
    assert _context_bytes(runtime, 2048) == pytest.approx(kv, rel=1e-9)
