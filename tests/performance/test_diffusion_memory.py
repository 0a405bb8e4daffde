"""Image-pipeline memory from measured figures (issue 10).

Lambda's lambda-diffusers benchmarks (benchmarks/benchmark.csv and benchmark_no_xformers.csv
@8571d8d, column memory = torch.cuda.memory_reserved after an SD 1.4 fp16 pipeline run) give
the per-image memory of the denoiser (batches 32-128, VAE slicing on) and of the VAE decode
(batches 1-16, the whole batch decoded at once); model_constants.toml cites them."""

from __future__ import annotations

import pytest

from gpuatlas.performance import api
from gpuatlas.performance.media.diffusion import denoiser_activation_gb, working_gb
from gpuatlas.performance.resolve import as_diffusion

SD14_FP16_WEIGHTS_GB = 2.13  # 1.067B parameters in 2 bytes


def test_denoiser_activations_match_lambdas_xformers_runs_with_vae_slicing() -> None:
    model = as_diffusion("sd-1.4")
    # A100 80GB PCIe, batch 32 / 64 / 128: 7.34 / 12.46 / 22.68 GB reserved
    for batch, reserved_gb in ((32, 7.34), (64, 12.46), (128, 22.68)):
        activations = denoiser_activation_gb(model, 2 * batch, 512)
        assert activations == pytest.approx(reserved_gb - SD14_FP16_WEIGHTS_GB, rel=0.05)


def test_attention_without_a_fused_kernel_holds_its_largest_score_matrices() -> None:
    model = as_diffusion("sd-1.4")
    # no xformers, A100 80GB PCIe, batch 32 / 64: 45.19 / 79.54 GB reserved (VAE sliced)
    for batch, reserved_gb in ((32, 45.19), (64, 79.54)):
        activations = denoiser_activation_gb(model, 2 * batch, 512, materialised_scores=True)
        assert activations == pytest.approx(reserved_gb - SD14_FP16_WEIGHTS_GB, rel=0.1)
    # the scores alone: 2 passes x 8 heads x 4096^2 positions x (scores + probabilities) x 2 B
    fused = denoiser_activation_gb(model, 2, 512)
    unfused = denoiser_activation_gb(model, 2, 512, materialised_scores=True)
    assert unfused - fused == pytest.approx(2 * 8 * 4096**2 * 2 * 2 / 1e9)


def test_the_vae_decodes_the_whole_batch_when_it_fits_else_one_image_else_tiles() -> None:
    model = as_diffusion("sd-1.4")
    # A100-SXM4-40GB, batch 1 / 16 decoded at once: 3.18 / 19.81 GB reserved
    roomy = working_gb(model, 16, 512)
    one = working_gb(model, 1, 512)
    assert roomy - one == pytest.approx(19.81 - 3.18, rel=0.05)
    sliced = working_gb(model, 16, 512, room_gb=roomy - 1.0)
    # one image at a time: the peak is the denoiser's activations of the 16 images then
    assert sliced - one == pytest.approx(denoiser_activation_gb(model, 32, 512) - 1.1, rel=0.05)
    sdxl = as_diffusion("sdxl")
    whole_image = working_gb(sdxl, 1, 1024)
    tiled = working_gb(sdxl, 1, 1024, room_gb=whole_image - 0.5)
    assert tiled < whole_image and tiled == pytest.approx(working_gb(sdxl, 1, 512), rel=0.05)


def test_sdxl_batch_of_four_at_a_megapixel_fits_a_12_gb_card_without_offload() -> None:
    """6.9 GB of fp16 weights + 2.5 GB of activations for 4 images (0.16 GB per 512 px image,
    x3.9 pixels) + 1.5 GB workspace, the VAE decoding one image at a time: 10.9 GB of the
    11.4 GB the pipeline may fill. It was streamed over PCIe every step (0.6 GB per 512 px
    image, set by hand, counted the whole batch's activations)."""
    found = api.predict_diffusion(
        "rtx-3060-12gb", "sdxl", resolution=1006, steps=20, batch=4, weights="fp16"
    )
    assert found.offload == "none" and not found.needs_cpu_offload
    assert found.memory_gb < 12.0 * 0.95


def test_flux_fp8_still_fits_a_24_gb_card_and_bf16_still_does_not() -> None:
    assert api.predict_diffusion("rtx-4090", "flux.1-dev", weights="fp8").offload == "none"
    assert api.predict_diffusion("rtx-4090", "flux.1-dev").offload != "none"
