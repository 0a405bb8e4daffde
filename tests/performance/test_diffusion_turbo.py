"""SDXL-Turbo and SD-Turbo are library entries of their own, with the defaults their model
cards run (1 step, no guidance, 512 px), not SDXL base / SD 2.1 at 50 steps (issue 10)."""

from __future__ import annotations

from gpuatlas.performance import api
from gpuatlas.performance.media.diffusion import denoiser_flops
from gpuatlas.performance.resolve import as_diffusion as _diffusion

NAMES_AS_WRITTEN = {
    "sdxl-turbo": ("sdxl-turbo", "stabilityai/sdxl-turbo", "SDXL Turbo", "sdxl_turbo"),
    "sd-turbo": ("sd-turbo", "stabilityai/sd-turbo", "SD-Turbo", "sd turbo"),
}


def test_turbo_names_resolve_to_their_own_entries() -> None:
    for model_id, names in NAMES_AS_WRITTEN.items():
        assert {_diffusion(name).id for name in names} == {model_id}


def test_turbo_defaults_are_the_model_cards_one_step_without_guidance_at_512_px() -> None:
    for name in ("sdxl-turbo", "sd-turbo"):
        model = _diffusion(name)
        assert (model.default_steps, model.forwards_per_step) == (1, 1)
        assert model.default_resolution_px == 512


def test_turbo_models_have_their_teachers_architecture() -> None:
    sdxl, turbo = _diffusion("sdxl"), _diffusion("sdxl-turbo")
    assert turbo.denoiser_params == sdxl.denoiser_params
    assert denoiser_flops(turbo, 512) == denoiser_flops(sdxl, 512)
    sd21, sd_turbo = _diffusion("sd-2.1"), _diffusion("sd-turbo")
    assert sd_turbo.text_encoder_params() == sd21.text_encoder_params()
    assert denoiser_flops(sd_turbo, 512) == denoiser_flops(sd21, 512)


def test_predict_sdxl_turbo_runs_one_unguided_step_at_512_px() -> None:
    turbo = api.predict_diffusion("rtx-4090", "sdxl-turbo")
    assert (turbo.model_id, turbo.steps, turbo.resolution_px, turbo.cfg) == (
        "sdxl-turbo",
        1,
        512,
        False,
    )
    # the same UNet at 50 guided steps and 1024 px: far more work per image
    base = api.predict_diffusion("rtx-4090", "sdxl")
    assert base.s_per_image.value > 20 * turbo.s_per_image.value
    # 4 steps (the card's upper end) cost more than 1 and less than 4x (text encoders + VAE)
    four = api.predict_diffusion("rtx-4090", "sdxl-turbo", steps=4)
    assert turbo.s_per_image.value < four.s_per_image.value < 4 * turbo.s_per_image.value
