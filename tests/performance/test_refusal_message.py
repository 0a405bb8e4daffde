"""The refusal for a request that does not fit says, with thousands separators, what does not
fit, why (no room beside the weights, the longest context one sequence fits, or how many
sequences fit) and what would (a smaller format the engine loads, more GPUs)."""

from __future__ import annotations

import re

import pytest

from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.predict import llm_runtime, require_fits
from gpuatlas.performance.llm.refusal import is_memory_refusal


def _refusal(system: str, model: str, weights: str, engine: str, batch: int, context: int) -> str:
    with pytest.raises(InvalidRequestError) as caught:
        require_fits(llm_runtime(system, model, weights, engine), batch, context, "fp16")
    return str(caught.value)


def test_weights_that_leave_no_room_name_a_smaller_format_and_the_gpus_needed() -> None:
    # Qwen2.5-32B in bf16 is 61 GiB of weights: no room on a 24 GB card; AWQ int4 (18 GiB)
    # leaves room, and tensor parallel needs 4 cards for bf16 (fit's table says the same)
    message = _refusal("rtx-4090", "qwen2.5-32b", "bf16", "vllm", 1, 2304)
    assert message.startswith("2,304 tokens of context do not fit on rtx-4090 with qwen2.5-32b")
    assert "the weights leave no room for one sequence's KV cache" in message
    assert message.endswith("try a smaller format (awq-int4) or 4 GPUs")
    assert "0 sequences" not in message
    assert is_memory_refusal(message) and not is_memory_refusal("batch must be at least 1, got 0")


def test_a_context_too_long_for_one_sequence_says_the_longest_that_fits() -> None:
    message = _refusal("rtx-4090", "llama-3.1-8b", "bf16", "vllm", 1, 100_000)
    assert message.startswith("100,000 tokens of context do not fit")
    assert "one sequence fits up to 31,328 tokens of context" in message


def test_a_batch_too_large_says_how_many_sequences_fit() -> None:
    message = _refusal("rtx-4090", "llama-3.1-8b", "bf16", "vllm", 64, 8000)
    assert message.startswith("64 sequences of 8,000 tokens do not fit")
    assert "at most 3 sequences fit at this context" in message


def test_with_no_smaller_format_that_fits_vllm_is_pointed_at_llama_cpp_and_its_cpu_split() -> None:
    # Llama-3.1-70B in bf16 (131 GiB) leaves no room on one 24 GB card, and no format vLLM
    # loads fits it (AWQ int4 is ~37 GiB): llama.cpp keeps the layers that do not fit on the
    # CPU (its README's CPU+GPU hybrid inference), in its default Q4_K_M
    message = _refusal("rtx-4090", "llama-3.1-70b", "bf16", "vllm", 1, 768)
    assert message.endswith(
        "try 8 GPUs or llama.cpp, which keeps the layers that do not fit on the CPU "
        "(--engine llama.cpp --weights q4_k_m)"
    )
    too_long = _refusal("rtx-4090", "llama-3.1-8b", "bf16", "vllm", 1, 100_000)
    assert "llama.cpp" not in too_long  # a context too long is not a case for the CPU split


def test_with_no_smaller_format_that_fits_only_gpus_are_offered() -> None:
    """405B at IQ1_S (1.56 bits) is still about 79 GB: only more GPUs help on a 24 GB card."""
    message = _refusal("rtx-3090", "llama-3.1-405b", "q8_0", "llama.cpp", 1, 2304)
    assert re.search(
        r"the weights leave no room for one sequence's KV cache; try \d+ GPUs or partial "
        r"offload: --gpu-layers N keeps the other layers on the CPU",
        message,
    )
    assert "smaller format" not in message


def test_a_70b_model_on_one_24_gb_card_is_offered_an_i_quant() -> None:
    """70B at IQ2_XXS (2.06 bits) is about 18 GB: llama.cpp's i-quants fit where Q2_K does not."""
    message = _refusal("rtx-3090", "llama-3.1-70b", "q8_0", "llama.cpp", 1, 2304)
    assert "try a smaller format (iq2_xxs) or 4 GPUs or partial offload: --gpu-layers N" in message
    # an old llama.cpp build does not fit the layers by itself: `fit` names N for it
    assert message.endswith("(`gpuatlas fit rtx-3090 llama-3.1-70b -w q8_0` names N)")
