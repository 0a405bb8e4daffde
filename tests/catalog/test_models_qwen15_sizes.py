"""The Qwen1.5 sizes beside 7B (round 16): 1.8B, 4B, 14B, 32B, 72B, 110B and MoE-A2.7B,
from their config.json shapes. Expected counts are the leaderboards' safetensors counts (the
published figures) and the arithmetic of the shapes: Qwen2 layers with Q/K/V biases, untied
embeddings, and for the MoE 4 of 60 routed experts plus one gated shared expert per layer."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.models import get_model


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        ("Qwen/Qwen1.5-1.8B", "qwen1.5-1.8b"),
        ("Qwen1.5-14B-Chat", "qwen1.5-14b"),
        ("qwen:14b", "qwen1.5-14b"),
        ("Qwen/Qwen1.5-32B-Chat", "qwen1.5-32b"),
        ("qwen:32b", "qwen1.5-32b"),
        ("Qwen/Qwen1.5-4B-Chat", "qwen1.5-4b"),
        ("qwen:72b", "qwen1.5-72b"),
        ("Qwen/Qwen1.5-110B-Chat", "qwen1.5-110b"),
        ("Qwen/Qwen1.5-MoE-A2.7B", "qwen1.5-moe-a2.7b"),
        ("Qwen1.5-MoE-A2.7B-Chat", "qwen1.5-moe-a2.7b"),
    ],
)
def test_the_sizes_resolve_by_the_names_people_write(written: str, model_id: str) -> None:
    assert resolve_model_reference(written, allow_hub=False).model.id == model_id


@pytest.mark.unit
@pytest.mark.parametrize(
    ("model_id", "published"),
    [
        ("qwen1.5-1.8b", 1.837e9),
        ("qwen1.5-4b", 3.95e9),
        ("qwen1.5-14b", 14.167e9),
        ("qwen1.5-32b", 32.512e9),
        ("qwen1.5-72b", 72.288e9),
        ("qwen1.5-110b", 111.21e9),
    ],
)
def test_dense_counts_match_the_published_safetensors_counts(
    model_id: str, published: float
) -> None:
    assert get_model(model_id).total_params() == pytest.approx(published, rel=0.001)


@pytest.mark.unit
def test_dense_14b_count_from_its_shapes() -> None:
    hidden, inter, layers, vocab = 5120, 13696, 40, 152064
    attention = 4 * hidden * hidden + 3 * hidden  # Q, K, V, O (40 KV heads = MHA) + Q/K/V biases
    mlp = 3 * hidden * inter
    norms = 2 * hidden
    expected = layers * (attention + mlp + norms) + 2 * vocab * hidden + hidden
    assert get_model("qwen1.5-14b").total_params() == pytest.approx(expected, rel=1e-6)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("model_id", "heads"),
    [("qwen1.5-32b", (40, 8)), ("qwen1.5-110b", (64, 8)), ("qwen1.5-72b", (64, 64))],
)
def test_32b_and_110b_are_the_grouped_query_sizes(model_id: str, heads: tuple[int, int]) -> None:
    model = get_model(model_id)
    assert (model.num_attention_heads, model.num_kv_heads) == heads


@pytest.mark.unit
def test_moe_total_and_active_counts() -> None:
    model = get_model("qwen1.5-moe-a2.7b")
    assert model.total_params() == pytest.approx(14.316e9, rel=0.001)
    # 2.7B active (NeMo AutoModel's model page): 4 routed experts + the shared expert per layer
    assert model.active_params() == pytest.approx(2.7e9, rel=0.02)
