"""GPT-2 (all four released sizes) and Phi-2 (issue 10): the names people write resolve, the shapes
are their config.json's, and the parameter count computed from the shapes is the released one."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        ("gpt2", "gpt-2"),
        ("GPT-2", "gpt-2"),
        ("openai-community/gpt2-medium", "gpt-2-medium"),
        ("gpt2-large", "gpt-2-large"),
        ("GPT-2 XL", "gpt-2-xl"),
        ("microsoft/phi-2", "phi-2"),
        ("phi-2", "phi-2"),
    ],
)
def test_names_as_written_resolve(written: str, model_id: str) -> None:
    assert resolve_model_reference(written).model.id == model_id


# (id, n_embd, n_layer, n_head, released checkpoint size): openai/gpt-2 download_model.py names.
_GPT2_SIZES = [
    ("gpt-2", 768, 12, 12, 124e6),
    ("gpt-2-medium", 1024, 24, 16, 355e6),
    ("gpt-2-large", 1280, 36, 20, 774e6),
    ("gpt-2-xl", 1600, 48, 25, 1558e6),
]


@pytest.mark.unit
@pytest.mark.parametrize(("model_id", "hidden", "layers", "heads", "params"), _GPT2_SIZES)
def test_gpt2_shapes_and_size(
    model_id: str, hidden: int, layers: int, heads: int, params: float
) -> None:
    model = resolve_model_reference(model_id).model
    assert (model.hidden_size, model.num_layers, model.num_attention_heads) == (
        hidden,
        layers,
        heads,
    )
    assert model.intermediate_size == 4 * hidden  # n_inner null: 4 x n_embd, not gated
    assert not model.gated_mlp and model.tie_word_embeddings and model.vocab_size == 50257
    assert model.total_params() == pytest.approx(params, rel=0.01)


@pytest.mark.unit
def test_phi2_shapes() -> None:
    model = resolve_model_reference("phi-2").model
    assert (model.hidden_size, model.num_layers, model.intermediate_size) == (2560, 32, 10240)
    assert model.head_dim == 80 and model.num_kv_heads == 32 and model.vocab_size == 51200
    assert model.total_params() == pytest.approx(2.78e9, rel=0.01)


@pytest.mark.unit
def test_stable_diffusion_alone_stays_a_question() -> None:
    with pytest.raises(UnknownNameError) as error:
        resolve_model_reference("Stable Diffusion")
    assert "sd-1.5" in error.value.candidates
