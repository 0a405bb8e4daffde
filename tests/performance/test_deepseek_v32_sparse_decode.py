"""DeepSeek V3.2's sparse attention in step times: each new token's MLA attention reads only the
index_topk (2,048) cached tokens the lightning indexer selects, while the indexer itself reads
every cached token's FP8 key (128 B + a 4-byte scale) and scores it with 64 heads of 128.

Expected values are hand counts from the published config (61 layers, kv_lora_rank 512 +
rope 64, 128 heads of qk 192 / v 128, index_n_heads 64, index_head_dim 128, index_topk 2048),
not today's output."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch_llm import ModelArch
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.step_times import LlmRuntime, build_runtime
from gpuatlas.performance.resolve import as_format, as_llm, as_system

pytestmark = pytest.mark.unit

LAYERS = 61
LATENT = 512 + 64  # kv_lora_rank + qk_rope_head_dim, elements per token and layer
INDEXER_BYTES = 128 + 4  # FP8 key + one FP32 scale per 128
TOPK = 2048
MLA_FLOPS = 2 * 128 * ((128 + 64) + 128)  # 2 x heads x (qk + v) per position and layer
INDEXER_FLOPS = 2 * 64 * (128 + 1)  # 64 heads: q.k of 128, plus the weighted ReLU sum
FP8_KV = 1.0


def _runtime(model_id: str) -> LlmRuntime:
    return build_runtime(
        as_system("h200"), as_llm(model_id), as_format("fp8"), resolve_engine("vllm"), FP8_KV
    )


def test_config_index_fields_are_read() -> None:
    model = as_llm("deepseek-v3.2")
    assert isinstance(model, ModelArch)
    assert (model.index_n_heads, model.index_head_dim, model.index_topk) == (64, 128, TOPK)


@pytest.mark.parametrize("context", [1, 1000, 2048, 8192, 131072])
def test_decode_reads_the_top_k_latents_and_every_indexer_key(context: int) -> None:
    kv_bytes, flops = _runtime("deepseek-v3.2").context_terms(context)
    selected = min(context, TOPK)
    latent_bytes = LATENT * FP8_KV * selected
    assert kv_bytes == pytest.approx(LAYERS * (latent_bytes + INDEXER_BYTES * context))
    assert flops == pytest.approx(LAYERS * (MLA_FLOPS * selected + INDEXER_FLOPS * context))


def test_dense_v3_still_attends_the_whole_context() -> None:
    kv_bytes, flops = _runtime("deepseek-v3").context_terms(131072)
    assert kv_bytes == pytest.approx(LAYERS * LATENT * FP8_KV * 131072)
    assert flops == pytest.approx(LAYERS * MLA_FLOPS * 131072)


def test_long_context_decode_is_much_cheaper_than_dense_mla() -> None:
    """At 128k tokens the per-sequence KV traffic falls from 576 B x 131,072 to 576 B x 2,048 +
    132 B x 131,072 per layer: about 4.1x less."""
    sparse = _runtime("deepseek-v3.2").context_terms(131072)[0]
    dense = _runtime("deepseek-v3").context_terms(131072)[0]
    expected = (LATENT * 131072) / (LATENT * TOPK + INDEXER_BYTES * 131072)
    assert dense / sparse == pytest.approx(expected)
    assert 4.0 < expected < 4.2


def test_no_context_reads_nothing() -> None:
    assert _runtime("deepseek-v3.2").context_terms(0) == (0.0, 0.0)


@pytest.mark.parametrize("engine", ["llama.cpp", "llama.cpp-metal", "ollama"])
def test_engines_that_mask_attend_the_whole_cache_plus_the_indexer(engine: str) -> None:
    """llama.cpp implements DSA by masking the KQ mask (PR #23346): its MLA attention still
    reads every cached latent, and the indexer's keys come on top."""
    runtime = build_runtime(
        as_system("h200"), as_llm("deepseek-v3.2"), as_format("q8_0"), resolve_engine(engine), 2.0
    )
    assert runtime.engine.sparse_attention == "mask"
    kv_bytes, flops = runtime.context_terms(131072)
    assert kv_bytes == pytest.approx(LAYERS * (LATENT * 2.0 + INDEXER_BYTES) * 131072)
    assert flops == pytest.approx(LAYERS * (MLA_FLOPS + INDEXER_FLOPS) * 131072)


@pytest.mark.parametrize("engine", ["vllm", "sglang", "mlx-lm", "tensorrt-llm"])
def test_engines_that_gather_read_the_top_k(engine: str) -> None:
    assert resolve_engine(engine).sparse_attention == "gather"
