"""Diffusion image generation: denoiser forwards x steps (x2 with CFG) + text encoders + VAE.

Denoiser FLOPs per forward:
- UNets with a known architecture (SD 1.5, SDXL): counted from the UNet config (unet_flops.py):
  convolutions and linear layers with the latent positions, self-attention with positions².
- MMDiTs with a known config (FLUX, SD3.5): counted per block from transformer/config.json
  (dit_flops.py). Other DiT/MMDiT: 2·P·N·(1 + N/(6·h)) over N image + text tokens (the N/(6h)
  term is attention), with the width h ≈ sqrt(P / 600) (a transformer of P params, ~50 blocks).
- Other UNets: 2·P·latent_positions·UNET_REUSE (0.1; the counted SD 1.5 at 512 px gives 0.114,
  SDXL at 1024 px 0.080; data/model_constants.toml).
VAE decoding runs at full resolution: its FLOPs counted from the SD-family KL-f8 decoder
(unet_flops.vae_decoder_flops: 2.5 TFLOPs at 512 px) or, when slower, its activation traffic
(full-resolution feature maps, memory-bound).

Time of one denoiser forward: the GPU's time (roofline at the fitted η) and the host's launch
time of an eager pipeline overlap, so the forward takes a rounded max of the two (small batches
are launch-bound, large ones compute-bound); a `cuda-graphs` variant replays each forward as one
captured graph, with no host launches, but its kernels still run one after another with a
GPU-side floor each: a fitted share of the host time per forward (replay_host_share). A
`denoise-loop` variant times the denoising loop only: no text encoders, no VAE decode.
torch.compile, TensorRT, stable-fast, Core ML and
vanilla (non-SDPA) attention are their own calibration levels over eager diffusers' (an
engine without rows of its own, stable-fast, takes torch.compile's measured gain). Vanilla
attention also moves its score matrices through memory (heads x queries x keys, four passes:
attention_score_bytes), which SDPA/xformers keep on chip: at SD 1.x 512 px ~5.9 GB per image
forward in fp16, ~12 ms on an A10 as Lambda's xformers/no-xformers pairs measure.
The precision the math runs in and the CPU offload a card needs: diffusion_compute.py.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np

from gpuatlas.catalog.formats import WeightFormat
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.model_arch import DiffusionArch
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import InvalidRequestError, UnknownNameError
from gpuatlas.performance.calibration_table import GroupParams, current_calibration
from gpuatlas.performance.engine_releases import frontends
from gpuatlas.performance.engine_specs import check_image_engine_runs_on, image_engine_names
from gpuatlas.performance.media.dit_flops import dit_forward_flops
from gpuatlas.performance.media.image_parallel import (
    NO_SPLIT,
    ImageParallelism,
    SplitCost,
    check_splittable,
    exchange_count,
    exchange_s,
    image_parallelism,
    parallel_notes,
    split_link,
    token_shape,
)
from gpuatlas.performance.media.pipeline_compute import (
    ACTIVATION_OVERHEAD_GB,
    CONVOLUTION_EFFICIENCY_RATIO_PRIOR,
    FITS_SHARE,
    PCIE_OFFLOAD_SHARE,
    PipelinePrecision,
    combined_peak,
    component_bytes,
    convolution_and_matmul_peaks,
    convolution_and_matmul_rates,
    cuda_core_matmul_peak,
    dequantisation_bytes,
    offload_bytes_s,
    offload_for,
    pipeline_precision,
    precision_notes,
)
from gpuatlas.performance.media.unet_flops import (
    UNET_SHAPES,
    VAE_DECODER_LEVELS,
    unet_activation_values,
    unet_attention_score_values,
    unet_forward_flops,
    unet_largest_self_attention_values,
    vae_decoder_flops,
)
from gpuatlas.performance.media.variant_words import variant_words
from gpuatlas.performance.model_constants import model_constant, model_constant_list
from gpuatlas.performance.peak_rates import (
    hardware_class,
    memory_bandwidth_bytes_s,
    memory_capacity_gb,
)
from gpuatlas.performance.predictions import DiffusionPrediction, Estimate
from gpuatlas.performance.resolve import as_format
from gpuatlas.performance.unmodelled_engines import with_unmodelled_reason

MODEL_NAME = "gpuatlas.diffusion/1"
UNET_REUSE = model_constant("diffusion", "unet_reuse")
TEXT_TOKENS = 77
T5_TOKENS = 256

MIN_RESOLUTION_PX = 64  # the smallest square side an image prediction takes


def _denoiser_prior(name: str) -> tuple[float, float, float]:
    eta_memory, eta_compute, overhead_ms = model_constant_list("diffusion", name)
    return eta_memory, eta_compute, overhead_ms


# Priors per denoiser kind: (η_memory, η_compute, per-forward overhead in ms); model_constants.toml
# says why UNets and DiTs differ.
PRIORS: dict[str, tuple[float, float, float]] = {
    "unet": _denoiser_prior("unet_priors"),
    "dit": _denoiser_prior("dit_priors"),
}
ETA_MEMORY_PRIOR = model_constant("diffusion", "eta_memory_prior")
ACTIVATION_GB_PER_IMAGE_512PX = model_constant("diffusion", "activation_gb_per_image_512px")
VAE_DECODE_GB_PER_IMAGE_512PX = model_constant("diffusion", "vae_decode_gb_per_image_512px")
# Host time of one batch outside the denoising loop beyond the text encoders' and the VAE's
# FLOPs (tokenising, launching the encoders' and the decoder's kernels, the scheduler's set-up,
# converting the decoded images) and the share of the tensor rate convolutions reach relative to
# matmuls: both fitted by gpuatlas calibrate on its image rows (calibration/image_pipeline_fit.py,
# so every cross-validation fold refits them) and kept in the calibration group PIPELINE_KEY;
# model_constants.toml holds the priors of that fit, used where nothing is fitted.
PIPELINE_KEY = "image-pipeline|diffusers|*|*"


@dataclass(frozen=True)
class PipelineConstants:
    """The image pipeline's fitted constants: host time per batch outside the denoising loop
    (ms), the convolutions' share of the tensor rate relative to matmuls, and the share of a
    card's PCIe link offloaded weights stream at (fitted only where rows offload)."""

    pipeline_host_ms: float
    convolution_ratio: float
    offload_share: float = PCIE_OFFLOAD_SHARE


PIPELINE_PRIORS = PipelineConstants(
    model_constant("diffusion_pipeline", "pipeline_host_ms"), CONVOLUTION_EFFICIENCY_RATIO_PRIOR
)


def pipeline_constants() -> PipelineConstants:
    """The current calibration's fitted pipeline constants, else their priors."""
    fitted = current_calibration().groups.get(PIPELINE_KEY, {})
    return PipelineConstants(
        float(fitted.get("pipeline_host_ms", PIPELINE_PRIORS.pipeline_host_ms)),
        float(fitted.get("convolution_ratio", PIPELINE_PRIORS.convolution_ratio)),
        float(fitted.get("offload_share", PIPELINE_PRIORS.offload_share)),
    )


# A generation in the A1111 family of web UIs adds host time of its own (model_constants.toml).
WEB_UI_GENERATION_HOST_S = model_constant("diffusion_pipeline", "web_ui_generation_host_ms") * 1e-3
# Attention score and value matmuls missing from a library forward_gflops figure counted with
# thop (conv/linear only), at the figure's resolution: SD 1.5 at 512 px, QK^T and AV of the
# 16 transformer blocks (4096/1024/256/64 latent tokens), ~126 GFLOPs (the library note's
# torch.utils.flop_counter check on this config).
UNCOUNTED_ATTENTION_GFLOPS: dict[str, float] = {"sd-1.5": 126.0}
BYTES_PER_PARAM = 2.0
MAX_IMAGE_BATCH = 16
# UIs that load a denoiser that does not fit only in part: ComfyUI's load_models_gpu keeps
# lowvram_model_memory = the free memory less the sampling's working memory on the GPU and the
# modules left out cast their weights to the GPU on every forward (comfyanonymous/ComfyUI
# comfy/model_management.py @faad5f1, 'loaded partially' in its log); SwarmUI runs a ComfyUI
# backend; ComfyUI-Zluda is ComfyUI; Forge keeps its 'GPU Weights' share resident and swaps
# the rest. Diffusers streams the whole denoiser instead (enable_sequential_cpu_offload).
PARTIAL_LOAD_ENGINES = frozenset(
    {
        "comfyui",
        "comfyui-zluda",
        "comfyui zluda",
        "comfy-zluda",
        "comfyui-n",
        "swarmui",
        "stableswarmui",
        "forge",
        "sd-webui-forge",
        "stable-diffusion-webui-forge",
    }
)


# The variant word of a run that loads a denoiser which does not fit in part, as the UIs above
# do: a measured row names its engine 'diffusers' (the calibration engine of ComfyUI and
# SwarmUI), so the word carries the UI's loading.
PARTIAL_LOAD = "partial-load"
# The variant word of a run that offloads the denoiser by choice, whether it fits or not:
# diffusers' enable_sequential_cpu_offload, or enable_group_offload(offload_type='leaf_level'),
# which moves each leaf module onto the GPU before it runs (diffusers hooks/group_offloading.py);
# the whole denoiser streams every step.
SEQUENTIAL_OFFLOAD = "sequential-offload"
# The variant word of offloaded weights moved on a side CUDA stream that prefetches the next
# group while the current one computes (group offloading with use_stream=True): the streaming
# overlaps the forward instead of adding to it.
OFFLOAD_STREAM = "offload-stream"


def denoiser_class(model: DiffusionArch) -> str:
    """Calibration bucket: 'unet' or 'dit' (DiT and MMDiT)."""
    return "unet" if model.denoiser_type == "unet" else "dit"


def denoiser_flops(model: DiffusionArch, resolution_px: int) -> float:
    """FLOPs of one denoiser forward for one image at a square resolution."""
    shape = UNET_SHAPES.get(model.id)
    if shape is not None:
        return unet_forward_flops(shape, model.latent_size(resolution_px)).total
    dit_shape = model.transformer_blocks
    if dit_shape is not None:
        return dit_forward_flops(dit_shape, model.sequence_image_tokens(resolution_px) or 4096)
    if model.forward_gflops and model.forward_gflops_resolution_px:
        ratio = (resolution_px / model.forward_gflops_resolution_px) ** 2
        counted = model.forward_gflops * 1e9 * ratio
        return counted + _uncounted_attention_flops(model, ratio)
    params = model.denoiser_params
    if model.denoiser_type == "unet":
        positions = model.latent_size(resolution_px) ** 2
        return 2.0 * params * positions * UNET_REUSE
    tokens = (model.sequence_image_tokens(resolution_px) or 4096) + T5_TOKENS
    width = math.sqrt(params / 600.0)
    return 2.0 * params * tokens * (1.0 + tokens / (6.0 * width))


def denoiser_convolution_share(model: DiffusionArch, resolution_px: int) -> float:
    """Share of a denoiser forward's FLOPs in convolutions: counted for known UNets, SD 1.5's
    share at the same latent size for other UNets, none for DiTs (patch embedding only)."""
    if model.denoiser_type != "unet":
        return 0.0
    shape = UNET_SHAPES.get(model.id) or UNET_SHAPES["sd-1.5"]
    counted = unet_forward_flops(shape, model.latent_size(resolution_px))
    return counted.convolution / counted.total


def denoiser_activation_bytes(
    model: DiffusionArch, resolution_px: int, value_bytes: float = BYTES_PER_PARAM
) -> float:
    """Bytes one UNet forward of one image moves in its norms, activations, adds and GEMM
    inputs/outputs: kernels that run between the GEMMs at memory speed, so their time adds to
    the GEMMs' (0 for DiTs, whose large matmuls dominate)."""
    shape = UNET_SHAPES.get(model.id)
    if shape is None:
        return 0.0
    return unet_activation_values(shape, model.latent_size(resolution_px)) * value_bytes


# Attention without a fused kernel (diffusers' AttnProcessor: baddbmm, softmax, bmm) moves the
# score matrix through memory four times: the QK^T kernel writes it, the softmax reads and
# writes it, the AV kernel reads the probabilities. SDPA / xformers keep it on chip.
MATERIALISED_SCORE_PASSES = 4


def attention_score_bytes(
    model: DiffusionArch, resolution_px: int, value_bytes: float = BYTES_PER_PARAM
) -> float:
    """Bytes the materialised attention scores of one UNet forward of one image move (0 for
    DiTs and UNets of unknown shape)."""
    shape = UNET_SHAPES.get(model.id)
    if shape is None:
        return 0.0
    values = unet_attention_score_values(shape, model.latent_size(resolution_px))
    return values * MATERIALISED_SCORE_PASSES * value_bytes


def _uncounted_attention_flops(model: DiffusionArch, pixel_ratio: float) -> float:
    """Attention-score FLOPs a conv/linear-only count leaves out (per the library source),
    scaled as self-attention: with the square of the latent positions."""
    gflops = UNCOUNTED_ATTENTION_GFLOPS.get(model.id, 0.0)
    return gflops * 1e9 * pixel_ratio**2


def text_encoder_flops(model: DiffusionArch) -> float:
    return sum(
        2.0 * encoder.params * (T5_TOKENS if encoder.params > 1e9 else TEXT_TOKENS)
        for encoder in model.text_encoders
    )


def vae_decode_flops(model: DiffusionArch, resolution_px: int) -> float:
    """One VAE decode, counted from the SD-family KL-f8 decoder (unet_flops.py)."""
    return vae_decoder_flops(resolution_px, model.latent_channels)


# SD-family VAE decoder feature maps (channels at 1/8, 1/4, 1/2 and full resolution) and the
# reads + writes of each (3 ResNet blocks of 2 convolutions, 2 group norms, 2 activations per
# level, 2 bytes per value): a memory-bound decode on GPUs whose FLOPs outrun their bandwidth.
VAE_LEVEL_CHANNELS = VAE_DECODER_LEVELS
VAE_PASSES_PER_LEVEL = 3 * 6 * 2


def vae_decode_bytes(resolution_px: int, value_bytes: float = BYTES_PER_PARAM) -> float:
    pixels = float(resolution_px * resolution_px)
    values = sum(pixels / (down * down) * channels for down, channels in VAE_LEVEL_CHANNELS)
    return values * VAE_PASSES_PER_LEVEL * value_bytes


# Lambda's activation figure (model_constants.toml) is per image with classifier-free guidance:
# two denoiser passes.
PASSES_IN_ACTIVATION_FIGURE = 2


def denoiser_activation_gb(
    model: DiffusionArch,
    images_per_forward: int,
    resolution_px: int,
    value_bytes: float = BYTES_PER_PARAM,
    materialised_scores: bool = False,
) -> float:
    """Denoiser activations of one forward of `images_per_forward` latents (a batch times its
    guidance passes) beside the weights; attention without a fused kernel also holds the scores
    and the probabilities of its largest self-attention layer (Lambda's no-xformers SD 1.4 runs:
    1.2-1.35 GB per image at 512 px, 0.16 with xformers)."""
    per_pass_gb = ACTIVATION_GB_PER_IMAGE_512PX / PASSES_IN_ACTIVATION_FIGURE
    pixels = (resolution_px / 512) ** 2
    activations = images_per_forward * pixels * per_pass_gb * value_bytes / BYTES_PER_PARAM
    shape = UNET_SHAPES.get(model.id)
    if not materialised_scores or shape is None:
        return activations
    scores = unet_largest_self_attention_values(shape, model.latent_size(resolution_px))
    return activations + images_per_forward * scores * 2 * value_bytes / 1e9


def vae_decode_options_gb(
    batch: int, resolution_px: int, value_bytes: float = BYTES_PER_PARAM
) -> tuple[float, ...]:
    """Peak memory of the VAE decode: the whole batch at once, one image at a time (VAE
    slicing), 512 px tiles (VAE tiling), largest first."""
    return tuple(sorted(set(vae_decodes_gb(batch, resolution_px, value_bytes)), reverse=True))


def vae_decodes_gb(
    batch: int, resolution_px: int, value_bytes: float = BYTES_PER_PARAM
) -> tuple[float, float, float]:
    """(whole batch at once, one image at a time, 512 px tiles) peak GB of the VAE decode."""
    per_image_512 = VAE_DECODE_GB_PER_IMAGE_512PX * value_bytes / BYTES_PER_PARAM
    per_image = per_image_512 * (resolution_px / 512) ** 2
    return batch * per_image, per_image, min(per_image, per_image_512)


def working_gb(
    model: DiffusionArch,
    batch: int,
    resolution_px: int,
    room_gb: float = math.inf,
    value_bytes: float = BYTES_PER_PARAM,
    *,
    guidance_passes: int | None = None,
    materialised_scores: bool = False,
) -> float:
    """Memory beside the weights at the pipeline's peak: the workspace plus the larger of the
    denoiser's activations and the VAE decode, which decodes the whole batch at once when that
    fits in `room_gb` (the memory beside the weights), else one image, else 512 px tiles."""
    passes = model.forwards_per_step if guidance_passes is None else guidance_passes
    denoiser = denoiser_activation_gb(
        model, batch * passes, resolution_px, value_bytes, materialised_scores
    )
    options = vae_decode_options_gb(batch, resolution_px, value_bytes)
    needs = [ACTIVATION_OVERHEAD_GB + max(denoiser, decode) for decode in options]
    return next((need for need in needs if need <= room_gb), needs[-1])


def vae_decode_notes(
    model: DiffusionArch,
    batch: int,
    resolution_px: int,
    room_gb: float,
    value_bytes: float,
    guidance_passes: int,
    materialised_scores: bool,
    resident: str = "the weights",
) -> tuple[str, ...]:
    """What the memory figure assumes of the VAE decode where it is not the whole batch at
    once: one image at a time, or 512 px tiles where one image does not fit either, because
    the larger decode does not fit beside the weights (so the figure can fall as the resolution
    rises, and differ between GPUs). Nothing where the decode does not set the peak."""
    denoiser = denoiser_activation_gb(
        model, batch * guidance_passes, resolution_px, value_bytes, materialised_scores
    )
    whole, one, tiled = (
        ACTIVATION_OVERHEAD_GB + max(denoiser, decode)
        for decode in vae_decodes_gb(batch, resolution_px, value_bytes)
    )
    if whole <= room_gb:
        return ()
    if one < whole and one <= room_gb:
        how, larger = "one image at a time (VAE slicing: pipe.enable_vae_slicing())", whole
    elif tiled < one:
        how = (
            "in 512 px tiles (VAE tiling: ComfyUI falls back to it when a decode runs out of "
            "memory; diffusers needs pipe.enable_vae_tiling())"
        )
        larger = one
    else:
        return ()
    return (
        f"memory: the VAE decodes {how}: the larger decode needs {larger:.1f} GB beside "
        f"{resident}, more than the {max(room_gb, 0.0):.1f} GB this GPU has there",
    )


def memory_gb(model: DiffusionArch, batch: int, resolution_px: int, weights: str = "bf16") -> float:
    """GB for every component resident at once (each in its real format) plus activations,
    the VAE decoding one image at a time (the least a pipeline short of memory needs)."""
    weight_format = as_format(weights)
    precision = storage_precision(weight_format)
    parts = component_bytes(model, weight_format, precision)
    working = working_gb(model, batch, resolution_px, 0.0, precision.value_bytes)
    return parts.total / 1e9 + working


Seconds = Any  # a float, or a numpy array when the calibration fit evaluates a grid


def _timed(
    flops: float, moved_bytes: float, peak: float, bandwidth: float, eta: Seconds
) -> Seconds:
    return np.maximum(flops / (peak * eta), moved_bytes / (bandwidth * ETA_MEMORY_PRIOR))


def overlapped_s(gpu_s: Seconds, host_s: Seconds) -> Seconds:
    """GPU work and host launches that overlap: a max with a rounded ridge (sharpness 2)."""
    high, low = np.maximum(gpu_s, host_s), np.minimum(gpu_s, host_s)
    return high * np.sqrt(1.0 + (low / np.maximum(high, 1e-12)) ** 2)


@dataclass(frozen=True)
class DiffusionWork:
    """What one batch of images costs: FLOPs and bytes per denoiser forward, the rest of the
    pipeline (text encoders, VAE; none for a denoise-loop timing), the GPU's peaks for each
    part's mix of convolutions and matmuls, and the CPU-offload time."""

    forward_flops: float
    forward_bytes: float
    activation_bytes: float  # memory-bound non-GEMM traffic of one forward (UNets)
    steps: int
    other_flops: float
    other_bytes: float
    peak_flops: float  # the denoiser forward's rate (convolutions at their efficiency ratio)
    bandwidth_bytes_s: float
    offload_s: float  # transfers the GPU waits for, per batch
    memory_gb: float
    needs_offload: bool
    use_cfg: bool
    notes: tuple[str, ...]
    pipeline_peak_flops: float = 0.0  # text encoders + VAE (0: the forward's rate)
    offload: str = "none"  # "none", "model", "partial" or "sequential" CPU offload
    # part of forward_flops an fp32 pipeline runs on the CUDA cores (matmuls and attention with
    # TF32 matmuls off), at cuda_core_peak_flops: a fixed share of the FP32 peak, not the η fit
    cuda_core_flops: float = 0.0
    cuda_core_peak_flops: float = 0.0
    dequantisation_bytes: float = 0.0  # per forward: nf4/GGUF weights dequantised to 16 bits
    # each forward replays a captured CUDA graph (variant 'cuda-graphs'): no host launch time
    graph_replay: bool = False
    generation_host_s: float = 0.0  # a web UI's own host time per batch (0: diffusers)
    # what `at_constants` sets the rates and the pipeline's host time from: the tensor peaks
    # (convolution, matmul) before the convolution ratio, the convolution FLOPs of one batch
    # forward on the tensor cores, and the VAE decoder's (convolutions) and text encoders'
    # (matmuls) FLOPs per image
    tensor_peaks: tuple[float, float] = (0.0, 0.0)
    convolution_flops: float = 0.0
    pipeline_convolution_flops: float = 0.0
    pipeline_matmul_flops: float = 0.0
    pipeline_host_s: float = PIPELINE_PRIORS.pipeline_host_ms * 1e-3
    # one image split over GPUs (image_parallel.py): the activation exchange per forward (GPU
    # time beside the math) and the GPUs one image takes (1: each GPU runs its own images)
    exchange_s: float = 0.0
    exchanges: int = 0  # the collective calls of that exchange per forward
    exchange_host_s: float = 0.0  # the host time of those calls per forward (fitted per call)
    gpus_per_image: int = 1
    # per step, weights streamed on a side stream beside the forward ('offload-stream')
    step_stream_s: float = 0.0
    # the share of the PCIe link offload_s and step_stream_s were computed at
    offload_share: float = PCIE_OFFLOAD_SHARE

    def at_constants(self, constants: PipelineConstants) -> DiffusionWork:
        """This work with the rates and the pipeline host time of `constants` (the fit
        evaluates its candidates this way)."""
        rates = convolution_and_matmul_rates(self.tensor_peaks, constants.convolution_ratio)
        if self.cuda_core_flops > 0:  # the matmuls run on the CUDA cores: convolutions only
            forward_peak = rates[0]
        else:
            matmul = self.forward_flops - self.convolution_flops
            forward_peak = combined_peak(self.convolution_flops, matmul, rates)
        return replace(
            self,
            peak_flops=forward_peak,
            pipeline_peak_flops=combined_peak(
                self.pipeline_convolution_flops, self.pipeline_matmul_flops, rates
            ),
            pipeline_host_s=constants.pipeline_host_ms * 1e-3,
            offload_s=self.offload_s * self.offload_share / constants.offload_share,
            step_stream_s=self.step_stream_s * self.offload_share / constants.offload_share,
            offload_share=constants.offload_share,
        )

    def _cuda_core_s(self) -> float:
        if self.cuda_core_flops <= 0 or self.cuda_core_peak_flops <= 0:
            return 0.0
        return self.cuda_core_flops / self.cuda_core_peak_flops

    def roofline_compute_s(self) -> float:
        """All FLOPs at 100 % of the peaks."""
        other_peak = self.pipeline_peak_flops or self.peak_flops
        tensor_flops = self.forward_flops - self.cuda_core_flops
        return (
            self.steps * (tensor_flops / self.peak_flops + self._cuda_core_s())
            + self.other_flops / other_peak
        )

    def forward_s(
        self, eta_compute: Seconds, overhead_ms: Seconds, replay_floor_ms: Seconds = 0.0
    ) -> Seconds:
        """One denoiser forward: GPU time and the host's launch time overlap. A replayed
        forward (`graph_replay`) has no host launches, but its kernels still run one after
        another, each with a GPU-side floor (graph launch gap, ramp and tail of a small grid):
        `replay_floor_ms` per forward (replay_floor_ms()), GPU time that adds to the roofline
        time (the GPU is busy with it, not waiting on the host)."""
        gpu_s = _timed(
            self.forward_flops - self.cuda_core_flops,
            self.forward_bytes,
            self.peak_flops,
            self.bandwidth_bytes_s,
            eta_compute,
        )
        moved = self.activation_bytes + self.dequantisation_bytes
        gpu_s = (
            gpu_s
            + moved / (self.bandwidth_bytes_s * ETA_MEMORY_PRIOR)
            + self._cuda_core_s()
            + self.exchange_s
        )
        if self.graph_replay:
            return gpu_s + replay_floor_ms * 1e-3
        return overlapped_s(gpu_s, overhead_ms * 1e-3 + self.exchange_host_s)

    def pipeline_s(self, eta_compute: Seconds) -> Seconds:
        """Text encoders and VAE decode at their FLOPs, plus the pipeline's host time per batch
        beyond them (0 for a denoise-loop timing)."""
        if self.other_flops <= 0:
            return 0.0
        return (
            self.pipeline_host_s
            + self.generation_host_s
            + _timed(
                self.other_flops,
                self.other_bytes,
                self.pipeline_peak_flops or self.peak_flops,
                self.bandwidth_bytes_s,
                eta_compute,
            )
        )

    def unscaled_batch_s(
        self, eta_compute: Seconds, overhead_ms: Seconds, replay_floor_ms: Seconds = 0.0
    ) -> Seconds:
        """Batch time before the group factor (arrays broadcast: the fit's grid)."""
        forward = self.forward_s(eta_compute, overhead_ms, replay_floor_ms)
        if self.step_stream_s > 0:  # the next weights stream while this forward computes
            forward = overlapped_s(forward, self.step_stream_s)
        denoise_s = self.steps * forward
        return denoise_s + self.pipeline_s(eta_compute) + self.offload_s

    def batch_s(self, params: GroupParams, replay_floor_ms: float = 0.0) -> float:
        unscaled = self.unscaled_batch_s(
            params.eta_compute, params.step_overhead_ms, replay_floor_ms
        )
        return float((unscaled - self.offload_s) * params.factor + self.offload_s)


def storage_precision(weight_format: WeightFormat) -> PipelinePrecision:
    """The dtype the text encoders and VAE are held in: fp32 pipelines keep every component
    in fp32; everything else runs them in 16 bits."""
    return PipelinePrecision("fp32" if weight_format.id == "fp32" else "16bit")


def max_image_batch(
    system: GpuSystem, model: DiffusionArch, resolution_px: int, weights: str = "bf16"
) -> int:
    """Largest batch (up to MAX_IMAGE_BATCH) whose memory fits one GPU; at least 1."""
    capacity_gb = memory_capacity_gb(system.gpu) * FITS_SHARE
    fitting = [
        b
        for b in range(1, MAX_IMAGE_BATCH + 1)
        if memory_gb(model, b, resolution_px, weights) <= capacity_gb
    ]
    return max(fitting, default=1)


def diffusion_work(
    system: GpuSystem,
    model: DiffusionArch,
    *,
    resolution_px: int,
    steps: int,
    batch: int,
    cfg: bool | None,
    weights: str = "bf16",
    variant: str | None = None,
    engine: str = "diffusers",
    engine_text: str | None = None,
) -> DiffusionWork:
    """Work of one batch on ONE GPU (a multi-GPU system runs one replica per GPU, unless the run
    splits one image over several: image_parallel.py); a
    'denoise-loop' variant leaves out the text encoders and the VAE decode; a 'tf32' variant
    runs an fp32 pipeline's matmuls in TF32 too."""
    if resolution_px < MIN_RESOLUTION_PX or steps < 1 or batch < 1:
        raise InvalidRequestError(
            [f"resolution >= {MIN_RESOLUTION_PX} px, steps >= 1 and batch >= 1 are required"]
        )
    gpu = system.gpu
    check_image_engine_runs_on(engine, gpu)
    weight_format = as_format(weights)
    parts_of_variant = variant_parts(variant)
    precision = pipeline_precision(
        weight_format,
        gpu,
        (engine or "").strip().lower(),
        "tf32" in parts_of_variant,
        "fp8-matmul" in parts_of_variant,
        "weight-only" in parts_of_variant,
    )
    use_cfg = guidance_passes_on(model, cfg, parts_of_variant)
    materialised = materialised_attention(engine, variant)
    split = image_parallelism(
        _image_key(engine or ""), parts_of_variant, system.gpu_count, engine_text
    )
    if model.denoiser_type == "unet" and not _names_split(parts_of_variant):
        split = NO_SPLIT  # xDiT's default split is for DiTs; a UNet runs one image per GPU
    check_splittable(model, split, use_cfg)
    images_per_forward = batch * (2 if use_cfg else 1) // split.cfg
    parts = component_bytes(model, weight_format, precision)
    capacity_gb = memory_capacity_gb(gpu)
    working = working_gb(
        model,
        batch,
        resolution_px,
        capacity_gb * FITS_SHARE - parts.total / 1e9,
        precision.value_bytes,
        guidance_passes=2 if use_cfg else 1,
        materialised_scores=materialised,
    )
    partial_load = (engine or "").strip().lower() in PARTIAL_LOAD_ENGINES or (
        PARTIAL_LOAD in parts_of_variant
    )
    constants = pipeline_constants()
    offload = offload_for(
        parts,
        working,
        capacity_gb,
        steps,
        partial_load,
        offload_bytes_s(gpu, constants.offload_share),
        forced=SEQUENTIAL_OFFLOAD in parts_of_variant,
        side_stream=OFFLOAD_STREAM in parts_of_variant,
        other_parts=not is_denoise_loop(variant),
    )
    pipeline = 0.0 if is_denoise_loop(variant) else float(batch)
    peaks = convolution_and_matmul_peaks(gpu, precision)
    forward = denoiser_flops(model, resolution_px)
    convolution = forward * denoiser_convolution_share(model, resolution_px)
    value_bytes = precision.value_bytes
    activation = denoiser_activation_bytes(model, resolution_px, value_bytes)
    if materialised:
        activation += attention_score_bytes(model, resolution_px, value_bytes)
    cuda_core_peak = cuda_core_matmul_peak(gpu, precision)
    # the images one GPU's forward carries: its CFG rank's latents, 1/s of their tokens
    per_gpu_images = images_per_forward / split.sequence_degree
    on_cuda_cores = (forward - convolution) * per_gpu_images if cuda_core_peak else 0.0
    cost = _split_cost(
        system, model, resolution_px, split, images_per_forward, value_bytes, engine, variant
    )
    return DiffusionWork(
        forward_flops=forward * per_gpu_images,
        forward_bytes=parts.denoiser,
        steps=steps,
        activation_bytes=activation * per_gpu_images,
        other_flops=(text_encoder_flops(model) + vae_decode_flops(model, resolution_px)) * pipeline,
        other_bytes=parts.vae + vae_decode_bytes(resolution_px, value_bytes) * pipeline,
        peak_flops=0.0,  # at_constants below
        cuda_core_flops=on_cuda_cores,
        cuda_core_peak_flops=cuda_core_peak,
        dequantisation_bytes=dequantisation_bytes(weight_format, precision, model.denoiser_params),
        bandwidth_bytes_s=memory_bandwidth_bytes_s(gpu),
        offload_s=offload.seconds,
        step_stream_s=offload.step_stream_s,
        offload_share=constants.offload_share,
        memory_gb=parts.total / 1e9 + working,
        needs_offload=offload.needed,
        use_cfg=use_cfg,
        notes=offload.note
        + vae_decode_notes(
            model,
            batch,
            resolution_px,
            # offloaded: the decode runs with the VAE alone on the GPU ('more than the 0.0 GB
            # this GPU has there' was said of a GPU the offload had emptied)
            capacity_gb * FITS_SHARE - (parts.vae if offload.needed else parts.total) / 1e9,
            precision.value_bytes,
            2 if use_cfg else 1,
            materialised,
            "the VAE (the rest offloaded)" if offload.needed else "the weights",
        )
        + precision_notes(weight_format, precision, bool(cuda_core_peak), gpu)
        + attention_notes(model, resolution_px, value_bytes, materialised)
        + parallel_notes(split, cost, not _names_split(parts_of_variant)),
        offload=offload.kind,
        graph_replay=CUDA_GRAPHS in parts_of_variant,
        generation_host_s=WEB_UI_GENERATION_HOST_S
        if image_engine(engine, variant) == WEB_UI_ENGINE
        else 0.0,
        tensor_peaks=peaks,
        convolution_flops=convolution * per_gpu_images,
        pipeline_convolution_flops=vae_decode_flops(model, resolution_px),
        pipeline_matmul_flops=text_encoder_flops(model),
        exchange_s=cost.exchange_s,
        exchanges=cost.calls,
        exchange_host_s=cost.host_s,
        gpus_per_image=split.gpus_per_image,
    ).at_constants(constants)


# The variant word of a run without classifier-free guidance on a model that guides by default
# (one latent per forward: a UNet timed alone on one latent, a guidance scale of 1).
NO_CFG = "no-cfg"


def guidance_passes_on(model: DiffusionArch, cfg: bool | None, parts_of_variant: set[str]) -> bool:
    """Whether each step runs the conditional and the unconditional pass: as asked, else off
    for a run the variant word 'no-cfg' names, else the model's default."""
    if cfg is not None:
        return cfg
    return NO_CFG not in parts_of_variant and model.forwards_per_step >= 2


def _names_split(parts_of_variant: set[str]) -> bool:
    """Whether the variant words name a split of one image (else an engine default made it)."""
    return any(word.startswith(("ulysses-", "ring-", "cfg-parallel")) for word in parts_of_variant)


def _split_cost(
    system: GpuSystem,
    model: DiffusionArch,
    resolution_px: int,
    split: ImageParallelism,
    images_per_forward: int,
    value_bytes: float,
    engine: str,
    variant: str | None,
) -> SplitCost:
    """What one GPU's exchanges in a sequence split cost per forward (none unsplit)."""
    if split.sequence_degree <= 1:
        return SplitCost(0.0, 0, 0.0, False)
    shape = token_shape(model, model.sequence_image_tokens(resolution_px) or 4096, T5_TOKENS)
    seconds = exchange_s(shape, split, images_per_forward, value_bytes, split_link(system))
    calls = exchange_count(shape, split)
    fitted = current_calibration().groups.get(split_key(image_engine(engine, variant)))
    per_call_us = float(fitted.get("kernel_overhead_us", 0.0)) if fitted else 0.0
    return SplitCost(seconds, calls, calls * per_call_us * 1e-6, fitted is not None)


# The calibration groups holding the host time of one exchange call of a split image
# (image_parallel.py), one per image engine (eager PyTorch launches the reshapes and copies
# around each call one by one, torch.compile fuses them), fitted in calibrate on the rows that
# split one (0 without them).
SPLIT_KIND = "image-split"


def split_key(engine_id: str) -> str:
    return f"{SPLIT_KIND}|{engine_id}|*|*"


# The variant word of a denoiser whose forwards replay a captured CUDA graph: torch.compile in
# mode 'reduce-overhead' or 'max-autotune', TensorRT or stable-fast with CUDA graphs on. One
# graph launch replaces the eager forward's hundreds of kernel launches.
CUDA_GRAPHS = "cuda-graphs"

IMAGE_ENGINES = {
    "tensorrt": "tensorrt",
    "trt": "tensorrt",
    "diffusers-compiled": "diffusers-compiled",
    "torch.compile": "diffusers-compiled",
    "compiled": "diffusers-compiled",
    "stable-fast": "stable-fast",
    "stable_fast": "stable-fast",
    "sfast": "stable-fast",
    "coreml": "coreml",
    "core ml": "coreml",
    "core-ml": "coreml",
    "diffusers-vanilla-attention": "diffusers-vanilla-attention",
    **dict.fromkeys(
        (
            "sd-webui",
            "sd webui",
            "stable-diffusion-webui",
            "automatic1111",
            "a1111",
            "forge",
            "sd-webui-forge",
            "stable-diffusion-webui-forge",
            "sd.next",
            "sdnext",
            "sd next",
        ),
        "sd-webui",
    ),
}
# The A1111 family of web UIs (A1111, Forge, SD.Next): eager PyTorch with more host time per
# generation than diffusers (engines.toml 'sd-webui'); its own calibration levels.
WEB_UI_ENGINE = "sd-webui"
# MFLUX (engines.toml [[engine_name]] mflux): diffusers' model code ported to MLX on Apple
# silicon; with no rows of its own it is costed at eager diffusers' levels on the Mac's GPU.
MFLUX_ENGINE = "mflux"
# ComfyUI-Zluda (engines.toml [[engine_name]] comfyui-zluda): ComfyUI through ZLUDA on AMD GPUs,
# started with sub-quadratic (chunked, materialised) attention; with no rows of its own it is
# costed at the vanilla-attention levels.
ZLUDA_ENGINE = "comfyui-zluda"
# Engines costed at another engine's levels until rows of their own calibrate them: answers
# say so and are marked extrapolated even where the stand-in is fitted on the GPU.
BORROWING_ENGINES = (MFLUX_ENGINE, ZLUDA_ENGINE)
# Variants that name attention without SDPA/xformers (diffusers' AttnProcessor: the scores
# materialised in memory), as sources write them.
VANILLA_ATTENTION = ("vanilla-attention", "no-sdpa", "default-attention")
VANILLA_ATTENTION_ENGINE = "diffusers-vanilla-attention"


def materialised_attention(engine: str | None, variant: str | None) -> bool:
    """Attention whose score matrices go through memory: vanilla attention named as the engine
    or by a variant word, compiled or not. torch.compile does not remove the materialisation:
    the QK^T and AV matmuls stay library calls (cuBLAS/rocBLAS) that write and read the scores,
    and Inductor fuses only the scale and softmax between them; so it is with PyTorch 2.0's
    ROCm builds, whose SDPA has only the math backend (its flash and memory-efficient kernels
    were built for CUDA only)."""
    if image_engine(engine, variant) in (VANILLA_ATTENTION_ENGINE, ZLUDA_ENGINE):
        return True
    return bool(variant_parts(variant) & set(VANILLA_ATTENTION))


def attention_notes(
    model: DiffusionArch, resolution_px: int, value_bytes: float, materialised: bool
) -> tuple[str, ...]:
    """What a run whose attention scores go through memory pays for them, in the user's words
    (nothing for fused attention or a model of unknown shape)."""
    score_bytes = attention_score_bytes(model, resolution_px, value_bytes)
    if not materialised or score_bytes <= 0:
        return ()
    return (
        "attention without a fused kernel (vanilla-attention): the score matrices go through "
        f"memory, {score_bytes / 1e9:.2g} GB per image forward at {resolution_px} px, "
        "torch.compile or not",
    )


def variant_parts(variant: str | None) -> set[str]:
    """'denoise-loop+torch.compile' -> {'denoise-loop', 'torch.compile'} (variant_words)."""
    return variant_words(variant)


def is_denoise_loop(variant: str | None) -> bool:
    return "denoise-loop" in variant_parts(variant)


def image_engine(engine: str | None, variant: str | None = None) -> str:
    """Calibration engine of an image case: 'tensorrt', 'stable-fast', 'coreml',
    'diffusers-compiled' (torch.compile, named as the engine or as a variant of it),
    'diffusers-vanilla-attention' (attention without SDPA) or 'diffusers' (eager PyTorch with
    SDPA or xformers: diffusers, ComfyUI, anything else)."""
    found = _known_image_engines().get(_image_key(engine or ""), "diffusers")
    parts = variant_parts(variant)
    if found == "diffusers" and "torch.compile" in parts:
        return "diffusers-compiled"
    if found == "diffusers" and parts & set(VANILLA_ATTENTION):
        return VANILLA_ATTENTION_ENGINE
    return found


# Consumer cards (GeForce) run PyTorch diffusion at a much larger share of their 16-bit
# (fp32-accumulate) peak than datacenter parts do of theirs, so their image efficiency is a
# calibration class of its own ('<family>/consumer'), not pooled with the datacenter GDDR
# parts (T4, L4, L40S). Consumer parts with no image measurements of their own borrow the
# class of their predecessor generation (same memory class, same PyTorch kernels), not the
# family prior of their datacenter siblings: an RTX 5090 (GB202, GDDR7) is costed at the
# efficiency measured on RTX 4090s, at its own peaks and bandwidth.
CONSUMER_CLASS = "consumer"
IMAGE_CLASS_STAND_INS = {"blackwell/consumer": "ada/consumer"}


def image_calibration_class(gpu: Gpu) -> str:
    """The hardware class image rows of this GPU are fitted under."""
    if gpu.segment == "consumer":
        return f"{gpu.architecture_family}/{CONSUMER_CLASS}"
    return hardware_class(gpu)


def image_hardware_class(gpu: Gpu, engine_id: str = "diffusers") -> str:
    """The hardware class an image case of this calibration engine is predicted under: the
    GPU's own, or its stand-in (IMAGE_CLASS_STAND_INS) while neither this engine nor eager
    diffusers has image groups fitted on it (another engine's rows there, e.g. a web UI's,
    leave the other engines on the stand-in)."""
    found = image_calibration_class(gpu)
    engines = dict.fromkeys((engine_id, "diffusers"))
    fragments = tuple(f"image|{engine}|{found}|" for engine in engines)
    return _own_or_stand_in(found, IMAGE_CLASS_STAND_INS, fragments)


def _own_or_stand_in(name: str, stand_ins: dict[str, str], key_fragments: tuple[str, ...]) -> str:
    """`name`, or its stand-in while no image group key of the calibration contains one of
    the fragments that name it."""
    stand_in = stand_ins.get(name)
    if stand_in is None or _has_image_groups(current_calibration().version, key_fragments):
        return name
    return stand_in


@cache
def _has_image_groups(version: str, key_fragments: tuple[str, ...]) -> bool:
    return any(
        key.startswith("image|") and any(fragment in key for fragment in key_fragments)
        for key in current_calibration().groups
    )


# The software stack an image pipeline launches its kernels through, by GPU vendor: CUDA on
# NVIDIA, HIP/ROCm on AMD, PyTorch's XPU device (Level Zero) on Intel Arc and Data Center GPU
# Max, MPS on Apple, SynapseAI (HPU) on Gaudi. Launch and dispatch cost per kernel differ between
# these stacks, so each non-CUDA platform has its own host-time level: a ratio to the per-forward
# host time the image groups hold (fitted mostly on CUDA rows), fitted on that platform's rows
# (calibration group HOST_PLATFORM_KIND|<platform>|*|*). With one shared level, a platform's
# rows could only move the host time every GPU class shares, and the compute levels with it.
HOST_PLATFORM_OF_VENDOR: dict[str, str] = {
    "NVIDIA": "cuda",
    "AMD": "rocm",
    "Intel": "xpu",
    "Apple": "mps",
}
SHARED_HOST_PLATFORM = "cuda"
HOST_PLATFORM_KIND = "image-host"
HOST_PLATFORM_OF_FAMILY: dict[str, str] = {"gaudi2": "hpu", "gaudi3": "hpu"}


def host_platform(gpu: Gpu) -> str:
    """The platform whose host-time level an image case on this GPU uses (see
    HOST_PLATFORM_OF_VENDOR); the shared CUDA level for a vendor not listed."""
    found = HOST_PLATFORM_OF_FAMILY.get(gpu.architecture_family)
    return found or HOST_PLATFORM_OF_VENDOR.get(gpu.vendor, SHARED_HOST_PLATFORM)


def host_platform_key(platform: str) -> str:
    """The calibration group holding a platform's host-time ratio."""
    return f"{HOST_PLATFORM_KIND}|{platform}|*|*"


def host_time_ratio(platform: str) -> float:
    """Host time per forward on this platform over the image groups' level: the fitted ratio,
    1 on the shared platform and on a platform without rows of its own."""
    if platform == SHARED_HOST_PLATFORM:
        return 1.0
    fitted = current_calibration().groups.get(host_platform_key(platform), {})
    return float(fitted.get("host_ratio", 1.0))


def host_platform_notes(gpu: Gpu) -> tuple[str, ...]:
    """What the platform's own host-time level does to this case, when it is not 1."""
    platform = host_platform(gpu)
    ratio = host_time_ratio(platform)
    if ratio == 1.0:
        return ()
    rows = int(current_calibration().groups[host_platform_key(platform)].get("n", 0))
    return (
        f"host time per denoiser forward on {platform}: {ratio:.2f}x the level of the "
        f"calibration's image groups (fitted on {rows} measured {platform} rows)",
    )


# The calibration group holding the share of eager diffusers' host time per forward that a
# replayed CUDA graph still takes on the GPU (DiffusionWork.forward_s): the eager op count sets
# both the host's launches and the kernels a graph replays one after another, each with a
# GPU-side floor. Fitted in calibrate on the rows that replay graphs; 0 (the graph takes all
# of the host time away) without such rows.
REPLAY_KEY = "image-replay|cuda-graphs|*|*"


def replay_host_share() -> float:
    """The fitted share of eager's host time per forward a replayed forward keeps (0 unfitted)."""
    fitted = current_calibration().groups.get(REPLAY_KEY, {})
    return float(fitted.get("host_ratio", 0.0))


def replay_floor_ms(system: GpuSystem, model: DiffusionArch, variant: str | None) -> float:
    """GPU-side time per replayed forward: the fitted share of eager diffusers' host time per
    forward on this GPU (its class and platform); 0 without cuda-graphs."""
    if CUDA_GRAPHS not in variant_parts(variant):
        return 0.0
    return replay_host_share() * image_params(system, model, EAGER_ENGINE).step_overhead_ms


def replay_notes(variant: str | None, floor_ms: float) -> tuple[str, ...]:
    """What the fitted replay share does to a cuda-graphs case, when it is fitted."""
    share = replay_host_share()
    if CUDA_GRAPHS not in variant_parts(variant) or share <= 0.0:
        return ()
    rows = int(current_calibration().groups[REPLAY_KEY].get("n", 0))
    return (
        f"cuda-graphs: the replayed kernels still run one after another, each with a GPU-side "
        f"floor: {floor_ms:.1f} ms per forward, {share:.2f}x eager diffusers' host time per "
        f"forward (fitted on {rows} measured cuda-graphs rows)",
    )


EAGER_ENGINE = "diffusers"


def image_params(
    system: GpuSystem,
    model: DiffusionArch,
    engine: str = "diffusers",
    variant: str | None = None,
) -> GroupParams:
    """The fitted efficiencies of this case (`class_image_params`), with the host time per
    forward of the GPU's platform (`host_time_ratio`)."""
    params = class_image_params(system, model, engine, variant)
    ratio = host_time_ratio(host_platform(system.gpu))
    return replace(params, step_overhead_ms=params.step_overhead_ms * ratio)


def class_image_params(
    system: GpuSystem,
    model: DiffusionArch,
    engine: str = "diffusers",
    variant: str | None = None,
) -> GroupParams:
    """The fitted efficiencies of this case on its hardware class. A compiled engine
    (TensorRT, torch.compile, stable-fast) not fitted on this hardware class keeps its gain
    over eager diffusers measured on the classes it was fitted on (engine_gain) and applies
    it to this class's eager level: its general level alone would undo the class's own (a
    GeForce card's eager η is above TensorRT's all-GPU one).
    An engine with no image rows of its own is costed as its stand-in (IMAGE_ENGINE_STAND_INS),
    and no compiled engine is given more host time per forward than eager diffusers."""
    denoiser_kind = denoiser_class(model)
    engine_id = gain_source_engine(image_engine(engine, variant))
    hardware = image_hardware_class(system.gpu, engine_id)
    calibration = current_calibration()
    prior = PRIORS[denoiser_kind]
    params = calibration.params("image", prior, engine_id, hardware, denoiser_kind)
    if engine_id == EAGER_ENGINE:
        return params
    eager = calibration.params("image", prior, EAGER_ENGINE, hardware, denoiser_kind)
    if params.exact:
        return _host_time_capped(params, eager, engine_id)
    eta_gain, overhead_ratio = engine_gain(engine_id, hardware, denoiser_kind)
    gained = GroupParams(
        eta_memory=params.eta_memory,
        eta_compute=min(1.0, eager.eta_compute * eta_gain),
        step_overhead_ms=eager.step_overhead_ms * overhead_ratio,
        factor=params.factor,
        exact=False,
        sequence_overhead_us=params.sequence_overhead_us,
    )
    return _host_time_capped(gained, eager, engine_id)


# Engines that compile the denoiser (fused kernels; TensorRT and stable-fast can also replay CUDA
# graphs): each forward launches fewer kernels than eager PyTorch, never more.
COMPILED_IMAGE_ENGINES = frozenset({"diffusers-compiled", "tensorrt", "stable-fast"})


def _host_time_capped(params: GroupParams, eager: GroupParams, engine_id: str) -> GroupParams:
    """A compiled engine's host time per forward is at most eager diffusers' on the same class,
    whatever the fit's weakly identified overheads say (they sit near their ~20 ms prior), and
    its compute efficiency at least eager's there: it runs the same math through fused kernels.
    Its own level is fitted on fewer, pooled classes (the H100's compiled rows share the hbm
    level with A100s), so without the floor a class whose eager level is fitted higher (Hopper)
    would be predicted slower compiled than eager, which no source measured."""
    if engine_id not in COMPILED_IMAGE_ENGINES:
        return params
    return replace(
        params,
        step_overhead_ms=min(params.step_overhead_ms, eager.step_overhead_ms),
        eta_compute=max(params.eta_compute, eager.eta_compute),
    )


# Compiled image engines with no measured rows of their own in the calibration, and the measured
# engine whose gain over eager diffusers they take meanwhile. stable-fast (chengzeyi/stable-fast)
# does what torch.compile does to a diffusers UNet: it traces the module and fuses its kernels
# (Triton/cuBLASLt epilogues, fused GEGLU/GroupNorm), so its gain is of torch.compile's kind
# (its optional CUDA-graph replay is not credited); its own rows (when a source is added)
# replace the stand-in.
IMAGE_ENGINE_STAND_INS: dict[str, str] = {
    "stable-fast": "diffusers-compiled",
    WEB_UI_ENGINE: "diffusers",
    MFLUX_ENGINE: "diffusers",
    ZLUDA_ENGINE: VANILLA_ATTENTION_ENGINE,
}


def _borrows_eager_levels(engine_id: str) -> bool:
    """MFLUX with no image rows of its own: its answer is eager diffusers' levels, so it is
    marked extrapolated even where diffusers' are fitted on the GPU."""
    return engine_id in BORROWING_ENGINES and gain_source_engine(engine_id) != engine_id


def gain_source_engine(engine_id: str) -> str:
    """The engine whose fitted gain over eager diffusers a case of `engine_id` uses: its own,
    or its stand-in while the calibration has no image groups of its own."""
    return _own_or_stand_in(engine_id, IMAGE_ENGINE_STAND_INS, (f"image|{engine_id}|",))


def engine_notes(engine: str, variant: str | None) -> tuple[str, ...]:
    """What the prediction assumed about the engine: a stand-in's gain, or diffusers' eager
    defaults when no variant names another configuration."""
    engine_id = image_engine(engine, variant)
    gain_engine = gain_source_engine(engine_id)
    if gain_engine == EAGER_ENGINE and engine_id == MFLUX_ENGINE:
        return (
            "mflux has no measured rows in the calibration: costed at eager diffusers' "
            "efficiencies on this GPU (MFLUX is a line-by-line MLX port of diffusers' model "
            "code; MLX's Metal kernels are not measured apart), extrapolated",
        )
    if gain_engine == EAGER_ENGINE and engine_id != EAGER_ENGINE:
        return (
            f"{engine_id} has no measured rows in the calibration: costed at eager diffusers' "
            "efficiencies (SDPA attention, no torch.compile) plus the web UI's own host time "
            f"per generation ({WEB_UI_GENERATION_HOST_S:.1f} s)",
        )
    if gain_engine == VANILLA_ATTENTION_ENGINE and engine_id == ZLUDA_ENGINE:
        return (
            "comfyui-zluda has no measured rows in the calibration: costed as eager diffusers "
            "with attention scores through memory (its launchers' --use-quad-cross-attention; "
            "ZLUDA runs no flash attention) on this GPU, extrapolated; ZLUDA's first-run kernel "
            "compilation is not in the time",
        )
    if gain_engine != engine_id:
        return (
            f"{engine_id} has no measured rows in the calibration: costed at the measured gain "
            f"of {gain_engine} (torch.compile) over eager diffusers (both trace the UNet and "
            "fuse its kernels; stable-fast's optional CUDA graphs are not credited)",
        )
    if engine_id == EAGER_ENGINE and not variant_parts(variant) - {"denoise-loop"}:
        return (_eager_defaults_note(engine),)
    if CUDA_GRAPHS in variant_parts(variant):
        return (
            "cuda-graphs: each denoiser forward replays a captured CUDA graph, so no host launch "
            "time per op (torch.compile mode 'reduce-overhead' or 'max-autotune'; its default "
            "mode does not)",
        )
    return ()


# The names of diffusers itself; any other name costed as eager diffusers (ComfyUI, SwarmUI,
# an engine the catalog does not know) is said to be read so.
DIFFUSERS_OWN_NAMES = frozenset({"", "diffusers", "hf diffusers", "huggingface diffusers"})


# Plain PyTorch named as the engine (MLPerf's SDXL rows, a FLUX fp8 source): eager PyTorch,
# costed as diffusers.
EAGER_PYTORCH_NAMES = ("pytorch", "torch", "pytorch-eager", "eager")


@cache
def _known_image_engines() -> dict[str, str]:
    """Every image engine name a request may give (as `_image_key` writes it) -> the id to
    suggest for it: engines.toml's image engines, the calibration's engine ids and the names
    they are written with (IMAGE_ENGINES), plain PyTorch, and the applications that run
    diffusers (engine_releases.toml frontends: xDiT's xfuser)."""
    known = {_image_key(name): found for name, found in IMAGE_ENGINES.items()}
    known |= {
        _image_key(name): "diffusers" for name in (*DIFFUSERS_OWN_NAMES, *EAGER_PYTORCH_NAMES)
    }
    known |= {
        _image_key(name): "diffusers"
        for frontend in frontends()
        if frontend.runs == "diffusers"
        for name in (frontend.id, frontend.name, *frontend.names)
    }
    return known | image_engine_names()


def _image_key(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").split())


def check_image_engine_known(engine: str | None) -> None:
    """Refuse an image engine no table names (a typo would otherwise be costed as diffusers),
    with the close matches among the known names."""
    key = _image_key(engine or "")
    known = _known_image_engines()
    if key in known:
        return
    close = difflib.get_close_matches(key, list(known), n=6, cutoff=0.5)
    candidates = list(dict.fromkeys(known[name] for name in close))
    raise with_unmodelled_reason(
        UnknownNameError(
            "image engine", engine or "", candidates, known=sorted(set(known.values()))
        )
    )


def _eager_defaults_note(engine: str | None) -> str:
    """The eager-PyTorch assumption, naming the engine the user gave when it is not diffusers."""
    setups = "(--variant torch.compile, vanilla-attention or tf32 names another setup)"
    name = (engine or "").strip()
    if name.lower() in DIFFUSERS_OWN_NAMES:
        return (
            "diffusers defaults assumed: eager PyTorch 2 with SDPA attention, no torch.compile "
            + setups
        )
    return (
        f"{name} read as eager PyTorch 2 with SDPA attention and no torch.compile, costed at "
        f"diffusers' measured efficiencies {setups}"
    )


def _ratio(engine_value: float, eager_value: float) -> float:
    """engine / eager, 1 where eager's is 0 (a roofline calibration has no overheads)."""
    return engine_value / eager_value if eager_value > 0 else 1.0


def engine_gain(engine_id: str, hardware: str, denoiser_kind: str) -> tuple[float, float]:
    """(η_compute gain, host-time ratio) of an image engine over eager diffusers, measured on the
    same GPUs: on each hardware class where both the engine and eager diffusers have fitted
    groups, the engine's level over eager's there, the classes of the case's memory class
    first, pooled as a geometric mean weighted by the engine's rows there. A gain taken
    between an engine's level fitted on one class (stable-fast: two A100 rows) and eager's
    level pooled over every GPU would mix the engine's effect with the GPUs' (a GeForce card's
    eager η is far above an A100's). With no such class: the levels' ratio at the most
    specific level the engine was fitted on."""
    pairs = _paired_classes(current_calibration().version, engine_id)
    memory_class = hardware.split("/")[-1]
    chosen = [p for p in pairs if p[0].split("/")[-1] == memory_class] or list(pairs)
    if not chosen:
        level = _fitted_level(engine_id, hardware)
        return _level_gain(engine_id, level, denoiser_kind)
    gains = [(_level_gain(engine_id, hw, denoiser_kind), rows) for hw, rows in chosen]
    total = sum(rows for _, rows in gains)
    eta = math.exp(sum(math.log(g[0]) * rows for g, rows in gains) / total)
    overhead = math.exp(sum(math.log(g[1]) * rows for g, rows in gains) / total)
    return eta, overhead


def _level_gain(engine_id: str, level: str, denoiser_kind: str) -> tuple[float, float]:
    """(η_compute, host time) of the engine over eager diffusers at one calibration level."""
    calibration = current_calibration()
    prior = PRIORS[denoiser_kind]
    engine_there = calibration.neutral_params("image", prior, engine_id, level, denoiser_kind)
    eager_there = calibration.neutral_params("image", prior, EAGER_ENGINE, level, denoiser_kind)
    return (
        _ratio(engine_there["eta_compute"], eager_there["eta_compute"]),
        _ratio(engine_there["step_overhead_ms"], eager_there["step_overhead_ms"]),
    )


@cache
def _paired_classes(version: str, engine_id: str) -> tuple[tuple[str, float], ...]:
    """Hardware classes ('ampere/hbm') where the engine and eager diffusers both have fitted
    image groups of their own, with the engine's row count there."""
    groups = current_calibration().groups
    found: list[tuple[str, float]] = []
    for key, values in groups.items():
        kind, engine, hardware, precision = key.split("|")
        if kind != "image" or engine != engine_id or precision != "*" or "/" not in hardware:
            continue
        if f"image|{EAGER_ENGINE}|{hardware}|*" in groups:
            found.append((hardware, values.get("n", 1.0)))
    return tuple(sorted(found))


def _fitted_level(engine_id: str, hardware: str) -> str:
    """The most specific hardware level ('*', the memory class or the class) at which the
    engine has fitted image groups of its own."""
    groups = current_calibration().groups
    memory_class = hardware.split("/")[-1]
    for level in (hardware, memory_class):
        if any(key.startswith(f"image|{engine_id}|{level}|") for key in groups):
            return level
    return "*"


def predict_diffusion_run(
    system: GpuSystem,
    model: DiffusionArch,
    *,
    resolution_px: int,
    steps: int,
    batch: int,
    cfg: bool | None,
    weights: str = "bf16",
    engine: str = "diffusers",
    variant: str | None = None,
    engine_text: str | None = None,
) -> DiffusionPrediction:
    """s/image is the time per image at this batch of one GPU, or of the GPUs one image is
    split over (xDiT); images/min counts every replica of the system. `engine_text` is the
    engine as the run states it: an application named there sets its defaults."""
    work = diffusion_work(
        system,
        model,
        resolution_px=resolution_px,
        steps=steps,
        batch=batch,
        cfg=cfg,
        weights=weights,
        variant=variant,
        engine=engine,
        engine_text=engine_text,
    )
    params = image_params(system, model, engine, variant)
    calibration = current_calibration()
    floor_ms = replay_floor_ms(system, model, variant)
    batch_s = work.batch_s(params, floor_ms)
    covered = params.exact and calibration.is_covered("image:gpu", system.gpu.id)
    extrapolated = not covered or _borrows_eager_levels(image_engine(engine, variant))
    low, high = calibration.band(batch_s / batch, "image", extrapolated)
    notes = (
        work.notes
        + engine_notes(engine, variant)
        + replay_notes(variant, floor_ms)
        + host_platform_notes(system.gpu)
    )
    per_image = Estimate(
        batch_s / batch,
        low,
        high,
        "s/image",
        MODEL_NAME,
        calibration.version,
        extrapolated,
        notes,
    )
    return DiffusionPrediction(
        system_id=system.id,
        model_id=model.id,
        resolution_px=resolution_px,
        steps=steps,
        batch=batch,
        cfg=work.use_cfg,
        s_per_image=per_image,
        images_per_min=per_image.inverted(
            60.0 * system.gpu_count / work.gpus_per_image, "images/min"
        ),
        memory_gb=work.memory_gb,
        needs_cpu_offload=work.needs_offload,
        notes=notes,
        offload=work.offload,
        weights=as_format(weights).id,
    )
