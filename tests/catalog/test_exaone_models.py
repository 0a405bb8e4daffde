"""EXAONE 3.5, EXAONE Deep and EXAONE 4.0 (LG AI Research): Llama-shaped decoders under their
own config keys, and EXAONE 4.0 32B's 'LLLG' layer pattern (3 sliding-window layers of 4,096
tokens to 1 global layer).

Expected values are the model cards' counts without embeddings (2.14B, 6.98B, 30.95B, 1.07B)
and hand counts from the configs, not today's output."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_config import arch_from_config
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import native_weights
from gpuatlas.performance.llm.shape import kv_bytes_per_token
from gpuatlas.performance.resolve import as_llm

pytestmark = pytest.mark.unit

VOCAB = 102_400


@pytest.mark.parametrize(
    ("model_id", "without_embeddings", "hidden", "tied"),
    [
        ("exaone-3.5-2.4b", 2.14e9, 2560, True),
        ("exaone-3.5-7.8b", 6.98e9, 4096, False),
        ("exaone-3.5-32b", 30.95e9, 5120, False),
        ("exaone-deep-32b", 30.95e9, 5120, False),
        ("exaone-4.0-1.2b", 1.07e9, 2048, True),
        ("exaone-4.0-32b", 30.95e9, 5120, False),
    ],
)
def test_counts_match_the_model_cards(
    model_id: str, without_embeddings: float, hidden: int, tied: bool
) -> None:
    model = as_llm(model_id)
    embeddings = VOCAB * hidden * (1 if tied else 2)
    assert model.tie_word_embeddings is tied
    assert model.total_params() - embeddings == pytest.approx(without_embeddings, rel=0.005)


@pytest.mark.parametrize(
    ("model_id", "transformers_count"),
    [("exaone-4.0-1.2b", 1_279_391_488), ("exaone-4.0-32b", 32_003_216_384)],
)
def test_exaone_4_counts_its_per_head_q_and_k_norms(model_id: str, transformers_count: int) -> None:
    # transformers' Exaone4ForCausalLM: q_norm and k_norm of head_dim in every layer
    model = as_llm(model_id)
    assert model.qk_norm
    assert model.total_params() == transformers_count


def test_exaone_4_32b_slides_three_layers_in_four() -> None:
    model = as_llm("exaone-4.0-32b")
    assert model.sliding_window == 4096
    assert len(model.sliding_window_layers) == 48
    assert [i for i in range(64) if i not in model.sliding_window_layers] == list(range(3, 64, 4))
    # bf16 KV: 2 x 8 heads x 128 x 2 bytes per layer; at 131,072 tokens the 48 sliding layers
    # hold 4,096 tokens each, the 16 global layers every token
    per_layer = 2 * 8 * 128 * 2
    expected = per_layer * (16 + 48 * 4096 / 131_072)
    assert kv_bytes_per_token(model, 2.0, 131_072) == pytest.approx(expected)


def test_the_1_2b_has_no_window() -> None:
    model = as_llm("exaone-4.0-1.2b")
    assert model.sliding_window is None and model.sliding_window_layers == ()


def test_a_user_config_with_a_letter_pattern_is_read() -> None:
    config = {
        "model_type": "exaone4",
        "hidden_size": 1024,
        "num_hidden_layers": 8,
        "num_attention_heads": 8,
        "num_key_value_heads": 2,
        "intermediate_size": 2048,
        "vocab_size": 1000,
        "sliding_window": 512,
        "sliding_window_pattern": "LLLG",
    }
    model = arch_from_config(config, model_id="tiny-exaone4")
    assert model.sliding_window_layers == (0, 1, 2, 4, 5, 6)


@pytest.mark.parametrize(
    ("written", "model_id", "weights"),
    [
        ("LGAI-EXAONE/EXAONE-3.5-32B-Instruct", "exaone-3.5-32b", "bf16"),
        ("exaone3.5:32b", "exaone-3.5-32b", "q4_k_m"),
        ("exaone-deep:7.8b", "exaone-deep-7.8b", "q4_k_m"),
        ("LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct-AWQ", "exaone-3.5-7.8b", "awq-int4"),
        ("LGAI-EXAONE/EXAONE-4.0-32B", "exaone-4.0-32b", "bf16"),
    ],
)
def test_names_as_people_write_them(written: str, model_id: str, weights: str | None) -> None:
    reference = resolve_model_reference(written)
    assert reference.model.id == model_id
    assert native_weights(reference).format_id == weights
