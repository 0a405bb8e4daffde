"""llama-bench prints a model as '<GGUF architecture> <size label> <file type>', the label being
llama.cpp's rounded model type ('phi2 3B F16' for Phi-2's 2.78e9 parameters). Such a name reads as
the library model of that architecture whose parameter count rounds to the label; a label that
several shapes round to is ambiguous, and one that none rounds to is not guessed."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.llama_bench_names import llama_cpp_architecture
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import UnknownNameError


@pytest.mark.parametrize(
    ("written", "model_id", "format_id"),
    [
        # Phi-2: PhiForCausalLM, GGUF architecture 'phi2', 2.78e9 parameters -> '3B'.
        ("phi2 3B F16", "phi-2", "fp16"),
        # Qwen2.5-3B: model_type qwen2, 3.09e9 -> '3B'.
        ("qwen2 3B Q4_0", "qwen2.5-3b", "q4_0"),
        # Phi-3-medium: model_type phi3, 13.96e9 -> '14B' (Phi-4's 14.7e9 rounds to 15).
        ("phi3 14B Q4_0", "phi-3-medium", "q4_0"),
    ],
)
def test_architecture_and_rounded_size_resolve(written: str, model_id: str, format_id: str) -> None:
    reference = resolve_model_reference(written)
    assert reference.model.id == model_id
    assert reference.format_id == format_id
    assert reference.model.total_params() / 1e9 == pytest.approx(
        float(written.split()[1][:-1]), abs=0.5
    )


def test_several_shapes_under_one_label_are_ambiguous() -> None:
    # Llama 3.2 3B (3.21e9) and OpenLLaMA 3B (3.43e9) are both GGUF 'llama' rounding to 3B.
    with pytest.raises(UnknownNameError) as caught:
        resolve_model_reference("llama 3B Q4_K - Medium")
    assert caught.value.ambiguous
    assert {"llama-3.2-3b", "open-llama-3b"} <= set(caught.value.candidates)


def test_a_label_no_count_rounds_to_is_not_guessed() -> None:
    # Qwen3-32B has 32.8e9 parameters: 'qwen3 31B' is not read as it.
    with pytest.raises(UnknownNameError) as caught:
        resolve_model_reference("qwen3 31B Q4_0")
    assert not caught.value.ambiguous


@pytest.mark.parametrize(
    ("model_type", "architecture"),
    [("phi", "phi2"), ("mistral", "llama"), ("qwen3_moe", "qwen3moe"), ("llama", "llama")],
)
def test_gguf_architecture_names(model_type: str, architecture: str) -> None:
    # convert_hf_to_gguf.py writes PHI2 for PhiForCausalLM and LLAMA for Mistral; otherwise
    # the GGUF name is the model_type without underscores.
    assert llama_cpp_architecture(model_type) == architecture


@pytest.mark.parametrize(
    ("written", "model_id", "format_id"),
    [
        # Gemma 4 26B-A4B: model_type gemma4_text (GGUF 'gemma4'), 25.23e9 total, 3.82e9 active;
        # llama.cpp's type is the card's '26B.A4B' (PR #27952's llama-bench table).
        ("gemma4 26B.A4B Q4_0", "gemma-4-26b-a4b", "q4_0"),
        # GLM-4.5-Air: glm4_moe, 106.85e9 total, 13.4e9 active, printed '106B.A12B'.
        ("glm4moe 106B.A12B Q4_K - Medium", "glm-4.5-air", "q4_k_m"),
    ],
)
def test_a_mixture_of_experts_type_reads_total_and_active_sizes(
    written: str, model_id: str, format_id: str
) -> None:
    reference = resolve_model_reference(written)
    assert (reference.model.id, reference.format_id) == (model_id, format_id)


def test_a_mixture_of_experts_type_needs_a_model_of_about_those_sizes() -> None:
    # No GLM-4.5-family model has ~200B total parameters: not guessed as GLM-4.5 (355B) or Air.
    with pytest.raises(UnknownNameError):
        resolve_model_reference("glm4moe 200B.A12B Q4_0")
