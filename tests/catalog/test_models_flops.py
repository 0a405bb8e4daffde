"""Published denoiser FLOPs: every figure has its source, and SD 1.5's is checked independently
by counting the operations of the U-Net built from the library's own config.json."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from gpuatlas.catalog.model_arch import DiffusionArch
from gpuatlas.catalog.models import all_models, get_model


def _diffusion_models() -> list[DiffusionArch]:
    return [model for model in all_models("diffusion") if isinstance(model, DiffusionArch)]


@pytest.mark.parametrize("model", _diffusion_models(), ids=lambda model: model.id)
def test_a_forward_flops_figure_comes_with_its_source_and_resolution(model: DiffusionArch) -> None:
    if model.forward_gflops is None:
        assert model.forward_gflops_at(1024) is None
        return
    assert model.forward_gflops_source.startswith("https://")
    assert model.forward_gflops_resolution_px
    # every weight is used at least once per forward pass: 2 FLOPs per parameter at minimum
    assert model.forward_gflops * 1e9 > 2 * model.denoiser_params


def test_sd15_flops_scale_with_latent_area() -> None:
    sd15 = get_model("sd-1.5")
    assert isinstance(sd15, DiffusionArch) and sd15.forward_gflops is not None
    assert sd15.forward_gflops_at(1024) == pytest.approx(4 * sd15.forward_gflops)


def _sd15_unet_flops_by_op() -> dict[str, float]:
    """Operation counts of one SD 1.5 U-Net forward (batch 1, 512x512) on the meta device."""
    torch = pytest.importorskip("torch")
    diffusers = pytest.importorskip("diffusers")
    from torch.utils.flop_counter import FlopCounterMode

    folder = resources.files("gpuatlas.catalog") / "data" / "models"
    document = json.loads(Path(str(folder / "sd-1.5.json")).read_text(encoding="utf-8"))
    config = {
        key: value for key, value in document.items() if key not in ("gpuatlas", "_class_name")
    }
    counter = FlopCounterMode(display=False)
    with torch.device("meta"):
        unet = diffusers.UNet2DConditionModel(**config)
        inputs = (torch.zeros(1, 4, 64, 64), torch.zeros(1), torch.zeros(1, 77, 768))
        with counter:
            unet(*inputs)
    return {str(op): float(count) for op, count in counter.get_flop_counts()["Global"].items()}


def test_sd15_published_macs_match_the_conv_and_linear_flops_of_its_config() -> None:
    # The published 338.7G MACs were counted with thop, which sees conv and linear layers but
    # not the attention matmuls (aten.bmm); recounting those layers must give the same figure.
    sd15 = get_model("sd-1.5")
    assert isinstance(sd15, DiffusionArch) and sd15.forward_gflops is not None
    flops = _sd15_unet_flops_by_op()
    layer_flops = sum(count for op, count in flops.items() if "bmm" not in op)
    assert layer_flops / 1e9 == pytest.approx(sd15.forward_gflops, rel=0.01)
    assert flops["aten.bmm"] > 0  # the attention matmuls exist, and are left out of the figure
