"""`predict llm --num-ctx`: the context Ollama (num_ctx, OLLAMA_CONTEXT_LENGTH) or llama.cpp
(-c) allocates per sequence decides whether the model splits between GPU and CPU
(performance/llm/offload_speed.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.memory import max_context_one_sequence, max_sequences
from gpuatlas.performance.llm.offload_speed import allocated_context, offload_for
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.refusal import memory_inputs

pytestmark = pytest.mark.unit


def _document(**given: Any) -> dict[str, Any]:
    request = PredictLlmRequest.model_validate(
        {"system": "rtx-4090", "model": "qwen3:32b", "engine": "ollama", **given}
    )
    return predict_llm_document(request)


def _whole_gpu_decode_tok_s(input_tokens: int = 512, output_tokens: int = 256) -> float:
    """One sequence's decode rate with every layer on the GPU: the calibrated step at the
    mean context of the run (prompt plus half the output)."""
    runtime = llm_runtime("rtx-4090", "qwen3-32b", "q4_k_m", "ollama")
    return 1.0 / runtime.decode_step_s(1, input_tokens + output_tokens / 2)


def test_the_newest_ollama_splits_qwen3_32b_at_its_32k_default_on_a_24_gib_card() -> None:
    """Ollama 0.15.5+ allocates num_ctx 32,768 on 24 GiB (context_defaults.toml): KV for that
    does not fit beside 18.5 GiB of q4_k_m weights, so layers go to host memory; the request
    echo states the 32,768 used, and the note names the option that keeps it whole."""
    document = _document()
    assert document["request"]["num_ctx"] == 32768
    decode = document["decode_tok_s"]
    assert decode["value"] < _whole_gpu_decode_tok_s() / 3  # host memory sets the pace
    note = " ".join(decode["notes"])
    assert "num_ctx 32,768, its default here" in note
    assert re.search(r"OLLAMA_CONTEXT_LENGTH=(\d+) or less .* \(--num-ctx \1\)", note)


def test_num_ctx_8192_runs_whole_on_the_gpu_at_the_whole_gpu_decode_speed() -> None:
    document = _document(num_ctx=8192)
    assert document["request"]["num_ctx"] == 8192
    decode = document["decode_tok_s"]
    assert decode["value"] == pytest.approx(_whole_gpu_decode_tok_s(), rel=1e-9)
    assert decode["notes"] == []


def test_the_advised_num_ctx_keeps_every_layer_on_the_gpu() -> None:
    """The note's value (whole KiB tokens within fit's safety margin) runs whole; a num_ctx
    given at Ollama's 32k default splits and says it was given."""
    inputs = memory_inputs(llm_runtime("rtx-4090", "qwen3-32b", "q4_k_m", "ollama"), "fp16")
    advised = max_context_one_sequence(inputs, 1) // 1024 * 1024
    assert 768 < advised < 32768
    assert max_sequences(inputs, 1, advised) >= 1
    assert offload_for(inputs, 1, 768, num_ctx=advised) is None
    assert allocated_context(inputs, 768, num_ctx=advised) == advised
    split = offload_for(inputs, 1, 768, num_ctx=32768)
    assert split is not None and "num_ctx 32,768, as given" in split.rule


def test_llama_cpp_minus_c_allocates_its_kv_too() -> None:
    """llama.cpp's -c 131072 holds 16 GiB of f16 KV for llama-3.1-8b (32 layers x 8 KV heads
    x 128 x 2 x 2 bytes x 131,072 tokens) beside 16 GB of fp16 weights: over 24 GiB, so --fit
    moves layers to the CPU; the run's own 768 tokens fit whole."""
    inputs = memory_inputs(llm_runtime("rtx-4090", "llama-3.1-8b", "fp16", "llama.cpp"), "fp16")
    assert allocated_context(inputs, 768) == 768
    assert allocated_context(inputs, 768, num_ctx=131072) == 131072
    assert offload_for(inputs, 1, 768) is None
    split = offload_for(inputs, 1, 768, num_ctx=131072)
    assert split is not None and split.gpu_layers < 32


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"num_ctx": 100_000}, "longer than qwen3-32b's 40,960-token context; use 40960 or less"),
        ({"num_ctx": 500}, r"shorter than the prompt plus output \(768 tokens\)"),
        ({"num_ctx": 8192, "engine": "vllm", "weights": "fp16"}, "vllm has none"),
    ],
)
def test_a_num_ctx_that_cannot_be_is_refused_with_the_limit(
    given: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        _document(**given)


def test_engines_without_the_option_echo_none() -> None:
    request = PredictLlmRequest(system="h100-sxm", model="llama-3.1-8b", engine="vllm")
    assert predict_llm_document(request)["request"]["num_ctx"] is None
