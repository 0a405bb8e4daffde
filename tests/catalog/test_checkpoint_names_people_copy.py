"""Checkpoint ids as people copy them (`hf.co/owner/repo-GGUF:QUANT`): the tag gives the
format, the name the answer shows is the one written, and an unknown repo with a tag still
lists close matches of the repo (issue 10, item 8). The ids themselves are in
test_models_resolution.py."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.errors import UnknownNameError


def test_the_reference_keeps_the_name_as_written() -> None:
    name = "hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q8_0"
    reference = resolve_model_reference(name, allow_hub=False)
    assert reference.name == name
    assert (reference.format_hint, reference.format_id) == ("Q8_0", "q8_0")


def test_a_tag_on_an_unknown_repo_lists_close_matches_of_the_repo() -> None:
    with pytest.raises(UnknownNameError) as raised:
        resolve_model_reference("bartowski/Llama-9.9-8B-Instruct-GGUF:Q4_K_M", allow_hub=False)
    assert "llama-3.1-8b" in str(raised.value)


@pytest.mark.parametrize(
    "name", ["Qwen/Qwen2.5-3B-Instruct-1M", "Qwen/Qwen2.5-Math-7B", "some-org/some-random-7b"]
)
def test_a_release_of_another_shape_is_not_read_as_a_library_model(name: str) -> None:
    # a 1M-token-context or a 4k-context Math release is not the library's qwen2.5 of that
    # size (131k), so it is not matched by its leading words (the library has the 7B/14B 1M)
    with pytest.raises(UnknownNameError):
        resolve_model_reference(name, allow_hub=False)


@pytest.mark.parametrize(
    ("name", "model_id", "format_id"),
    [
        # benchmark tables bracket what kind of file they ran after the model's name
        ("Qwen3.5-35B-A3B (GGUF)", "qwen3.6-35b-a3b", None),
        ("Qwen3-8B (GGUF)", "qwen3-8b", None),
        ("Llama-3.1-8B (Q4_K_M)", "llama-3.1-8b", "q4_k_m"),
        # unsloth's GGUFs that keep the multi-token-prediction head (llama.cpp's MTP drafting)
        ("Qwen3.5-0.8B (MTP GGUF)", "qwen3.5-0.8b", None),
        ("unsloth/Qwen3.5-9B-MTP-GGUF", "qwen3.5-9b", None),
    ],
)
def test_a_bracketed_file_kind_after_the_name_reads_as_the_model(
    name: str, model_id: str, format_id: str | None
) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert (reference.model.id, reference.format_id) == (model_id, format_id)


def test_a_bracketed_size_still_checks_the_size() -> None:
    """'Phi3-mini (3.8B)' is phi-3-mini; a size that is not the model's is not read as it."""
    assert resolve_model_reference("Phi3-mini (3.8B)", allow_hub=False).model.id == "phi-3-mini"
    with pytest.raises(UnknownNameError):
        resolve_model_reference("Phi3-mini (70B)", allow_hub=False)


@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        # NVIDIA NeMo AutoModel's performance tables label models by family and total size
        ("DeepSeek V3 671B", "deepseek-v3"),
        ("Kimi K2 1T", "kimi-k2"),  # 1.03 T parameters
        ("gpt-oss 120B", "gpt-oss-120b"),
    ],
)
def test_a_trailing_total_size_reads_as_the_model_of_that_size(written: str, model_id: str) -> None:
    assert resolve_model_reference(written, allow_hub=False).model.id == model_id


@pytest.mark.parametrize(
    "written", ["DeepSeek V3 70B", "Kimi K2 32B", "Llama 3 405B", "llama-3.1 9b", "llama-3.1-9b"]
)
def test_a_trailing_size_that_is_not_the_model_s_does_not_resolve(written: str) -> None:
    """Llama 3 has no 405B (that is Llama 3.1) and Llama 3.1 no 9B (a family name alone reads as
    its default 8B variant): the size is checked, never dropped."""
    with pytest.raises(UnknownNameError):
        resolve_model_reference(written, allow_hub=False)


@pytest.mark.parametrize(
    ("written", "model", "format_id"),
    [
        # lhl/strix-halo-testing: ggml-org's GGUF keeps MXFP4 experts and Q8_0 elsewhere
        ("gpt-oss-120b (ggml-org, Q8/MXFP4)", "gpt-oss-120b", "mxfp4_moe"),
        ("gpt-oss-20b (Q4_K_M/MXFP4)", "gpt-oss-20b", None),  # no one file type of the two
        ("Qwen3-30B-A3B (bartowski, Q4_K_M)", "qwen3-30b-a3b", "q4_k_m"),
        ("Llama-3.1-8B (unsloth, Q8_0)", "llama-3.1-8b", "q8_0"),
        ("Qwen3-30B-A3B (bartowski)", "qwen3-30b-a3b", None),
    ],
)
def test_a_bracketed_publisher_and_file_types_read_as_the_model(
    written: str, model: str, format_id: str | None
) -> None:
    reference = resolve_model_reference(written)
    assert reference.model.id == model
    assert reference.format_id == format_id


@pytest.mark.parametrize(
    "written", ["gpt-oss-120b (ggml-org, Q8/MXFP4)", "gpt-oss-120b (Q8/MXFP4, ggml-org)"]
)
def test_a_mixed_file_type_is_said_as_written_whatever_the_order(written: str) -> None:
    assert resolve_model_reference(written).format_hint == "Q8/MXFP4"


def test_a_bracket_with_other_words_is_not_read_as_a_publisher_label() -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference("gpt-oss-120b (fine-tuned by us, Q8/MXFP4)")


@pytest.mark.parametrize(
    ("written", "model_id"),
    [("Qwen3 MoE 30B", "qwen3-30b-a3b"), ("Mixtral MoE 8x7B", "mixtral-8x7b")],
)
def test_the_word_moe_before_a_total_size_reads_as_the_mixture_of_experts(
    written: str, model_id: str
) -> None:
    """NeMo AutoModel's tables write 'Qwen3 MoE 30B'; the word goes only where the model named
    without it is a mixture of experts."""
    assert resolve_model_reference(written, allow_hub=False).model.id == model_id


def test_the_word_moe_after_a_dense_model_is_not_dropped() -> None:
    """A 'Llama-3-8B-MoE' merge is not llama-3-8b (a dense model)."""
    with pytest.raises(UnknownNameError):
        resolve_model_reference("Llama-3-8B-MoE", allow_hub=False)
