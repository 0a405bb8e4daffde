"""Diffusion image generation: denoiser forwards x steps (x2 with CFG) + text encoders + VAE.

Denoiser FLOPs per forward, when the model library gives none at a reference resolution:
- DiT/MMDiT: 2·P·N·(1 + N/(6·h)) over N image + text tokens (the N/(6h) term is attention),
  with the width h ≈ sqrt(P / 600) (a transformer of P params with ~50 blocks).
- UNet: 2·P·latent_positions·0.1 (convolutions reuse weights over positions; SD 1.5's UNet is
  ~0.68 TFLOP per forward at 512 px = 0.096 of 2·P·positions), ~linear in pixels.
VAE decoding runs at full resolution: 2·P_vae·pixels·0.03 (SD VAE ≈ 1.2 TFLOP at 512 px).
"""

from __future__ import annotations

import math

from gpuatlas.catalog.model_arch import DiffusionArch
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import InvalidRequestError
from gpuatlas.estimate.calibration import current_calibration
from gpuatlas.estimate.hardware import (
    hardware_class,
    memory_bandwidth_bytes_s,
    memory_capacity_gb,
    peak_flops,
)
from gpuatlas.estimate.results import DiffusionPrediction, Estimate

MODEL_NAME = "gpuatlas.diffusion/1"
UNET_REUSE = 0.1
VAE_REUSE = 0.03
TEXT_TOKENS = 77
T5_TOKENS = 256
# Priors per denoiser kind: (η_memory, η_compute, per-forward overhead in ms). UNets mix
# convolutions, group norms and small attention layers and reach a low share of the tensor peak,
# with hundreds of kernel launches per forward in eager diffusers; DiTs are large matmuls.
PRIORS: dict[str, tuple[float, float, float]] = {
    "unet": (0.7, 0.35, 15.0),
    "dit": (0.7, 0.65, 5.0),
}
ETA_MEMORY_PRIOR = 0.7
PCIE_OFFLOAD_BYTES_S = 20e9
BYTES_PER_PARAM = 2.0
ACTIVATION_OVERHEAD_GB = 1.5


def denoiser_class(model: DiffusionArch) -> str:
    """Calibration bucket: 'unet' or 'dit' (DiT and MMDiT)."""
    return "unet" if model.denoiser_type == "unet" else "dit"


def denoiser_flops(model: DiffusionArch, resolution_px: int) -> float:
    """FLOPs of one denoiser forward for one image at a square resolution."""
    if model.forward_gflops and model.forward_gflops_resolution_px:
        ratio = (resolution_px / model.forward_gflops_resolution_px) ** 2
        attention_growth = ratio ** (0.15 if model.denoiser_type != "unet" else 0.05)
        return model.forward_gflops * 1e9 * ratio * attention_growth
    params = model.denoiser_params
    if model.denoiser_type == "unet":
        positions = model.latent_size(resolution_px) ** 2
        return 2.0 * params * positions * UNET_REUSE
    tokens = (model.image_tokens(resolution_px) or 4096) + T5_TOKENS
    width = math.sqrt(params / 600.0)
    return 2.0 * params * tokens * (1.0 + tokens / (6.0 * width))


def text_encoder_flops(model: DiffusionArch) -> float:
    return sum(
        2.0 * encoder.params * (T5_TOKENS if encoder.params > 1e9 else TEXT_TOKENS)
        for encoder in model.text_encoders
    )


def vae_decode_flops(model: DiffusionArch, resolution_px: int) -> float:
    return 2.0 * model.vae_params * resolution_px * resolution_px * VAE_REUSE


def memory_gb(model: DiffusionArch, batch: int, resolution_px: int) -> float:
    weights = model.total_params() * BYTES_PER_PARAM / 1e9
    latents = batch * (resolution_px / 512) ** 2 * 0.6  # attention/conv workspace per image
    return weights + ACTIVATION_OVERHEAD_GB + latents


def _timed(flops: float, weight_bytes: float, peak: float, bandwidth: float, eta: float) -> float:
    return max(flops / (peak * eta), weight_bytes / (bandwidth * ETA_MEMORY_PRIOR))


def predict_diffusion_run(
    system: GpuSystem, model: DiffusionArch, *, resolution_px: int, steps: int, batch: int,
    cfg: bool | None,
) -> DiffusionPrediction:
    if resolution_px < 64 or steps < 1 or batch < 1:
        raise InvalidRequestError(["resolution >= 64 px, steps >= 1 and batch >= 1 are required"])
    gpu = system.gpu
    peak, _ = peak_flops(gpu, "bf16")
    bandwidth = memory_bandwidth_bytes_s(gpu)
    calibration = current_calibration()
    denoiser_kind = denoiser_class(model)
    params = calibration.params(
        "image", PRIORS[denoiser_kind], "diffusers", hardware_class(gpu), denoiser_kind
    )
    use_cfg = (model.forwards_per_step >= 2) if cfg is None else cfg
    images_per_forward = batch * (2 if use_cfg else 1)
    denoiser_bytes = model.denoiser_params * BYTES_PER_PARAM
    forward_s = _timed(
        denoiser_flops(model, resolution_px) * images_per_forward, denoiser_bytes, peak, bandwidth,
        params.eta_compute,
    ) + params.step_overhead_ms * 1e-3
    needed_gb = memory_gb(model, batch, resolution_px)
    capacity_gb = memory_capacity_gb(gpu)
    offload = needed_gb > capacity_gb * 0.95
    extra_s, notes = _offload_penalty(model, capacity_gb, steps, offload)
    other_s = _timed(
        text_encoder_flops(model) * batch + vae_decode_flops(model, resolution_px) * batch,
        model.vae_params * BYTES_PER_PARAM, peak, bandwidth, params.eta_compute,
    )
    batch_s = (steps * forward_s + other_s) * params.factor + extra_s
    extrapolated = not (params.exact and calibration.is_covered("image:gpu", gpu.id))
    low, high = calibration.band(batch_s / batch, "image", extrapolated)
    per_image = Estimate(batch_s / batch, low, high, "s/image", MODEL_NAME, calibration.version,
                         extrapolated, notes)
    return DiffusionPrediction(
        system_id=system.id, model_id=model.id, resolution_px=resolution_px, steps=steps,
        batch=batch, cfg=use_cfg, s_per_image=per_image,
        images_per_min=per_image.inverted(60.0, "images/min"), memory_gb=needed_gb,
        needs_cpu_offload=offload, notes=notes,
    )


def _offload_penalty(
    model: DiffusionArch, gpu_memory_gb: float, steps: int, offload: bool
) -> tuple[float, tuple[str, ...]]:
    """Model CPU offload moves the text encoders per image; if the denoiser itself does not
    fit, sequential offload streams its weights over PCIe on every step."""
    if not offload:
        return 0.0, ()
    denoiser_gb = model.denoiser_params * BYTES_PER_PARAM / 1e9
    encoders_bytes = model.text_encoder_params() * BYTES_PER_PARAM
    if denoiser_gb + ACTIVATION_OVERHEAD_GB <= gpu_memory_gb * 0.95:
        return encoders_bytes / PCIE_OFFLOAD_BYTES_S, ("model CPU offload (text encoders)",)
    streamed = steps * denoiser_gb * 1e9 / PCIE_OFFLOAD_BYTES_S
    return streamed + encoders_bytes / PCIE_OFFLOAD_BYTES_S, ("sequential CPU offload",)
