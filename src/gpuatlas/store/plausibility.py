"""Physical-bound checks: a result that breaks one is stored quarantined, not rejected.

Each check returns the reasons it found (empty: plausible). Checks that lack a fact (an unknown
model, a GPU without a bandwidth figure) pass: quarantine needs evidence, not ignorance.
"""

from __future__ import annotations

from collections.abc import Callable

from gpuatlas.bench.result import BenchResult
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.errors import GpuAtlasError

BOUND_MARGIN = 1.15  # measured values may exceed the datasheet bound by this factor at most
MIN_BITS_PER_WEIGHT = 4.0  # used when the weight format is not known: the highest bound
DECODE_METRICS = frozenset({"decode_tok_s", "tpot_tok_s", "single_stream_tok_s"})
BANDWIDTH_BENCHMARKS = frozenset({"gpu-memory-bandwidth"})
GEMM_PREFIX = "gpu-gemm-"

Check = Callable[[BenchResult, Gpu], list[str]]


def plausibility_problems(result: BenchResult) -> list[str]:
    """Every reason to quarantine this result (empty list: nothing contradicts it)."""
    if result.gpu_id is None:
        return []
    gpu = _catalog_gpu(result.gpu_id)
    if gpu is None:
        return [f"gpu_id {result.gpu_id!r} is not a catalog GPU; it cannot be compared"]
    reasons: list[str] = []
    for check in (fingerprint_contradictions, decode_bound_problems, bandwidth_bound_problems,
                  gemm_bound_problems):
        reasons += check(result, gpu)
    return reasons


def _catalog_gpu(gpu_id: str) -> Gpu | None:
    from gpuatlas.catalog.gpus import all_gpus

    return next((gpu for gpu in all_gpus() if gpu.id == gpu_id), None)


def fingerprint_contradictions(result: BenchResult, gpu: Gpu) -> list[str]:
    """A fingerprint GPU whose name resolves to a different catalog GPU than gpu_id."""
    reasons = []
    for reported in result.fingerprint.gpus:
        candidates = _catalog_ids_for_name(reported.name)
        if candidates and gpu.id not in candidates:
            reasons.append(
                f"fingerprint GPU {reported.name!r} is {' or '.join(candidates)}, "
                f"not {gpu.id}"
            )
    return reasons


def _catalog_ids_for_name(name: str) -> list[str]:
    from gpuatlas.catalog.gpus import resolve_gpu

    try:
        return [resolve_gpu(name).id]
    except GpuAtlasError as error:
        return list(getattr(error, "candidates", [])) if getattr(error, "ambiguous", False) else []


def decode_bound_problems(result: BenchResult, gpu: Gpu) -> list[str]:
    """Single-stream decode cannot beat memory bandwidth / bytes of weights read per token."""
    value = result.headline.value
    if value is None or result.headline.metric not in DECODE_METRICS:
        return []
    concurrency = result.settings.concurrency or result.settings.batch_size or 1
    bound = decode_bound_tok_s(gpu, result.settings.model, _weights_name(result))
    if bound is None:
        return []
    limit = bound * max(result.gpu_count, 1) * concurrency * BOUND_MARGIN
    if value <= limit:
        return []
    return [
        f"decode {value:.1f} tok/s exceeds the memory-bandwidth bound {limit:.1f} tok/s "
        f"({gpu.memory_bandwidth_gb_s} GB/s over the model's weights, x{BOUND_MARGIN} margin)"
    ]


def _weights_name(result: BenchResult) -> str | None:
    extra = result.settings.extra
    weights = extra.get("weights") or extra.get("quantization") or result.settings.dtype
    return str(weights) if weights else None


def decode_bound_tok_s(gpu: Gpu, model: str | None, weights: str | None) -> float | None:
    """Upper bound on batch-1 decode tokens/s for one GPU, or None when a fact is missing."""
    weight_bytes = _bytes_read_per_token(model, weights)
    if weight_bytes is None or not gpu.memory_bandwidth_gb_s:
        return None
    return gpu.memory_bandwidth_gb_s * 1e9 / weight_bytes


def _bytes_read_per_token(model: str | None, weights: str | None) -> float | None:
    if not model:
        return None
    from gpuatlas.catalog.models import resolve_llm

    try:
        arch = resolve_llm(model, allow_hub=False)
        params = float(arch.active_non_embedding_params())
    except (GpuAtlasError, AttributeError, TypeError, ValueError):
        return None
    return params * _bits_per_weight(weights) / 8.0


def _bits_per_weight(weights: str | None) -> float:
    if not weights:
        return MIN_BITS_PER_WEIGHT
    from gpuatlas.catalog.formats import resolve_format

    try:
        return max(MIN_BITS_PER_WEIGHT, float(resolve_format(weights).model_bits_per_weight))
    except (GpuAtlasError, AttributeError, ValueError):
        return MIN_BITS_PER_WEIGHT


def bandwidth_bound_problems(result: BenchResult, gpu: Gpu) -> list[str]:
    value = result.headline.value
    if value is None or result.benchmark not in BANDWIDTH_BENCHMARKS:
        return []
    if not gpu.memory_bandwidth_gb_s or value <= gpu.memory_bandwidth_gb_s * BOUND_MARGIN:
        return []
    return [f"memory bandwidth {value:.0f} GB/s exceeds the datasheet "
            f"{gpu.memory_bandwidth_gb_s:.0f} GB/s of {gpu.id}"]


def gemm_bound_problems(result: BenchResult, gpu: Gpu) -> list[str]:
    value = result.headline.value
    if value is None or not result.benchmark.startswith(GEMM_PREFIX):
        return []
    precision = result.benchmark.removeprefix(GEMM_PREFIX)
    if precision == "fp32":  # frameworks may run "fp32" GEMMs on TF32 tensor cores
        return []
    try:
        peak = gpu.dense_tflops(precision)
    except ValueError:
        return []
    if not peak or value <= peak * BOUND_MARGIN:
        return []
    return [f"{precision} GEMM {value:.1f} TFLOP/s exceeds the dense peak {peak:.1f} of {gpu.id}"]
