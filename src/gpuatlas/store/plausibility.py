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

import difflib
import math
import re
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

# A decode (tg) rate times the bytes of weights each token reads must stay within the GPUs'
# datasheet bandwidth: a measured rate may exceed it by this factor at most (an untied
# embedding table, ~5-10% of a small model's file, is not read per token).
WEIGHT_READ_MARGIN = 1.1
PARAMS_RATIO_LIMIT = 2.0  # a file's parameter count within 2x of its named model's published one
ALL_LAYERS = 99  # llama.cpp's -ngl 99: every layer of any model up to 99 layers on the GPU
# Mixture-of-experts models read only their active experts per token: the file's size does
# not bound their decode (llama.cpp's model types: "qwen3moe 30B.A3B", "llama 8x7B",
# "gpt-oss 20B MXFP4 MoE", "llama4 17Bx16E (Scout)", deepseek2, ...).
MOE_MODEL_TYPE = re.compile(r"moe|\d+x\d+|\.a\d|x\d+e\b|deepseek|mixtral|gpt-oss|jamba|dbrx|arctic")

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
        return reasons + [unknown_gpu_problem(result.gpu_id)]
    checks: tuple[Check, ...] = (
        fingerprint_claim_problems,
        decode_bound_problems,
        bandwidth_bound_problems,
        gemm_bound_problems,
        weight_read_problems,
        weight_fit_problems,
        parameter_count_problems,
    )
    for check in checks:
        reasons += check(result, gpu, identity)
    return reasons


def unknown_gpu_problem(gpu_id: str) -> str:
    """A gpu_id the catalog does not hold, with the catalog ids closest to it."""
    ids = [gpu.id for gpu in all_gpus()]
    close = difflib.get_close_matches(gpu_id.lower(), ids, n=5, cutoff=0.6)
    hint = f"close matches: {', '.join(close)}" if close else "`gpuatlas gpus` lists the ids"
    return f"gpu_id {gpu_id!r} is not a catalog GPU; it cannot be compared ({hint})"


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
    concurrency = known.concurrency or _decode_streams(result)
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


def _decode_streams(result: BenchResult) -> int:
    """Sequences decoded together. llama-bench decodes one (its n_batch, kept as batch_size,
    is the prompt-processing batch: 2,048 streams lifted its bound 2,048-fold)."""
    if "llama_bench_test" in result.settings.extra:
        return 1
    return result.settings.concurrency or result.settings.batch_size or 1


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


def _extra_number(result: BenchResult, name: str) -> float | None:
    value = result.settings.extra.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _dense_weights_bytes(result: BenchResult) -> float | None:
    """The model file's size (llama-bench's model_size), None for a mixture of experts."""
    size = _extra_number(result, "model_size_bytes")
    model_type = str(result.settings.extra.get("model_type") or "").lower()
    if size is None or size <= 0 or MOE_MODEL_TYPE.search(model_type):
        return None
    return size


def weight_read_problems(
    result: BenchResult, gpu: Gpu, _identity: BenchmarkIdentity | None = None
) -> list[str]:
    """A single-stream decode rate whose weight reads (tok/s x the model's size in bytes)
    exceed WEIGHT_READ_MARGIN x the datasheet bandwidth of gpu_count GPUs (5,000 tok/s of a
    2.0 GB model is 10 TB/s; an RTX 4090 has 1,008 GB/s)."""
    value, size = result.headline.value, _dense_weights_bytes(result)
    single_stream = result.settings.concurrency in (None, 1)
    if value is None or size is None or not single_stream or not gpu.memory_bandwidth_gb_s:
        return []
    if result.headline.metric != "decode_tok_s":
        return []
    count = max(result.gpu_count, 1)
    read_gb_s = value * size / 1e9
    limit_gb_s = gpu.memory_bandwidth_gb_s * count * WEIGHT_READ_MARGIN
    if read_gb_s <= limit_gb_s:
        return []
    return [
        f"decode {value:,.1f} tok/s of a {size / 1e9:.2f} GB model reads {read_gb_s:,.0f} GB/s "
        f"of weights, above {WEIGHT_READ_MARGIN}x the datasheet "
        f"{gpu.memory_bandwidth_gb_s:,.0f} GB/s x {count} of {gpu.id} ({limit_gb_s:,.0f} GB/s)"
    ]


def weight_fit_problems(
    result: BenchResult, gpu: Gpu, _identity: BenchmarkIdentity | None = None
) -> list[str]:
    """Every layer on the GPUs (n_gpu_layers >= 99, no experts or tensors kept on the CPU)
    needs the model's weights in the GPUs' memory: a 42.5 GB 70B Q4_K_M does not fit one
    24 GB card."""
    size = _extra_number(result, "model_size_bytes")
    layers = _extra_number(result, "n_gpu_layers")
    if size is None or layers is None or layers < ALL_LAYERS or not gpu.memory_gb:
        return []
    overrides = str(result.settings.extra.get("tensor_buft_overrides") or "none").lower()
    if (_extra_number(result, "n_cpu_moe") or 0) > 0 or overrides not in ("none", ""):
        return []
    count = max(result.gpu_count, 1)
    memory_gb = gpu.memory_gb * count
    if size / 1e9 <= memory_gb:
        return []
    return [
        f"the model's {size / 1e9:.1f} GB of weights with every layer on the GPU "
        f"(n_gpu_layers {layers:.0f}) exceed the {memory_gb:,.0f} GB of {count} {gpu.id}"
    ]


def parameter_count_problems(
    result: BenchResult, _gpu: Gpu, _identity: BenchmarkIdentity | None = None
) -> list[str]:
    """A file's own parameter count (llama-bench's model_n_params) far from that of the model
    its name is (a 70B's name with a 3B's count and size): its size cannot be trusted to bound
    its speed or its memory."""
    params = _extra_number(result, "model_params")
    published = _published_params(result.settings.model)
    if params is None or params <= 0 or published is None:
        return []
    if 1 / PARAMS_RATIO_LIMIT <= params / published <= PARAMS_RATIO_LIMIT:
        return []
    return [
        f"the file's model_n_params {params / 1e9:.2f}B contradicts {result.settings.model} "
        f"({published / 1e9:.1f}B parameters published): model size and speed are unverifiable"
    ]


def _published_params(model: str | None) -> float | None:
    if not model:
        return None
    try:
        published = resolve_llm(model, allow_hub=False).published
    except (GpuAtlasError, AttributeError, TypeError, ValueError):
        return None
    count = getattr(published, "params", None)
    return float(count) if isinstance(count, int | float) and count > 0 else None
