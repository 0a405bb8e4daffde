"""Qwen2.5 Instruct checkpoints ship max_position_embeddings 32,768 (their base models 131,072);
fit names the Instruct checkpoint's own context, what engines that read config.json allow by
default, and YaRN's 131,072 where the model card gives it."""

from __future__ import annotations

import pytest

from gpuatlas.app.fit import FitRequest, fit_answer
from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.catalog.model_arch_llm import ModelArch
from gpuatlas.catalog.model_library import get_model
from gpuatlas.catalog.shipped_context import (
    ShippedContext,
    shipped_context_for,
    shipped_context_problem,
)
from gpuatlas.errors import InvalidRequestError


def _llm(model_id: str) -> ModelArch:
    model = get_model(model_id)
    assert isinstance(model, ModelArch)
    return model


@pytest.mark.parametrize("size", ["7b", "14b", "32b", "72b"])
def test_instruct_checkpoints_ship_32k_that_yarn_extends_to_128k(size: str) -> None:
    model = _llm(f"qwen2.5-{size}")
    shipped = shipped_context_for(model.shipped_contexts, f"Qwen/Qwen2.5-{size.upper()}-Instruct")
    assert shipped is not None
    assert (shipped.max_position_embeddings, shipped.yarn_max_tokens) == (32768, 131072)
    assert shipped.source.startswith(f"https://huggingface.co/Qwen/Qwen2.5-{size.upper()}-Instruct")
    assert model.max_position_embeddings == 131072  # the base checkpoint's own config


def test_the_small_instruct_checkpoint_ships_32k_without_yarn() -> None:
    shipped = shipped_context_for(_llm("qwen2.5-1.5b").shipped_contexts, "qwen2.5-1.5b-instruct")
    assert shipped is not None
    assert (shipped.max_position_embeddings, shipped.yarn_max_tokens) == (32768, 0)


def test_the_base_checkpoint_has_no_other_context() -> None:
    assert shipped_context_for(_llm("qwen2.5-32b").shipped_contexts, "Qwen/Qwen2.5-32B") is None


def test_fit_of_the_instruct_checkpoint_states_its_default_and_yarn_context() -> None:
    answer = fit_answer(FitRequest(system="rtx-4090", model="Qwen/Qwen2.5-32B-Instruct"))
    (note,) = answer.context_notes
    assert note.startswith("Qwen/Qwen2.5-32B-Instruct ships max_position_embeddings 32,768")
    assert "extends it to 131,072 tokens" in note
    assert "source: https://huggingface.co/Qwen/Qwen2.5-32B-Instruct" in note
    assert answer.to_json()["context_notes"] == [note]


def test_fit_of_the_base_checkpoint_says_nothing_more() -> None:
    answer = fit_answer(FitRequest(system="rtx-4090", model="Qwen/Qwen2.5-32B"))
    assert answer.context_notes == ()


@pytest.mark.parametrize("size", ["1.5B", "7B", "14B", "32B"])
def test_coder_instruct_checkpoints_ship_32k_that_yarn_extends_to_128k(size: str) -> None:
    model = _llm(f"qwen2.5-coder-{size.lower()}")
    shipped = shipped_context_for(model.shipped_contexts, f"Qwen/Qwen2.5-Coder-{size}-Instruct")
    assert shipped is not None
    assert (shipped.max_position_embeddings, shipped.yarn_max_tokens) == (32768, 131072)


def test_fit_beyond_the_shipped_context_refuses_with_the_yarn_numbers() -> None:
    """100k on Qwen2.5-7B-Instruct: the checkpoint as published stops at 32,768; YaRN x4 (by
    hand, per the model card) reaches 131,072."""
    request = FitRequest(
        system="h100-sxm", model="Qwen/Qwen2.5-7B-Instruct", context_tokens=100_000
    )
    with pytest.raises(InvalidRequestError) as error:
        fit_answer(request)
    message = str(error.value)
    assert "context 100,000 tokens exceeds the 32,768 that Qwen/Qwen2.5-7B-Instruct" in message
    assert "YaRN rope scaling (factor 4, up to 131,072 tokens)" in message


def test_fit_within_the_shipped_context_and_of_the_base_checkpoint_answers() -> None:
    instruct = FitRequest(
        system="h100-sxm", model="Qwen/Qwen2.5-7B-Instruct", context_tokens=32_768
    )
    base = FitRequest(system="h100-sxm", model="Qwen/Qwen2.5-7B", context_tokens=100_000)
    assert fit_answer(instruct).context_notes  # the 32,768 limit is still stated
    assert fit_answer(base).context_notes == ()


def test_predict_counts_prompt_and_output_against_the_shipped_context() -> None:
    request = PredictLlmRequest(
        system="h100-sxm", model="Qwen/Qwen2.5-7B-Instruct", input_tokens=32_768, output_tokens=256
    )
    with pytest.raises(InvalidRequestError, match="33,024 tokens exceeds the 32,768"):
        predict_llm_document(request)


def test_beyond_yarn_only_the_shipped_limit_is_offered() -> None:
    context = ShippedContext("org/Model-Instruct", 32_768, 0, "card")
    problem = shipped_context_problem(context, 40_000)
    assert problem is not None and "YaRN" not in problem
    assert problem.endswith("use a context of 32,768 tokens or less (source: card)")
    assert shipped_context_problem(context, 32_768) is None


def test_without_a_context_fit_takes_a_shorter_trained_maximum_and_says_so() -> None:
    # TinyLlama-1.1B: max_position_embeddings 2,048, below the 4,096-token default; asking
    # nothing must not be an error about a context the user never gave
    answer = fit_answer(FitRequest(system="rtx-3060", model="tinyllama-1.1b", engine="vllm"))
    assert answer.detail.context_tokens == 2048
    assert any("trained maximum" in note for note in answer.context_notes)
    longer = fit_answer(FitRequest(system="rtx-3060", model="llama-3.1-8b", engine="vllm"))
    assert longer.detail.context_tokens == 4096
    with pytest.raises(InvalidRequestError, match="maximum of 2,048"):
        fit_answer(FitRequest(system="rtx-3060", model="tinyllama-1.1b", context_tokens=4096))
