"""Capacity planning: the cheapest configuration (GPU × count × weight format × offer) that meets
p95 latency targets at a given traffic, ranked, with the reasons the others lost.

Fast by pruning: candidates without a cloud offer that can host them, or whose model does not
fit, or that miss a target even for a lone request, are dropped before any simulation; the
rest get a closed-form lower bound on replicas (hence on cost), and the simulator only runs,
cheapest bound first, until no unverified candidate can beat the `top`-th verified option.
"""

from __future__ import annotations

import heapq
import shlex
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from gpuatlas.catalog.formats import find_format
from gpuatlas.catalog.price_records import PRICE_SCHEMA
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import GpuSystem, system_name
from gpuatlas.economics.offer_costs import (
    can_host,
    named_variant_first,
    offer_price,
    usd_per_month,
)
from gpuatlas.economics.serving_candidate import (
    Assessment,
    Latency,
    Slo,
    SourceFactory,
    Workload,
    assess,
    estimator_source,
    fewest_replicas,
    missed_targets,
    run_replicas,
    slo_violation,
)
from gpuatlas.economics.serving_engine import engine_loads, is_auto_engine, serving_engine
from gpuatlas.errors import GpuAtlasError
from gpuatlas.numbers import format_wait_ms


@dataclass(frozen=True)
class PlanOption:
    """One ranked option: a configuration on one provider offer, with its simulated latencies."""

    gpu: str
    gpu_name: str
    gpu_count: int
    weights: str
    replicas: int
    provider: str
    tier: str
    price_observed_date: str
    price_source: str
    offer: str
    gpu_match: str
    usd_per_gpu_hour: float
    usd_per_hour: float
    monthly_cost_usd: float
    instances: int
    per_gpu_billing: bool
    p50_ttft_ms: float
    p95_ttft_ms: float
    p50_tpot_ms: float
    p95_tpot_ms: float
    p95_e2e_ms: float
    utilization: float
    mean_batch: float
    max_batch: int
    per_replica_capacity_rps: float
    meets_slo: bool
    overloaded: bool = False  # offered load above saturation: the queue grows without bound
    engine: str = ""  # the engine it runs with ('auto' resolved for this GPU)
    offload: str = ""  # llama.cpp/Ollama's own GPU/CPU split when one sequence does not fit
    price_caveats: tuple[str, ...] = ()  # PriceSnapshot.caveats: variant assumed, a range's end
    # how each replica (system) serves the model: '2 replicas of 1 GPU each' (Assessment.layout,
    # as `compare` has it; '' for one GPU); `max_batch`/`mean_batch` are one such replica's
    layout: str = ""
    engines: int = 1  # engine replicas in each replica (system) of the option
    # False for a closest option never simulated: its latencies are a lone request's floor (p50
    # = p95), its mean batch unknown (0); the table marks them '≥'
    simulated: bool = True

    @property
    def partly_on_cpu(self) -> str:
        """' partly on the CPU' for a label when the engine splits the model, else ''."""
        return " partly on the CPU" if self.offload else ""

    @property
    def replicas_text(self) -> str:
        """The replicas (systems) rented; where each system runs several engines, the nodes
        and the engines on each: '2 nodes × 4 engines' for two 8-GPU systems each served as
        four 2-GPU tensor-parallel engines (the layout note says how), never '2 (4 replicas
        ...)', which read as two replicas of something else."""
        if self.engines <= 1 or not self.layout:
            return str(self.replicas)
        nodes = "node" if self.replicas == 1 else "nodes"
        return f"{self.replicas} {nodes} × {self.engines} engines"

    @property
    def label(self) -> str:
        count = f"{self.gpu_count}× " if self.gpu_count > 1 else ""
        return f"{count}{self.gpu} {self.weights}{self.partly_on_cpu}"

    @property
    def product_label(self) -> str:
        """The label for sentences: product names ("2× RTX 4090 fp16"), not catalog ids."""
        return hardware_label(self.gpu, self.gpu_count, self.weights) + self.partly_on_cpu

    @property
    def offer_label(self) -> str:
        """'RunPod (community, 2026-09-25)'; an offer whose GPU variant the provider does not
        name says so ('…; variant assumed)'), and the end of a captured range, as the price
        tables do."""
        caveats = "".join(f"; {caveat}" for caveat in self.price_caveats)
        return f"{self.provider} ({self.tier}, {self.price_observed_date}{caveats})"


@dataclass(frozen=True)
class Rejection:
    gpu: str
    gpu_count: int
    weights: str
    kind: str  # memory | latency | unsupported | capacity | no-offer
    detail: str
    cheapest_usd_per_gpu_hour: float | None
    memory_gb: float = 0.0


@dataclass(frozen=True)
class CostLoss:
    """Hardware whose best format fits and meets the targets for a lone request, so it lost
    on cost alone: the replicas it needs (verified, or the closed-form lower bound) and what
    they cost a month on its cheapest hosting offer."""

    gpu: str
    gpu_count: int
    weights: str
    replicas: int
    verified: bool
    monthly_cost_usd: float
    cheapest_usd_per_gpu_hour: float


@dataclass(frozen=True)
class Explanation:
    winner: str
    runner_up: str | None
    runner_up_lost_on: str | None
    cost_gap_pct: float | None
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    workload: Workload
    slo: Slo
    options: tuple[PlanOption, ...]
    rejected: tuple[Rejection, ...]
    explanation: Explanation | None
    message: str | None
    candidates: int
    simulated: int
    engine_notes: tuple[str, ...] = ()  # the engine `auto` chose per GPU, and why
    within_budget: bool = True  # False: nothing fits the budget, the cheapest is shown instead
    budget_note: str | None = None  # with a budget: what it kept or left out, in words

    @property
    def feasible(self) -> bool:
        return bool(self.options) and self.options[0].meets_slo


def plan_options(
    workload: Workload,
    slo: Slo,
    systems: Sequence[GpuSystem],
    offers: Sequence[PriceSnapshot],
    weights: Sequence[str] | None = None,
    top: int = 10,
    source_factory: SourceFactory = estimator_source,
) -> Plan:
    """Rank `systems` × `weights` × `offers` by monthly cost at `workload`'s traffic under `slo`."""
    by_gpu: dict[str, list[PriceSnapshot]] = defaultdict(list)
    for offer in offers:
        by_gpu[offer.gpu_id].append(offer)
    assessments, rejected = _assess_all(
        workload, slo, systems, weights or [workload.weights], by_gpu, source_factory
    )
    verified, simulated = _branch_and_bound(assessments, by_gpu, workload, slo, top)
    rejected += [_rejection(a, by_gpu) for a in verified.values() if a.status != "ok"]
    options = _ranked_options(verified.values(), by_gpu)
    if options:
        return Plan(
            workload,
            slo,
            tuple(options[:top]),
            tuple(rejected),
            explain(options, rejected, _cost_losses(assessments, verified, by_gpu), slo),
            None,
            len(assessments),
            simulated,
        )
    closest = _closest_options(assessments + list(verified.values()), by_gpu, workload, slo)
    message = _nothing_meets_message(slo, closest, rejected)
    return Plan(
        workload,
        slo,
        tuple(closest[:top]),
        tuple(rejected),
        None,
        message,
        len(assessments),
        simulated,
    )


def _assess_all(
    workload: Workload,
    slo: Slo,
    systems: Sequence[GpuSystem],
    weights: Sequence[str],
    by_gpu: dict[str, list[PriceSnapshot]],
    source_factory: SourceFactory,
) -> tuple[list[Assessment], list[Rejection]]:
    assessments: list[Assessment] = []
    rejected: list[Rejection] = []
    for system in systems:
        hosts = [o for o in by_gpu.get(system.gpu.id, []) if can_host(o, system.gpu_count)]
        for weight in weights:
            if not hosts:
                rejected.append(
                    Rejection(
                        system.gpu.id,
                        system.gpu_count,
                        weight,
                        "no-offer",
                        "no cloud offer rents this many on one node",
                        None,
                    )
                )
                continue
            if not _worth_assessing(workload, system, weight):
                continue
            found = assess(system, workload.with_weights(weight), slo, source_factory)
            assessments.append(found)
            if found.status != "ok":
                rejected.append(_rejection(found, by_gpu))
    return assessments, rejected


def _worth_assessing(workload: Workload, system: GpuSystem, weights: str) -> bool:
    """False for a format the engine `auto` picks for this GPU does not load (the formats of
    an `auto` plan are those of every engine it picks: vLLM's FP8 is no llama.cpp option); a
    named engine is assessed in every format asked for, and says itself what it cannot load."""
    if not is_auto_engine(workload.engine):
        return True
    try:
        engine = serving_engine(workload.engine, workload.model, weights, system)
    except GpuAtlasError:
        return True  # the assessment states the error
    return engine_loads(engine, weights)


def _rejection(found: Assessment, by_gpu: dict[str, list[PriceSnapshot]]) -> Rejection:
    prices = [o.usd_per_gpu_hour for o in by_gpu.get(found.system.gpu.id, [])]
    return Rejection(
        found.system.gpu.id,
        found.system.gpu_count,
        found.weights,
        found.status,
        found.reason,
        min(prices) if prices else None,
        found.system.total_memory_gb,
    )


def _hosting_offers(
    found: Assessment, by_gpu: dict[str, list[PriceSnapshot]]
) -> list[PriceSnapshot]:
    """The offers that can host the system, those that name its GPU variant when any does
    (`named_variant_first`: as `cost` ranks and `compare` prices it)."""
    hosts = [o for o in by_gpu.get(found.system.gpu.id, []) if can_host(o, found.system.gpu_count)]
    return named_variant_first(hosts, lambda offer: offer.gpu_match)


def _branch_and_bound(
    assessments: list[Assessment],
    by_gpu: dict[str, list[PriceSnapshot]],
    workload: Workload,
    slo: Slo,
    top: int,
) -> tuple[dict[tuple[str, int, str], Assessment], int]:
    """Verify candidates cheapest lower bound first; stop when none left can enter the top."""
    bounds: list[tuple[float, int]] = []
    for index, found in enumerate(assessments):
        if found.status == "ok":
            cheapest = min(
                offer_price(o, found.system.gpu_count, found.min_replicas).usd_per_hour
                for o in _hosting_offers(found, by_gpu)
            )
            bounds.append((cheapest, index))
    heapq.heapify(bounds)
    verified: dict[tuple[str, int, str], Assessment] = {}
    best_costs: list[float] = []  # max-heap (negated) of the `top` cheapest verified costs
    while bounds:
        bound, index = heapq.heappop(bounds)
        if len(best_costs) >= top and bound > -best_costs[0]:
            break
        found = fewest_replicas(assessments[index], workload, slo)
        verified[found.key] = found
        if found.status == "ok" and found.run is not None:
            for offer in _hosting_offers(found, by_gpu):
                cost = offer_price(offer, found.system.gpu_count, found.run.replicas).usd_per_hour
                heapq.heappush(best_costs, -cost)
                if len(best_costs) > top:
                    heapq.heappop(best_costs)
    return verified, len(verified)


def _option(
    found: Assessment,
    offer: PriceSnapshot,
    replicas: int,
    latency: Latency,
    utilization: float,
    mean_batch: float,
    meets: bool,
    simulated: bool = True,
) -> PlanOption:
    price = offer_price(offer, found.system.gpu_count, replicas)
    gpu = found.system.gpu
    return PlanOption(
        gpu=gpu.id,
        gpu_name=gpu.short_name,
        gpu_count=found.system.gpu_count,
        weights=found.weights,
        replicas=replicas,
        provider=offer.provider,
        tier=offer.tier,
        price_observed_date=offer.observed_date,
        price_source=offer.source,
        offer=offer.offer,
        gpu_match=offer.gpu_match,
        price_caveats=offer.caveats,
        usd_per_gpu_hour=offer.usd_per_gpu_hour,
        usd_per_hour=price.usd_per_hour,
        monthly_cost_usd=usd_per_month(price.usd_per_hour),
        instances=price.instances,
        per_gpu_billing=price.per_gpu_billing,
        p50_ttft_ms=latency.p50_ttft_ms,
        p95_ttft_ms=latency.p95_ttft_ms,
        p50_tpot_ms=latency.p50_tpot_ms,
        p95_tpot_ms=latency.p95_tpot_ms,
        p95_e2e_ms=latency.p95_e2e_ms,
        utilization=utilization,
        mean_batch=mean_batch,
        max_batch=found.max_batch,
        per_replica_capacity_rps=found.capacity_bound_rps,
        meets_slo=meets,
        engine=found.engine,
        offload=found.offload,
        overloaded=utilization > 1.0,
        layout=found.layout_description,
        engines=found.engines,
        simulated=simulated,
    )


def _ranked_options(
    verified: Iterable[Assessment], by_gpu: dict[str, list[PriceSnapshot]]
) -> list[PlanOption]:
    options: list[PlanOption] = []
    for found in verified:
        run = found.run
        if found.status != "ok" or run is None:
            continue
        for offer in _hosting_offers(found, by_gpu):
            options.append(
                _option(
                    found, offer, run.replicas, run.latency, run.utilization, run.mean_batch, True
                )
            )
    ranked = sorted(
        options, key=lambda o: (o.monthly_cost_usd, o.p95_ttft_ms, o.provider, o.gpu_count)
    )
    return distinct_deployments(ranked)


def distinct_deployments(options: Iterable[PlanOption]) -> list[PlanOption]:
    """The options less those that repeat an earlier one's deployment: a 2-GPU instance served
    as two 1-GPU engine replicas is the same fleet as two 1-GPU instances on the same offer
    when it costs the same (same engines, same simulated figures); the smaller instance is
    kept (it comes first: `_ranked_options` breaks ties by GPUs per instance)."""
    seen: set[tuple[object, ...]] = set()
    kept: list[PlanOption] = []
    for option in options:
        key = _deployment_key(option)
        if key in seen:
            continue
        seen.add(key)
        kept.append(option)
    return kept


def _deployment_key(option: PlanOption) -> tuple[object, ...]:
    """What makes two options the same fleet: the GPU, format, engine and offer, the engine
    replicas in all and the GPUs each one runs on, the monthly cost and the simulated p95s
    (rounded as printed)."""
    group_gpus = option.gpu_count // max(option.engines, 1)
    return (
        option.gpu,
        option.weights,
        option.engine,
        option.offload,
        option.provider,
        option.tier,
        option.offer,
        option.replicas * option.engines,
        group_gpus,
        round(option.monthly_cost_usd, 2),
        round(option.p95_ttft_ms, 1),
        round(option.p95_tpot_ms, 1),
        option.meets_slo,
    )


def _closest_options(
    assessments: Sequence[Assessment],
    by_gpu: dict[str, list[PriceSnapshot]],
    workload: Workload,
    slo: Slo,
) -> list[PlanOption]:
    """When nothing meets the targets: the candidates that come closest, closest first."""
    scored: list[tuple[float, PlanOption]] = []
    for found in assessments:
        latency = found.run.latency if found.run else found.floor
        if latency is None or found.status == "ok":
            continue
        replicas = found.run.replicas if found.run else max(found.min_replicas, 1)
        utilization = (
            found.run.utilization
            if found.run
            else workload.rps / replicas / (found.saturation_rps or 1.0)
        )
        cheapest = min(_hosting_offers(found, by_gpu), key=lambda o: o.usd_per_gpu_hour)
        simulated = found.run is not None
        option = _option(found, cheapest, replicas, latency, utilization, 0.0, False, simulated)
        scored.append((slo_violation(latency, slo), option))
    scored.sort(key=lambda pair: (pair[0], pair[1].monthly_cost_usd))
    return [option for _, option in scored]


def _nothing_meets_message(slo: Slo, closest: list[PlanOption], rejected: list[Rejection]) -> str:
    if closest:
        best = min(closest, key=lambda option: _option_violation(option, slo))
        head = (
            f"no configuration meets {slo.describe()}; the closest is {best.product_label} on "
            f"{best.offer_label}"
        )
        if best.overloaded:
            return (
                f"{head}: overloaded — {best.utilization:.0%} of its capacity per replica, "
                "so the queue grows without bound"
            )
        missed = missed_targets(_option_latency(best), slo)
        if not best.simulated:  # a lone request's floor: the latencies are at least these
            missed = f"at least {missed} (a lone request's floor, not simulated)"
        return f"{head}: {missed}"
    memory = [r for r in rejected if r.kind == "memory"]
    if memory:
        largest = max(memory, key=lambda r: r.memory_gb)
        nearest = hardware_label(largest.gpu, largest.gpu_count, largest.weights)
        return (
            f"no configuration fits the model in memory; the closest is {nearest} "
            f"({largest.memory_gb:g} GB): {largest.detail}"
        )
    kinds = sorted({r.kind for r in rejected})
    unsupported = [r for r in rejected if r.kind == "unsupported"]
    if unsupported and set(kinds) <= {"unsupported", "no-offer"}:
        return (
            f"no configuration can serve this workload: {unsupported[0].detail}; pick an "
            "engine that runs there with --engine"
        )
    if kinds == ["no-offer"]:
        gpus = list(dict.fromkeys(r.gpu for r in rejected))
        return (
            f"no cloud offer rents {', '.join(gpus)} in the price table, and a plan ranks "
            f"rented setups by their price: add an offer with --prices FILE, a CSV with the "
            f"columns {','.join(PRICE_SCHEMA.required_columns)} (for hardware you own, its "
            f"$/GPU-hour from `gpuatlas tco {gpus[0]}`), e.g. "
            f"'home,{gpus[0]},0.10,on-demand,YYYY-MM-DD,my tco' (the date you priced it); or "
            "compare "
            "their speed with `gpuatlas compare`"
        )
    return (
        f"no configuration can serve this workload: every candidate was rejected "
        f"({', '.join(kinds) or 'no candidates with a cloud offer'}); see `rejected`"
    )


def _option_latency(option: PlanOption) -> Latency:
    return Latency(
        option.p50_ttft_ms,
        option.p95_ttft_ms,
        option.p95_ttft_ms,
        option.p50_tpot_ms,
        option.p95_tpot_ms,
        option.p95_e2e_ms,
        0.0,
    )


def _option_violation(option: PlanOption, slo: Slo) -> tuple[float, float]:
    return (
        option.utilization if option.overloaded else 0.0,
        slo_violation(_option_latency(option), slo),
    )


# ----- explanation -----------------------------------------------------------------------------


def hardware_label(gpu: str, gpu_count: int, weights: str) -> str:
    """The catalog's product name and the weights ("2× H100 SXM5 fp16"); the id when unknown."""
    spec = f"{gpu_count}x {gpu}" if gpu_count > 1 else gpu
    return f"{system_name(spec)} {weights}"


def explain(
    options: list[PlanOption],
    rejected: Sequence[Rejection],
    cost_losses: Sequence[CostLoss] = (),
    slo: Slo | None = None,
) -> Explanation:
    """Why the winner won: the runner-up (best option on other hardware) lost on cost; cheaper
    hardware lost on memory, latency or cost — each explained by its best format, with its
    numbers (hardware whose best format fits is never said to have lost on memory)."""
    winner = options[0]
    runner = next(
        (o for o in options if (o.gpu, o.gpu_count) != (winner.gpu, winner.gpu_count)),
        options[1] if len(options) > 1 else None,
    )
    lines = [_winner_line(winner, slo is not None and slo.p95_tpot_ms is not None)]
    if winner.p95_ttft_ms >= QUEUE_WAIT_HINT_MS and (slo is None or slo.p95_ttft_ms is None):
        lines.append(
            f"Requests queue at {winner.utilization:.0%} utilisation (p95 TTFT "
            f"{format_wait_ms(winner.p95_ttft_ms)}): set --p95-ttft-ms to size the replicas for "
            "a wait you accept."
        )
    if winner.layout:
        lines.append(layout_line(winner))
    if winner.offload:
        hardware = hardware_label(winner.gpu, winner.gpu_count, winner.weights)
        lines.append(f"{hardware} runs {winner.engine} partly on the CPU: {winner.offload}.")
    gap = None
    if runner is not None:
        gap = (runner.monthly_cost_usd / winner.monthly_cost_usd - 1.0) * 100.0
        lines.append(_runner_up_line(runner, winner, gap))
        if runner.layout and hardware_of(runner) != hardware_of(winner):
            lines.append(layout_line(runner))
    shown = {(winner.gpu, winner.gpu_count)}
    if runner is not None:
        shown.add((runner.gpu, runner.gpu_count))
    lines += _cheaper_lines(winner, rejected, cost_losses, shown)
    return Explanation(
        winner.label,
        runner.label if runner else None,
        None if runner is None else _lost_on(runner, winner),
        gap,
        tuple(lines),
    )


def with_unrented_gpus(
    plan: Plan,
    systems: Sequence[GpuSystem],
    offers: Sequence[PriceSnapshot],
    every_offer: Sequence[PriceSnapshot] = (),
    tiers: Sequence[str] = (),
) -> Plan:
    """A plan that also says which of `systems`' GPUs no offer in `offers` rents (they are not
    in the ranking at all). A GPU that `every_offer` (all current offers, any tier or provider)
    does rent is named with its cheapest offer and the option that ranks it: without that,
    a 3090 rented only on spot read as "no cloud offer rents rtx-3090"."""
    rented = {offer.gpu_id for offer in offers}
    unrented = list(dict.fromkeys(s.gpu.id for s in systems if s.gpu.id not in rented))
    if not unrented:
        return plan
    elsewhere = [
        f"no offer at the chosen tiers and providers rents {gpu}; {hint}"
        for gpu in unrented
        if (hint := offer_elsewhere(gpu, every_offer, tiers))
    ]
    never = [gpu for gpu in unrented if not any(o.gpu_id == gpu for o in every_offer)]
    parts = list(elsewhere)
    if never:
        parts.append(
            f"no cloud offer rents {', '.join(never)} in the price table (add an offer with "
            "--prices FILE, or compare their speed with `gpuatlas compare`)"
        )
    if plan.explanation is not None:
        line = "Not ranked: " + "; ".join(parts) + "."
        explanation = replace(plan.explanation, lines=(*plan.explanation.lines, line))
        return replace(plan, explanation=explanation)
    if plan.options or not elsewhere:
        return plan  # nothing ranked: its message already says why
    return replace(plan, message="; ".join(parts))


def offer_elsewhere(
    gpu: str, every_offer: Sequence[PriceSnapshot], tiers: Sequence[str]
) -> str | None:
    """'the cheapest elsewhere is $0.18/GPU-h (Vast.ai spot, 2026-05): --tier spot ranks it' for a
    GPU that no offer at the chosen tiers/providers rents; None when no offer rents it."""
    cheapest = min(
        (o for o in every_offer if o.gpu_id == gpu),
        key=lambda o: o.usd_per_gpu_hour,
        default=None,
    )
    if cheapest is None:
        return None
    option = (
        f"--tier {cheapest.tier}"
        if tiers and cheapest.tier not in tiers
        else f"--provider {shlex.quote(cheapest.provider)}"
    )
    return (
        f"the cheapest elsewhere is ${cheapest.usd_per_gpu_hour:.2f}/GPU-h ({cheapest.provider} "
        f"{cheapest.tier}, {cheapest.observed_date}): {option} ranks it"
    )


def hardware_of(option: PlanOption) -> tuple[str, int, str]:
    """The GPU, how many per system and the format: what two options share when they differ
    only in offer."""
    return option.gpu, option.gpu_count, option.weights


def layout_line(option: PlanOption, batch_column: bool = True) -> str:
    """How each replica of a multi-GPU option serves the model, and what its batch counts
    (where the answer has a batch column)."""
    hardware = hardware_label(option.gpu, option.gpu_count, option.weights)
    several = batch_column and option.engines > 1
    batch = "; the batch column is one of those replicas'" if several else ""
    return (
        f"Each {hardware} serves the model as {option.layout}, its best layout (as `gpuatlas "
        f"compare` and `predict serving` have it){batch}."
    )


def replicas_of(option: PlanOption, label: str | None = None) -> str:
    """'3 × RTX 4090 fp8'; a multi-GPU replica: '1 replica of 2× RTX A4000 awq-int4'; a
    multi-GPU system that holds several engine replicas (its layout): '1 node of 2× RTX 4090
    fp8', so 'replica' keeps one meaning beside '2 replicas of 1 GPU each' (`label`: another
    spelling of the hardware, e.g. catalog ids in a table)."""
    name = option.product_label if label is None else label
    if option.gpu_count == 1:
        return f"{option.replicas} × {name}"
    plural = "s" if option.replicas != 1 else ""
    return f"{option.replicas} {system_unit(option)}{plural} of {name}"


def system_unit(option: PlanOption) -> str:
    """What the plan counts of an option: a 'replica' of the model, or a 'node' where one
    multi-GPU system holds several engine replicas (its layout: '2 replicas of 1 GPU each')."""
    return "node" if option.gpu_count > 1 and option.engines > 1 else "replica"


SERVER_ENGINE_MIN_SAVING = 0.10  # a server-engine plan at least 10 % cheaper is worth a line


def server_engine_line(
    own: Plan, server: Plan, server_model: str, min_saving: float = SERVER_ENGINE_MIN_SAVING
) -> str | None:
    """The same traffic served with a server engine (vLLM, SGLang) from the model's Hub
    checkpoint, when that plan meets the targets and costs at least `min_saving` less than
    `own` (the plan of an Ollama tag or a GGUF, which fixes the engine to Ollama/llama.cpp and
    its few sequences per replica), or meets targets `own` does not; None otherwise."""
    if not server.feasible:
        return None
    best = server.options[0]
    served = (
        f"{server_model} served with {best.engine or server.workload.engine}: "
        f"{replicas_of(best)} on {best.offer_label}, ${best.monthly_cost_usd:,.0f}/month "
        f"(p95 TTFT {format_wait_ms(best.p95_ttft_ms)}, p95 TPOT {best.p95_tpot_ms:,.1f} ms, "
        f"batch up to {best.max_batch})"
    )
    advice = f"plan it with --model {server_model}"
    if not own.feasible:
        return f"Meets the targets with a server engine instead: {served}; {advice}."
    mine = own.options[0]
    if best.monthly_cost_usd > mine.monthly_cost_usd * (1.0 - min_saving):
        return None
    factor = mine.monthly_cost_usd / best.monthly_cost_usd
    return (
        f"Cheaper with a server engine: {served}, {factor:,.1f}× less than with "
        f"{mine.engine or own.workload.engine} (batch up to {mine.max_batch} per replica "
        f"there); {advice}."
    )


QUEUE_WAIT_HINT_MS = 60_000.0  # a p95 TTFT past a minute with no TTFT target: say it is a queue


def _winner_line(winner: PlanOption, tpot_target: bool) -> str:
    """The winner and its numbers; its utilisation is of the closed-form ceiling (within the
    TPOT target when one is given, else at saturation), an upper bound that queueing and
    prefill interference lower, which the simulation's replica count already reflects (a
    replica simulated at less than the ceiling may still miss the targets)."""
    within = "within the TPOT target" if tpot_target else "with no TPOT target"
    return (
        f"Winner: {replicas_of(winner)} on {winner.offer_label}, "
        f"${winner.monthly_cost_usd:,.0f}/month; p95 TTFT {format_wait_ms(winner.p95_ttft_ms)}, "
        f"p95 TPOT {winner.p95_tpot_ms:,.1f} ms, utilisation {winner.utilization:.0%} of each "
        f"{system_unit(winner)}'s ceiling of {winner.per_replica_capacity_rps:.2f} req/s "
        f"{within} (a closed-form bound, before queueing and prefill interference: the "
        "simulated latencies decide the count)."
    )


def _lost_on(runner: PlanOption, winner: PlanOption) -> str:
    """What ranked the runner-up second: cost, else (same cost) latency, else the order."""
    if round(runner.monthly_cost_usd) != round(winner.monthly_cost_usd):
        return "cost"
    if round(runner.p95_ttft_ms) != round(winner.p95_ttft_ms):
        return "latency"
    return "tie"


def _runner_up_line(runner: PlanOption, winner: PlanOption, gap_pct: float) -> str:
    head = f"Runner-up: {replicas_of(runner)} on {runner.offer_label}"
    lost_on = _lost_on(runner, winner)
    if lost_on == "latency":
        return (
            f"{head} costs the same (${runner.monthly_cost_usd:,.0f}/month) and ranks second on "
            f"latency: p95 TTFT {format_wait_ms(runner.p95_ttft_ms)} vs "
            f"{format_wait_ms(winner.p95_ttft_ms)}."
        )
    if lost_on == "tie":
        return (
            f"{head} ties: the same cost (${runner.monthly_cost_usd:,.0f}/month) and p95 TTFT "
            f"({format_wait_ms(runner.p95_ttft_ms)}); either will do."
        )
    return (
        f"{head} lost on cost: "
        f"${runner.monthly_cost_usd:,.0f}/month (+{gap_pct:.0f}%) — "
        f"${runner.usd_per_hour:,.2f}/h for {runner.replicas} "
        f"{system_unit(runner)}{'s' if runner.replicas != 1 else ''} (ceiling "
        f"{runner.per_replica_capacity_rps:.2f} req/s each) vs ${winner.usd_per_hour:,.2f}/h."
    )


def _format_bits(weights: str) -> float:
    found = find_format(weights)
    return found.model_bits_per_weight if found is not None else 32.0


KIND_CLOSENESS = {"capacity": 0, "latency": 1, "memory": 2}  # a format that fits is closer


def _cheaper_lines(
    winner: PlanOption,
    rejected: Sequence[Rejection],
    cost_losses: Sequence[CostLoss],
    shown: set[tuple[str, int]],
) -> list[str]:
    """One line per cheaper hardware (at most 4, cheapest first), explained by its best
    format: lost on cost when a format fits and meets the targets for a lone request, else its
    closest rejection (a fitting format's latency before any memory miss; among memory misses
    the most compact format)."""
    winner_hourly = winner.usd_per_gpu_hour * winner.gpu_count
    best: dict[tuple[str, int], tuple[float, str]] = {}
    for loss in cost_losses:
        hardware = (loss.gpu, loss.gpu_count)
        hourly = loss.cheapest_usd_per_gpu_hour * loss.gpu_count
        if hardware in shown or hourly >= winner_hourly:
            continue
        if hardware not in best or loss.monthly_cost_usd < best[hardware][0]:
            best[hardware] = (loss.monthly_cost_usd, _cost_loss_line(loss, winner))
    candidates = [
        r
        for r in rejected
        if r.kind in KIND_CLOSENESS
        and r.cheapest_usd_per_gpu_hour is not None
        and r.cheapest_usd_per_gpu_hour * r.gpu_count < winner_hourly
        and (r.gpu, r.gpu_count) not in shown
        and (r.gpu, r.gpu_count) not in best
    ]
    closest: dict[tuple[str, int], Rejection] = {}
    for item in sorted(candidates, key=lambda r: (KIND_CLOSENESS[r.kind], _format_bits(r.weights))):
        closest.setdefault((item.gpu, item.gpu_count), item)
    hourly_of = {
        **{(r.gpu, r.gpu_count): (r.cheapest_usd_per_gpu_hour or 0.0) for r in candidates},
        **{(c.gpu, c.gpu_count): c.cheapest_usd_per_gpu_hour for c in cost_losses},
    }
    lines = {hardware: text for hardware, (_, text) in best.items()}
    lines.update({hardware: _rejection_line(item) for hardware, item in closest.items()})
    order = sorted(lines, key=lambda h: (hourly_of[h] * h[1], h))
    return [lines[hardware] for hardware in order[:4]]


def _rejection_line(item: Rejection) -> str:
    hardware = hardware_label(item.gpu, item.gpu_count, item.weights)
    return (
        f"Cheaper per hour but lost on {item.kind}: {hardware} "
        f"(${item.cheapest_usd_per_gpu_hour:.2f}/GPU-h) — {item.detail}"
    )


def _cost_loss_line(loss: CostLoss, winner: PlanOption) -> str:
    hardware = hardware_label(loss.gpu, loss.gpu_count, loss.weights)
    at_least = "" if loss.verified else "at least "
    plural = "s" if loss.replicas != 1 else ""
    return (
        f"Cheaper per hour but lost on cost: {hardware} "
        f"(${loss.cheapest_usd_per_gpu_hour:.2f}/GPU-h) — needs {at_least}{loss.replicas} "
        f"replica{plural} for this traffic: {at_least}${loss.monthly_cost_usd:,.0f}/month vs "
        f"${winner.monthly_cost_usd:,.0f}/month"
    )


def _cost_losses(
    assessments: Sequence[Assessment],
    verified: dict[tuple[str, int, str], Assessment],
    by_gpu: dict[str, list[PriceSnapshot]],
) -> list[CostLoss]:
    """Every candidate that fits and meets the targets for a lone request, priced at the
    replicas it needs (the simulated count when verified, else the lower bound)."""
    losses = []
    for found in assessments:
        checked = verified.get(found.key, found)
        if checked.status != "ok":
            continue
        replicas = checked.run.replicas if checked.run is not None else checked.min_replicas
        hosts = _hosting_offers(found, by_gpu)
        if replicas < 1 or not hosts:
            continue
        cheapest = min(
            hosts, key=lambda o: offer_price(o, found.system.gpu_count, replicas).usd_per_hour
        )
        losses.append(
            CostLoss(
                found.system.gpu.id,
                found.system.gpu_count,
                found.weights,
                replicas,
                checked.run is not None,
                usd_per_month(offer_price(cheapest, found.system.gpu_count, replicas).usd_per_hour),
                min(o.usd_per_gpu_hour for o in hosts),
            )
        )
    return losses


# ----- fixed replica count ("what happens to one A100 at 100 req/s?") ---------------------------


def fixed_replica_options(
    workload: Workload,
    slo: Slo,
    systems: Sequence[GpuSystem],
    offers: Sequence[PriceSnapshot],
    replicas: int,
    weights: Sequence[str] | None = None,
    source_factory: SourceFactory = estimator_source,
) -> Plan:
    """Every candidate simulated at exactly `replicas` replicas: whether it keeps up and meets
    the targets, at what cost (no search, no pruning beyond memory fit)."""
    by_gpu: dict[str, list[PriceSnapshot]] = defaultdict(list)
    for offer in offers:
        by_gpu[offer.gpu_id].append(offer)
    assessments, rejected = _assess_all(
        workload, slo, systems, weights or [workload.weights], by_gpu, source_factory
    )
    options = []
    for found in assessments:
        if found.steps is None:
            continue
        run = run_replicas(found, workload, slo, replicas)
        cheapest = min(_hosting_offers(found, by_gpu), key=lambda o: o.usd_per_gpu_hour)
        options.append(
            _option(
                found,
                cheapest,
                replicas,
                run.latency,
                run.utilization,
                run.mean_batch,
                run.meets_slo,
            )
        )
    options.sort(key=lambda o: (not o.meets_slo, o.monthly_cost_usd))
    message = (
        None
        if any(o.meets_slo for o in options)
        else _nothing_meets_message(slo, options, rejected)
    )
    return Plan(
        workload,
        slo,
        tuple(options),
        tuple(rejected),
        None,
        message,
        len(assessments),
        len(options),
    )
