"""Image generation, vision and OCR of one system: seconds and images per minute for each
diffusion model at its standard settings; vision and OCR throughput (N GPUs = N replicas)."""

from __future__ import annotations

from collections.abc import Callable

from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.performance.api import predict_diffusion, predict_ocr, predict_vision
from gpuatlas.performance.predictions import DiffusionPrediction, Estimate
from gpuatlas.report.document import Quantity
from gpuatlas.report.focus import attempt, attempt_or_reason, missing
from gpuatlas.report.quantities import estimate_quantity

DIFFUSION_MODELS = (
    ("SD 1.5", "sd-1.5"),
    ("SDXL", "sdxl-base-1.0"),
    ("SD 3.5 Medium", "sd-3.5-medium"),
    ("SD 3.5 Large", "sd-3.5-large"),
    ("FLUX.1 schnell", "flux.1-schnell"),
    ("FLUX.1 dev", "flux.1-dev"),
)
VISION_MODEL, VISION_BATCH = "llava-1.5-7b", 32
OCR_MODEL, OCR_BATCH = "trocr-base", 16


def diffusion_models(image_model: str = "") -> tuple[tuple[str, str], ...]:
    """(label, model id) of the standard image models, then the image model the request names
    when it is not one of them (labelled by its id)."""
    if not image_model or any(model == image_model for _, model in DIFFUSION_MODELS):
        return DIFFUSION_MODELS
    return (*DIFFUSION_MODELS, (image_model, image_model))


def diffusion(system: GpuSystem, image_model: str = "") -> dict[str, DiffusionPrediction | None]:
    """Each image model's prediction on the system (None where unsupported)."""
    return {model: _diffusion_of(system, model) for _, model in diffusion_models(image_model)}


def _diffusion_of(system: GpuSystem, model: str) -> DiffusionPrediction | None:
    return attempt(lambda: predict_diffusion(system, model))


def replicated_throughput(system: GpuSystem, predict: Callable[[GpuSystem], Estimate]) -> Quantity:
    """One rule for every small model: a system of N GPUs runs N replicas (data parallel), so
    its throughput is N × one GPU's."""
    one_gpu = build_system(system.gpu, 1)
    estimate = attempt_or_reason(lambda: predict(one_gpu))
    if isinstance(estimate, str):  # the estimator's own reason (memory, engine, platform)
        return missing(estimate)
    return estimate_quantity(estimate, factor=float(system.gpu_count))


def vision_throughput(system: GpuSystem) -> Quantity:
    return replicated_throughput(
        system, lambda s: predict_vision(s, VISION_MODEL, batch=VISION_BATCH)
    )


def ocr_throughput(system: GpuSystem) -> Quantity:
    return replicated_throughput(system, lambda s: predict_ocr(s, OCR_MODEL, batch=OCR_BATCH))
