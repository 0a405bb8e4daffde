"""Models people run in December 2026 that the library lacked (issue 10, round 8).

Qwen3-Next-80B-A3B (Gated DeltaNet MoE), SmolLM3-3B, OLMo 2 7B and Olmo 3 7B: parameter counts
from their configs against the published totals, the KV cache their attention layout implies,
and the names people write (Hub ids, Ollama tags, GGUF files) resolving to them.
"""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.models import get_model
from gpuatlas.performance.llm.shape import kv_bytes_per_token, kv_cache_bytes

pytestmark = pytest.mark.unit

BF16_BYTES = 2.0


def _llm(model_id: str) -> ModelArch:
    model = get_model(model_id)
    assert isinstance(model, ModelArch)
    return model


@pytest.mark.parametrize(
    ("model_id", "published"),
    [
        ("qwen3-next-80b-a3b", 79_674_391_296),  # Qwen3-Coder-Next's count, same shape
        ("smollm3-3b", 3.08e9),
        ("olmo-2-7b", 7.30e9),
        ("olmo-3-7b", 7.30e9),
    ],
)
def test_parameter_counts_reproduce_the_published_totals(model_id: str, published: float) -> None:
    assert _llm(model_id).total_params() == pytest.approx(published, rel=0.005)


def test_qwen3_next_keeps_kv_in_one_layer_of_four_and_state_in_the_rest() -> None:
    model = _llm("qwen3-next-80b-a3b")
    assert model.kv_cache_layers == 12 and len(model.linear_attention_layers) == 36
    assert kv_bytes_per_token(model, BF16_BYTES, 0) == 2 * 2 * 256 * 12 * 2
    per_layer = 32 * 128 * 128 * 4.0 + (2 * 16 * 128 + 32 * 128) * 3 * BF16_BYTES
    assert model.recurrent_state_bytes() == 36 * per_layer


def test_olmo_2_is_multi_head_and_olmo_3_windows_three_layers_of_four() -> None:
    olmo2 = _llm("olmo-2-7b")
    assert olmo2.attention_type == "mha"
    assert kv_bytes_per_token(olmo2, BF16_BYTES, 0) == 2 * 32 * 128 * 32 * 2
    olmo3 = _llm("olmo-3-7b")
    assert olmo3.sliding_window == 4096 and len(olmo3.sliding_window_layers) == 24
    assert olmo3.full_attention_layers == 8


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("Qwen/Qwen3-Next-80B-A3B-Instruct", "qwen3-next-80b-a3b"),
        ("Qwen/Qwen3-Next-80B-A3B-Thinking", "qwen3-next-80b-a3b"),
        ("qwen3-next:80b", "qwen3-next-80b-a3b"),
        ("Qwen3-Next-80B-A3B-Instruct-Q4_K_M.gguf", "qwen3-next-80b-a3b"),
        ("HuggingFaceTB/SmolLM3-3B", "smollm3-3b"),
        ("SmolLM3-3B-Q4_K_M.gguf", "smollm3-3b"),
        ("allenai/OLMo-2-1124-7B-Instruct", "olmo-2-7b"),
        ("olmo2:7b", "olmo-2-7b"),
        ("allenai/Olmo-3-7B-Instruct", "olmo-3-7b"),
        ("olmo-3:7b-instruct", "olmo-3-7b"),
        ("Olmo-3-7B-Instruct-Q8_0.gguf", "olmo-3-7b"),
    ],
)
def test_names_people_write_resolve(name: str, model_id: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == model_id


@pytest.mark.parametrize("name", ["deepseek-r1:671b", "deepseek-v3"])
def test_an_fp8_checkpoint_run_by_ollama_is_its_q4_k_m_build(name: str) -> None:
    """ggml has no FP8 tensor type: Ollama's DeepSeek R1/V3 is the library's Q4_K_M build."""
    from gpuatlas.catalog.model_weights import native_weights

    choice = native_weights(resolve_model_reference(name, allow_hub=False), "ollama")
    assert choice.format_id == "q4_k_m" and "default build" in choice.reason


def test_an_mxfp4_checkpoint_run_by_ollama_keeps_its_published_format() -> None:
    from gpuatlas.catalog.model_weights import native_weights

    choice = native_weights(resolve_model_reference("gpt-oss:20b", allow_hub=False), "ollama")
    assert choice.format_id == "mxfp4" and "published format" in choice.reason


@pytest.mark.parametrize("model_id", ["llama-4-scout", "llama-4-maverick"])
def test_llama_4_rope_layers_attend_within_8192_token_chunks(model_id: str) -> None:
    """Llama 4: 3 of 4 layers (RoPE) use chunked attention of attention_chunk_size 8192; every
    4th (NoPE) layer attends to the whole context and alone grows the KV cache past a chunk."""
    llm = _llm(model_id)
    assert llm.sliding_window == 8192
    assert llm.sliding_window_layers == tuple(i for i in range(48) if (i + 1) % 4 != 0)
    assert llm.full_attention_layers == 12


@pytest.mark.parametrize(
    ("model_id", "language_model"), [("ministral-3-3b", 3.4e9), ("ministral-3-8b", 8.4e9)]
)
def test_ministral_3_language_models_match_the_published_sizes(
    model_id: str, language_model: float
) -> None:
    model = _llm(model_id)
    assert model.total_params() == pytest.approx(language_model, rel=0.015)
    assert model.checkpoint_format == "fp8"  # Instruct 2512 ships FP8 weights
    assert kv_bytes_per_token(model, BF16_BYTES, 0) == 2 * 8 * 128 * model.num_layers * 2


@pytest.mark.parametrize(
    ("name", "model_id", "format_id"),
    [
        ("mistralai/Ministral-3-8B-Instruct-2512", "ministral-3-8b", None),
        ("ministral-3:14b", "ministral-3-14b", None),
        ("Ministral-3-8B-Instruct-2512-Q5_K_M.gguf", "ministral-3-8b", "q5_k_m"),
        ("mistralai/Ministral-3-14B-Instruct-2512-BF16", "ministral-3-14b", "bf16"),
    ],
)
def test_ministral_3_names_resolve(name: str, model_id: str, format_id: str | None) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert reference.model.id == model_id and reference.format_id == format_id


def test_gemma_4_global_layers_cache_k_alone_at_their_own_head_size() -> None:
    """26B-A4B: 25 sliding layers x 8 KV heads x 256 (K and V) + 5 global layers x 2 KV heads
    x 512 (K alone: V is K) = 215,040 bytes per token in bf16 (a public KV gallery: 210 KiB)."""
    model = _llm("gemma-4-26b-a4b")
    assert kv_bytes_per_token(model, BF16_BYTES, 0) == 25 * 8 * 256 * 2 * 2 + 5 * 2 * 512 * 2
    # past the 1024-token window only the global layers grow
    grown = kv_cache_bytes(model, BF16_BYTES, 100_000) - kv_cache_bytes(model, BF16_BYTES, 99_999)
    assert grown == 5 * 2 * 512 * 2


def test_gemma_4_26b_counts_a_dense_mlp_beside_its_experts() -> None:
    model = _llm("gemma-4-26b-a4b")
    assert model.total_params() == pytest.approx(25.2e9, rel=0.01)  # the model card's total
    assert model.active_params() == pytest.approx(3.8e9, rel=0.02)  # "A4B"
    assert model.shared_expert_params() == 3 * 2816 * 2112
    q, k, o = 2816 * 16 * 512, 2816 * 2 * 512, 16 * 512 * 2816
    assert model.global_attention_params_per_layer() == q + k + o + 2 * 512


def test_a_gemma_4_per_layer_embedding_config_is_read_not_refused() -> None:
    """Gemma 4 E2B/E4B's fields were refused until round 30; they are modelled now
    (tests/catalog/test_gemma4_edge_models.py)."""
    from gpuatlas.catalog.model_config import validate_llm_config

    config = {
        "model_type": "gemma4_text",
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "vocab_size": 256,
        "intermediate_size": 128,
        "hidden_size_per_layer_input": 256,
        "num_kv_shared_layers": 1,
    }
    assert validate_llm_config(config) == []


def test_gemma_4_31b_kv_per_token_matches_the_published_gallery() -> None:
    """50 sliding x 16 KV heads x 256 (K and V) + 10 global x 4 x 512 (K alone) = 840 KiB."""
    model = _llm("gemma-4-31b")
    assert kv_bytes_per_token(model, BF16_BYTES, 0) == 840 * 1024
    assert resolve_model_reference("gemma4:31b", allow_hub=False).model.id == "gemma-4-31b"
