"""One candidate serving configuration under traffic: fit, latency floors, capacity, replicas.

A candidate is a system (N × a GPU) with a weight format. Its assessment runs cheapest checks
first — memory fit, latency floors (a lone request's TTFT and TPOT), a closed-form capacity
bound — and only then the discrete-event simulation, to find the fewest replicas whose p95
latencies meet the SLOs. Traffic is spread evenly (at random) over replicas, so each replica
sees the workload at rate λ/R.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.constants import economics_constant
from gpuatlas.economics.full_load import layout_group
from gpuatlas.economics.serving_engine import serving_engine
from gpuatlas.economics.serving_simulation import (
    ArrivalProcess,
    LatencyLimits,
    LengthDistribution,
    SimulationResult,
    StepTimes,
    Traffic,
    capacity_bound_rps,
    simulate,
    simulate_unless_missing,
)
from gpuatlas.economics.simulation_step_times import (
    EstimatorStepSource,
    StepTimeSource,
    offloaded_source,
    step_times_from,
    with_num_ctx,
)
from gpuatlas.economics.single_slot_pool import fewest_pool_replicas, wait_quantile_s
from gpuatlas.economics.slo import MIN_RPS as MIN_RPS  # re-exported: plans and answers
from gpuatlas.economics.slo import Slo as Slo  # import both from here as before
from gpuatlas.errors import GpuAtlasError
from gpuatlas.memo import IdentityMemo
from gpuatlas.numbers import format_given, format_number, output_tokens_text
from gpuatlas.performance.llm.serving_layout import ServingLayout

SIMULATED_REQUESTS = 1500
MAX_REPLICAS = 4096
# Below this share of saturation a latency target is "met" only by idling GPUs; the search
# stops there and calls the configuration too slow for the target.
MIN_UTILIZATION = economics_constant("serving_simulation", "min_utilization")
Status = Literal["ok", "memory", "latency", "unsupported", "capacity"]
SourceFactory = Callable[[GpuSystem, str, str, str], StepTimeSource]


def estimator_source(system: GpuSystem, model: str, weights: str, engine: str) -> StepTimeSource:
    return EstimatorStepSource(system, model, weights, engine)


@dataclass(frozen=True)
class Workload:
    """A serving workload: one model in one weight format, its traffic and request lengths."""

    model: str
    weights: str
    rps: float
    input_tokens: float
    output_tokens: float
    engine: str = "vllm"
    length_distribution: LengthDistribution = "fixed"
    arrival: ArrivalProcess = "poisson"
    burstiness: float = 1.0
    num_ctx: int | None = None  # Ollama/llama.cpp context per sequence (None: the engine's)
    parallel: int | None = None  # Ollama/llama.cpp request slots (None: the release's default)
    # requests stop at end-of-sequence before this many output tokens (a client without
    # --ignore-eos): `output_tokens` is then their mean (None: each generates output_tokens)
    output_cap: float | None = None

    def traffic(self, replicas: int = 1) -> Traffic:
        return Traffic(
            self.rps / replicas,
            self.input_tokens,
            self.output_tokens,
            self.length_distribution,
            self.arrival,
            self.burstiness,
        )

    def with_weights(self, weights: str) -> Workload:
        return replace(self, weights=weights)

    def with_rate(self, rps: float) -> Workload:
        return replace(self, rps=rps)

    @property
    def output_length(self) -> float:
        """The output tokens a request may generate: its cap when requests stop early."""
        return self.output_tokens if self.output_cap is None else self.output_cap

    def stopping_early(self, mean_output_tokens: float | None) -> Workload:
        """The workload with requests that stop at end-of-sequence after `mean_output_tokens`
        on average, its output length then their cap: served as requests of the mean length,
        as `predict serving` costs a steady stream (performance.llm.predict.early_stop: a
        slot is refilled when a request ends). Unchanged without a mean, or at the cap."""
        if mean_output_tokens is None or mean_output_tokens == self.output_tokens:
            return self
        return replace(self, output_tokens=mean_output_tokens, output_cap=self.output_tokens)

    def output_text(self) -> str:
        """'256', or '≤ 256 (mean 180, end-of-sequence)' when requests stop early."""
        mean = None if self.output_cap is None else self.output_tokens
        return output_tokens_text(self.output_length, mean)

    def early_stop_note(self) -> str:
        """'requests stop at end-of-sequence: 180 of 256 output tokens on average, served as
        requests of 180 tokens (…)'; '' when every request generates its output length."""
        if self.output_cap is None:
            return ""
        mean, cap = format_given(self.output_tokens), format_given(self.output_cap)
        return (
            f"requests stop at end-of-sequence: {mean} of {cap} output tokens on average, "
            f"served as requests of {mean} tokens (as `predict serving` costs a steady stream)"
        )

    def problems(self) -> list[str]:
        checks = [
            (
                self.rps > 0,
                f"request rate must be > 0 req/s, got {self.rps:g}",
            ),
            (
                self.rps <= 0 or self.rps >= MIN_RPS,
                f"request rate must be ≥ {MIN_RPS:g} req/s (one request in 11.6 days), "
                f"got {self.rps:g}",
            ),
            (self.input_tokens >= 1, f"input tokens must be ≥ 1, got {self.input_tokens:g}"),
            (self.output_length >= 1, f"output tokens must be ≥ 1, got {self.output_length:g}"),
            (self.burstiness > 0, f"burstiness must be > 0, got {self.burstiness:g}"),
        ]
        problems = [message for ok, message in checks if not ok]
        if self.output_cap is not None:
            problems += mean_output_problems(self.output_cap, self.output_tokens)
        return problems


def mean_output_problems(output_tokens: float, mean_output_tokens: float | None) -> list[str]:
    """Why requests cannot stop early after `mean_output_tokens` on average: below one token,
    or above the output length they stop before."""
    if mean_output_tokens is None or 1 <= mean_output_tokens <= output_tokens:
        return []
    return [
        f"mean output tokens must be from 1 to the output length requests stop before "
        f"({format_given(output_tokens)}), got {format_given(mean_output_tokens)}"
    ]


@dataclass(frozen=True)
class Latency:
    p50_ttft_ms: float
    p95_ttft_ms: float
    p99_ttft_ms: float
    p50_tpot_ms: float
    p95_tpot_ms: float
    p95_e2e_ms: float
    p95_queue_ms: float


def latency_of(result: SimulationResult) -> Latency:
    return Latency(
        p50_ttft_ms=result.percentile_ms("ttft", 50),
        p95_ttft_ms=result.percentile_ms("ttft", 95),
        p99_ttft_ms=result.percentile_ms("ttft", 99),
        p50_tpot_ms=result.percentile_ms("tpot", 50),
        p95_tpot_ms=result.percentile_ms("tpot", 95),
        p95_e2e_ms=result.percentile_ms("e2e", 95),
        p95_queue_ms=result.percentile_ms("queue", 95),
    )


def slo_ratios(latency: Latency, slo: Slo) -> list[tuple[str, float, float]]:
    """(name, observed ms, target ms) for each target set."""
    observed = [
        ("p95 TTFT", latency.p95_ttft_ms, slo.p95_ttft_ms),
        ("p95 TPOT", latency.p95_tpot_ms, slo.p95_tpot_ms),
        ("p95 E2E", latency.p95_e2e_ms, slo.p95_e2e_ms),
    ]
    return [(name, value, limit) for name, value, limit in observed if limit is not None]


def slo_violation(latency: Latency, slo: Slo) -> float:
    """The worst observed/target ratio (≤ 1 meets every target)."""
    return max((value / limit for _, value, limit in slo_ratios(latency, slo)), default=0.0)


def missed_targets(latency: Latency, slo: Slo) -> str:
    missed = [
        f"{name} {value:,.0f} ms > {format_number(limit, 'ms')}"
        for name, value, limit in slo_ratios(latency, slo)
        if value > limit
    ]
    return "; ".join(missed)


@dataclass(frozen=True)
class ServingRun:
    """The workload on `replicas` replicas of a configuration (systems), simulated; its
    `mean_batch` is one engine replica's (a system may hold several: Assessment.layout)."""

    replicas: int
    per_replica_rps: float
    latency: Latency
    utilization: float
    mean_batch: float
    output_tok_s_per_replica: float
    meets_slo: bool


@dataclass(frozen=True)
class Assessment:
    """What we know about one candidate configuration for one workload."""

    system: GpuSystem
    weights: str
    status: Status
    reason: str
    max_batch: int = 0
    steps: StepTimes | None = None
    floor: Latency | None = None
    capacity_bound_rps: float = 0.0
    saturation_rps: float = 0.0
    min_replicas: int = 0
    run: ServingRun | None = None
    engine: str = ""  # the engine it runs with ('auto' resolved for this system)
    offload: str = ""  # llama.cpp/Ollama's own GPU/CPU split when one sequence does not fit
    # how the system serves the model (full_load.layout_group, as `compare` has it): `steps`,
    # `max_batch` and `floor` are one engine replica's, the rates the whole system's (None:
    # one engine over the whole system)
    layout: ServingLayout | None = None

    @property
    def engines(self) -> int:
        """Engine replicas in one system (2 for a 2-GPU system serving 2 replicas of 1 GPU)."""
        return 1 if self.layout is None else self.layout.replicas

    @property
    def layout_description(self) -> str:
        """'2 replicas of 1 GPU each', 'one replica over 2 GPUs (tensor parallel)'; '' for one
        GPU or when the serving model states no layout."""
        return "" if self.layout is None else self.layout.description

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.system.gpu.id, self.system.gpu_count, self.weights)

    @property
    def label(self) -> str:
        return f"{self.system.label} {self.weights}"


def floor_latency(steps: StepTimes, workload: Workload) -> Latency:
    """A lone request's latencies: its prefill, then decode steps at batch 1."""
    ttft = steps.prefill_s(workload.input_tokens) * 1000.0
    tpot = float(steps.decode_step_s[1]) * 1000.0
    e2e = ttft + (workload.output_tokens - 1) * tpot
    return Latency(ttft, ttft, ttft, tpot, tpot, e2e, 0.0)


def assess(
    system: GpuSystem,
    workload: Workload,
    slo: Slo,
    source_factory: SourceFactory = estimator_source,
) -> Assessment:
    """Fit, floors and capacity bound for a candidate (no simulation yet)."""
    context = int(round(workload.input_tokens + workload.output_tokens))
    engine = workload.engine
    try:
        engine = serving_engine(workload.engine, workload.model, workload.weights, system)
        source = with_num_ctx(
            source_factory(system, workload.model, workload.weights, engine),
            workload.num_ctx,
            workload.parallel,
        )
        source, layout = _grouped(source, workload, context)
        max_batch = source.max_batch(context)
        offload = ""
        if max_batch < 1:
            split = offloaded_source(source, context)
            if split is None:
                note = source.memory_note(context)
                return Assessment(system, workload.weights, "memory", note, engine=engine)
            source, max_batch, offload = split, 1, split.memory_note(context)
        steps = step_times_from(source, workload.input_tokens, workload.output_tokens, max_batch)
    except GpuAtlasError as error:
        return Assessment(system, workload.weights, "unsupported", str(error), engine=engine)
    found = Assessment(
        system,
        workload.weights,
        "ok",
        "",
        max_batch,
        steps,
        engine=engine,
        offload=offload,
        layout=layout,
    )
    return _bounded(found, workload, slo)


def _grouped(
    source: StepTimeSource, workload: Workload, context: int
) -> tuple[StepTimeSource, ServingLayout | None]:
    """One engine replica of the system's serving layout (`layout_group`), unless not one
    sequence fits that replica: then the whole system, as one engine, says why."""
    group, layout = layout_group(source, workload.input_tokens, workload.output_tokens)
    if group is not source and group.max_batch(context) < 1:
        return source, None
    return group, layout


def _bounded(found: Assessment, workload: Workload, slo: Slo) -> Assessment:
    assert found.steps is not None
    floor = floor_latency(found.steps, workload)
    tpot_limit_s = None if slo.p95_tpot_ms is None else slo.p95_tpot_ms / 1000.0
    engines = found.engines  # the system's rates: each engine replica's, times the replicas
    bound = engines * capacity_bound_rps(
        found.steps, workload.input_tokens, workload.output_tokens, tpot_limit_s
    )
    saturation = engines * capacity_bound_rps(
        found.steps, workload.input_tokens, workload.output_tokens
    )
    found = replace(
        found,
        floor=floor,
        capacity_bound_rps=bound,
        saturation_rps=saturation,
        min_replicas=max(1, math.ceil(workload.rps / (bound or saturation))),
    )
    if slo_violation(floor, slo) > 1.0 or bound <= 0:
        return replace(
            found,
            status="latency",
            reason=f"even a lone request misses: {missed_targets(floor, slo)}",
        )
    return found


def run_replicas(found: Assessment, workload: Workload, slo: Slo, replicas: int) -> ServingRun:
    """Simulate one engine replica at its share of the traffic: λ/R over R systems of E engine
    replicas each is λ/(R·E) per engine replica."""
    assert found.steps is not None
    result = _simulated(found.steps, workload.traffic(replicas * found.engines), None)
    assert result is not None  # a run without limits always finishes
    return _serving_run(found, workload, slo, replicas, result)


def try_replicas(
    found: Assessment, workload: Workload, slo: Slo, replicas: int
) -> ServingRun | None:
    """`run_replicas`, or None as soon as the simulation proves a p95 above a target (the
    run's figures are then not needed: the caller only learns that this count is too few)."""
    assert found.steps is not None
    traffic = workload.traffic(replicas * found.engines)
    result = _simulated(found.steps, traffic, slo_limits(slo))
    return None if result is None else _serving_run(found, workload, slo, replicas, result)


# (the replica's step times by id, its traffic, the limits watched) -> the run (None: stopped
# early), for those very step times: a plan's search and its final figures, and a fleet's
# per-model and shared pools, simulate some replicas at the same traffic more than once
_SIMULATIONS: IdentityMemo[tuple[int, Traffic, LatencyLimits | None], SimulationResult | None] = (
    IdentityMemo(4096)
)


def _simulated(
    steps: StepTimes, traffic: Traffic, limits: LatencyLimits | None
) -> SimulationResult | None:
    """`simulate` (no `limits`) or `simulate_unless_missing` of SIMULATED_REQUESTS requests,
    run once per step times, traffic and limits (the simulation is deterministic: its request
    stream is drawn from a fixed seed). The result's arrays are shared, so read-only."""

    def run() -> SimulationResult | None:
        if limits is None:
            return _read_only(simulate(steps, traffic, SIMULATED_REQUESTS))
        found = simulate_unless_missing(steps, traffic, limits, SIMULATED_REQUESTS)
        return None if found is None else _read_only(found)

    return _SIMULATIONS.answer((id(steps), traffic, limits), (steps,), run)


def _read_only(result: SimulationResult) -> SimulationResult:
    for array in (result.ttft_s, result.tpot_s, result.e2e_s, result.queue_wait_s):
        array.flags.writeable = False
    return result


def slo_limits(slo: Slo) -> LatencyLimits:
    def seconds(ms: float | None) -> float | None:
        return None if ms is None else ms / 1000.0

    return LatencyLimits(
        seconds(slo.p95_ttft_ms), seconds(slo.p95_tpot_ms), seconds(slo.p95_e2e_ms)
    )


def _serving_run(
    found: Assessment, workload: Workload, slo: Slo, replicas: int, result: SimulationResult
) -> ServingRun:
    return _run_of(found, workload, slo, replicas, latency_of(result), float(result.mean_batch))


def _run_of(
    found: Assessment,
    workload: Workload,
    slo: Slo,
    replicas: int,
    latency: Latency,
    mean_batch: float,
) -> ServingRun:
    """A serving run of `replicas` sharing the workload, with its latencies and mean batch."""
    per_replica = workload.rps / replicas
    return ServingRun(
        replicas=replicas,
        per_replica_rps=per_replica,
        latency=latency,
        utilization=per_replica / found.saturation_rps,
        mean_batch=mean_batch,
        output_tok_s_per_replica=per_replica * workload.output_tokens,
        meets_slo=slo_violation(latency, slo) <= 1.0,
    )


def replica_ceiling(found: Assessment, workload: Workload) -> int:
    """The most replicas worth trying: more would run each below MIN_UTILIZATION."""
    idle_bound = math.ceil(workload.rps / (MIN_UTILIZATION * found.saturation_rps))
    return max(found.min_replicas, min(MAX_REPLICAS, idle_bound))


def _trial(
    found: Assessment, workload: Workload, slo: Slo, replicas: int, ceiling: int
) -> ServingRun | None:
    """Below the ceiling a miss only moves the search on, so it may stop early (None); at the
    ceiling the full run is kept, since its figures explain the miss."""
    if replicas >= ceiling:
        return run_replicas(found, workload, slo, replicas)
    return try_replicas(found, workload, slo, replicas)


def fewest_replicas(found: Assessment, workload: Workload, slo: Slo) -> Assessment:
    """Grow the replica count from the closed-form lower bound until the simulated p95s meet
    the targets, then bisect down to the fewest that do. Replicas that serve one request at
    a time under fixed lengths and Poisson arrivals form one M/D/c pool (`pooled_replicas`)."""
    if found.status != "ok":
        return found
    if is_single_slot_pool(found, workload):
        return pooled_replicas(found, workload, slo)
    ceiling = replica_ceiling(found, workload)
    low, replicas = found.min_replicas - 1, found.min_replicas
    run = _trial(found, workload, slo, replicas, ceiling)
    while run is None or not run.meets_slo:
        if replicas >= ceiling:
            assert run is not None
            return replace(
                found,
                status="latency",
                run=run,
                reason=(
                    f"even at {run.utilization:.0%} utilisation ({replicas} replicas) it misses "
                    f"{missed_targets(run.latency, slo)}"
                ),
            )
        low, replicas = replicas, min(ceiling, replicas + max(1, math.ceil(replicas * 0.5)))
        run = _trial(found, workload, slo, replicas, ceiling)
    return replace(found, run=_bisect(found, workload, slo, low, run))


def is_single_slot_pool(found: Assessment, workload: Workload) -> bool:
    """One request at a time per replica, every request alike, Poisson arrivals: the case
    the M/D/c pool answers in closed form."""
    return (
        found.max_batch == 1
        and workload.length_distribution == "fixed"
        and workload.arrival == "poisson"
        and workload.burstiness == 1.0
    )


def pooled_replicas(found: Assessment, workload: Workload, slo: Slo) -> Assessment:
    """Replicas of one request at a time behind a load balancer that sends each request to a
    free replica (single_slot_pool): the fewest whose p95 wait for a free replica keeps the
    lone request's TTFT and E2E within their targets (its TPOT does not change with load)."""
    assert found.floor is not None
    floor = found.floor
    service_s = floor.p95_e2e_ms / 1000.0
    allowed_ms = [
        limit - value
        for limit, value in (
            (slo.p95_ttft_ms, floor.p95_ttft_ms),
            (slo.p95_e2e_ms, floor.p95_e2e_ms),
        )
        if limit is not None
    ]
    allowed_s = min(allowed_ms, default=math.inf) / 1000.0
    most = max(found.min_replicas, MAX_REPLICAS)
    servers = fewest_pool_replicas(workload.rps, service_s, allowed_s, most * found.engines)
    if servers is None:
        return replace(
            found,
            status="latency",
            reason=f"even {most} replicas of one request at a time keep requests waiting",
        )
    replicas = math.ceil(servers / found.engines)  # systems of `engines` servers each
    return replace(found, run=pooled_run(found, workload, slo, replicas))


def pooled_run(found: Assessment, workload: Workload, slo: Slo, replicas: int) -> ServingRun:
    """The M/D/c pool of `replicas` systems of single-request engine replicas (c: all their
    engine replicas): the lone request's latencies plus the wait for a free one at each
    percentile."""
    assert found.floor is not None
    floor = found.floor
    service_s = floor.p95_e2e_ms / 1000.0
    servers = replicas * found.engines

    def wait_ms(quantile: float) -> float:
        return wait_quantile_s(servers, workload.rps, service_s, quantile) * 1000.0

    latency = Latency(
        p50_ttft_ms=floor.p50_ttft_ms + wait_ms(0.50),
        p95_ttft_ms=floor.p95_ttft_ms + wait_ms(0.95),
        p99_ttft_ms=floor.p99_ttft_ms + wait_ms(0.99),
        p50_tpot_ms=floor.p50_tpot_ms,
        p95_tpot_ms=floor.p95_tpot_ms,
        p95_e2e_ms=floor.p95_e2e_ms + wait_ms(0.95),
        p95_queue_ms=wait_ms(0.95),
    )
    mean_batch = workload.rps / servers * service_s  # Little's law: busy share of an engine
    return _run_of(found, workload, slo, replicas, latency, mean_batch)


def one_replica_run(found: Assessment, workload: Workload, slo: Slo) -> ServingRun:
    """The whole workload on one replica, modelled as `fewest_replicas` models a replica: the
    M/D/1 queue for one request at a time (`pooled_run`), else the simulation; so the highest
    rate one replica serves within `slo` is the rate at which `fewest_replicas` needs one."""
    if is_single_slot_pool(found, workload):
        return pooled_run(found, workload, slo, 1)
    return run_replicas(found, workload, slo, 1)


def _bisect(
    found: Assessment, workload: Workload, slo: Slo, low: int, best: ServingRun
) -> ServingRun:
    """`low` replicas fail (or is below the bound), `best` meets: narrow the gap."""
    while best.replicas - low > 1:
        middle = (low + best.replicas) // 2
        run = try_replicas(found, workload, slo, middle)
        if run is not None and run.meets_slo:
            best = run
        else:
            low = middle
    return best


@dataclass(frozen=True)
class ServingScenario:
    """A workload on one replica of a system (does it queue?), and the replicas it needs."""

    assessment: Assessment
    one_replica: ServingRun | None
    overloaded: bool

    @property
    def replicas_needed(self) -> int | None:
        run = self.assessment.run
        return run.replicas if run is not None and self.assessment.status == "ok" else None


def serving_scenario(
    system: GpuSystem,
    workload: Workload,
    slo: Slo,
    source_factory: SourceFactory = estimator_source,
) -> ServingScenario:
    """What happens at `workload.rps` on one replica of `system`, and how many
    replicas meet `slo` (the seed's "13B at 100 vs 10 req/s", computed)."""
    found = assess(system, workload, slo, source_factory)
    if found.steps is None:
        return ServingScenario(found, None, False)
    one = run_replicas(found, workload, slo, 1)
    overloaded = workload.rps > found.saturation_rps
    if found.status == "ok":
        found = fewest_replicas(found, workload, slo)
    return ServingScenario(found, one, overloaded)
