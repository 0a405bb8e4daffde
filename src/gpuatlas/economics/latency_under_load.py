"""A serving benchmark's latencies, predicted with the simulation `gpuatlas plan` uses.

A benchmark run is a fixed list of requests: sent at once, paced by Poisson arrivals at a
request rate (vLLM's `--request-rate`: the first at 0 s, then exponential gaps), kept at most
`concurrency` in flight (`--max-concurrency`, AIPerf's `--concurrency`: a closed loop), or both.
Its mean, median and percentiles are over every request it sent. The replica's step times come
from the estimator exactly as in a plan (`EstimatorStepSource`, `step_times_from`); the predicted
range is the same run with every step time scaled by the serving error band's factor each way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.latency_under_load import LatencyUnderLoadRow
from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.economics.constants import economics_constant
from gpuatlas.economics.serving_simulation import (
    IntArray,
    RequestStream,
    SimulationResult,
    StepTimes,
    sample_lengths,
    simulate_benchmark,
)
from gpuatlas.economics.simulation_step_times import EstimatorStepSource, step_times_from
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.performance.llm.run_lengths import sharegpt_output_lengths

BENCHMARK_DEFAULT_REQUESTS = 1000  # vLLM benchmark_serving's --num-prompts default
OUTPUT_SPREAD_TOKENS = int(
    economics_constant("serving_simulation", "benchmark_output_spread_tokens")
)
MetricName = Literal["ttft_ms", "tpot_ms", "e2e_ms"]
StatisticName = Literal["mean", "median", "p90", "p95", "p99"]
_PERCENTILES = {"median": 50.0, "p90": 90.0, "p95": 95.0, "p99": 99.0}


@dataclass(frozen=True)
class BenchmarkLoad:
    """The requests of one benchmark run: mean lengths (`fixed`: all equal; `sharegpt`:
    prompts lognormal around their mean, replies the ShareGPT set the serving estimate costs,
    `performance.llm.run_lengths`), how many, and how sent."""

    input_tokens: float
    output_tokens: float
    requests: int
    concurrency: int | None = None
    rps: float | None = None
    lengths: Literal["fixed", "sharegpt"] = "fixed"


@dataclass(frozen=True)
class BenchmarkSetup:
    """What serves the run: `gpu_count` × `gpu` (tensor parallel), model, format, engine text
    ('vllm 0.12.0', 'sglang'), and the server settings the run states (KV cache precision,
    memory share, step budget; None: the engine's defaults)."""

    gpu: str
    gpu_count: int
    model: str
    weights: str
    engine: str
    kv_cache: str = "fp16"
    memory_fraction: float | None = None
    max_batched_tokens: int | None = None


def benchmark_stream(load: BenchmarkLoad, seed: int = 0) -> RequestStream:
    """The run's requests: when each may be sent (0 s without a rate) and its lengths."""
    rng = np.random.default_rng(seed)
    count = load.requests
    if load.rps is None:
        paced = np.zeros(count)
    else:
        gaps = rng.exponential(1.0 / load.rps, count)
        paced = np.concatenate(([0.0], np.cumsum(gaps[:-1])))
    if load.lengths == "fixed":
        inputs = np.full(count, max(1, round(load.input_tokens)), dtype=np.int64)
        outputs = spread_lengths(load.output_tokens, count, rng)
    else:  # ShareGPT replies: the set the serving estimate costs (llm.run_lengths)
        inputs = sample_lengths(load.input_tokens, count, "lognormal", rng)
        replies = sharegpt_output_lengths(load.output_tokens, round(load.input_tokens), count)
        outputs = np.array(replies, dtype=np.int64)
    return RequestStream(paced, inputs, outputs)


def spread_lengths(mean: float, count: int, rng: np.random.Generator) -> IntArray:
    """`count` lengths uniform over mean ± OUTPUT_SPREAD_TOKENS (≥ 1): what a benchmark's
    'fixed' lengths are in practice, and what keeps a burst of identical requests from
    finishing in lockstep round after round."""
    offsets = rng.integers(-OUTPUT_SPREAD_TOKENS, OUTPUT_SPREAD_TOKENS + 1, count)
    return np.maximum(1, np.rint(mean) + offsets).astype(np.int64)


def lognormal_lengths(mean: float, sigma: float, count: int, rng: np.random.Generator) -> IntArray:
    """`count` lengths ≥ 1, lognormal with this mean and log-spread."""
    values = rng.lognormal(math.log(mean) - sigma**2 / 2, sigma, count)
    return np.maximum(1, np.rint(values)).astype(np.int64)


def setup_step_times(setup: BenchmarkSetup, load: BenchmarkLoad) -> StepTimes:
    """The replica's step times: decode and prefill steps from the estimator; the running
    batch capped by the KV pool the server sized at start-up (`startup_batch`) at the prompt
    plus output context; prefill chunks of the run's step budget."""
    system = build_system(gpu_by_id(setup.gpu), setup.gpu_count)
    source = EstimatorStepSource(system, setup.model, setup.weights, setup.engine)
    context = int(round(load.input_tokens + load.output_tokens))
    max_batch = min(startup_batch(setup, system, context), source.budget.max_running)
    if max_batch < 1:
        raise InvalidRequestError([f"does not fit: {source.memory_note(context)}"])
    steps = step_times_from(source, load.input_tokens, load.output_tokens, max_batch)
    if setup.max_batched_tokens is None:
        return steps
    return replace(steps, max_batched_tokens=setup.max_batched_tokens)


def startup_batch(setup: BenchmarkSetup, system: GpuSystem, context_tokens: int) -> int:
    """Sequences of `context_tokens` in the KV pool the server carves at start-up: its memory
    share of each GPU less the weights, overhead and the activation peak of a profile step of
    its step budget (vLLM's determine_available_memory; the figure it logs as "GPU KV cache
    size"), in the run's KV precision. A 16 GiB card serving Gemma-3-12B in NVFP4 at vLLM
    0.12's 0.9 share and 8,192-token profile holds 4,560 tokens (hholtmann's vllm.log): about
    9 sequences of 509 tokens, not the 27 a per-sequence count gives."""
    return api.startup_pool_batch(
        system,
        setup.model,
        setup.weights,
        setup.engine,
        context_tokens=context_tokens,
        kv_cache=setup.kv_cache,
        memory_fraction=setup.memory_fraction,
        profile_tokens=setup.max_batched_tokens,
    )


def scaled_steps(steps: StepTimes, factor: float) -> StepTimes:
    """Every step `factor` × as long (a slower or faster replica of the same shape)."""
    return replace(
        steps,
        decode_step_s=steps.decode_step_s * factor,
        prefill_step_s=steps.prefill_step_s * factor,
    )


def run_benchmark(steps: StepTimes, load: BenchmarkLoad, seed: int = 0) -> SimulationResult:
    return simulate_benchmark(steps, benchmark_stream(load, seed), load.concurrency)


def statistic_ms(result: SimulationResult, metric: MetricName, statistic: StatisticName) -> float:
    """One reported statistic of the simulated run, in ms (numpy's linear percentiles, as
    vLLM's and AIPerf's reports compute them)."""
    values = {"ttft_ms": result.ttft_s, "tpot_ms": result.tpot_s, "e2e_ms": result.e2e_s}[metric]
    if not len(values):
        return math.nan
    if statistic == "mean":
        return float(np.mean(values)) * 1000.0
    return float(np.percentile(values, _PERCENTILES[statistic])) * 1000.0


# ----- a published run, predicted --------------------------------------------------------------


@dataclass(frozen=True)
class LatencyPrediction:
    """One published statistic beside its prediction and range (ms)."""

    row: LatencyUnderLoadRow
    predicted_ms: float
    low_ms: float
    high_ms: float

    @property
    def ape(self) -> float:
        return abs(self.predicted_ms - self.row.value) / self.row.value

    @property
    def ratio(self) -> float:
        """predicted / measured (> 1: the prediction is slower than the measurement)."""
        return self.predicted_ms / self.row.value

    @property
    def inside(self) -> bool:
        return self.low_ms <= self.row.value <= self.high_ms


@dataclass(frozen=True)
class LatencyPredictions:
    found: list[LatencyPrediction]
    unpredicted: list[tuple[LatencyUnderLoadRow, str]]


def setup_of(row: LatencyUnderLoadRow) -> BenchmarkSetup:
    engine = f"{row.engine} {row.engine_version}".strip()
    return BenchmarkSetup(
        row.gpu,
        row.gpu_count,
        row.model,
        row.weights,
        engine,
        kv_cache="fp8" if row.kv_cache == "fp8" else "fp16",
        memory_fraction=row.gpu_memory_utilization,
        max_batched_tokens=row.max_num_batched_tokens,
    )


def load_of(row: LatencyUnderLoadRow) -> BenchmarkLoad:
    return BenchmarkLoad(
        row.input_tokens,
        row.output_tokens,
        row.requests or BENCHMARK_DEFAULT_REQUESTS,
        row.concurrency,
        row.request_rate_rps,
        row.lengths,
    )


def predict_rows(rows: Sequence[LatencyUnderLoadRow], log_band: float) -> LatencyPredictions:
    """Each row's statistic from its run simulated under the current calibration; the range
    is the run with every step exp(±log_band) × as long (the serving error band). Rows of one
    run share its simulation; a run the estimator cannot predict is listed with the reason."""
    runs: dict[tuple[object, ...], list[LatencyUnderLoadRow]] = {}
    for row in rows:
        runs.setdefault(row.run_key, []).append(row)
    found: list[LatencyPrediction] = []
    unpredicted: list[tuple[LatencyUnderLoadRow, str]] = []
    for members in runs.values():
        load = load_of(members[0])
        try:
            steps = setup_step_times(setup_of(members[0]), load)
        except GpuAtlasError as error:
            unpredicted += [(row, str(error).splitlines()[0]) for row in members]
            continue
        point, fast, slow = (
            run_benchmark(scaled_steps(steps, math.exp(exponent)), load)
            for exponent in (0.0, -log_band, log_band)
        )
        for row in members:
            low, high = sorted(
                (
                    statistic_ms(fast, row.metric, row.statistic),
                    statistic_ms(slow, row.metric, row.statistic),
                )
            )
            found.append(
                LatencyPrediction(row, statistic_ms(point, row.metric, row.statistic), low, high)
            )
    return LatencyPredictions(found, unpredicted)
