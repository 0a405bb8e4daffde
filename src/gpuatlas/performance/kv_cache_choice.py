"""The KV-cache precision behind `--kv-cache auto`, for an engine as users write it
('TensorRT-LLM 1.0', 'vLLM 0.8.5', 'llama.cpp b4426'): the text selects the engine's profile
(its generation and backend, `engine_specs.engine_profile`), and that profile's rule
(`engine_profiles.auto_kv_cache`: the checkpoint's own KV precision for engines that read it)
gives the precision. One resolution for the batch path, its vectorised twin and the answers."""

from __future__ import annotations

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.engine_profiles import auto_kv_cache
from gpuatlas.performance.engine_specs import engine_profile

AUTO = "auto"
DEFAULT_KV_CACHE = "fp16"


def engine_auto_kv_cache(engine: str, weights: str, gpu: Gpu | None = None) -> str:
    """The KV precision the engine picks by default for weights in this format (on this GPU's
    backend when given); fp16 when the engine text names no engine (the prediction then
    reports that error itself)."""
    try:
        profile = engine_profile(engine, gpu)
    except GpuAtlasError:
        return DEFAULT_KV_CACHE
    return auto_kv_cache(profile.id, weights)


def resolved_kv_cache(kv_cache: str, engine: str, weights: str, gpu: Gpu | None = None) -> str:
    """The KV precision as given, or, for 'auto', the engine's own choice."""
    if kv_cache.strip().lower() != AUTO:
        return kv_cache
    return engine_auto_kv_cache(engine, weights, gpu)
