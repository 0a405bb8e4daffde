"""MMDiT activation traffic (dit_flops.dit_activation_values) and the share a compiled
denoiser still moves (elementwise chains between the GEMMs fused into one kernel each)."""

import pytest

from gpuatlas.catalog.model_arch import DiffusionArch
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.media.diffusion import (
    DiffusionWork,
    denoiser_activation_bytes,
    diffusion_work,
    fused_activation_share,
)
from gpuatlas.performance.media.dit_flops import (
    DIT_SHAPES,
    FUSED_BLOCK_SHARE,
    JOINT_BLOCK_VALUES,
    SINGLE_BLOCK_VALUES,
    dit_activation_values,
)
from gpuatlas.performance.media.unet_flops import FUSED_BLOCK_SHARE as UNET_FUSED_BLOCK_SHARE
from gpuatlas.performance.resolve import as_model

pytestmark = pytest.mark.unit


def _diffusion(name: str) -> DiffusionArch:
    model = as_model(name)
    assert isinstance(model, DiffusionArch)
    return model


def test_flux_dev_at_1024_px_counts_every_block_over_the_joint_sequence() -> None:
    # 64x64 patches = 4096 image tokens + 512 T5 tokens, width 3072; 19 joint blocks of 50
    # values per token and channel, 38 single-stream blocks of 51
    values = dit_activation_values(DIT_SHAPES["flux.1-dev"], 4096)
    assert values == (19 * 50 + 38 * 51) * (4096 + 512) * 3072
    assert JOINT_BLOCK_VALUES == 50 and SINGLE_BLOCK_VALUES == 51
    # about 40 G values: 80 GB of bf16 traffic per forward, ~24 ms at an H100's 3.35 TB/s
    assert 3.9e10 < values < 4.1e10


def test_sd35_medium_adds_its_second_image_attention_over_image_tokens_only() -> None:
    shape = DIT_SHAPES["sd-3.5-medium"]
    joint_only = (24 * 50) * (4096 + 333) * 1536
    assert dit_activation_values(shape, 4096) == joint_only + 13 * 19 * 4096 * 1536


def test_dit_bytes_follow_the_value_width() -> None:
    flux = _diffusion("black-forest-labs/FLUX.1-dev")
    values = dit_activation_values(DIT_SHAPES["flux.1-dev"], 4096)
    assert denoiser_activation_bytes(flux, 1024) == pytest.approx(2 * values)
    assert denoiser_activation_bytes(flux, 1024, 4.0) == pytest.approx(4 * values)


def test_a_dit_without_a_counted_shape_moves_nothing_extra() -> None:
    # only FLUX and SD 3.5 carry a counted block structure; SD 3 Medium keeps its FLOPs alone
    sd3 = _diffusion("sd-3-medium")
    assert sd3.id not in DIT_SHAPES
    assert denoiser_activation_bytes(sd3, 1024) == 0.0


def _work(arch: DiffusionArch, resolution: int, engine: str, variant: str | None) -> DiffusionWork:
    system = resolve_system("h100-sxm")
    return diffusion_work(
        system,
        arch,
        resolution_px=resolution,
        steps=20,
        batch=1,
        cfg=False,
        engine=engine,
        variant=variant,
    )


@pytest.mark.parametrize(
    ("model", "resolution", "share"),
    [
        ("black-forest-labs/FLUX.1-dev", 1024, 43 / 50),
        ("runwayml/stable-diffusion-v1-5", 512, 13 / 17),
    ],
)
def test_compiled_denoisers_move_the_fused_share(model: str, resolution: int, share: float) -> None:
    arch = _diffusion(model)
    eager = _work(arch, resolution, "diffusers", None)
    compiled = _work(arch, resolution, "diffusers", "torch.compile")
    tensorrt = _work(arch, resolution, "tensorrt", None)
    assert eager.activation_bytes > 0
    assert fused_activation_share(arch) == pytest.approx(share)
    assert compiled.activation_bytes == pytest.approx(share * eager.activation_bytes)
    assert tensorrt.activation_bytes == pytest.approx(share * eager.activation_bytes)
    # the GEMMs are the same math: fusion changes traffic, not FLOPs
    assert compiled.forward_flops == pytest.approx(eager.forward_flops)


def test_fused_shares_are_the_counted_kernels() -> None:
    assert pytest.approx(43 / 50) == FUSED_BLOCK_SHARE
    assert pytest.approx(13 / 17) == UNET_FUSED_BLOCK_SHARE
