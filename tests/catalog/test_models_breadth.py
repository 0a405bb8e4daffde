"""The families people run today resolve by the names they write (issue 10, item 8).

Parameter counts against the published ones are checked for every library LLM in
test_models_library; here: names, Ollama tags, derived checkpoints and context limits.
"""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_weights import native_weights_for
from gpuatlas.catalog.models import resolve_model_reference


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("Qwen/Qwen2.5-3B-Instruct", "qwen2.5-3b"),
        ("qwen2.5:72b", "qwen2.5-72b"),
        ("Qwen/Qwen2.5-Coder-32B-Instruct", "qwen2.5-coder-32b"),
        ("qwen2.5-coder:7b", "qwen2.5-coder-7b"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "deepseek-r1-distill-qwen-14b"),
        ("deepseek-r1:1.5b", "deepseek-r1-distill-qwen-1.5b"),
        ("deepseek-r1:32b", "deepseek-r1-distill-qwen-32b"),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "deepseek-r1-distill-llama-70b"),
        ("nvidia/Llama-3.1-Nemotron-70B-Instruct-HF", "llama-3.1-nemotron-70b"),
        ("mistralai/Mistral-Nemo-Instruct-2407", "mistral-nemo-12b"),
        ("mistral-small:24b", "mistral-small-24b"),
        ("mistralai/Mixtral-8x22B-Instruct-v0.1", "mixtral-8x22b"),
        ("google/gemma-2-9b-it", "gemma-2-9b"),
        ("gemma2:27b", "gemma-2-27b"),
        ("gemma3:1b", "gemma-3-1b"),
        ("google/gemma-3-4b-it", "gemma-3-4b"),
        ("microsoft/Phi-3-mini-4k-instruct", "phi-3-mini"),
        ("phi3:medium", "phi-3-medium"),
        ("microsoft/Phi-3.5-mini-instruct", "phi-3.5-mini"),
        ("CompVis/stable-diffusion-v1-4", "sd-1.4"),
        ("Qwen/Qwen2.5-VL-3B-Instruct", "qwen2.5-vl-3b"),
        ("deepseek-r1:8b", "deepseek-r1-0528-qwen3-8b"),
        ("deepseek-ai/DeepSeek-R1-0528-Qwen3-8B", "deepseek-r1-0528-qwen3-8b"),
        ("deepseek-r1", "deepseek-v3"),  # the name alone is the 671B model, not Ollama's default
    ],
)
def test_popular_names_resolve(name: str, model_id: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == model_id


@pytest.mark.parametrize(
    ("name", "model_id", "format_id"),
    [
        ("Qwen/Qwen2.5-72B-Instruct-AWQ", "qwen2.5-72b", "awq-int4"),
        ("Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen2.5-3b", "q4_k_m"),
        (
            "bartowski/DeepSeek-R1-Distill-Qwen-14B-Q6_K.gguf",
            "deepseek-r1-distill-qwen-14b",
            "q6_k",
        ),
        ("unsloth/gemma-2-9b-it-bnb-4bit", "gemma-2-9b", "nf4"),
        ("neuralmagic/Mistral-Nemo-Instruct-2407-FP8", "mistral-nemo-12b", "fp8"),
        ("qwen2.5-coder:32b", "qwen2.5-coder-32b", "q4_k_m"),
    ],
)
def test_derived_checkpoints_of_new_models_resolve_to_base_plus_format(
    name: str, model_id: str, format_id: str
) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == model_id
    assert native_weights_for(name, allow_hub=False).format_id == format_id


def test_mixtral_8x22b_is_141b_with_39b_active() -> None:
    model = resolve_model_reference("mixtral:8x22b", allow_hub=False).model
    assert model.total_params() == pytest.approx(141e9, rel=0.01)  # type: ignore[union-attr]
    assert model.active_params() == pytest.approx(39e9, rel=0.02)  # type: ignore[union-attr]


def test_new_models_state_their_context_limits() -> None:
    limits = {
        name: resolve_model_reference(name, allow_hub=False).model
        for name in ("gemma-2-9b", "phi-3-mini", "phi-3.5-mini", "qwen2.5-3b")
    }
    assert limits["gemma-2-9b"].max_position_embeddings == 8192  # type: ignore[union-attr]
    assert limits["phi-3-mini"].max_position_embeddings == 4096  # type: ignore[union-attr]
    assert limits["phi-3.5-mini"].max_position_embeddings == 131072  # type: ignore[union-attr]
    assert limits["qwen2.5-3b"].max_position_embeddings == 32768  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "total", "moe_layers"),
    [("meta-llama/Llama-4-Scout-17B-16E-Instruct", 109e9, 48), ("llama4:maverick", 400e9, 24)],
)
def test_llama_4_counts_interleaved_moe_and_the_shared_expert(
    name: str, total: float, moe_layers: int
) -> None:
    # Meta's model cards: Scout 109B and Maverick 400B total (vision encoder included), 17B
    # active each; Maverick has MoE in every other layer, Scout in all 48.
    model = resolve_model_reference(name, allow_hub=False).model
    assert model.moe_layers == moe_layers  # type: ignore[union-attr]
    assert model.total_params() == pytest.approx(total, rel=0.02)  # type: ignore[union-attr]
    assert model.active_params() == pytest.approx(17e9, rel=0.02)  # type: ignore[union-attr]


def test_sd_1_4_costs_what_sd_1_5_costs() -> None:
    # SD 1.5 continued training the SD 1.4 checkpoint: the same U-Net, text encoder and VAE.
    from gpuatlas.catalog.model_arch import DiffusionArch
    from gpuatlas.performance.media.diffusion import denoiser_flops

    sd14 = resolve_model_reference("CompVis/stable-diffusion-v1-4", allow_hub=False).model
    sd15 = resolve_model_reference("sd-1.5", allow_hub=False).model
    assert isinstance(sd14, DiffusionArch) and isinstance(sd15, DiffusionArch)
    assert denoiser_flops(sd14, 512) == denoiser_flops(sd15, 512)
    assert sd14.total_params() == sd15.total_params()


def test_qwen2_5_vl_3b_is_the_3b_backbone_plus_the_vision_tower() -> None:
    # Hub safetensors: 3,754,622,976 = Qwen2.5-3B (3,085,938,688) + ViT 632M + merger 36.7M
    model = resolve_model_reference("qwen2.5vl:3b", allow_hub=False).model
    assert model.total_params() == pytest.approx(3754622976, rel=0.002)  # type: ignore[union-attr]
