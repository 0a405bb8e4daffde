"""`gpuatlas fit` without -w lists the formats a file exists in for this architecture: llama.cpp's
MXFP4_MOE file type (src/llama-quant.cpp) puts routed-expert tensors in MXFP4 and every other
tensor in Q8_0, so a dense model has no such file (it would be a Q8_0 file by another name)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import format_exists_for
from gpuatlas.performance.llm.fit_answer import answer_fit


def _listed_formats(model: str, weights: list[str]) -> set[str]:
    answer = answer_fit("rtx-4090", resolve_model_reference(model), weights, engine="llama.cpp")
    return {row.format_id for row in answer.rows}


def test_a_dense_model_lists_no_mxfp4_moe_file() -> None:
    listed = _listed_formats("llama-3.1-8b", [])
    assert "mxfp4_moe" not in listed
    assert {"q4_k_m", "q8_0"} <= listed


@pytest.mark.parametrize("model", ["gpt-oss-20b", "qwen3-30b-a3b"])
def test_a_moe_model_keeps_the_mxfp4_moe_file(model: str) -> None:
    assert "mxfp4_moe" in _listed_formats(model, [])


def test_a_format_the_user_names_is_answered_as_asked() -> None:
    assert _listed_formats("llama-3.1-8b", ["mxfp4_moe"]) == {"mxfp4_moe"}


def test_other_formats_exist_for_every_architecture() -> None:
    dense = resolve_model_reference("llama-3.1-8b").model
    assert format_exists_for(dense, "q4_k_m")
    assert not format_exists_for(dense, "mxfp4_moe")
