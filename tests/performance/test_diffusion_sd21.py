"""Stable Diffusion 2.1 (768 px) and 2.1-base (512 px) in the model library with their published
U-Net config, resolved from the names users write (issue 10)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch import DiffusionArch
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.performance import api
from gpuatlas.performance.media.diffusion import denoiser_flops

# channels of the 16 transformer blocks that cross-attend (2 per down level x 3, 3 per up
# level x 3, 1 mid): 2 x (320 + 640 + 1280) + 3 x (1280 + 640 + 320) + 1280
CROSS_ATTENTION_CHANNELS = 12_480


def _diffusion(name: str) -> DiffusionArch:
    model = resolve_model_reference(name, allow_hub=False).model
    assert isinstance(model, DiffusionArch)
    return model


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("sd2.1", "sd-2.1"),
        ("stable-diffusion-2-1", "sd-2.1"),
        ("stabilityai/stable-diffusion-2-1", "sd-2.1"),
        ("sd-2.1-base", "sd-2.1-base"),
        ("stabilityai/stable-diffusion-2-1-base", "sd-2.1-base"),
    ],
)
def test_the_names_users_write_resolve(name: str, model_id: str) -> None:
    assert _diffusion(name).id == model_id


def test_sd21_is_768_px_with_the_sd15_unet_widened_for_1024_dim_text_features() -> None:
    sd21, base, sd15 = _diffusion("sd-2.1"), _diffusion("sd-2.1-base"), _diffusion("sd-1.5")
    assert (sd21.default_resolution_px, base.default_resolution_px) == (768, 512)
    # only the cross-attention k/v projections grow: 768 -> 1024 input features
    widened = sd15.denoiser_params + 2 * (1024 - 768) * CROSS_ATTENTION_CHANNELS
    assert sd21.denoiser_params == pytest.approx(widened, abs=1e3)  # SD 1.5's stored to 10 k
    assert base.denoiser_params == sd21.denoiser_params
    # the README: "same number of parameters in the U-Net as 1.5" (860M)
    assert sd21.denoiser_params == pytest.approx(860e6, rel=0.02)
    assert sd21.total_params() == pytest.approx(sd21.published.params, rel=0.02)  # type: ignore[union-attr]
    assert sd21.text_encoder_params() == pytest.approx(340.39e6, rel=1e-3)


def test_sd21_costs_more_per_forward_than_sd15_at_the_same_size() -> None:
    sd21, sd15 = _diffusion("sd-2.1"), _diffusion("sd-1.5")
    # wider cross-attention and 5-20 heads of 64 channels: more than SD 1.5, far below 2x
    assert 1.0 < denoiser_flops(sd21, 512) / denoiser_flops(sd15, 512) < 1.1
    # 768 px: 2.25x the latent positions, self-attention grows with their square
    assert denoiser_flops(sd21, 768) / denoiser_flops(sd21, 512) > 2.25


def test_predict_sd21_defaults_to_its_768_px() -> None:
    found = api.predict_diffusion("rtx-4090", "sd2.1")
    assert found.resolution_px == 768
    base = api.predict_diffusion("rtx-4090", "sd-2.1-base")
    assert base.resolution_px == 512
    assert found.s_per_image.value > base.s_per_image.value
