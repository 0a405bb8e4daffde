"""The VAE decode is counted from the KL-f8 decoder's architecture (CompVis/stable-diffusion
configs/stable-diffusion/v1-inference.yaml: ch 128, ch_mult [1, 2, 4, 4], num_res_blocks 2),
not a hand-set share of its parameters (it was 2 x P_vae x pixels x 0.03: 1.3 TFLOPs at 512 px).
It matters where the denoiser runs few steps: a 1-step SD/SDXL Turbo image spends about as long
in the decode as in the UNet (issue 10)."""

from __future__ import annotations

import pytest

from gpuatlas.performance import api
from gpuatlas.performance.media.diffusion import vae_decode_flops
from gpuatlas.performance.media.unet_flops import vae_decoder_flops
from gpuatlas.performance.resolve import as_diffusion


def test_vae_decoder_flops_match_a_hand_count_of_the_kl_f8_decoder() -> None:
    """At 512 px, in GFLOPs: mid block 120, 1/8 level 116 + upsampling conv 77, 1/4 level
    464 + 309, 1/2 level 558 + 309, full resolution 558: ~2,511."""
    assert vae_decoder_flops(512, 4) == pytest.approx(2.511e12, rel=0.01)
    # convolutions grow with the pixels; only the mid attention's scores grow faster
    assert 4.0 < vae_decoder_flops(1024, 4) / vae_decoder_flops(512, 4) < 4.2


def test_flux_and_sdxl_decoders_differ_only_in_their_latent_channels() -> None:
    flux, sdxl = as_diffusion("flux.1-dev"), as_diffusion("sdxl")
    assert vae_decode_flops(flux, 1024) == pytest.approx(vae_decode_flops(sdxl, 1024), rel=1e-3)


def test_a_one_step_turbo_image_costs_more_than_its_denoising_loop() -> None:
    whole = api.predict_diffusion("a100-80gb-sxm", "sdxl-turbo", weights="fp16")
    loop = api.predict_diffusion(
        "a100-80gb-sxm", "sdxl-turbo", weights="fp16", variant="denoise-loop"
    )
    # the decode alone: 2.5 TFLOPs, more than the 1-step, unguided UNet's ~1.5
    assert whole.s_per_image.value > 1.5 * loop.s_per_image.value


def test_the_pipeline_outside_the_loop_costs_its_host_time_beyond_its_flops() -> None:
    from gpuatlas.catalog.systems import resolve_system
    from gpuatlas.performance.media.diffusion import diffusion_work, pipeline_constants

    system, model = resolve_system("a100-80gb-sxm"), as_diffusion("sd-turbo")
    whole, loop = (
        diffusion_work(system, model, resolution_px=512, steps=1, batch=1, cfg=None, variant=v)
        for v in (None, "denoise-loop")
    )
    assert loop.pipeline_s(0.5) == 0.0
    host_s = pipeline_constants().pipeline_host_ms * 1e-3
    assert whole.pipeline_host_s == pytest.approx(host_s)
    assert whole.pipeline_s(0.5) > host_s
