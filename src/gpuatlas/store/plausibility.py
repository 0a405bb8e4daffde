"""Plausibility checks: a result that breaks one is stored quarantined, not rejected, and stays
out of every summary, score and report until an administrator releases it.

The rules come from the benchmark's identity, never only from what the result says about
itself: its metric, unit and direction must match the benchmark's definition (the suite's, or
the one its earlier comparable results established), the decode bound uses the model the
benchmark names (suite definition, stored public workload or established results) when the
result's settings leave it out, and a GPU claim needs a fingerprint naming that GPU. A public
benchmark's definition is its stored workload (columns, never parsed from its name); a result
naming a public benchmark the store does not hold is held. Checks that lack a fact (a model
the catalog does not know, a GPU without a bandwidth figure) pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpus import all_gpus, resolve_gpu
from gpuatlas.catalog.models import resolve_llm
from gpuatlas.errors import GpuAtlasError
from gpuatlas.records.result import BenchResult
from gpuatlas.records.suite import suite
from gpuatlas.records.workload import PUBLIC_PREFIX, Workload

BOUND_MARGIN = 1.15  # measured values may exceed the datasheet bound by this factor at most
MIN_BITS_PER_WEIGHT = 4.0  # used when the weight format is not known: the highest bound
DECODE_METRICS = frozenset({"decode_tok_s", "tpot_tok_s", "single_stream_tok_s"})
BANDWIDTH_BENCHMARKS = frozenset({"gpu-memory-bandwidth"})
GEMM_PREFIX = "gpu-gemm-"
SMALLEST_HEADLINE = 1e-6  # below this, a positive headline is a unit or encoding error
# Sanity ceilings per GPU by unit (far above any datasheet; physics bounds are stricter).
CEILING_PER_GPU = {"tok/s": 1e6, "GB/s": 1e5, "TFLOP/s": 1e5, "ms": 1e7, "s": 1e6}

Check = Callable[[BenchResult, Gpu, "BenchmarkIdentity"], list[str]]


@dataclass(frozen=True)
class BenchmarkIdentity:
    """What a benchmark is, from its definition rather than from one result's claims."""

    metric: str | None = None
    unit: str | None = None
    higher_is_better: bool | None = None
    model: str | None = None
    weights: str | None = None
    concurrency: int | None = None
    defined_by: str = "nothing"  # suite definition | public data set workload | earlier results


def benchmark_identity(
    result: BenchResult,
    established: BenchmarkIdentity | None = None,
    workload: Workload | None = None,
) -> BenchmarkIdentity:
    """The suite's definition, else the stored workload of a public benchmark (filled in by
    the results stored before), else the established results' definition."""
    suite = _suite_identity(result.benchmark, result.benchmark_version)
    if suite is not None:
        return suite
    if workload is None:
        return established or BenchmarkIdentity()
    keyed = _workload_identity(workload)
    base = established or BenchmarkIdentity()
    return BenchmarkIdentity(
        metric=keyed.metric,
        unit=base.unit,
        higher_is_better=base.higher_is_better,
        model=keyed.model or base.model,
        weights=keyed.weights,
        concurrency=keyed.concurrency,
        defined_by=keyed.defined_by,
    )


def _suite_identity(name: str, version: int) -> BenchmarkIdentity | None:
    for benchmark in suite():
        if benchmark.id == name and benchmark.version == version:
            concurrency = benchmark.params.get("concurrency")
            return BenchmarkIdentity(
                metric=benchmark.primary_metric,
                unit=benchmark.unit,
                higher_is_better=benchmark.higher_is_better,
                model=benchmark.model,
                concurrency=concurrency if isinstance(concurrency, int) else None,
                defined_by="suite definition",
            )
    return None


def _workload_identity(workload: Workload) -> BenchmarkIdentity:
    return BenchmarkIdentity(
        metric=workload.metric,
        model=workload.model,
        weights=workload.weights,
        concurrency=workload.batch,
        defined_by="public data set workload",
    )


def plausibility_problems(
    result: BenchResult,
    established: BenchmarkIdentity | None = None,
    workload: Workload | None = None,
) -> list[str]:
    """Every reason to quarantine this result (empty list: nothing contradicts it).
    ``workload``: the stored workload of the public benchmark the result names, if any."""
    identity = benchmark_identity(result, established, workload)
    reasons = definition_problems(result, identity) + headline_range_problems(result)
    if result.benchmark.startswith(PUBLIC_PREFIX) and workload is None:
        reasons.append(
            f"{result.benchmark} is named as a public benchmark that this store's "
            "public data set does not hold: its workload is unknown"
        )
    if result.gpu_id is None:
        return reasons
    gpu = _catalog_gpu(result.gpu_id)
    if gpu is None:
        return reasons + [f"gpu_id {result.gpu_id!r} is not a catalog GPU; it cannot be compared"]
    checks: tuple[Check, ...] = (
        fingerprint_claim_problems,
        decode_bound_problems,
        bandwidth_bound_problems,
        gemm_bound_problems,
    )
    for check in checks:
        reasons += check(result, gpu, identity)
    return reasons


def definition_problems(result: BenchResult, identity: BenchmarkIdentity) -> list[str]:
    """The headline's metric, unit and direction against the benchmark's definition."""
    headline = result.headline
    claimed = {
        "metric": headline.metric,
        "unit": headline.unit,
        "higher_is_better": headline.higher_is_better,
    }
    return [
        f"headline {name} {claimed[name]!r} differs from {expected!r} of "
        f"{result.benchmark} v{result.benchmark_version} ({identity.defined_by})"
        for name in ("metric", "unit", "higher_is_better")
        if (expected := getattr(identity, name)) is not None and claimed[name] != expected
    ]


def headline_range_problems(result: BenchResult) -> list[str]:
    value = result.headline.value
    if value is None or not math.isfinite(value):
        return []
    if value < SMALLEST_HEADLINE:
        return [f"headline {value:g} {result.headline.unit} is below any plausible value"]
    ceiling = CEILING_PER_GPU.get(result.headline.unit)
    if ceiling is not None and value > ceiling * max(result.gpu_count, 1):
        return [f"headline {value:g} {result.headline.unit} is above {ceiling:g} per GPU"]
    return []


def _catalog_gpu(gpu_id: str) -> Gpu | None:
    return next((gpu for gpu in all_gpus() if gpu.id == gpu_id), None)


def fingerprint_claim_problems(
    result: BenchResult, gpu: Gpu, _identity: BenchmarkIdentity | None = None
) -> list[str]:
    """A gpu_id claim needs fingerprint GPUs naming that GPU, as many as gpu_count; a
    fingerprint GPU naming another catalog GPU contradicts it."""
    reported = result.fingerprint.gpus
    if not reported:
        return [f"gpu_id {gpu.id} is claimed but the fingerprint lists no GPU"]
    reasons, matching = [], 0
    for item in reported:
        candidates = _catalog_ids_for_name(item.name)
        if gpu.id in candidates:
            matching += 1
        elif candidates:
            reasons.append(
                f"fingerprint GPU {item.name!r} is {' or '.join(candidates)}, not {gpu.id}"
            )
    if not reasons and matching == 0:
        reasons.append(
            f"no fingerprint GPU names {gpu.id} "
            f"({', '.join(repr(item.name) for item in reported[:4])})"
        )
    elif not reasons and matching < result.gpu_count:
        reasons.append(
            f"gpu_count {result.gpu_count} but the fingerprint lists {matching} {gpu.id}"
        )
    return reasons


def _catalog_ids_for_name(name: str) -> list[str]:
    try:
        return [resolve_gpu(name).id]
    except GpuAtlasError as error:
        return list(getattr(error, "candidates", [])) if getattr(error, "ambiguous", False) else []


def decode_bound_problems(
    result: BenchResult, gpu: Gpu, identity: BenchmarkIdentity | None = None
) -> list[str]:
    """Single-stream decode cannot beat memory bandwidth / bytes of weights read per token.

    Model, weights and concurrency come from the benchmark's identity where it defines them
    (a result cannot lift its bound by leaving the model out or claiming more streams)."""
    value = result.headline.value
    known = identity or BenchmarkIdentity()
    if value is None or (known.metric or result.headline.metric) not in DECODE_METRICS:
        return []
    concurrency = (
        known.concurrency or result.settings.concurrency or result.settings.batch_size or 1
    )
    model = known.model or result.settings.model
    bound = decode_bound_tok_s(gpu, model, known.weights or _weights_name(result))
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
    try:
        arch = resolve_llm(model, allow_hub=False)
        params = float(arch.active_non_embedding_params())
    except (GpuAtlasError, AttributeError, TypeError, ValueError):
        return None
    return params * _bits_per_weight(weights) / 8.0


def _bits_per_weight(weights: str | None) -> float:
    if not weights:
        return MIN_BITS_PER_WEIGHT
    try:
        return max(MIN_BITS_PER_WEIGHT, float(resolve_format(weights).model_bits_per_weight))
    except (GpuAtlasError, AttributeError, ValueError):
        return MIN_BITS_PER_WEIGHT


def bandwidth_bound_problems(
    result: BenchResult, gpu: Gpu, _identity: BenchmarkIdentity | None = None
) -> list[str]:
    value = result.headline.value
    if value is None or result.benchmark not in BANDWIDTH_BENCHMARKS:
        return []
    if not gpu.memory_bandwidth_gb_s or value <= gpu.memory_bandwidth_gb_s * BOUND_MARGIN:
        return []
    return [
        f"memory bandwidth {value:.0f} GB/s exceeds the datasheet "
        f"{gpu.memory_bandwidth_gb_s:.0f} GB/s of {gpu.id}"
    ]


def gemm_bound_problems(
    result: BenchResult, gpu: Gpu, _identity: BenchmarkIdentity | None = None
) -> list[str]:
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
