"""Current model families resolve offline from the packaged library (issue 10, item 8): the
models that used to need a Hugging Face fetch (Ministral-8B, Phi-3.5-MoE, Qwen2.5-VL-32B/72B),
the 2507 Qwen3 releases with their own 262k context, Qwen3-Coder, GLM-4.5, Command R, Mistral
Large 2 and Small 3.1, Phi-4-mini/-reasoning, DeepSeek-V3.1 - each with the shape its
config.json gives, so that the parameter count adds up to the published one."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch import ModelArch, VisionLanguageArch
from gpuatlas.catalog.models import resolve_model_reference


def _llm(name: str) -> ModelArch:
    model = resolve_model_reference(name, allow_hub=False).model
    backbone = model.language_model if isinstance(model, VisionLanguageArch) else model
    assert isinstance(backbone, ModelArch)
    return backbone


@pytest.mark.parametrize(
    ("name", "model_id", "max_context", "published_b"),
    [
        ("mistralai/Ministral-8B-Instruct-2410", "ministral-8b", 32768, 8.03),
        ("microsoft/Phi-3.5-MoE-instruct", "phi-3.5-moe", 131072, 41.9),
        ("Qwen/Qwen3-Coder-30B-A3B-Instruct", "qwen3-coder-30b-a3b", 262144, 30.5),
        ("Qwen/Qwen3-30B-A3B-Thinking-2507", "qwen3-30b-a3b-2507", 262144, 30.5),
        ("Qwen/Qwen3-4B-Instruct-2507", "qwen3-4b-2507", 262144, 4.0),
        ("Qwen/Qwen2.5-Coder-0.5B-Instruct", "qwen2.5-coder-0.5b", 32768, 0.494),
        ("microsoft/Phi-4-mini-instruct", "phi-4-mini", 131072, 3.84),
        ("microsoft/Phi-4-reasoning", "phi-4-reasoning", 32768, 14.7),
        ("mistralai/Mistral-Large-Instruct-2407", "mistral-large-2", 131072, 123),
        ("mistralai/Mistral-Small-3.1-24B-Instruct-2503", "mistral-small-3.1", 131072, 23.6),
        ("zai-org/GLM-4.5-Air", "glm-4.5-air", 131072, 106),
        ("zai-org/GLM-4.5", "glm-4.5", 131072, 355),
        ("CohereForAI/c4ai-command-r-v01", "command-r-v01", 8192, 35),
        ("CohereForAI/c4ai-command-r-08-2024", "command-r-08-2024", 131072, 32),
        ("moonshotai/Kimi-K2-Instruct", "kimi-k2", 131072, 1026.47),
        ("Qwen/Qwen2.5-7B-Instruct-1M", "qwen2.5-7b-1m", 1010000, 7.62),
        ("Qwen/Qwen2.5-14B-Instruct-1M", "qwen2.5-14b-1m", 1010000, 14.77),
        ("Qwen/QwQ-32B-Preview", "qwq-32b-preview", 32768, 32.5),
        ("CohereForAI/c4ai-command-r-plus", "command-r-plus-04-2024", 8192, 104),
        ("CohereForAI/c4ai-command-r-plus-08-2024", "command-r-plus-08-2024", 131072, 104),
    ],
)
def test_llms_resolve_offline_with_their_context_and_size(
    name: str, model_id: str, max_context: int, published_b: float
) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert reference.model.id == model_id
    model = _llm(name)
    assert model.max_position_embeddings == max_context
    native = {"kimi-k2": "fp8", "command-r-v01": "fp16", "command-r-plus-04-2024": "fp16"}
    assert model.checkpoint_format == native.get(model_id, "bf16")
    assert model.total_params() == pytest.approx(published_b * 1e9, rel=0.015)


@pytest.mark.parametrize(
    ("name", "published", "max_context"),
    [
        ("Qwen/Qwen2.5-VL-32B-Instruct", 33_452_718_336, 128000),
        ("Qwen/Qwen2.5-VL-72B-Instruct", 73_410_777_344, 128000),
        ("meta-llama/Llama-3.2-11B-Vision-Instruct", 10_670_220_835, 131072),
    ],
)
def test_vision_language_models_count_backbone_vision_and_projector(
    name: str, published: int, max_context: int
) -> None:
    model = resolve_model_reference(name, allow_hub=False).model
    assert isinstance(model, VisionLanguageArch)
    assert model.total_params() == pytest.approx(published, rel=0.001)
    assert model.language_model.max_position_embeddings == max_context


def test_llama_32_vision_image_is_one_to_four_tiles_of_1601_tokens() -> None:
    model = resolve_model_reference("llama3.2-vision", allow_hub=False).model
    assert isinstance(model, VisionLanguageArch) and model.id == "llama-3.2-11b-vision"
    assert model.image_tokens.tokens_for(560, 560) == 1601
    assert model.image_tokens.tokens_for(1120, 1120) == 6400
    assert model.image_tokens.tokens_for(4000, 3000) == 6404


def test_moe_shapes_give_the_published_active_parameters() -> None:
    # Phi-3.5-MoE: 2 of 16 experts, 6.6B active; GLM-4.5-Air: 8 of 128 + 1 shared, 12B active
    assert _llm("microsoft/Phi-3.5-MoE-instruct").active_params() == pytest.approx(6.6e9, rel=0.02)
    assert _llm("zai-org/GLM-4.5-Air").active_params() == pytest.approx(12e9, rel=0.15)
    # Kimi K2: 8 of 384 experts + 1 shared, 32B active (Moonshot)
    assert _llm("moonshotai/Kimi-K2-Instruct").active_params() == pytest.approx(32e9, rel=0.05)


def test_ollama_names_resolve_as_ollama_tags() -> None:
    # `phi4` and `command-r` are Ollama's names: their answers use Ollama's default build
    for name in ("phi4", "command-r", "command-r-plus"):
        assert resolve_model_reference(name, allow_hub=False).matched_by == "ollama_tag"
