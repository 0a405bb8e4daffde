"""UNet activation traffic (unet_flops.unet_activation_values) and its place in diffusion time."""

from gpuatlas.catalog.model_arch import DiffusionArch
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.media.diffusion import (
    ETA_MEMORY_PRIOR,
    attention_score_bytes,
    denoiser_activation_bytes,
    diffusion_work,
)
from gpuatlas.performance.media.unet_flops import (
    UNET_SHAPES,
    unet_activation_values,
    unet_attention_score_values,
)
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


# ----- attention without a fused kernel: the scores go through memory --------------------------


def test_unet_heads_are_the_library_configs() -> None:
    """diffusers' UNet configs name the number of heads 'attention_head_dim' (8 for SD 1.x,
    [5, 10, 20] for SDXL: 64-wide heads)."""
    import json
    from importlib import resources

    for model_id in ("sd-1.5", "sdxl-base-1.0"):
        path = resources.files("gpuatlas.catalog") / "data" / "models" / f"{model_id}.json"
        heads = json.loads(path.read_text(encoding="utf-8"))["attention_head_dim"]
        shape = UNET_SHAPES[model_id]
        expected = heads if isinstance(heads, list) else [heads] * len(shape.block_out_channels)
        assert [shape.heads(level) for level in range(len(expected))] == expected


def test_sd15_score_values_are_heads_times_queries_times_keys() -> None:
    # 64x64 latent, 8 heads: 2 down + 3 up transformer blocks at each of the three attention
    # levels (4096, 1024, 256 positions), one mid block at 64 positions; keys = the positions
    # (self-attention) + 77 text tokens (cross-attention)
    expected = sum(5 * 8 * p * (p + 77) for p in (4096, 1024, 256)) + 8 * 64 * (64 + 77)
    assert unet_attention_score_values(UNET_SHAPES["sd-1.5"], 64) == expected


def test_vanilla_attention_costs_what_lambda_measured_on_an_a10() -> None:
    """Lambda's SD 1.4 fp16 runs (diffusers 0.11, 30 steps, CFG) on an A10: without xformers
    2.71/2.41/2.27 s per image at batch 1/4/16, with xformers 2.01/1.67/1.54 s: 11.7-12.4 ms more
    per image per UNet forward. Four passes over fp16 scores at 70 % of 600 GB/s give ~14 ms."""
    model = _diffusion("CompVis/stable-diffusion-v1-4")
    system = resolve_system("a10")
    fused = diffusion_work(system, model, resolution_px=512, steps=30, batch=1, cfg=True)
    vanilla = diffusion_work(
        system, model, resolution_px=512, steps=30, batch=1, cfg=True, variant="vanilla-attention"
    )
    extra_bytes = (vanilla.activation_bytes - fused.activation_bytes) / 2  # per image forward
    assert extra_bytes == attention_score_bytes(model, 512, 2.0)
    extra_ms = extra_bytes / (vanilla.bandwidth_bytes_s * ETA_MEMORY_PRIOR) * 1e3
    assert 12.0 * 0.8 < extra_ms < 12.0 * 1.25
    flux = _diffusion("black-forest-labs/FLUX.1-dev")
    assert attention_score_bytes(flux, 1024) == 0.0  # DiT attention: not modelled this way
