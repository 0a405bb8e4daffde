"""Names people write resolve to the base architecture (with a format hint when there is one)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.models import resolve_llm, resolve_model, resolve_model_reference
from gpuatlas.errors import UnknownNameError


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("meta-llama/Llama-3.1-8B", "llama-3.1-8b"),
        ("META-LLAMA/LLAMA-3.1-8B", "llama-3.1-8b"),
        ("meta-llama/Meta-Llama-3-8B-Instruct", "llama-3-8b"),
        ("llama-3-8b", "llama-3-8b"),
        ("qwen3-4b", "qwen3-4b"),
        ("Qwen/Qwen3-235B-A22B", "qwen3-235b-a22b"),
        ("deepseek-ai/DeepSeek-V3", "deepseek-v3"),
        ("flux-dev", "flux.1-dev"),
        ("sdxl", "sdxl-base-1.0"),
        ("llava-hf/llava-1.5-7b-hf", "llava-1.5-7b"),
        ("microsoft/trocr-base-handwritten", "trocr-base"),
    ],
)
def test_ids_hub_ids_and_aliases(name: str, model_id: str) -> None:
    assert resolve_model(name).id == model_id


@pytest.mark.parametrize(
    ("tag", "model_id"),
    [("gpt-oss:20b", "gpt-oss-20b"), ("gpt-oss:120b", "gpt-oss-120b"),
     ("llama3.1:8b", "llama-3.1-8b"), ("qwen3:4b", "qwen3-4b"), ("qwen3:30b", "qwen3-30b-a3b"),
     ("mixtral:8x7b", "mixtral-8x7b"), ("llama3.3:70b", "llama-3.3-70b"),
     ("llama4", "llama-4-scout"), ("llama4:128x17b", "llama-4-maverick"),
     ("qwen2.5-coder", "qwen2.5-coder-7b"), ("phi4", "phi-4"),
     ("command-r-plus", "command-r-plus-08-2024")],
)  # fmt: skip
def test_ollama_tags(tag: str, model_id: str) -> None:
    reference = resolve_model_reference(tag)
    assert reference.model.id == model_id
    assert reference.matched_by == "ollama_tag"


def test_ollama_tag_with_quantisation_suffix_gives_the_format() -> None:
    reference = resolve_model_reference("llama3.1:8b-instruct-q4_K_M")
    assert reference.model.id == "llama-3.1-8b"
    assert reference.format_id == "q4_k_m"


@pytest.mark.parametrize(
    ("name", "model_id", "format_id"),
    [
        ("nvidia/Llama-3.1-8B-Instruct-FP8", "llama-3.1-8b", "fp8"),
        ("TheBloke/Llama-2-13B-chat-AWQ", "llama-2-13b", "awq-int4"),
        ("TheBloke/Llama-2-7B-Chat-GPTQ", "llama-2-7b", "gptq-int4"),
        ("TheBloke/Mistral-7B-Instruct-v0.1-AWQ", "mistral-7b-v0.1", "awq-int4"),
        ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "llama-3.1-8b", None),
        ("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "llama-3.1-8b", "q4_k_m"),
        ("unsloth/gpt-oss-20b-GGUF", "gpt-oss-20b", None),
        ("RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic", "llama-3.3-70b", "fp8"),
        ("Qwen/Qwen3-8B-AWQ", "qwen3-8b", "awq-int4"),
        ("Qwen/Qwen3-30B-A3B-Instruct-2507", "qwen3-30b-a3b-2507", None),  # own entry: 262k context
        ("deepseek-ai/DeepSeek-R1-0528", "deepseek-v3", None),  # a release date is dropped
        ("meta-llama/Llama-2-7b-chat-hf", "llama-2-7b", None),
        ("codellama/CodeLlama-34b-Instruct-hf", "codellama-34b", None),
        # `repo-GGUF:QUANT` picks a file of a GGUF repo (Ollama's and LM Studio's hf.co form)
        ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M", "llama-3.1-8b", "q4_k_m"),
        ("unsloth/Llama-3.3-70B-Instruct-GGUF:Q4_K_M", "llama-3.3-70b", "q4_k_m"),
        ("hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q8_0", "llama-3.2-3b", "q8_0"),
        ("https://huggingface.co/Qwen/Qwen3-8B", "qwen3-8b", None),
        # re-uploads keeping the original organisation in the repo name
        ("bartowski/google_gemma-3-27b-it-GGUF:Q4_K_M", "gemma-3-27b", "q4_k_m"),
        # Gemma QAT exports; MLX conversions ("-Q8" there is MLX 8-bit, not a GGUF type)
        ("google/gemma-3-12b-it-qat-q4_0-gguf", "gemma-3-12b", "q4_0"),
        ("mlx-community/gemma-3-27b-it-qat-4bit", "gemma-3-27b", "mlx-4bit"),
        ("mlx-community/gpt-oss-20b-MXFP4-Q8", "gpt-oss-20b", "mxfp4"),
        ("mistralai/Devstral-Small-2507", "devstral-small", None),
        ("devstral:24b-small-2505-q8_0", "devstral-small", "q8_0"),
        # fine-tunes named after their base: the base inside the name, abliterated exports
        ("NousResearch/Hermes-3-Llama-3.1-8B", "llama-3.1-8b", None),
        ("bartowski/Hermes-3-Llama-3.1-70B-GGUF:Q4_K_M", "llama-3.1-70b", "q4_k_m"),
        ("cognitivecomputations/Dolphin3.0-Llama3.1-8B", "llama-3.1-8b", None),
        ("huihui-ai/Qwen2.5-Coder-32B-Instruct-abliterated", "qwen2.5-coder-32b", None),
        # name forms held-out sources write (/work/notes/missing-models.md)
        ("llama-2-7b.Q4_0.gguf", "llama-2-7b", "q4_0"),
        ("gpt-oss-120b-mxfp4-00001-of-00003.gguf", "gpt-oss-120b", "mxfp4"),
        ("kaitchup/Qwen3-32B-autoround-4bit-gptq", "qwen3-32b", "gptq-int4"),
        ("qwen 2.5 7B", "qwen2.5-7b", None),
        ("qwen 2.5 1.5B", "qwen2.5-1.5b", None),
        ("mistral small 3 24B", "mistral-small-24b", None),
        ("mistral-small3.2:latest", "mistral-small-3.1", None),
        ("qwen3-coder:latest", "qwen3-coder-30b-a3b", None),
        # models added for issue 10 item 8 (test_models_current_families.py checks their shapes)
        ("deepseek-ai/DeepSeek-V3.1", "deepseek-v3", None),  # the V3 architecture
        ("deepseek-v3.1:671b", "deepseek-v3", None),
        ("qwen3-coder:30b", "qwen3-coder-30b-a3b", None),
        ("qwen3:30b-a3b-instruct-2507-q4_K_M", "qwen3-30b-a3b-2507", "q4_k_m"),
        ("mistral-small3.1", "mistral-small-3.1", None),
        ("mistralai/Mistral-Small-3.2-24B-Instruct-2506", "mistral-small-3.1", None),
        ("phi4-mini", "phi-4-mini", None),
        ("command-r:35b-08-2024-q4_K_M", "command-r-08-2024", "q4_k_m"),
        ("zai-org/GLM-4.5-Air-FP8", "glm-4.5-air", "fp8"),
        ("Qwen/Qwen2.5-VL-72B-Instruct-AWQ", "qwen2.5-vl-72b", "awq-int4"),
        ("qwen2.5vl:32b", "qwen2.5-vl-32b", None),
    ],
)
def test_quantised_and_fine_tuned_checkpoints_resolve_to_the_base(
    name: str, model_id: str, format_id: str | None
) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert reference.model.id == model_id
    assert reference.format_id == format_id


def test_gguf_repo_reports_a_gguf_hint_without_a_specific_type() -> None:
    reference = resolve_model_reference("TheBloke/Llama-2-7B-Chat-GGUF")
    assert reference.format_hint == "GGUF" and reference.format_id is None


def test_unknown_name_lists_close_matches() -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_model("llama-3.1-9b", allow_hub=False)
    assert "llama-3.1-8b" in caught.value.candidates
    assert "close matches" in str(caught.value)


def test_a_different_version_is_not_silently_mapped_to_another() -> None:
    # there is no Mistral-7B v0.4: it must not resolve to v0.3 (or any other release)
    with pytest.raises(UnknownNameError) as caught:
        resolve_model("mistralai/Mistral-7B-Instruct-v0.4", allow_hub=False)
    assert "mistral-7b-v0.3" in caught.value.candidates


def test_resolve_llm_gives_a_vlm_backbone_and_refuses_diffusion() -> None:
    assert resolve_llm("qwen2.5-vl-7b").hidden_size == 3584
    with pytest.raises(UnknownNameError):
        resolve_llm("flux-dev")
