"""Memory fit against hand calculations from the models' published shapes."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.models import resolve_model
from gpuatlas.performance import api
from gpuatlas.performance.llm.memory import padded_tokens
from gpuatlas.performance.llm.shape import kv_bytes_per_token_per_gpu, llm_shape
from gpuatlas.performance.resolve import as_format


def test_llama2_7b_fp16_weights_are_about_13_5_gb() -> None:
    # 6.74e9 parameters x 2 bytes = 13.48 GB (the fp16 checkpoint is 13.5 GB on the Hub).
    fit = api.inference_memory("a100-80gb-sxm", "llama-2-7b", "fp16", context_tokens=4096)
    assert fit.per_gpu.weights_gb == pytest.approx(13.48, rel=0.01)


def test_llama3_8b_q4_k_m_weighs_about_the_gguf_file() -> None:
    # Meta-Llama-3-8B-Q4_K_M.gguf is 4.92 GB: a Q4_K/Q6_K mix, not 4 bits flat (4.0 GB).
    shape = llm_shape(resolve_model("llama-3-8b"), as_format("Q4_K_M"))  # type: ignore[arg-type]
    assert shape.total_weight_bytes / 1e9 == pytest.approx(4.92, rel=0.03)


def test_awq_keeps_embeddings_and_lm_head_at_16_bits() -> None:
    model = resolve_model("llama-3-8b")
    awq = llm_shape(model, as_format("awq-int4"))  # type: ignore[arg-type]
    embedding_and_head = 2 * 128256 * 4096 * 2  # untied embedding + lm_head, fp16
    assert awq.total_weight_bytes > embedding_and_head
    linear_bytes = awq.total_weight_bytes - embedding_and_head
    assert linear_bytes / 1e9 == pytest.approx(6.98e9 * 4.15625 / 8 / 1e9, rel=0.02)


def test_kv_bytes_per_token_llama3_8b_fp16() -> None:
    # 2 (K and V) x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131072.
    model = resolve_model("llama-3-8b")
    assert kv_bytes_per_token_per_gpu(model, 2.0, 1, 1024) == 131072  # type: ignore[arg-type]


def test_kv_fp8_halves_the_cache() -> None:
    fp16 = api.inference_memory(
        "h100-sxm", "llama-3-8b", "fp16", context_tokens=8192, kv_cache="fp16"
    )
    fp8 = api.inference_memory(
        "h100-sxm", "llama-3-8b", "fp16", context_tokens=8192, kv_cache="fp8"
    )
    assert fp8.per_gpu.kv_cache_gb == pytest.approx(fp16.per_gpu.kv_cache_gb / 2)


def test_tensor_parallel_kv_replication_floor() -> None:
    # 8 KV heads over 16 GPUs: each GPU still holds one whole head (replication).
    model = resolve_model("llama-3-8b")
    per_gpu = kv_bytes_per_token_per_gpu(model, 2.0, 16, 1024)  # type: ignore[arg-type]
    assert per_gpu == 131072 / 8


def test_mla_cache_is_latent_plus_rope_key() -> None:
    # DeepSeek-V3: 61 layers x (512 latent + 64 rope) x 2 bytes = 70272 bytes per token.
    model = resolve_model("deepseek-v3")
    assert kv_bytes_per_token_per_gpu(model, 2.0, 1, 1024) == 61 * 576 * 2  # type: ignore[arg-type]


def test_sliding_window_layers_cap_the_cache() -> None:
    model = resolve_model("gpt-oss-20b")
    short = kv_bytes_per_token_per_gpu(model, 2.0, 1, 128)  # type: ignore[arg-type]
    long = kv_bytes_per_token_per_gpu(model, 2.0, 1, 65536)  # type: ignore[arg-type]
    assert long < short


def test_vllm_pages_are_16_tokens() -> None:
    assert padded_tokens(17, 16) == 32
    assert padded_tokens(16, 16) == 16


def test_70b_fp16_needs_eight_24gb_cards() -> None:
    # 141 GB of weights: 4 cards hold 35 GB each (too much), 8 hold 17.6 GB each.
    fit = api.inference_memory("rtx-4090", "llama-3-70b", "fp16", context_tokens=4096)
    assert not fit.fits
    assert fit.verdict == "fits-on-more-gpus"
    assert fit.min_gpus_needed == 8


def test_max_sequences_fall_as_context_grows() -> None:
    counts = [
        api.inference_memory(
            "a100-80gb-sxm", "llama-3-8b", "bf16", context_tokens=c
        ).max_concurrent_sequences
        for c in (1024, 4096, 16384)
    ]
    assert counts[0] > counts[1] > counts[2] > 0


def test_concurrency_beyond_max_does_not_fit() -> None:
    fit = api.inference_memory("rtx-4090", "llama-3-8b", "fp16", context_tokens=8192)
    too_many = api.inference_memory(
        "rtx-4090",
        "llama-3-8b",
        "fp16",
        context_tokens=8192,
        concurrency=fit.max_concurrent_sequences + 1,
    )
    assert fit.fits and not too_many.fits


def test_training_memory_full_is_about_16_bytes_per_param() -> None:
    fit = api.training_memory("h100-sxm", "llama-2-7b", "full", sequence_tokens=512)
    states = fit.weights_gb + fit.gradients_gb + fit.optimizer_gb
    assert states == pytest.approx(6.74 * 16, rel=0.02)


def test_training_memory_sharding_and_methods_order() -> None:
    full = api.training_memory("8x h100-sxm", "llama-2-7b", "full")
    zero3 = api.training_memory("8x h100-sxm", "llama-2-7b", "full", sharding="zero3")
    lora = api.training_memory("h100-sxm", "llama-2-7b", "lora")
    qlora = api.training_memory("h100-sxm", "llama-2-7b", "qlora")
    assert zero3.total_gb < full.total_gb
    assert zero3.optimizer_gb == pytest.approx(full.optimizer_gb / 8)
    assert qlora.total_gb < lora.total_gb < full.total_gb
    checkpointed = api.training_memory("h100-sxm", "llama-2-7b", "lora", checkpointing=True)
    assert checkpointed.activations_gb < lora.activations_gb
