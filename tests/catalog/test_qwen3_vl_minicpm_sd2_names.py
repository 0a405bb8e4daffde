"""Names held-out rows write for Qwen3-VL (Ollama tags, an Unsloth GGUF file, Qwen's FP8 and a
third-party AWQ export), MiniCPM4.1-8B with its GGUF type after a space, Stable Diffusion 2.0
base and Apple's Core ML conversion of 2.1 base, and Unsloth's 'UD-Q4_K_M' as a weights value."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import gguf_shorthand
from gpuatlas.catalog.model_arch import VisionLanguageArch
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import choose_weights
from gpuatlas.catalog.names import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id", "format_id"),
    [
        ("qwen3-vl:8b", "qwen3-vl-8b", None),
        ("qwen3-vl:30b-a3b-thinking-q4_K_M", "qwen3-vl-30b-a3b", "q4_k_m"),
        ("Qwen3-VL-8B-Instruct-UD-Q4_K_XL.gguf", "qwen3-vl-8b", "q4_k_m"),
        ("Qwen/Qwen3-VL-8B-Instruct-FP8", "qwen3-vl-8b", "fp8"),
        ("cpatonn/Qwen3-VL-30B-A3B-Instruct-AWQ-4bit", "qwen3-vl-30b-a3b", "awq-int4"),
        ("MiniCPM4.1-8B Q4_K_M", "minicpm4.1-8b", "q4_k_m"),
        ("openbmb/MiniCPM4.1-8B", "minicpm4.1-8b", None),
        ("stabilityai/stable-diffusion-2-base", "sd-2-base", None),
        ("coreml-stable-diffusion-2-1-base", "sd-2.1-base", None),
        ("apple/coreml-stable-diffusion-2-1-base", "sd-2.1-base", None),
    ],
)
def test_written_name_resolves_to_base_model_and_format(
    written: str, model_id: str, format_id: str | None
) -> None:
    reference = resolve_model_reference(written)
    assert (reference.model.id, reference.format_id) == (model_id, format_id)


@pytest.mark.unit
def test_qwen3_vl_8b_counts_its_checkpoint_parameters() -> None:
    # 8,767,123,696 in the checkpoint: 576.4M vision tower (ViT + merger + 3 DeepStack
    # mergers) and 8.19B language model with Qwen3's q/k norms
    model = resolve_model_reference("qwen3-vl:8b").model
    assert isinstance(model, VisionLanguageArch)
    assert model.total_params() == pytest.approx(8.767e9, rel=0.002)
    assert model.language_model.total_params() == pytest.approx(8.191e9, rel=0.002)
    assert model.language_model.qk_norm


@pytest.mark.unit
def test_qwen3_vl_30b_a3b_is_the_30b_moe_with_its_vision_tower() -> None:
    model = resolve_model_reference("qwen3-vl:30b-a3b-thinking-q4_K_M").model
    assert isinstance(model, VisionLanguageArch)
    assert model.language_model.total_params() == pytest.approx(30.53e9, rel=0.005)
    assert model.total_params() == pytest.approx(31.07e9, rel=0.005)
    assert model.language_model.active_params() < 3.5e9


@pytest.mark.unit
def test_minicpm41_8b_and_sd2_base_sizes() -> None:
    assert resolve_model_reference("MiniCPM4.1-8B Q4_K_M").model.total_params() == pytest.approx(
        8.19e9, rel=0.01
    )
    sd2 = resolve_model_reference("stabilityai/stable-diffusion-2-base").model
    sd21 = resolve_model_reference("sd-2.1-base").model
    assert sd2.total_params() == sd21.total_params()  # one architecture, two checkpoints


@pytest.mark.unit
def test_coreml_prefix_needs_a_known_model_after_it() -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference("coreml-not-a-model")


@pytest.mark.unit
@pytest.mark.parametrize("written", ["UD-Q4_K_M", "ud-q4_k_m", "UD-Q4_K_XL"])
def test_unsloth_dynamic_weights_value_reads_as_its_ggml_type(written: str) -> None:
    shorthand = gguf_shorthand(written)
    assert shorthand is not None and shorthand[0] == "q4_k_m"
    choice = choose_weights(written, resolve_model_reference("qwen3-8b"))
    assert choice.format_id == "q4_k_m"
    assert "Unsloth Dynamic" in choice.reason


@pytest.mark.unit
def test_a_plain_ggml_type_is_not_read_as_unsloth_dynamic() -> None:
    assert gguf_shorthand("Q4_K_M") is None


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id", "params"),
    [
        ("qwen3-vl:2b", "qwen3-vl-2b", 2.13e9),  # 4.26 GB of BF16 weights
        ("qwen3-vl:4b", "qwen3-vl-4b", 4.44e9),
        ("qwen3-vl:32b", "qwen3-vl-32b", 33.4e9),
        ("Qwen/Qwen3-VL-235B-A22B-Instruct-FP8", "qwen3-vl-235b-a22b", 236e9),
    ],
)
def test_other_qwen3_vl_sizes(written: str, model_id: str, params: float) -> None:
    model = resolve_model_reference(written).model
    assert model.id == model_id
    assert model.total_params() == pytest.approx(params, rel=0.01)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        ("stable-diffusion-2-1-base-fp16", "sd-2.1-base"),  # 'base' is part of the name here
        ("stable-diffusion-2-1-fp16", "sd-2.1"),
        ("Qwen2.5-7B-Instruct-1M-GGUF", "qwen2.5-7b-1m"),  # a non-decoration word is kept
    ],
)
def test_a_library_name_ending_in_a_decoration_word_is_kept(written: str, model_id: str) -> None:
    assert resolve_model_reference(written).model.id == model_id
