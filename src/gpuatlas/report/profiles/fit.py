"""VRAM fit of one system: a model in a weight format with an engine → fits? weights, KV room,
most concurrent streams at 2K and 8K context, GPUs needed (from the estimator's memory model)."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.performance.api import inference_memory
from gpuatlas.performance.engine_profiles import EngineProfile
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.platform_engines import platform_engine, side_engine
from gpuatlas.report.focus import attempt

# The models and formats of the fit table (and of the guidance drawn from it).
SIZE_MODELS = (
    ("7B", "llama-2-7b"),
    ("13B", "llama-2-13b"),
    ("34B", "codellama-34b"),
    ("70B", "llama-3-70b"),
)
SEVENTY_B = "llama-3-70b"  # the ladder's largest: the compare FAQ's "run a 70B model?"
# llama.cpp's 2-bit i-quant: the smallest GGUF type users run a 70B model in on one 24 GB card
TWO_BIT_GGUF = "iq2_xxs"
POPULAR_MODELS = ("llama-3.1-8b", "qwen3-32b", "gpt-oss-20b", "mixtral-8x7b", "qwen3-30b-a3b")
FORMATS = (("FP16", "fp16"), ("FP8", "fp8"), ("INT8", "int8"), ("INT4 (AWQ)", "awq-int4"))
GGUF_ROWS = (("Q8_0 (GGUF)", "q8_0"), ("Q4_K_M (GGUF)", "q4_k_m"))  # when a side runs llama.cpp
GGUF_FORMATS = (("FP16", "fp16"), ("Q8_0", "q8_0"), ("Q4_K_M", "q4_k_m"))


@dataclass(frozen=True)
class FitResult:
    fits: bool
    weights_gb: float
    kv_room_gb: float
    streams_2k: int
    streams_8k: int
    gpus_needed: int | None
    model: str
    multi_gpu: str = "tensor"  # how the engine spreads a model over GPUs: or 'layer-split'


@dataclass(frozen=True)
class FitKey:
    model: str
    weights: str
    engine: str | None  # None: the platform's usual engine


def _engine_profile(system: GpuSystem, engine: str | None) -> EngineProfile:
    return engine_profile(side_engine(system.gpu, engine).engine, system.gpu)


def compute_fit(system: GpuSystem, key: FitKey) -> FitResult | None:
    """The fit of `key.model` in `key.weights` on `system` with its engine (default: the
    platform's usual one; its memory margin and the formats it loads); None if unsupported."""
    engine = attempt(lambda: _engine_profile(system, key.engine))
    if engine is None:
        return None
    profile = engine.id
    short = attempt(
        lambda: inference_memory(
            system, key.model, key.weights, context_tokens=2048, engine=profile
        )
    )
    long = attempt(
        lambda: inference_memory(
            system, key.model, key.weights, context_tokens=8192, engine=profile
        )
    )
    if short is None or long is None:
        return None
    fixed = short.per_gpu.weights_gb + short.per_gpu.activations_gb + short.per_gpu.overhead_gb
    return FitResult(
        fits=short.fits,
        weights_gb=short.per_gpu.weights_gb * short.gpu_count,
        kv_room_gb=max(0.0, short.usable_gb - fixed),
        streams_2k=short.max_concurrent_sequences,
        streams_8k=long.max_concurrent_sequences,
        gpus_needed=short.min_gpus_needed,
        model=short.model,
        multi_gpu=engine.multi_gpu,
    )


def loads_awq(system: GpuSystem, engine: str) -> bool:
    """Whether `engine` on this system loads AWQ (unknown counts as yes)."""
    found = attempt(lambda: engine_profile(engine, system.gpu))
    return found is None or "awq-int4" in found.formats


def usual_formats(system: GpuSystem) -> tuple[tuple[str, str], ...]:
    """The formats people run on this platform: FP8/INT8/AWQ where its usual engine loads AWQ,
    else llama.cpp's GGUF (a Mac, a Radeon, an Arc)."""
    profile = engine_profile(platform_engine(system.gpu).engine, system.gpu)
    return FORMATS if "awq-int4" in profile.formats else GGUF_FORMATS
