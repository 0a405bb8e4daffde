"""A multimodal checkpoint's image tower (vision encoder + projector; llama.cpp/Ollama's mmproj)
is loaded beside the language model whether or not a request carries an image: its
parameters, as the model's sources state them, are held at 16 bits in every memory answer."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.kv_capacity import load_kv_capacity
from gpuatlas.catalog.model_arch_llm import ModelArch
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import llm_of
from gpuatlas.performance.llm.fit_answer import answer_fit
from gpuatlas.performance.llm.kv_capacity_check import predict_kv_capacity
from gpuatlas.performance.llm.memory import GB
from gpuatlas.performance.llm.shape import llm_shape

pytestmark = pytest.mark.unit

# llava-1.5-7b: CLIP ViT-L/14-336's vision tower (303.5M) + the 2-layer MLP projector
# (1024 x 4096 + 4096 + 4096 x 4096 + 4096 = 20,979,712), as its catalog entry states them
LLAVA_TOWER_PARAMS = 303_500_000 + 20_979_712


def _language_model(name: str) -> ModelArch:
    model = llm_of(resolve_model_reference(name).model)
    assert model is not None
    return model


def test_llavas_fit_counts_the_clip_tower_and_projector_at_16_bits() -> None:
    answer = answer_fit("rtx-3090", resolve_model_reference("llava-1.5-7b"), ["fp16"])
    model = _language_model("llava-1.5-7b")
    language_bytes = llm_shape(model, resolve_format("fp16")).total_weight_bytes
    assert model.vision_params == LLAVA_TOWER_PARAMS
    assert answer.detail.model_id == "llava-1.5-7b"  # as the user wrote it, no internal suffix
    assert answer.detail.per_gpu.weights_gb == pytest.approx(
        (language_bytes + 2 * LLAVA_TOWER_PARAMS) / GB
    )
    assert "the weights include the image tower: 0.32B parameters" in answer.vision_note
    assert "0.60 GiB at 16 bits" in answer.vision_note
    assert "CLIP ViT-L/14" in answer.vision_note  # the figure's source


@pytest.mark.parametrize("weights", ["bf16", "awq-int4", "q4_k_m", "fp8"])
def test_the_tower_stays_16_bit_whatever_the_language_models_format(weights: str) -> None:
    """Gemma 3's 417M SigLIP encoder (technical report, Table 1): quantised checkpoints and
    GGUF mmproj files keep it at 16 bits, 834 MB."""
    model = _language_model("gemma-3-27b")
    shape = llm_shape(model, resolve_format(weights))
    assert shape.vision_bytes == pytest.approx(417e6 * 2)
    assert shape.held_weight_bytes == pytest.approx(shape.total_weight_bytes + 834e6)


def test_a_text_only_model_holds_no_tower_and_says_nothing() -> None:
    answer = answer_fit("rtx-4090", resolve_model_reference("llama-3.1-8b"), ["bf16"])
    shape = llm_shape(_language_model("llama-3.1-8b"), resolve_format("bf16"))
    assert shape.vision_bytes == 0.0 and answer.vision_note == ""


def test_vllms_reported_weights_of_gemma_3_match_with_the_tower() -> None:
    """vLLM 0.19 logs the weights it loaded for google/gemma-3-*-it on an H100 (llm-d-planner's
    results, calibration data): 51.45 / 23.31 / 8.58 GiB. The language model alone is 2.2 %,
    6.0 % and 15.8 % short of them; with the 417M tower, within 2.6 %, 2.6 % and 6.7 %."""
    rows = [
        r
        for r in load_kv_capacity()
        if r.model.startswith("gemma-3-") and "llm-d-planner" in r.source
    ]
    assert len(rows) == 3
    for row in rows:
        found = predict_kv_capacity(row)
        assert found.weights_error is not None
        assert abs(found.weights_error) < 0.07, row.model
    by_model = {r.model: predict_kv_capacity(r) for r in rows}
    assert by_model["gemma-3-27b"].weights_gib == pytest.approx(51.45, rel=0.01)
