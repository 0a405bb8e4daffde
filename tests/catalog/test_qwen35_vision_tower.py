"""Qwen3.5 0.8B / 4B / 9B are image-text checkpoints: their vision transformer and patch merger
are held beside the language model in every memory answer.

Expected values are hand counts of a Qwen3-VL-style ViT (Conv3d patches of 3 x 2 x 16 x 16,
2,304 learned positions, pre-norm blocks with biased qkv / proj / fc1 / fc2 and two LayerNorms,
a 2 x 2 merger into the language model's width) that must equal the vision tensors of the
released checkpoints as public parameter audits itemize them, not today's output."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import llm_of

pytestmark = pytest.mark.unit


def _vit_params(depth: int, width: int, ffn: int, out_width: int) -> int:
    patch = 3 * 2 * 16 * 16 * width + width
    positions = 2304 * width
    block = 4 * width + (3 * width * width + 3 * width) + (width * width + width)
    block += (width * ffn + ffn) + (ffn * width + width)
    merged = 4 * width
    merger = 2 * width + (merged * merged + merged) + (merged * out_width + out_width)
    return patch + positions + depth * block + merger


@pytest.mark.parametrize(
    ("name", "shape", "audited"),
    [
        ("Qwen/Qwen3.5-0.8B", (12, 768, 3072, 1024), 100_592_896),
        ("Qwen/Qwen3.5-4B", (24, 1024, 4096, 2560), 333_514_240),
        ("Qwen/Qwen3.5-9B", (27, 1152, 4304, 4096), 456_010_480),
    ],
)
def test_the_image_tower_is_the_audited_vision_tensors(
    name: str, shape: tuple[int, int, int, int], audited: int
) -> None:
    model = llm_of(resolve_model_reference(name, allow_hub=False).model)
    assert model is not None
    assert _vit_params(*shape) == audited
    assert model.vision_params == audited
    assert shape[3] == model.hidden_size  # the merger projects into the language model
