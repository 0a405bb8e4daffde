"""Qwen1.5-0.5B (round 17): its config.json ties the input and output embeddings, so the output
projection has no parameters of its own. The count is the arithmetic of the shapes (Qwen2 layers
with Q/K/V biases, one 151,936 x 1,024 table); the 0.62B some listings give is that count plus a
second copy of the table stored as lm_head.weight."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.models import get_model

EMBEDDING = 151_936 * 1_024
PER_LAYER = (
    4 * 1_024 * 1_024 + 3 * 1_024 + 3 * 1_024 * 2_816 + 2 * 1_024
)  # attention, Q/K/V biases, MLP, 2 norms


@pytest.mark.unit
@pytest.mark.parametrize("written", ["Qwen/Qwen1.5-0.5B", "Qwen/Qwen1.5-0.5B-Chat", "qwen:0.5b"])
def test_the_names_people_write(written: str) -> None:
    assert resolve_model_reference(written, allow_hub=False).model.id == "qwen1.5-0.5b"


@pytest.mark.unit
def test_tied_embeddings_give_no_separate_lm_head() -> None:
    model = get_model("qwen1.5-0.5b")
    assert model.tie_word_embeddings
    assert model.total_params() == EMBEDDING + 24 * PER_LAYER + 1_024 == 463_987_712


@pytest.mark.unit
def test_the_published_062b_is_the_count_plus_a_stored_copy_of_the_table() -> None:
    assert (get_model("qwen1.5-0.5b").total_params() + EMBEDDING) / 1e9 == pytest.approx(
        0.62, abs=0.005
    )
