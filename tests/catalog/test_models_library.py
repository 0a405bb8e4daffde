"""The model library: parameter counts against published figures, attention/KV/sliding facts."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch import DiffusionArch, ModelArch, OcrArch, VisionLanguageArch
from gpuatlas.catalog.models import all_llms, all_models, get_model

REQUIRED_LLMS = [
    "llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3-8b", "llama-3-70b", "llama-3.1-8b",
    "llama-3.1-70b", "llama-3.1-405b", "llama-3.2-1b", "llama-3.2-3b", "llama-3.3-70b",
    "codellama-7b", "codellama-34b", "mistral-7b-v0.1", "mixtral-8x7b", "qwen3-0.6b", "qwen3-4b",
    "qwen3-8b", "qwen3-32b", "qwen3-30b-a3b", "qwen3-235b-a22b", "gpt-oss-20b", "gpt-oss-120b",
    "deepseek-v3", "gemma-3-27b", "phi-4",
]  # fmt: skip
REQUIRED_OTHERS = [
    "sd-1.5", "sdxl-base-1.0", "sd-3.5-medium", "sd-3.5-large", "flux.1-dev", "flux.1-schnell",
    "llava-1.5-7b", "llava-1.5-13b", "qwen2.5-vl-7b", "trocr-base",
]  # fmt: skip


def llm(model_id: str) -> ModelArch:
    model = get_model(model_id)
    assert isinstance(model, ModelArch)
    return model


def test_library_has_the_required_models_and_at_least_30_llms() -> None:
    ids = {model.id for model in all_models()}
    assert set(REQUIRED_LLMS + REQUIRED_OTHERS) <= ids
    assert len(all_llms()) >= 30


def test_every_library_model_has_a_published_count_with_a_source() -> None:
    for model in all_models():
        assert model.published is not None, model.id
        assert model.published.source.startswith("https://"), model.id


@pytest.mark.parametrize("model", all_llms(), ids=lambda model: model.id)
def test_llm_parameter_count_matches_published_within_2_percent(model: ModelArch) -> None:
    assert model.published is not None
    assert model.total_params() == pytest.approx(model.published.params, rel=0.02)


@pytest.mark.parametrize(
    ("model_id", "published_active"),
    [
        ("mixtral-8x7b", 12.9e9),  # Mistral AI: 12.9B used per token
        ("qwen3-30b-a3b", 3.3e9),  # Qwen model card: 3.3B activated
        ("qwen3-235b-a22b", 22e9),
        ("deepseek-v3", 37e9),  # DeepSeek-V3 report: 37B activated
    ],
)
def test_moe_active_params_match_published(model_id: str, published_active: float) -> None:
    model = llm(model_id)
    assert model.active_params() == pytest.approx(published_active, rel=0.02)
    assert model.active_params() < model.total_params() / 3


@pytest.mark.parametrize(
    ("model_id", "published"), [("gpt-oss-20b", 3.61e9), ("gpt-oss-120b", 5.13e9)]
)
def test_gpt_oss_active_params_excluding_embedding_match_the_model_card(
    model_id: str, published: float
) -> None:
    model = llm(model_id)
    assert model.active_params() - model.embedding_params() == pytest.approx(published, rel=0.02)


@pytest.mark.parametrize(
    ("model_id", "non_embedding"),
    [("qwen3-0.6b", 0.44e9), ("qwen3-4b", 3.6e9), ("qwen3-8b", 6.95e9), ("qwen3-32b", 31.2e9),
     ("qwen2.5-7b", 6.53e9), ("gemma-3-27b", 25.6e9)],
)  # fmt: skip
def test_non_embedding_params_match_the_model_cards(model_id: str, non_embedding: float) -> None:
    assert llm(model_id).non_embedding_params() == pytest.approx(non_embedding, rel=0.02)


@pytest.mark.parametrize(
    ("model_id", "attention_type"),
    [("llama-2-7b", "mha"), ("llama-2-70b", "gqa"), ("llama-3.1-8b", "gqa"),
     ("deepseek-v3", "mla"), ("mixtral-8x7b", "gqa"), ("phi-4", "gqa")],
)  # fmt: skip
def test_attention_types(model_id: str, attention_type: str) -> None:
    assert llm(model_id).attention_type == attention_type


def test_sliding_window_layers_are_read_from_the_config() -> None:
    mistral = llm("mistral-7b-v0.1")
    assert mistral.sliding_window == 4096 and mistral.full_attention_layers == 0
    gemma = llm("gemma-3-27b")
    assert gemma.full_attention_layers == 10  # layers 5, 11, ..., 59 of 62
    assert len(gemma.sliding_window_layers) == 52


def test_gpt_oss_alternates_sliding_and_full_layers() -> None:
    model = llm("gpt-oss-20b")
    assert model.sliding_window == 128
    assert model.sliding_window_layers == tuple(range(0, 24, 2))


def test_qwen2_sliding_window_is_disabled_by_its_config() -> None:
    assert llm("qwen2.5-7b").sliding_window_layers == ()


def test_tied_embeddings_have_no_separate_lm_head() -> None:
    assert llm("llama-3.2-1b").lm_head_params() == 0
    assert llm("llama-3.1-8b").lm_head_params() == 128_256 * 4096


def test_diffusion_entries_describe_steps_guidance_and_latents() -> None:
    flux_dev, schnell, sd15 = (get_model(i) for i in ("flux.1-dev", "flux.1-schnell", "sd-1.5"))
    assert isinstance(flux_dev, DiffusionArch) and isinstance(schnell, DiffusionArch)
    assert isinstance(sd15, DiffusionArch)
    assert flux_dev.forwards_per_step == 1  # guidance-distilled
    assert sd15.forwards_per_step == 2  # classifier-free guidance
    assert schnell.default_steps == 4 and schnell.denoiser_forwards() == 4
    assert flux_dev.latent_size(1024) == 128 and flux_dev.image_tokens(1024) == 64 * 64
    assert sd15.image_tokens() is None and sd15.latent_channels == 4
    assert sd15.denoiser_params == pytest.approx(860e6, rel=0.01)


def test_vision_language_image_tokens() -> None:
    llava, qwen_vl = get_model("llava-1.5-7b"), get_model("qwen2.5-vl-7b")
    assert isinstance(llava, VisionLanguageArch) and isinstance(qwen_vl, VisionLanguageArch)
    assert llava.image_tokens_for(1920, 1080) == 576  # (336 / 14)^2, fixed
    assert qwen_vl.image_tokens_for(1008, 672) == (1008 // 28) * (672 // 28)
    assert qwen_vl.language_model.hidden_size == 3584
    for model in (llava, qwen_vl):
        assert model.published is not None
        assert model.total_params() == pytest.approx(model.published.params, rel=0.02)


def test_trocr_base_has_334m_parameters_and_576_patches() -> None:
    trocr = get_model("trocr-base")
    assert isinstance(trocr, OcrArch)
    assert trocr.total_params() == pytest.approx(334e6, rel=0.02)
    assert trocr.encoder_tokens() == (384 // 16) ** 2 + 1


@pytest.mark.parametrize(
    ("model_id", "checkpoint_format"),
    [("gpt-oss-20b", "mxfp4"), ("deepseek-v3", "fp8"), ("llama-3.1-8b", "bf16"),
     ("llama-2-7b", "fp16")],
)  # fmt: skip
def test_checkpoint_format_comes_from_quantization_config_or_dtype(
    model_id: str, checkpoint_format: str
) -> None:
    assert llm(model_id).checkpoint_format == checkpoint_format
