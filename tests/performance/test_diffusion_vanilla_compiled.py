"""Vanilla (materialised) attention stays materialised under torch.compile: the score matrices
go through memory whether the pipeline is compiled or not (issue 10)."""

from __future__ import annotations

import pytest

from gpuatlas.performance.media.diffusion import (
    DiffusionWork,
    attention_score_bytes,
    diffusion_work,
    materialised_attention,
)
from gpuatlas.performance.resolve import as_diffusion, as_system


def _sd15_work(gpu: str, batch: int, variant: str) -> DiffusionWork:
    """SD 1.5 at 512 px, 50 steps, fp16, classifier-free guidance on."""
    return diffusion_work(
        as_system(gpu),
        as_diffusion("sd-1.5"),
        resolution_px=512,
        steps=50,
        batch=batch,
        cfg=True,
        weights="fp16",
        variant=variant,
    )


@pytest.mark.parametrize(
    ("engine", "variant", "expected"),
    [
        ("diffusers", None, False),
        ("diffusers", "torch.compile", False),
        ("diffusers", "xformers", False),
        ("diffusers", "vanilla-attention", True),
        ("diffusers", "torch.compile+vanilla-attention", True),
        ("diffusers", "tf32+no-sdpa", True),
        ("diffusers-vanilla-attention", None, True),
        ("tensorrt", None, False),
    ],
)
def test_which_runs_materialise_the_attention_scores(
    engine: str, variant: str | None, expected: bool
) -> None:
    assert materialised_attention(engine, variant) is expected


def test_a_compiled_vanilla_run_moves_the_scores_of_every_image_forward() -> None:
    # SD 1.5 at 512 px, batch 4 with classifier-free guidance: 8 image forwards per step, each
    # moving its attention layers' score matrices through memory
    fused = _sd15_work("mi100", 4, "torch.compile")
    vanilla = _sd15_work("mi100", 4, "torch.compile+vanilla-attention")
    scores = attention_score_bytes(as_diffusion("sd-1.5"), 512)
    assert scores > 0
    assert vanilla.activation_bytes - fused.activation_bytes == pytest.approx(8 * scores)
    assert vanilla.forward_flops == pytest.approx(fused.forward_flops)


def test_the_prediction_says_what_the_materialised_scores_cost() -> None:
    vanilla = _sd15_work("a100-40gb-sxm", 1, "torch.compile+vanilla-attention")
    fused = _sd15_work("a100-40gb-sxm", 1, "torch.compile")
    gb = attention_score_bytes(as_diffusion("sd-1.5"), 512) / 1e9
    assert any(f"{gb:.2g} GB per image forward at 512 px" in note for note in vanilla.notes)
    assert not any("vanilla-attention" in note for note in fused.notes)
