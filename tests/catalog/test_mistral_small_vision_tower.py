"""Mistral Small 3.1 / 3.2 hold a Pixtral image tower beside the text backbone; Devstral Small
and Magistral Small (text-only fine-tunes of the same backbone) do not.

Expected values are hand counts from config.json's vision_config (24 layers of width 1024, FFN
4096, patch 14, 3 channels, no biases; spatial_merge_size 2) as transformers builds a Pixtral
encoder and Mistral3 projector, checked against the whole checkpoint's published count
(KerasHub's Mistral3 presets: 24,011,361,280) and vLLM's logged weights, never today's output."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.kv_capacity import load_kv_capacity
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import llm_of
from gpuatlas.performance.llm.kv_capacity_check import predict_kv_capacity

pytestmark = pytest.mark.unit

WIDTH, FFN, LAYERS, PATCH, CHANNELS, MERGE, TEXT_WIDTH = 1024, 4096, 24, 14, 3, 2, 5120
CHECKPOINT_PARAMS = 24_011_361_280  # KerasHub mistral3_presets.py, 3.1 Base/Instruct and 3.2


def _encoder_params() -> int:
    patch_conv = CHANNELS * PATCH * PATCH * WIDTH
    layer = 4 * WIDTH * WIDTH + 3 * WIDTH * FFN + 2 * WIDTH  # q k v o, SwiGLU FFN, two norms
    return patch_conv + WIDTH + LAYERS * layer  # + ln_pre


def _projector_params() -> int:
    merger = MERGE * MERGE * WIDTH * WIDTH
    return WIDTH + merger + WIDTH * TEXT_WIDTH + TEXT_WIDTH * TEXT_WIDTH  # norm, merger, 2 linears


@pytest.mark.parametrize(
    "name",
    ["mistral-small-3.1", "mistralai/Mistral-Small-3.2-24B-Instruct-2506", "mistral-small3.2"],
)
def test_the_tower_and_text_backbone_add_up_to_the_published_checkpoint(name: str) -> None:
    model = llm_of(resolve_model_reference(name, allow_hub=False).model)
    assert model is not None
    assert model.vision_params == _encoder_params() + _projector_params() == 438_958_080
    assert model.total_params() + model.vision_params == CHECKPOINT_PARAMS


@pytest.mark.parametrize(
    "name", ["devstral", "mistralai/Devstral-Small-2507", "magistral:24b", "magistral-small"]
)
def test_text_only_fine_tunes_hold_no_tower(name: str) -> None:
    model = llm_of(resolve_model_reference(name, allow_hub=False).model)
    assert model is not None and model.id == "devstral-small"
    assert model.vision_params == 0.0
    assert model.total_params() == CHECKPOINT_PARAMS - 438_958_080


def test_vllms_logged_bf16_weights_match_with_the_tower() -> None:
    """vLLM 0.19 logged 44.76 GiB of weights for the bf16 instruct checkpoint on an H100
    (llm-d-planner, kv_capacity data, never fitted): 24,011,361,280 x 2 bytes = 44.72 GiB."""
    rows = [
        r
        for r in load_kv_capacity()
        if r.model == "mistral-small-3.1" and r.weights == "bf16" and r.gpu_count == 1
    ]
    assert rows
    found = predict_kv_capacity(rows[0])
    assert found.weights_gib == pytest.approx(CHECKPOINT_PARAMS * 2 / 2**30, rel=1e-3)
    assert found.weights_gib == pytest.approx(rows[0].reported_weights_gib, rel=0.005)
