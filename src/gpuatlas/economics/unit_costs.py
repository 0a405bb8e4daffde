"""Cost of work on one system and offer: $/1M output tokens, $/request, $/image, $/training run.

Serving costs come from the system's own sustainable rate, under the same targets `plan`
sizes replicas for (`slo.planning_slo`: the user's, or the default p95 TTFT): the highest req/s
one replica serves within them, or, for a stated traffic, the fewest replicas that serve it
within them (`serving_candidate.fewest_replicas`, plan's own function). A share of saturation
is used only when the user asks for one (--utilization); the cost at saturation (full load,
queue unbounded) is a separate, labelled figure. The estimator's band on serving throughput
carries through to the cost as {value, low, high}.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.full_load import full_load_serving
from gpuatlas.economics.offer_costs import (
    OfferPrice,
    filled_instance_price,
    offer_price,
    usd_for_days,
    usd_for_hours,
    usd_per_gb_vram_hour,
    usd_per_million_tokens,
    usd_per_request,
)
from gpuatlas.economics.power import PowerDraw, kwh_per_million, tdp_power, work_per_joule
from gpuatlas.economics.serving_candidate import (
    Assessment,
    Latency,
    ServingRun,
    Slo,
    SourceFactory,
    Workload,
    assess,
    estimator_source,
    fewest_replicas,
    one_replica_run,
    run_replicas,
)
from gpuatlas.economics.slo import planning_slo
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.numbers import format_number
from gpuatlas.performance import api
from gpuatlas.performance.predictions import Estimate, TrainingPrediction

RATE_SEARCH_STEPS = 8


@dataclass(frozen=True)
class SustainedServing:
    """What one replica of a configuration sustains (each of `replicas` when a traffic was
    stated), and how that was decided."""

    system_id: str
    weights: str
    rps: float  # per replica
    output_tok_s: float  # per replica
    basis: str
    latency: Latency
    max_batch: int
    single_stream_tok_s: float
    band: Estimate  # the estimator's serving-throughput estimate (its band and provenance)
    engine: str = ""  # the engine it runs with ('auto' resolved for this system)
    offload: str = ""  # llama.cpp/Ollama's own GPU/CPU split when one sequence does not fit
    replicas: int = 1  # replicas serving the stated traffic (1 without one)
    saturation_rps: float = 0.0  # one replica's saturated rate (full load, queue unbounded)
    # the system's output tok/s at full load (full_load.full_load_serving, as `compare` prices
    # it; 0: no figure)
    full_load_tok_s: float = 0.0
    # how the system serves the model: '2 replicas of 1 GPU each' ('' for one GPU), the layout
    # the rates above are simulated in and `full_load_tok_s` is given for
    layout: str = ""
    engines: int = 1  # engine replicas in the system (2 for '2 replicas of 1 GPU each')
    sized_for_traffic: bool = False  # `replicas` serve a stated traffic (--rps)

    def tokens_per_s_band(self, copies: int | None = None) -> tuple[float, float]:
        """Low and high output tok/s of every replica together (of `copies` of the system
        when given: an instance rented whole filled with them)."""
        count = self.replicas if copies is None else copies
        scale = self.output_tok_s * count / self.band.value
        return self.band.low * scale, self.band.high * scale


def serving_targets(slo: Slo, utilization: float | None = None) -> Slo:
    """The targets a serving cost is sized for: plan's (`planning_slo`: the user's, with the
    default p95 TTFT when none bounds the queue); none when the user prices a share of
    saturation instead (`utilization`)."""
    return slo if utilization is not None else planning_slo(slo)


def _rate_meeting(found: Assessment, workload: Workload, slo: Slo) -> ServingRun | None:
    """The highest rate (bisection below the closed-form bound) whose p95s meet the targets on
    one replica, modelled as plan models it (`one_replica_run`)."""
    low_rps, high_rps, best = 0.0, found.capacity_bound_rps, None
    for _ in range(RATE_SEARCH_STEPS):
        middle = (low_rps + high_rps) / 2
        run = one_replica_run(found, workload.with_rate(middle), slo)
        if run.meets_slo:
            low_rps, best = middle, run
        else:
            high_rps = middle
    return best


def sustained_serving(
    system: GpuSystem,
    workload: Workload,
    slo: Slo,
    utilization: float | None = None,
    source_factory: SourceFactory = estimator_source,
    rps: float | None = None,
) -> SustainedServing | Assessment:
    """One replica's sustainable rate within `serving_targets` (or the Assessment saying why
    it cannot serve): the highest rate one replica serves within them; with `rps`, the fewest
    replicas that serve that traffic within them (plan's `fewest_replicas`); with
    `utilization`, that share of its full-load rate (`full_load_serving`, as `compare` gives
    it)."""
    targets = serving_targets(slo, utilization)
    offered = workload if rps is None else workload.with_rate(rps)
    found = assess(system, offered, targets, source_factory)
    if found.status != "ok" or found.steps is None:
        return found
    engine = found.engine or workload.engine
    full_load_tok_s = _full_load_of(found, system, workload, engine)
    if utilization is not None:
        full_load_rps = full_load_tok_s / workload.output_tokens or found.saturation_rps
        run = run_replicas(found, workload.with_rate(utilization * full_load_rps), targets, 1)
        basis = f"{utilization:.0%} of its full-load throughput (--utilization)"
    elif rps is not None:
        sized = fewest_replicas(found, offered, targets)
        if sized.status != "ok" or sized.run is None:
            return sized
        run = sized.run
        basis = (
            f"the fewest replicas serving {format_number(rps)} req/s within {targets.describe()}"
        )
    else:
        best = _rate_meeting(found, workload, targets)
        if best is None:
            return Assessment(
                system, workload.weights, "latency", f"no rate meets {targets.describe()}"
            )
        run = best
        basis = f"the highest rate one replica serves within {targets.describe()}"
    served_rps = run.per_replica_rps
    if rps is None and utilization is None and full_load_tok_s > 0:
        served_rps = min(served_rps, full_load_tok_s / workload.output_tokens)
        basis += ", never above its full-load rate"
    return SustainedServing(
        system_id=system.id,
        weights=workload.weights,
        rps=served_rps,
        output_tok_s=served_rps * workload.output_tokens,
        basis=basis,
        latency=run.latency,
        max_batch=found.max_batch,
        single_stream_tok_s=1.0 / float(found.steps.decode_step_s[1]),
        band=_serving_band(system, workload, engine, found),
        engine=engine,
        offload=found.offload,
        replicas=run.replicas,
        saturation_rps=found.saturation_rps,
        full_load_tok_s=full_load_tok_s,
        layout=found.layout_description,
        engines=found.engines,
        sized_for_traffic=rps is not None,
    )


def _full_load_of(found: Assessment, system: GpuSystem, workload: Workload, engine: str) -> float:
    """The system's full-load output tok/s (`full_load_serving`, the figure `compare` prices;
    an engine's own GPU/CPU split serves one request at a time, as compare says); 0 when the
    serving model has none for it."""
    if found.offload and found.steps is not None:
        return 1.0 / float(found.steps.decode_step_s[1])
    try:
        return full_load_serving(
            system,
            workload.model,
            workload.weights,
            engine,
            input_tokens=int(workload.input_tokens),
            output_tokens=int(workload.output_length),
            num_ctx=workload.num_ctx,
            parallel=workload.parallel,
            mean_output_tokens=workload.output_tokens if workload.output_cap else None,
        ).output_tok_s.value
    except GpuAtlasError:
        return 0.0


def _serving_band(
    system: GpuSystem, workload: Workload, engine: str, found: Assessment
) -> Estimate:
    """The estimator's serving throughput in the layout simulated (`found.layout`: replicas of
    a GPU group, else one replica over the system)."""
    several = found.layout is not None and found.layout.replicas > 1
    return api.serving_throughput(
        system,
        workload.model,
        workload.weights,
        engine,
        concurrency="max",
        input_tokens=int(workload.input_tokens),
        output_tokens=int(workload.output_tokens),
        layout="auto" if several else "tensor",
    )


def _cost_estimate(value: float, low: float, high: float, unit: str, band: Estimate) -> Estimate:
    return Estimate(
        value,
        low,
        high,
        unit,
        f"gpuatlas.cost/1 over {band.model}",
        band.calibration_version,
        band.extrapolated,
    )


@dataclass(frozen=True)
class ServingCost:
    """A system on one offer serving a workload at its own sustainable rate (on
    `sustained.replicas` replicas when a traffic was stated)."""

    system_id: str
    gpu_count: int
    price: OfferPrice  # every replica together
    usd_per_gb_vram_hour: float
    sustained: SustainedServing
    usd_per_million_output_tokens: Estimate
    usd_per_request: float
    usd_per_million_tokens_single_stream: float
    power: PowerDraw | None  # None: no TDP in the catalog, so no energy figures
    output_tokens_per_joule: float | None
    kwh_per_million_output_tokens: float | None
    # full load (full_load_tok_s, as `compare` prices it), the queue grows without bound
    # (None: no rate)
    usd_per_million_output_tokens_at_saturation: float | None = None


def serving_cost(
    system: GpuSystem, offer: PriceSnapshot, sustained: SustainedServing
) -> ServingCost:
    """$/1M output tokens (with the band), $/request, single-stream cost, energy; the price of
    every replica over the tokens of every replica, and one copy's share of the price at full
    load (`full_load_serving`, the figure `compare` prices). With no traffic stated, an instance
    rented whole runs as many copies of the system as it holds (`filled_instance_price`), so
    its GPUs are not paid for idle; a stated traffic is served by its sized replicas."""
    filled = filled_instance_price(offer, system.gpu_count)
    price = (
        offer_price(offer, system.gpu_count, sustained.replicas)
        if sustained.sized_for_traffic
        else filled
    )
    copies = price.systems
    output_tok_s = sustained.output_tok_s * copies
    tokens_low, tokens_high = sustained.tokens_per_s_band(copies)
    per_million = _cost_estimate(
        usd_per_million_tokens(price.usd_per_hour, output_tok_s),
        usd_per_million_tokens(price.usd_per_hour, tokens_high),
        usd_per_million_tokens(price.usd_per_hour, tokens_low),
        "$/1M output tokens",
        sustained.band,
    )
    saturated_tok_s = sustained.full_load_tok_s
    power = tdp_power(system)
    return ServingCost(
        system_id=system.id,
        gpu_count=system.gpu_count,
        price=price,
        usd_per_gb_vram_hour=usd_per_gb_vram_hour(offer.usd_per_gpu_hour, system.gpu),
        sustained=sustained,
        usd_per_million_output_tokens=per_million,
        usd_per_request=usd_per_request(price.usd_per_hour, sustained.rps * copies),
        usd_per_million_tokens_single_stream=usd_per_million_tokens(
            filled.usd_per_system_hour, sustained.single_stream_tok_s
        ),
        power=power,
        output_tokens_per_joule=None
        if power is None
        else work_per_joule(sustained.output_tok_s, power.draw_w),
        kwh_per_million_output_tokens=None
        if power is None
        else kwh_per_million(sustained.output_tok_s, power.draw_w),
        usd_per_million_output_tokens_at_saturation=usd_per_million_tokens(
            filled.usd_per_system_hour, saturated_tok_s
        )
        if saturated_tok_s > 0
        else None,
    )


def cost_per_million_tokens(
    system: GpuSystem,
    model: str,
    weights: str,
    offer: PriceSnapshot,
    *,
    engine: str = "vllm",
    input_tokens: int = 512,
    output_tokens: int = 256,
    slo: Slo | None = None,
    utilization: float | None = None,
) -> ServingCost:
    """Convenience for reports: one system, one offer, one workload → its serving cost."""
    workload = Workload(model, weights, 1.0, input_tokens, output_tokens, engine)
    sustained = sustained_serving(system, workload, slo or Slo(), utilization)
    if isinstance(sustained, Assessment):
        raise InvalidRequestError(
            [f"{system.label} {weights}: {sustained.status}: {sustained.reason}"]
        )
    return serving_cost(system, offer, sustained)


# ----- time-priced jobs ------------------------------------------------------------------------


@dataclass(frozen=True)
class DurationCost:
    """Renting a system for a job or a service: the seed's 24-hour fine-tune, 30 days serving."""

    system_id: str
    price: OfferPrice
    usd_per_gb_vram_hour: float
    hours: float
    usd_for_hours: float
    days: float
    usd_for_days: float


def duration_cost(
    system: GpuSystem, offer: PriceSnapshot, hours: float, days: float
) -> DurationCost:
    price = offer_price(offer, system.gpu_count)
    return DurationCost(
        system_id=system.id,
        price=price,
        usd_per_gb_vram_hour=usd_per_gb_vram_hour(offer.usd_per_gpu_hour, system.gpu),
        hours=hours,
        usd_for_hours=usd_for_hours(price.usd_per_hour, hours),
        days=days,
        usd_for_days=usd_for_days(price.usd_per_hour, days),
    )


@dataclass(frozen=True)
class JobCost:
    """A job whose length the estimator predicts (a training run, an image)."""

    system_id: str
    price: OfferPrice
    work: str
    hours: Estimate
    usd: Estimate
    work_per_joule: float | None
    power: PowerDraw | None  # None: no TDP in the catalog
    # an image job whose denoiser does not fit whole: how it offloads ('sequential', 'model',
    # 'partial'), '' when it runs on the GPU alone
    offload: str = ""


def _priced(hours: Estimate, usd_per_hour: float) -> Estimate:
    return Estimate(
        hours.value * usd_per_hour,
        hours.low * usd_per_hour,
        hours.high * usd_per_hour,
        "$",
        f"gpuatlas.cost/1 over {hours.model}",
        hours.calibration_version,
        hours.extrapolated,
        hours.notes,
    )


# (micro-batch, activation recomputation) tried for a training run; the fastest that fits runs
# (`predict train` tries the same, as AUTO_TRAINING_SETUPS)
TRAINING_SETUPS = ((4, False), (4, True), (1, False), (1, True))


@dataclass(frozen=True)
class FittingTraining:
    """A training prediction and the setup (of TRAINING_SETUPS) it was made for."""

    prediction: TrainingPrediction
    micro_batch: int
    recompute: bool
    sharding: str = "none"

    @property
    def setup(self) -> str:
        checkpointing = "on" if self.recompute else "off"
        sharded = ", FSDP sharding" if self.sharding == "fsdp" else ""
        return f"micro-batch {self.micro_batch}, checkpointing {checkpointing}{sharded}"


def fitting_training(
    system: GpuSystem,
    model: str,
    *,
    tokens: float,
    method: str = "full",
    precision: str = "bf16",
    framework: str = "pytorch",
) -> FittingTraining:
    """The prediction for the fastest setup of TRAINING_SETUPS whose memory fits the system
    (the first that fits was taken: micro-batch 4 with recomputation before micro-batch 1
    without, up to 45 % slower, and `predict train` answered otherwise).

    The work (method, tokens, precision) is the same whichever setup runs it; when no setup
    fits, the last InvalidRequestError is raised (it names what would fit)."""
    fitting: list[FittingTraining] = []
    refusal: InvalidRequestError | None = None
    # several GPUs: data-parallel replicas when one fits each GPU, else FSDP (as the comparison
    # report runs them); `cost` has no --sharding, and 8x A100 full fine-tuning was 'cannot run'
    shardings = ("none", "fsdp") if system.gpu_count > 1 else ("none",)
    for sharding in shardings:
        for micro_batch, recompute in TRAINING_SETUPS:
            try:
                prediction = api.predict_training(
                    system,
                    model,
                    tokens=tokens,
                    method=method,
                    precision=precision,
                    micro_batch=micro_batch,
                    recompute=recompute,
                    framework=framework,
                    sharding=sharding,
                )
            except InvalidRequestError as error:
                refusal = error
                continue
            fitting.append(FittingTraining(prediction, micro_batch, recompute, sharding))
        if fitting:
            break
    if not fitting:
        assert refusal is not None, "TRAINING_SETUPS is empty"
        raise refusal
    return max(fitting, key=lambda each: each.prediction.tok_s.value)


def training_run_cost(
    system: GpuSystem,
    model: str,
    offer: PriceSnapshot,
    *,
    tokens: float,
    method: str = "full",
    precision: str = "bf16",
    fitting: FittingTraining | None = None,
    framework: str = "pytorch",
) -> JobCost:
    """$ for training on `tokens` tokens at the system's own predicted speed, in the first
    setup that fits its memory (`fitting_training`; pass `fitting` to reuse one, made for the
    same framework), with the training framework as users write it ('NeMo', 'unsloth')."""
    if fitting is None:
        fitting = fitting_training(
            system, model, tokens=tokens, method=method, precision=precision, framework=framework
        )
    prediction = fitting.prediction
    price = offer_price(offer, system.gpu_count)
    power = tdp_power(system)
    return JobCost(
        system.id,
        price,
        f"training on {tokens:,.0f} tokens ({method}, {fitting.setup}, "
        f"{api.training_framework_name(framework)})",
        prediction.time_for_budget_h,
        _priced(prediction.time_for_budget_h, price.usd_per_hour),
        None if power is None else work_per_joule(prediction.tok_s.value, power.draw_w),
        power,
    )


def image_cost(
    system: GpuSystem,
    model: str,
    offer: PriceSnapshot,
    *,
    resolution: int | None = None,
    steps: int | None = None,
    batch: int = 1,
    engine: str = "diffusers",
    weights: str = "bf16",
) -> JobCost:
    """$ per image at the system's own predicted seconds per image with this image engine and
    the denoiser in `weights` (predict diffusion's default: bf16), on one copy's share of an
    instance rented whole (`filled_instance_price`: every GPU of it makes images)."""
    prediction = api.predict_diffusion(
        system,
        model,
        resolution=resolution,
        steps=steps,
        batch=batch,
        engine=engine,
        weights=weights,
    )
    hours = prediction.s_per_image.scaled(1 / 3600.0, "h")
    price = filled_instance_price(offer, system.gpu_count)
    power = tdp_power(system)
    images_per_s = 1.0 / prediction.s_per_image.value
    return JobCost(
        system.id,
        price,
        f"one image ({prediction.resolution_px}px, {prediction.steps} steps, "
        f"{prediction.weights}, {engine})",
        hours,
        _priced(hours, price.usd_per_system_hour),
        None if power is None else work_per_joule(images_per_s, power.draw_w),
        power,
        prediction.offload if prediction.needs_cpu_offload else "",
    )
