"""Turn the arguments callers pass (objects or the names people write) into catalog objects."""

from __future__ import annotations

from functools import lru_cache
from typing import TypeVar

from gpuatlas.catalog.formats import WeightFormat, resolve_format, resolve_kv_cache_precision
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.model_arch import (
    AnyModelArch,
    DiffusionArch,
    ModelArch,
    OcrArch,
    VisionLanguageArch,
)
from gpuatlas.catalog.models import resolve_model
from gpuatlas.catalog.systems import GpuSystem, build_system, resolve_system
from gpuatlas.errors import GpuAtlasError, InvalidRequestError

SystemArg = GpuSystem | Gpu | str
ModelArg = AnyModelArch | str
FormatArg = WeightFormat | str
T = TypeVar("T")


@lru_cache(maxsize=512)
def _system_or_error(text: str) -> GpuSystem | GpuAtlasError:
    """Resolved once per name, failures included (close-match suggestions are the costly part
    of an unknown name, and a batch repeats the same names)."""
    try:
        return resolve_system(text)
    except GpuAtlasError as error:
        return error


def _system_from_text(text: str) -> GpuSystem:
    return _returned(_system_or_error(text))


def _returned(found: T | GpuAtlasError) -> T:
    """The cached value, or its cached error raised afresh (no traceback carried over)."""
    if isinstance(found, GpuAtlasError):
        raise found.with_traceback(None)
    return found


def as_system(system: SystemArg, gpu_count: int | None = None) -> GpuSystem:
    """A GpuSystem from a system, a Gpu or text ("4x rtx-4090"); `gpu_count` overrides."""
    if isinstance(system, Gpu):
        return build_system(system, gpu_count or 1)
    if isinstance(system, str):
        system = _system_from_text(system)
    if gpu_count is not None and gpu_count != system.gpu_count:
        return build_system(system.gpu, gpu_count)
    return system


@lru_cache(maxsize=512)
def _model_or_error(text: str) -> AnyModelArch | GpuAtlasError:
    try:
        return resolve_model(text, allow_hub=False)
    except GpuAtlasError as error:
        return error


def as_model(model: ModelArg) -> AnyModelArch:
    """A model by name from the library or a config.json path. The estimators never touch the
    network (pure); callers that may fetch Hub configs resolve first and pass the object."""
    if not isinstance(model, str):
        return model
    found = _model_or_error(model)
    if isinstance(found, GpuAtlasError):
        raise found.with_traceback(None)
    return found


def as_llm(model: ModelArg) -> ModelArch:
    """An LLM architecture; a vision-language model gives its language backbone."""
    resolved = as_model(model)
    if isinstance(resolved, VisionLanguageArch):
        return resolved.language_model
    if not isinstance(resolved, ModelArch):
        raise InvalidRequestError(
            [
                f"model {resolved.id} is a {resolved.kind} model, not an LLM; "
                f"use the {resolved.kind} predictor"
            ]
        )
    return resolved


def as_diffusion(model: ModelArg) -> DiffusionArch:
    resolved = as_model(model)
    if not isinstance(resolved, DiffusionArch):
        raise InvalidRequestError(
            [f"model {resolved.id} is a {resolved.kind} model, not diffusion"]
        )
    return resolved


def as_vlm(model: ModelArg) -> VisionLanguageArch:
    resolved = as_model(model)
    if not isinstance(resolved, VisionLanguageArch):
        raise InvalidRequestError(
            [f"model {resolved.id} is a {resolved.kind} model, not vision-language"]
        )
    return resolved


def as_ocr(model: ModelArg) -> OcrArch:
    resolved = as_model(model)
    if not isinstance(resolved, OcrArch):
        raise InvalidRequestError([f"model {resolved.id} is a {resolved.kind} model, not OCR"])
    return resolved


@lru_cache(maxsize=256)
def _format_or_error(text: str) -> WeightFormat | GpuAtlasError:
    try:
        return resolve_format(text)
    except GpuAtlasError as error:
        return error


def as_format(weights: FormatArg) -> WeightFormat:
    return _returned(_format_or_error(weights)) if isinstance(weights, str) else weights


def kv_bytes_per_element(kv_cache: str) -> float:
    """Bytes per cached element for a KV-cache precision name ("fp16", "fp8", "q8_0")."""
    return resolve_kv_cache_precision(kv_cache).bytes_per_element


def kv_cache_id(kv_cache: str) -> str:
    return resolve_kv_cache_precision(kv_cache).id
