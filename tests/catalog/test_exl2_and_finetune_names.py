"""Checkpoint names people copy (issue 10): EXL2 (ExLlamaV2) quantisations read as their base
model in the EXL2 bitrate the name states, run with ExLlamaV2; an EXL2 repository without its
bitrate branch is refused with the reason (EXL3: test_exllamav3.py); fine-tunes that keep their
base's shapes (Magistral Small, gpt-oss-safeguard) resolve to the base."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import find_format, resolve_format
from gpuatlas.catalog.model_weights import native_weights
from gpuatlas.catalog.models import resolve_llm, resolve_model_reference
from gpuatlas.errors import InvalidRequestError, UnknownNameError
from gpuatlas.performance.engine_profiles import resolve_engine

pytestmark = pytest.mark.unit

EXL2, EXL3 = "exllamav2", "exllamav3"


@pytest.mark.parametrize(
    ("name", "model_id", "bits", "engine"),
    [
        ("turboderp/Llama-3.1-8B-Instruct-exl2:4.0bpw", "llama-3.1-8b", 4.0, EXL2),
        ("turboderp/Llama-3.1-8B-Instruct-exl2:6.5bpw", "llama-3.1-8b", 6.5, EXL2),
        (
            "LoneStriker/Mistral-7B-Instruct-v0.2-6.0bpw-h6-exl2",
            "mistral-7b-v0.2",
            6.0,
            "exllamav2",
        ),
        ("bartowski/Meta-Llama-3-8B-Instruct-exl2:6_5", "llama-3-8b", 6.5, EXL2),
        ("Llama-3.1-8B-Instruct-exl2_4.65bpw", "llama-3.1-8b", 4.65, EXL2),
        # EXL3 (ExLlamaV3): any average of 1 to 8 bits
        ("turboderp/Qwen3-32B-exl3:4.0bpw", "qwen3-32b", 4.0, EXL3),
        ("turboderp/Qwen3-32B-exl3:2.5bpw", "qwen3-32b", 2.5, EXL3),
        (
            "MikeRoz_Mistral-Large-Instruct-2407-exl3_4.00bpw_H6",
            "mistral-large-2",
            4.0,
            "exllamav3",
        ),
        ("llama3.1-70b-instruct-exl3-3.75bpw", "llama-3.1-70b", 3.75, EXL3),
    ],
)
def test_exllama_names_read_as_base_model_at_the_stated_bitrate(
    name: str, model_id: str, bits: float, engine: str
) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert reference.model.id == model_id
    choice = native_weights(reference)
    weight_format = resolve_format(choice.format_id)
    assert weight_format.bits_per_weight == bits
    assert weight_format.weight_only and weight_format.compute_precision == "fp16"
    assert choice.engine == engine


def test_every_exl2_bitrate_is_one_entry_with_its_own_bits() -> None:
    low, high = find_format("exl2-2.5bpw"), find_format("EXL2 8.0 bpw")
    assert low is not None and high is not None
    assert (low.bits_per_weight, high.bits_per_weight) == (2.5, 8.0)
    assert low.source == high.source  # one sourced declaration in formats.toml
    assert find_format("exl2-9bpw") is None and find_format("exl2") is None


def test_exllamav2_loads_every_exl2_bitrate_and_vllm_none() -> None:
    assert resolve_engine("exllamav2").supports_format("exl2-6.5bpw")
    assert not resolve_engine("vllm").supports_format("exl2-6.5bpw")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("turboderp/Llama-3.1-8B-Instruct-exl2", "one branch per bitrate"),
        ("turboderp/Llama-3.1-8B-Instruct-exl3", "one branch per bitrate"),
    ],
)
def test_exllama_repositories_without_bitrate_are_refused(name: str, says: str) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    with pytest.raises(InvalidRequestError, match=says):
        native_weights(reference)


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("mistralai/Magistral-Small-2506", "devstral-small"),
        ("mistralai/Magistral-Small-2509", "devstral-small"),
        ("magistral:24b", "devstral-small"),
        ("openai/gpt-oss-safeguard-20b", "gpt-oss-20b"),
        ("gpt-oss-safeguard:120b", "gpt-oss-120b"),
        ("Hermes-3-Llama-3.1-8B", "llama-3.1-8b"),
        ("LatitudeGames/Wayfarer-Large-70B-Llama-3.3", "llama-3.3-70b"),
        ("Some-Tune-70B-Llama-3.3-GGUF", "llama-3.3-70b"),
    ],
)
def test_fine_tunes_with_their_bases_shapes_resolve_to_the_base(name: str, model_id: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == model_id


def test_gemma_3_270m_adds_up_to_its_published_size() -> None:
    """Google: 270M = 170M embedding (262,144 x 640 tied) + 100M in 18 transformer blocks."""
    model = resolve_llm("google/gemma-3-270m-it", allow_hub=False)
    assert model.id == "gemma-3-270m"
    assert model.total_params() == pytest.approx(270e6, rel=0.015)
    assert model.max_position_embeddings == 32768
    assert resolve_model_reference("gemma3:270m", allow_hub=False).model.id == "gemma-3-270m"


def test_qwen3_coder_480b_adds_up_to_its_published_total_and_active_size() -> None:
    """Model card: 480B in total, 35B activated; 160 experts, 8 per token, 262,144 positions."""
    model = resolve_llm("Qwen/Qwen3-Coder-480B-A35B-Instruct", allow_hub=False)
    assert model.id == "qwen3-coder-480b-a35b"
    assert model.total_params() == pytest.approx(480e9, rel=0.015)
    assert model.active_params() == pytest.approx(35e9, rel=0.015)
    assert model.max_position_embeddings == 262144
    quantised = "unsloth/Qwen3-Coder-480B-A35B-Instruct-GGUF:Q4_K_M"
    assert resolve_model_reference(quantised, allow_hub=False).model.id == model.id


def test_glm_4_6_is_glm_4_5_shaped_with_its_200k_context() -> None:
    """GLM-4.6 keeps GLM-4.5's 355B / 32B shapes and expands the context to 202,752 positions."""
    model = resolve_llm("zai-org/GLM-4.6", allow_hub=False)
    base = resolve_llm("zai-org/GLM-4.5", allow_hub=False)
    assert model.id == "glm-4.6"
    assert model.total_params() == pytest.approx(base.total_params())
    assert model.total_params() == pytest.approx(355e9, rel=0.015)
    assert (model.max_position_embeddings, base.max_position_embeddings) == (202752, 131072)
    fp8 = native_weights(resolve_model_reference("zai-org/GLM-4.6-FP8", allow_hub=False))
    assert fp8.format_id == "fp8"


def test_kimi_k2_0905_keeps_k2_shapes_with_its_256k_context() -> None:
    update = resolve_llm("moonshotai/Kimi-K2-Instruct-0905", allow_hub=False)
    original = resolve_llm("moonshotai/Kimi-K2-Instruct", allow_hub=False)
    assert update.id == "kimi-k2-0905"
    assert update.total_params() == pytest.approx(original.total_params())
    assert (update.max_position_embeddings, original.max_position_embeddings) == (262144, 131072)


@pytest.mark.parametrize(
    ("name", "model_id", "format_id"),
    [
        # geerlingguy/ai-benchmarks issue 40: TinyLlama's 1T-token checkpoint fine-tuned on
        # OpenOrca, a GGUF file at Q4_K_M
        ("tinyllama-1.1b-1t-openorca.Q4_K_M.gguf", "tinyllama-1.1b", "q4_k_m"),
        ("llama-2-7b-guanaco", "llama-2-7b", None),
        ("Llama-3.1-8B-Lexi-Uncensored", "llama-3.1-8b", None),
    ],
)
def test_a_fine_tune_named_after_its_base_and_size_is_that_base(
    name: str, model_id: str, format_id: str | None
) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert reference.model.id == model_id
    assert reference.matched_by == "derived_checkpoint"  # the answer says it read a derivative
    assert reference.format_id == format_id


@pytest.mark.parametrize(
    "name",
    [
        "qwen2.5-7b-vl-custom",  # a vision tower after the size: not the text model
        "Llama-3.3-70B-KV",  # a KV-cache word without its format
        "mistralai/Mistral-7B-Instruct-v0.4",  # another release
        "llama-3.1-70-foo",  # no size before the own words: '70' is not read as 70B
    ],
)
def test_words_after_the_size_that_change_the_model_are_not_a_fine_tune(name: str) -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference(name, allow_hub=False)
