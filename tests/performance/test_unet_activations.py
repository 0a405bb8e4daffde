"""UNet activation traffic (unet_flops.unet_activation_values) and its place in diffusion time."""

from gpuatlas.catalog.model_arch import DiffusionArch
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.media.diffusion import denoiser_activation_bytes, diffusion_work
from gpuatlas.performance.media.unet_flops import UNET_SHAPES, unet_activation_values
from gpuatlas.performance.resolve import as_model


def _diffusion(name: str) -> DiffusionArch:
    model = as_model(name)
    assert isinstance(model, DiffusionArch)
    return model


def test_activation_values_are_linear_in_latent_positions() -> None:
    # no term grows with positions² (flash attention keeps the scores on chip)
    shape = UNET_SHAPES["sd-1.5"]
    assert unet_activation_values(shape, 128) == 4 * unet_activation_values(shape, 64)


def test_sd15_at_512_px_moves_about_a_gigavalue_per_forward() -> None:
    # 64x64 latent: the 320-channel level alone has 4096 positions x (5 resnets x ~4.5k values
    # + 5 transformer blocks x ~21k values) ≈ 0.5 G values; the whole UNet about twice that
    values = unet_activation_values(UNET_SHAPES["sd-1.5"], 64)
    assert 0.7e9 < values < 1.5e9


def test_sdxl_moves_more_than_sd15_and_dits_count_none() -> None:
    sdxl = denoiser_activation_bytes(_diffusion("stabilityai/stable-diffusion-xl-base-1.0"), 1024)
    sd15 = denoiser_activation_bytes(_diffusion("runwayml/stable-diffusion-v1-5"), 512)
    assert sdxl > 4 * sd15 > 0
    assert denoiser_activation_bytes(_diffusion("black-forest-labs/FLUX.1-dev"), 1024) == 0.0


def test_activation_traffic_scales_with_the_batch_and_cfg() -> None:
    model = _diffusion("runwayml/stable-diffusion-v1-5")
    system = resolve_system("rtx-4090")
    one = diffusion_work(system, model, resolution_px=512, steps=20, batch=1, cfg=True)
    four = diffusion_work(system, model, resolution_px=512, steps=20, batch=4, cfg=True)
    assert one.activation_bytes == 2 * denoiser_activation_bytes(model, 512)
    assert four.activation_bytes == 4 * one.activation_bytes
