"""Run by Ollama, a checkpoint named without a format is the Ollama library's build of it:
`ollama run` pulls the library's default tag (Q4_K_M for a 16-bit model, ollama/ollama#1543),
never the Hub's 16-bit safetensors. Server engines keep the checkpoint's own format (llama.cpp's
own default build: tests/catalog/test_llama_cpp_default_weights.py)."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import choose_weights, native_weights, runs_ollama
from gpuatlas.performance.llm.fit_answer import answer_fit

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("engine", ["ollama", "Ollama 0.12", "ollama-metal", "ollama-vulkan"])
def test_an_ollama_engine_runs_the_library_build_of_a_16_bit_checkpoint(engine: str) -> None:
    choice = choose_weights("auto", resolve_model_reference("llama-3.1-8b"), engine)
    assert choice.format_id == "q4_k_m"
    assert "Ollama" in choice.reason


@pytest.mark.parametrize("engine", [None, "vllm", "vLLM 0.10.1", "sglang"])
def test_other_engines_keep_the_checkpoint_format(engine: str | None) -> None:
    assert native_weights(resolve_model_reference("llama-3.1-8b"), engine).format_id == "bf16"
    assert not runs_ollama(engine)


def test_a_format_the_user_names_wins_over_ollama_default() -> None:
    reference = resolve_model_reference("llama-3.1-8b")
    assert choose_weights("fp16", reference, "ollama").format_id == "fp16"
    assert choose_weights("q8_0", reference, "ollama").format_id == "q8_0"


def test_a_checkpoint_published_quantised_stays_in_its_format_under_ollama() -> None:
    reference = resolve_model_reference("meta-llama/Llama-3.1-70B-Instruct-AWQ")
    assert choose_weights("auto", reference, "ollama").format_id == reference.format_id


def test_predict_llm_with_ollama_assumes_and_says_the_library_build() -> None:
    document = predict_llm_document(
        PredictLlmRequest.model_validate(
            {"system": "rtx-4090", "model": "llama-3.1-8b", "engine": "Ollama 0.12"}
        )
    )
    assumed = document["weights_assumed"]
    assert assumed["format"] == "q4_k_m"
    assert "Ollama" in assumed["reason"]


def test_fit_with_ollama_sizes_the_library_build() -> None:
    answer = answer_fit("rtx-4090", resolve_model_reference("llama-3.1-8b"), [], engine="ollama")
    assert answer.weights.format_id == "q4_k_m"
    # 8.03B parameters at Q4_K_M's ~4.9 bits per weight: about 4.9 GB, not bf16's 16.1 GB
    assert 4.3 < answer.detail.per_gpu.weights_gb < 5.5
