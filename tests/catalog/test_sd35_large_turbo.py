"""SD 3.5 Large Turbo is its own library model: "sd3.5 large turbo" was read as SD 3.5 Large (a
fine-tune of it) and run at 28 steps with classifier-free guidance, 33.7 s on an RX 7900 XTX
where the Turbo checkpoint runs 4 steps with one pass each (guidance_scale 0)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.models import resolve_model
from gpuatlas.performance import api


@pytest.mark.parametrize(
    "name", ["sd3.5 large turbo", "stabilityai/stable-diffusion-3.5-large-turbo", "SD3.5L-Turbo"]
)
def test_the_names_people_write_resolve_to_the_turbo_model(name: str) -> None:
    model = resolve_model(name)
    assert model.id == "sd-3.5-large-turbo"
    assert (model.default_steps, model.forwards_per_step) == (4, 1)  # type: ignore[union-attr]


def test_turbo_costs_a_fourteenth_of_the_large_model_s_denoising() -> None:
    large = resolve_model("sd-3.5-large")
    turbo = resolve_model("sd-3.5-large-turbo")
    assert turbo.denoiser_params == large.denoiser_params  # type: ignore[union-attr]
    fast = api.predict_diffusion("h100-sxm", "sd-3.5-large-turbo")
    slow = api.predict_diffusion("h100-sxm", "sd-3.5-large")
    # 4 single passes vs 28 double passes: the denoising is 14x less; the text encoders and
    # the VAE decode are the same, so the whole image is less than 14x faster
    assert 4 < slow.s_per_image.value / fast.s_per_image.value < 14
