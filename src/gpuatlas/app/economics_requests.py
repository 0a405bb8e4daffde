"""Requests of the cost area as users state them (names, lists, limits), checked all at once.

Entry points for the CLI, the web API and the report: each validates every input, gathers
every problem into one InvalidRequestError (unknown provider listing the known ones, negative
rates, bad SLOs, unknown GPUs or formats), then calls the pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from gpuatlas.app.requests import DEFAULT_GPU_COUNTS, DEFAULT_TIERS
from gpuatlas.catalog.formats import all_formats, resolve_format
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.catalog.model_arch import AnyModelArch
from gpuatlas.catalog.model_weights import formats_worth_considering, is_auto, native_weights
from gpuatlas.catalog.models import resolve_model, resolve_model_reference
from gpuatlas.catalog.prices import TIERS, PriceSnapshot, all_prices, check_provider, current_prices
from gpuatlas.catalog.purchase_prices import CONDITIONS
from gpuatlas.catalog.systems import GpuSystem, build_system, resolve_system
from gpuatlas.economics.budget import (
    Budget,
    fleet_within_budget,
    left_out_by_budget_note,
    offer_within,
    over_budget_note,
    within_budget,
)
from gpuatlas.economics.fleet import (
    FleetPlan,
    ModelShare,
    plan_fleet,
    share_problems,
    share_rate_problems,
)
from gpuatlas.economics.offer_costs import OfferPrice, can_host, offer_price
from gpuatlas.economics.planning import (
    Plan,
    fixed_replica_options,
    offer_elsewhere,
    plan_options,
    server_engine_line,
    with_unrented_gpus,
)
from gpuatlas.economics.ranking import CannotRun, RankedSystem, rank_systems
from gpuatlas.economics.serving_candidate import Assessment, Slo, Workload, mean_output_problems
from gpuatlas.economics.serving_engine import (
    engine_notes,
    is_auto_engine,
    num_ctx_note,
    num_ctx_problems,
    parallel_problems,
    server_checkpoint,
    serving_engines,
)
from gpuatlas.economics.serving_simulation import ArrivalProcess, LengthDistribution
from gpuatlas.economics.slo import planning_slo
from gpuatlas.economics.tco import (
    BreakEven,
    OnPremInputs,
    OnPremTco,
    PurchasePrice,
    break_even,
    cheapest_matching_offer,
    onprem_tco,
)
from gpuatlas.economics.unit_costs import (
    DurationCost,
    JobCost,
    ServingCost,
    SustainedServing,
    duration_cost,
    fitting_training,
    image_cost,
    serving_cost,
    serving_targets,
    sustained_serving,
    training_run_cost,
)
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.numbers import format_given
from gpuatlas.performance.api import training_framework_name
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.engine_specs import engine_text_profile
from gpuatlas.performance.llm.host_memory import check_host_ram_gb, with_host_ram
from gpuatlas.performance.llm.step_times import MODEL_NAME
from gpuatlas.performance.media.diffusion import MIN_RESOLUTION_PX, check_image_engine_known
from gpuatlas.performance.media.diffusion import MODEL_NAME as DIFFUSION_MODEL_NAME
from gpuatlas.performance.training.memory import METHODS
from gpuatlas.performance.training.speed import MODEL_NAME as TRAINING_MODEL_NAME

LENGTH_DISTRIBUTIONS = ("fixed", "exponential", "uniform", "lognormal")
ARRIVALS = ("poisson", "gamma")
SYSTEM_TEXT = re.compile(r"^\s*\d+\s*(?:x|×|\*)", re.IGNORECASE)
T = TypeVar("T")


def collect(problems: list[str], action: Callable[[], T]) -> T | None:
    """Run `action`; on a GpuAtlasError add its message to `problems` and return None."""
    try:
        return action()
    except GpuAtlasError as error:
        problems.append(str(error))
        return None


def select_offers(
    providers: Sequence[str],
    tiers: Sequence[str],
    problems: list[str],
    price_files: Sequence[Path] = (),
) -> list[PriceSnapshot]:
    """Current offers of the named providers (all when empty) at the named tiers."""
    snapshots = all_prices(price_files)
    for provider in providers:
        collect(problems, lambda p=provider: check_provider(p, snapshots))  # type: ignore[misc]
    problems += [
        f"unknown tier {tier!r}; one of: {', '.join(TIERS)}" for tier in tiers if tier not in TIERS
    ]
    wanted = {p.lower() for p in providers}
    return [
        o
        for o in current_prices(extra_files=price_files)
        if (not wanted or o.provider.lower() in wanted) and o.tier in tiers
    ]


def candidate_systems(
    gpu_names: Sequence[str], gpu_counts: Sequence[int], problems: list[str]
) -> list[GpuSystem]:
    """Each named GPU (or system text like "2x a100") × counts; every catalog GPU when none."""
    problems += [f"GPU count must be ≥ 1, got {count}" for count in gpu_counts if count < 1]
    counts = [c for c in gpu_counts if c >= 1]
    if not gpu_names:
        return [build_system(gpu, count) for gpu in all_gpus() for count in counts_for(gpu, counts)]
    systems: list[GpuSystem] = []
    for name in gpu_names:
        system = collect(problems, lambda n=name: resolve_system(n))  # type: ignore[misc]
        if system is None:
            continue
        if SYSTEM_TEXT.match(name):
            systems.append(system)
        else:
            systems += [build_system(system.gpu, c) for c in counts_for(system.gpu, counts)]
    return systems


def counts_for(gpu: Gpu, counts: Sequence[int]) -> list[int]:
    """The GPUs per replica a device can serve with: a unified-memory chip is one GPU per
    machine, and a replica over several machines is not modelled (plan listed '2x M3 Max' as
    '3 nodes x 2 engines' and '8x' as '1 node x 8 engines', the same replicas at other
    prices); a system named with its count ('2x M3 Max') is still taken as written."""
    if gpu.unified_memory:
        return [count for count in counts if count == 1]
    return list(counts)


def weight_format_ids(
    names: Sequence[str],
    problems: list[str],
    model: str | None = None,
    engine: str = "vllm",
    systems: Sequence[GpuSystem] = (),
) -> list[str]:
    """Format ids for names people write; "all" means every catalog format; "auto" (with a
    model) its native format plus the formats worth considering (`model_weights`) with the
    engine, or with each engine `--engine auto` picks over `systems`."""
    if any(name.lower() == "all" for name in names):
        return [f.id for f in all_formats()]
    ids: list[str | None] = []
    for name in names:
        if is_auto(name) and model is not None:
            ids += collect(problems, lambda: auto_format_ids(model, engine, systems)) or []
        else:
            ids.append(collect(problems, lambda n=name: resolve_format(n).id))  # type: ignore[misc]
    return list(dict.fromkeys(i for i in ids if i is not None))


def auto_format_ids(model: str, engine: str, systems: Sequence[GpuSystem] = ()) -> list[str]:
    """The model's native format first, then the alternatives the engine loads (for `auto`:
    the engines it picks on the systems, in their order)."""
    reference = resolve_model_reference(model)
    ids: list[str] = []
    for each in serving_engines(engine, model, systems):
        native = native_weights(reference, each)  # Ollama/llama.cpp: the GGUF build they run
        ids += formats_worth_considering(native, engine_text_profile(each).formats)
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class PlanRequest:
    model: str
    weights: tuple[str, ...]
    rps: float
    input_tokens: float
    output_tokens: float
    slo: Slo
    engine: str = "auto"
    length_distribution: str = "fixed"
    arrival: str = "poisson"
    burstiness: float = 1.0
    gpus: tuple[str, ...] = ()
    gpu_counts: tuple[int, ...] = DEFAULT_GPU_COUNTS
    providers: tuple[str, ...] = ()
    tiers: tuple[str, ...] = DEFAULT_TIERS
    top: int = 10
    price_files: tuple[Path, ...] = field(default=())
    replicas: int | None = None  # simulate exactly this many instead of searching
    num_ctx: int | None = None  # Ollama's num_ctx / llama.cpp's -c (None: the engine's default)
    budget: Budget = field(default_factory=Budget)  # the most a setup may cost
    parallel: int | None = None  # llama.cpp/Ollama request slots (None: the release's default)
    host_ram_gb: float | None = None  # each machine's RAM for a llama.cpp/Ollama GPU/CPU split
    # requests that stop at end-of-sequence: the tokens each generates on average, below
    # output_tokens (then their cap); None: each generates output_tokens
    mean_output_tokens: float | None = None


def on_host(
    systems: list[GpuSystem], request: PlanRequest | CostRequest | FleetRequest
) -> list[GpuSystem]:
    """The candidates in machines of the RAM stated (--host-ram-gb; else each one's own or
    the assumption for its GPU: llm.host_memory)."""
    if request.host_ram_gb is None:
        return systems
    check_host_ram_gb(request.host_ram_gb)
    return [with_host_ram(system, request.host_ram_gb) for system in systems]


def validated_plan_inputs(
    request: PlanRequest,
) -> tuple[Workload, list[GpuSystem], list[PriceSnapshot], list[str]]:
    """Everything `plan` needs, or InvalidRequestError listing every problem."""
    problems: list[str] = []
    collect(problems, lambda: resolve_model(request.model))
    systems = on_host(candidate_systems(request.gpus, request.gpu_counts, problems), request)
    formats = weight_format_ids(request.weights, problems, request.model, request.engine, systems)
    workload = Workload(
        request.model,
        formats[0] if formats else "fp16",
        request.rps,
        request.input_tokens,
        request.output_tokens,
        request.engine,
        _choice(request.length_distribution, LENGTH_DISTRIBUTIONS, "length distribution", problems),  # type: ignore[arg-type]
        _choice(request.arrival, ARRIVALS, "arrival process", problems),  # type: ignore[arg-type]
        request.burstiness,
        request.num_ctx,
        request.parallel,
    ).stopping_early(request.mean_output_tokens)
    problems += workload.problems() + request.slo.problems()
    context_tokens = int(round(request.input_tokens + request.output_tokens))
    problems += num_ctx_problems(
        request.num_ctx, request.engine, request.model, systems, context_tokens
    )
    problems += parallel_problems(request.parallel, request.engine, request.model, systems)
    if problems and not is_auto_engine(request.engine):  # an unknown engine with the rest
        collect(problems, lambda: engine_text_profile(request.engine))
    if request.top < 1:
        problems.append(f"top must be ≥ 1, got {request.top}")
    if request.replicas is not None and request.replicas < 1:
        problems.append(f"replicas must be ≥ 1, got {request.replicas}")
    problems += request.budget.problems()
    offers = select_offers(request.providers, request.tiers, problems, request.price_files)
    if problems:
        raise InvalidRequestError(distinct(problems))
    return workload, systems, offers, formats


def _no_offer_note(system: GpuSystem, tiers: Sequence[str], price_files: Sequence[Path]) -> str:
    """'RTX 3090: no offer at the chosen providers/tiers; the cheapest elsewhere is ...'."""
    every_offer = [
        o for o in current_prices(extra_files=price_files) if can_host(o, system.gpu_count)
    ]
    hint = offer_elsewhere(system.gpu.id, every_offer, tiers) or _owning_hint(system)
    note = f"{system.label}: no offer at the chosen providers/tiers"
    return f"{note}; {hint}"


def _owning_hint(system: GpuSystem) -> str:
    """For a GPU no price file rents (most desktop cards): what owning it costs per hour."""
    return (
        "no provider in the price table rents it; what owning one costs per GPU-hour "
        f"(purchase, power, residual): gpuatlas tco '{system.id}'"
    )


def distinct(problems: list[str]) -> list[str]:
    """Each problem once, in order (the model is resolved for its name and for its formats)."""
    return list(dict.fromkeys(problems))


def _choice(value: str, allowed: Sequence[str], what: str, problems: list[str]) -> str:
    if value not in allowed:
        problems.append(f"unknown {what} {value!r}; one of: {', '.join(allowed)}")
        return allowed[0]
    return value


def run_plan(request: PlanRequest) -> Plan:
    """The ranked plan for a request (see `planning.plan_options`)."""
    workload, systems, offers, formats = validated_plan_inputs(request)
    slo = planning_slo(request.slo)  # the default p95 TTFT when no target bounds the queue
    if request.replicas is not None:
        plan = fixed_replica_options(workload, slo, systems, offers, request.replicas, formats)
    else:
        plan = plan_options(workload, slo, systems, offers, formats, request.top)
    if request.gpus:  # the GPUs the user named are each accounted for
        every_offer = current_prices(extra_files=request.price_files)
        plan = with_unrented_gpus(plan, systems, offers, every_offer, request.tiers)
    plan = within_budget(plan, request.budget)
    listed = {option.gpu for option in plan.options}
    shown = [s for s in systems if s.gpu.id in listed] or systems  # the GPUs the answer names
    notes = engine_notes(request.engine, request.model, shown)
    context_note = num_ctx_note(request.num_ctx, request.engine, request.model, shown)
    lines = (workload.early_stop_note(), context_note, _server_engine_note(request, plan))
    extra = tuple(line for line in lines if line)
    return replace(plan, engine_notes=(*notes, *extra))


def _server_engine_note(request: PlanRequest, plan: Plan) -> str | None:
    """For an Ollama tag or a GGUF planned with `--engine auto`: the same traffic on the
    model's Hub checkpoint with each GPU's serving engine, when that is cheaper or meets
    targets the tag's plan does not (`planning.server_engine_line`)."""
    server_model = server_checkpoint(request.model)
    if server_model is None or request.replicas is not None or not is_auto_engine(request.engine):
        return None
    try:
        server = run_plan(
            replace(
                request,
                model=server_model,
                weights=("auto",),
                num_ctx=None,
                parallel=None,
                engine="auto",
            )
        )
    except GpuAtlasError:
        return None
    if not server.within_budget:  # never suggest a setup over the user's budget
        return None
    return server_engine_line(plan, server, server_model)


LengthDistributionArg = LengthDistribution
ArrivalArg = ArrivalProcess


# ----- tco ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TcoRow:
    tco: OnPremTco
    break_even: BreakEven | None
    note: str


@dataclass(frozen=True)
class TcoRequest:
    systems: tuple[str, ...]
    inputs: OnPremInputs
    purchase_usd_per_gpu: tuple[float, ...] = ()
    condition: str = "new"
    providers: tuple[str, ...] = ()
    tiers: tuple[str, ...] = DEFAULT_TIERS
    price_files: tuple[Path, ...] = field(default=())
    measured_w: tuple[float, ...] = ()  # one per system, replaces TDP × GPUs


def run_tco(request: TcoRequest) -> list[TcoRow]:
    """On-prem TCO per system and its break-even against the cheapest matching cloud offer."""
    problems = request.inputs.problems()
    systems = [
        s
        for s in (
            collect(problems, lambda n=name: resolve_system(n))  # type: ignore[misc]
            for name in request.systems
        )
        if s is not None
    ]
    if not request.systems:
        problems.append("name at least one system (--gpu '4x rtx-4090')")
    if request.condition not in CONDITIONS:  # with the rest, not after them
        problems.append(
            f"condition must be one of {', '.join(CONDITIONS)}, got {request.condition!r}"
        )
    purchases = request.purchase_usd_per_gpu
    if purchases and len(purchases) != len(request.systems):
        problems.append(
            f"give one purchase price per system: {len(purchases)} price(s) "
            f"for {len(request.systems)} system(s)"
        )
    problems += [f"purchase price must be > 0, got {format_given(p)}" for p in purchases if p <= 0]
    measured = request.measured_w
    if measured and len(measured) != len(request.systems):
        problems.append(
            f"give one measured power per system: {len(measured)} figure(s) "
            f"for {len(request.systems)} system(s)"
        )
    problems += [f"measured power must be > 0 W, got {format_given(w)}" for w in measured if w <= 0]
    if not measured:
        problems += [_no_tdp_problem(s.gpu) for s in systems if s.gpu.tdp_w is None]
    offers = select_offers(request.providers, request.tiers, problems, request.price_files)
    if problems:
        raise InvalidRequestError(distinct(problems))
    return [
        _tco_row(
            system,
            request,
            purchases[i] if purchases else None,
            measured[i] if measured else None,
            offers,
        )
        for i, system in enumerate(systems)
    ]


def _no_tdp_problem(gpu: Gpu) -> str:
    """A TCO needs the draw: a GPU without a catalog TDP (Apple publishes whole-machine power
    only) was a traceback (ValueError); now the option that supplies it."""
    return (
        f"{gpu.id} has no TDP in the catalog (no board power is published for it): pass "
        "its measured draw in W with --measured-w (one per --gpu; a wall meter, or powermetrics "
        "on a Mac)"
    )


def _no_offer_words(system: GpuSystem) -> str:
    """Why no cloud offer was compared, with the tiers that do rent the GPU (a used RTX 3090
    is rented on spot only: `compare` prices it there, `tco` by default did not say so)."""
    tiers = sorted({s.tier for s in current_prices(system.gpu.id)})
    if not tiers:
        return "no cloud offer rents this GPU in the price table"
    options = " ".join(f"--tier {tier}" for tier in tiers)
    return f"no matching cloud offer at the chosen tiers/providers; it is rented as: {options}"


def _no_purchase_note(gpu: Gpu, condition: str) -> str:
    """Why a TCO has no purchase price, and what to give: a used price is never the launch
    price (the catalog holds no used observation for it), so it names the launch price new."""
    if condition == "used" and gpu.launch_price_usd is not None:
        return (
            f"no used price for {gpu.id} in the catalog (its launch price was "
            f"${gpu.launch_price_usd:,.0f} new): pass --purchase-usd, or --condition new"
        )
    return f"no {condition} purchase price for {gpu.id} in the catalog; pass --purchase-usd"


def _tco_row(
    system: GpuSystem,
    request: TcoRequest,
    purchase_usd: float | None,
    measured_w: float | None,
    offers: Sequence[PriceSnapshot],
) -> TcoRow:
    purchase = None
    if purchase_usd is not None:
        purchase = PurchasePrice(purchase_usd, "user-set", request.condition)
    tco = onprem_tco(system, request.inputs, purchase, measured_w, condition=request.condition)
    matching = cheapest_matching_offer(
        system.gpu_count, [o for o in offers if o.gpu_id == system.gpu.id]
    )
    note = ""
    if tco.purchase is None:
        note = _no_purchase_note(system.gpu, request.condition)
    elif matching is None:
        note = _no_offer_words(system)
    return TcoRow(tco, break_even(tco, matching) if matching else None, note)


# ----- cost ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostRequest:
    systems: tuple[str, ...]
    model: str | None = None
    weights: str = "fp16"  # or "auto": the model's native format (the CLI's default)
    engine: str = "auto"  # per system: the checkpoint's engine, else the GPU's usual one
    workload: str = "llm"  # llm | image | training | rent
    input_tokens: int = 512
    output_tokens: int = 256
    slo: Slo = field(default_factory=Slo)
    utilization: float | None = None  # price one replica at this share of saturation instead
    train_tokens: float = 0.0
    method: str = "full"
    resolution: int | None = None
    steps: int | None = None
    hours: float = 24.0
    days: float = 30.0
    providers: tuple[str, ...] = ()
    tiers: tuple[str, ...] = DEFAULT_TIERS
    price_files: tuple[Path, ...] = field(default=())
    framework: str = "pytorch"  # training framework as written (workload training)
    num_ctx: int | None = None  # Ollama's num_ctx / llama.cpp's -c (workload llm)
    budget: Budget = field(default_factory=Budget)  # only offers within it
    parallel: int | None = None  # llama.cpp/Ollama request slots (workload llm)
    rps: float | None = None  # a traffic to size replicas for, as `plan` does (workload llm)
    host_ram_gb: float | None = None  # each machine's RAM for a llama.cpp/Ollama GPU/CPU split
    # requests that stop at end-of-sequence: the tokens each generates on average, below
    # output_tokens (then their cap; workload llm); None: each generates output_tokens
    mean_output_tokens: float | None = None


@dataclass(frozen=True)
class CostReport:
    """Every offer's costs, and (for work) one ranked line per system, the winner first.

    `all_gpus` is True when no GPU was named: every catalog GPU with a hosting offer competes.
    A system that cannot do the work is in `cannot_run` and never stops the others."""

    durations: tuple[DurationCost, ...]
    serving: tuple[ServingCost, ...]
    jobs: tuple[JobCost, ...]
    not_served: tuple[str, ...]
    no_offer: tuple[str, ...]
    ranking: tuple[RankedSystem, ...] = ()
    all_gpus: bool = False
    cannot_run: tuple[CannotRun, ...] = ()  # systems left out of the ranking, with the reason
    slo: Slo | None = None  # LLM serving: the targets each system was sized for (None: a share)
    rps: float | None = None  # LLM serving: the traffic each system was sized for (None: one)
    early_stop_note: str = ""  # LLM serving: requests that stop at end-of-sequence, in words


WORKLOADS = ("rent", "llm", "image", "training")


def _cost_problems(request: CostRequest) -> list[str]:
    problems = request.slo.problems() + request.budget.problems()
    checks = [
        (
            request.workload in WORKLOADS,
            f"unknown workload {request.workload!r}; one of: {', '.join(WORKLOADS)}",
        ),
        (
            request.workload == "rent" or request.model is not None,
            f"workload {request.workload!r} needs --model",
        ),
        (request.hours >= 0, f"hours must be ≥ 0, got {format_given(request.hours)}"),
        (request.days >= 0, f"days must be ≥ 0, got {format_given(request.days)}"),
        (
            request.utilization is None or 0 < request.utilization <= 1,
            f"utilisation must be in (0, 1], got {format_given(request.utilization or 0)}",
        ),
        (request.input_tokens >= 1, f"input tokens must be ≥ 1, got {request.input_tokens}"),
        (request.output_tokens >= 1, f"output tokens must be ≥ 1, got {request.output_tokens}"),
        (
            request.workload != "training" or request.train_tokens > 0,
            "training is priced per run: give its token count with --train-tokens (e.g. "
            f"--train-tokens 1e8 for 100M tokens), got {format_given(request.train_tokens)}",
        ),
        (
            bool(request.systems) or request.workload != "rent",
            "name at least one GPU or system (--gpu rtx-4090), or give --model and --workload "
            "llm|image|training to rank every GPU",
        ),
    ]
    failed = [message for ok, message in checks if not ok]
    return problems + failed + _sizing_problems(request) + _job_problems(request)


# the model kinds each workload prices (catalog.model_arch kinds)
WORKLOAD_MODEL_KINDS = {"llm": ("llm", "vlm"), "training": ("llm", "vlm"), "image": ("diffusion",)}
KIND_WORDS = {"llm": "an LLM", "vlm": "a vision-language model", "diffusion": "an image model"}


def _model_kind_problems(workload: str, model: AnyModelArch) -> list[str]:
    """A model the workload does not price (SDXL for --workload llm, an LLM for image), with
    the workload that prices it, instead of one 'cannot run' line per GPU."""
    kinds = WORKLOAD_MODEL_KINDS.get(workload)
    if kinds is None or model.kind in kinds:
        return []
    pricing = [w for w, accepted in WORKLOAD_MODEL_KINDS.items() if model.kind in accepted]
    instead = " or ".join(f"--workload {w}" for w in pricing) or "no workload of cost"
    words = KIND_WORDS.get(model.kind, f"a {model.kind} model")
    return [f"{model.id} is {words}: {instead} prices it, not --workload {workload}"]


def _job_problems(request: CostRequest) -> list[str]:
    """A training method, image side or step count no prediction takes, refused up front (each
    was one 'cannot run' line per GPU, exit status 0)."""
    problems = []
    if request.workload == "training" and request.method not in METHODS:
        problems.append(f"method must be one of {', '.join(METHODS)}, got {request.method!r}")
    if request.workload == "image":
        if request.resolution is not None and request.resolution < MIN_RESOLUTION_PX:
            problems.append(
                f"resolution must be at least {MIN_RESOLUTION_PX} px, got {request.resolution}"
            )
        if request.steps is not None and request.steps < 1:
            problems.append(f"steps must be at least 1, got {request.steps}")
    return problems


def _sizing_problems(request: CostRequest) -> list[str]:
    """--rps sizes replicas for a traffic and --utilization prices one replica at a share of
    saturation: LLM serving only, and each instead of the latency targets."""
    problems = _mean_output_problems(request)
    if request.rps is not None:
        if request.workload != "llm":
            problems.append("--rps sizes LLM serving: use it with --workload llm --model")
        problems += Workload("", "", request.rps, 1, 1).problems()
    if request.utilization is not None:
        targets = any(
            v is not None
            for v in (request.slo.p95_ttft_ms, request.slo.p95_tpot_ms, request.slo.p95_e2e_ms)
        )
        if targets or request.rps is not None:
            problems.append(
                "--utilization prices one replica at a share of its full-load rate; "
                "latency targets and --rps size replicas instead: give one or the other"
            )
    return problems


def _mean_output_problems(request: CostRequest) -> list[str]:
    """--mean-output-tokens prices LLM serving only, from 1 to the output length."""
    if request.mean_output_tokens is None:
        return []
    if request.workload != "llm":
        return ["--mean-output-tokens prices LLM serving: use it with --workload llm --model"]
    return mean_output_problems(request.output_tokens, request.mean_output_tokens)


def _image_engine(engine: str) -> str:
    """The image engine a cost names; auto: eager diffusers (what image rows are costed at)."""
    return "diffusers" if is_auto_engine(engine) else engine


def run_cost(request: CostRequest) -> CostReport:
    """Rental costs per offer; plus serving, image or training costs from each system's speed."""
    problems = _cost_problems(request)
    systems = [
        s
        for s in (
            collect(problems, lambda n=name: resolve_system(n))  # type: ignore[misc]
            for name in request.systems
        )
        if s is not None
    ]
    if request.model is not None:
        model_found = collect(problems, lambda: resolve_model(request.model or ""))
        if model_found is not None:
            problems += _model_kind_problems(request.workload, model_found)
    if request.workload == "llm" and not is_auto_engine(request.engine):
        collect(problems, lambda: engine_text_profile(request.engine))  # 'vLLM 9.9' once
    if request.workload == "image" and not is_auto_engine(request.engine):
        collect(problems, lambda: check_image_engine_known(request.engine))  # 'comfy' once
    if request.workload == "training":  # 'nemoo' once, with its close matches
        collect(problems, lambda: training_framework_name(request.framework))
    problems += _cost_num_ctx_problems(request, systems)
    if problems and request.workload == "llm" and not is_auto(request.weights):
        collect(problems, lambda: resolve_format(request.weights))  # with the rest
    offers = select_offers(request.providers, request.tiers, problems, request.price_files)
    if problems:
        raise InvalidRequestError(distinct(problems))
    denoiser_weights = image_weights(request.weights, request.model)
    request = with_native_weights(request)
    every_gpu = not request.systems
    if every_gpu:
        offered = {o.gpu_id for o in offers}
        systems = [build_system(gpu, 1) for gpu in all_gpus() if gpu.id in offered]
    durations, serving, jobs, not_served, no_offer = [], [], [], [], []
    budget = request.budget
    over_budget: list[tuple[str, OfferPrice]] = []
    cannot_run: list[CannotRun] = []
    for system in on_host(systems, request):
        hosts = [o for o in offers if o.gpu_id == system.gpu.id and can_host(o, system.gpu_count)]
        if not hosts:
            no_offer.append(_no_offer_note(system, request.tiers, request.price_files))
            continue
        affordable = [o for o in hosts if offer_within(offer_price(o, system.gpu_count), budget)]
        if not affordable:
            over_budget.append(_cheapest_price(system, hosts))
            continue
        hosts = affordable
        durations += [duration_cost(system, o, request.hours, request.days) for o in hosts]
        if request.workload == "llm":
            found = _sustained(system, request)
            if isinstance(found, Assessment):
                not_served.append(
                    f"{system.label} {request.weights}: {found.status}: {found.reason}"
                )
                cannot_run.append(CannotRun(system.id, f"{found.status}: {found.reason}"))
            else:
                serving += [serving_cost(system, o, found) for o in hosts]
        elif request.workload in ("image", "training"):
            costed = _jobs(system, request, hosts, denoiser_weights)
            if isinstance(costed, CannotRun):
                cannot_run.append(costed)
            else:
                jobs += costed
    no_offer += _over_budget_notes(over_budget, budget, every_gpu, bool(durations))
    metric = (
        "$/1M output tokens"
        if request.workload == "llm"
        else ("$ per image" if request.workload == "image" else "$ per training run")
    )
    ranking = rank_systems([*serving, *jobs], metric)
    return CostReport(
        tuple(durations),
        tuple(serving),
        tuple(jobs),
        tuple(not_served),
        tuple(no_offer),
        ranking,
        every_gpu,
        tuple(cannot_run),
        serving_targets(request.slo, request.utilization) if request.workload == "llm" else None,
        request.rps,
        _serving_workload(request).early_stop_note() if request.workload == "llm" else "",
    )


def _cheapest_price(system: GpuSystem, hosts: Sequence[PriceSnapshot]) -> tuple[str, OfferPrice]:
    prices = [offer_price(o, system.gpu_count) for o in hosts]
    return system.label, min(prices, key=lambda p: p.usd_per_hour)


def _over_budget_notes(
    over_budget: Sequence[tuple[str, OfferPrice]], budget: Budget, every_gpu: bool, kept: bool
) -> list[str]:
    """A note per named system the budget left out; ranking every GPU, one note: how many GPUs
    it left out and the cheapest of them, or when nothing is within it the cheapest offer of
    all (never an empty answer)."""
    if not over_budget:
        return []
    if every_gpu and kept:  # the ranking is shorter than every GPU: say by how many and why
        return [left_out_by_budget_note(over_budget, budget)]
    if every_gpu:
        over_budget = [min(over_budget, key=lambda item: item[1].usd_per_hour)]
    return [over_budget_note(label, price, budget) for label, price in over_budget]


def _cost_num_ctx_problems(request: CostRequest, systems: Sequence[GpuSystem]) -> list[str]:
    """--num-ctx and --parallel price LLM serving only, on Ollama/llama.cpp (as `plan`)."""
    if request.num_ctx is None and request.parallel is None:
        return []
    if request.workload != "llm" or request.model is None:
        option = "--num-ctx sets the context" if request.num_ctx else "--parallel sets the slots"
        return [f"{option} of LLM serving: use it with --workload llm --model"]
    context = request.input_tokens + request.output_tokens
    return num_ctx_problems(
        request.num_ctx, request.engine, request.model, systems, context
    ) + parallel_problems(request.parallel, request.engine, request.model, systems)


def with_native_weights(request: CostRequest) -> CostRequest:
    """The request with `weights` "auto" replaced by the model's native format (with the
    engine: run by Ollama or llama.cpp, the GGUF build that engine runs)."""
    if request.model is None or not is_auto(request.weights):
        return request
    native = native_weights(resolve_model_reference(request.model), request.engine)
    return replace(request, weights=native.format_id)


def _serving_workload(request: CostRequest) -> Workload:
    """The LLM serving workload a cost prices (its rate is set per system)."""
    return Workload(
        request.model or "",
        request.weights,
        1.0,
        request.input_tokens,
        request.output_tokens,
        request.engine,
        num_ctx=request.num_ctx,
        parallel=request.parallel,
    ).stopping_early(request.mean_output_tokens)


def _sustained(system: GpuSystem, request: CostRequest) -> SustainedServing | Assessment:
    workload = _serving_workload(request)
    try:
        return sustained_serving(
            system, workload, request.slo, request.utilization, rps=request.rps
        )
    except GpuAtlasError as error:
        return Assessment(system, request.weights, "unsupported", str(error))


# the denoiser's format an image cost assumes where none is named: predict diffusion's and
# compare's default, so the three answers agree
IMAGE_WEIGHTS = "bf16"


def image_weights(weights: str, model: str | None) -> str:
    """The denoiser format an image request runs: as asked, or for 'auto' the one its
    checkpoint name carries ('flux1-dev-Q8_0.gguf', 'flux.1 schnell nf4', '…-fp8'), else
    bf16 (the published checkpoints' dtype). The name's format was read and said, then bf16
    ran: sequential offload, 81 s for a FLUX dev Q8_0 that runs whole in 40 s."""
    if not is_auto(weights):
        return weights
    if model is None:
        return IMAGE_WEIGHTS
    try:
        named = resolve_model_reference(model).format_id
    except GpuAtlasError:
        return IMAGE_WEIGHTS  # the name's own error comes where the model is resolved
    return named or IMAGE_WEIGHTS


def _jobs(
    system: GpuSystem,
    request: CostRequest,
    hosts: Sequence[PriceSnapshot],
    image_weights: str = IMAGE_WEIGHTS,
) -> list[JobCost] | CannotRun:
    """The job's cost on every hosting offer, or why the system cannot run it (too little
    memory for every setup, no catalog figure to predict from)."""
    model = request.model or ""
    try:
        if request.workload == "training":
            fitting = fitting_training(
                system,
                model,
                tokens=request.train_tokens,
                method=request.method,
                framework=request.framework,
            )
            return [
                training_run_cost(
                    system,
                    model,
                    o,
                    tokens=request.train_tokens,
                    method=request.method,
                    fitting=fitting,
                    framework=request.framework,
                )
                for o in hosts
            ]
        return [
            image_cost(
                system,
                model,
                o,
                resolution=request.resolution,
                steps=request.steps,
                engine=_image_engine(request.engine),
                weights=image_weights,
            )
            for o in hosts
        ]
    except GpuAtlasError as error:
        return CannotRun(system.id, str(error))


# ----- fleet ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FleetRequest:
    models: tuple[str, ...]  # "model=share"
    weights: tuple[str, ...]
    rps: float
    input_tokens: float
    output_tokens: float
    slo: Slo
    engine: str = "auto"
    gpus: tuple[str, ...] = ()
    gpu_counts: tuple[int, ...] = DEFAULT_GPU_COUNTS
    providers: tuple[str, ...] = ()
    tiers: tuple[str, ...] = DEFAULT_TIERS
    price_files: tuple[Path, ...] = field(default=())
    num_ctx: int | None = None  # Ollama's num_ctx / llama.cpp's -c, where a pool runs them
    budget: Budget = field(default_factory=Budget)  # a verdict on the cheaper fleet
    host_ram_gb: float | None = None  # each machine's RAM for a llama.cpp/Ollama GPU/CPU split
    # requests that stop at end-of-sequence: the tokens each generates on average, below
    # output_tokens (then their cap); None: each generates output_tokens
    mean_output_tokens: float | None = None


def parse_shares(
    texts: Sequence[str],
    formats: Sequence[str],
    problems: list[str],
    engine: str = "",
    systems: Sequence[GpuSystem] = (),
) -> list[ModelShare]:
    shares: list[ModelShare] = []
    seen: dict[str, str] = {}  # model id -> the text that named it first
    for text in texts:
        name, _, share_text = text.rpartition("=")
        try:
            share = float(share_text)
        except ValueError:
            problems.append(f"write each model as MODEL=SHARE (e.g. llama-2-13b=0.7), got {text!r}")
            continue
        found = collect(problems, lambda n=name: resolve_model(n))  # type: ignore[misc]
        if found is not None and found.id in seen:
            problems.append(
                f"{found.id} is named twice ({seen[found.id]!r} and {text!r}): one pool serves "
                "a model, so give it once with its shares added"
            )
        elif found is not None:
            seen[found.id] = text
        own = weight_format_ids(formats, problems, name, engine, systems) if engine else formats
        shares.append(ModelShare(name, share, tuple(own)))
    return shares


OPTION_WORDS = "is an Ollama/llama.cpp option"  # num_ctx_problems' engine refusal


def _fleet_num_ctx_problems(
    request: FleetRequest, shares: Sequence[ModelShare], systems: Sequence[GpuSystem]
) -> list[str]:
    """--num-ctx for a fleet: each model's context limits; refused as an engine option only
    when no model runs Ollama/llama.cpp (a vLLM pool beside an Ollama one ignores it)."""
    context_tokens = int(round(request.input_tokens + request.output_tokens))
    found = [
        num_ctx_problems(request.num_ctx, request.engine, share.model, systems, context_tokens)
        for share in shares
    ]
    others = [p for each in found for p in each if OPTION_WORDS not in p]
    if found and all(any(OPTION_WORDS in p for p in each) for each in found):
        return [next(p for p in found[0] if OPTION_WORDS in p), *others]
    return others


def run_fleet(request: FleetRequest) -> FleetPlan:
    """Mixed fleet (each model on its cheapest pool) vs the cheapest single-type fleet."""
    problems: list[str] = []
    formats = [w for w in request.weights if not is_auto(w)]
    formats = weight_format_ids(formats, problems) if formats else ["fp16"]
    systems = on_host(candidate_systems(request.gpus, request.gpu_counts, problems), request)
    shares = parse_shares(request.models, request.weights, problems, request.engine, systems)
    problems += share_problems(shares) + share_rate_problems(shares, request.rps)
    template = Workload(
        "",
        formats[0] if formats else "fp16",
        request.rps,
        request.input_tokens,
        request.output_tokens,
        request.engine,
        num_ctx=request.num_ctx,
    ).stopping_early(request.mean_output_tokens)
    problems += template.problems() + request.slo.problems()
    problems += _fleet_num_ctx_problems(request, shares, systems)
    problems += request.budget.problems()
    offers = select_offers(request.providers, request.tiers, problems, request.price_files)
    if problems:
        raise InvalidRequestError(distinct(problems))
    fleet = plan_fleet(shares, template, planning_slo(request.slo), systems, offers)
    return fleet_within_budget(fleet, request.budget)


def provenance(workload: str = "llm") -> dict[str, str]:
    """Which models produced the predicted numbers (for every JSON document of this area): the
    LLM step times and the serving simulator for serving, the image or training model for
    those workloads, none for plain renting."""
    common = {
        "calibration_version": current_calibration().version,
        "prices": "catalog price snapshots (provider, tier, observed_date, source per row)",
        "power": "TDP × GPUs unless a measured figure is given (then labelled measured)",
    }
    if workload == "image":
        return {"image_times": DIFFUSION_MODEL_NAME, **common}
    if workload == "training":
        return {"step_times": TRAINING_MODEL_NAME, **common}
    if workload == "rent":
        return {"prices": common["prices"]}
    return {
        "step_times": MODEL_NAME,
        "simulator": "gpuatlas.serving-des/1 (continuous batching, FIFO, random routing)",
        **common,
    }
