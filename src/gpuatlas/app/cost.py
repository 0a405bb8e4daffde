"""`cost`: renting cost per offer, and the cost of work (tokens, images, training runs) from
each system's own predicted speed, ranked with a winner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field

from gpuatlas.app.documents import plain, versioned
from gpuatlas.app.economics_requests import (
    CostRequest,
    candidate_systems,
    image_weights,
    provenance,
    run_cost,
    weight_format_ids,
)
from gpuatlas.app.fit import FitRequest, fit_answer, one_unified_device
from gpuatlas.app.predict import format_without_offload
from gpuatlas.app.requests import (
    CHECKED_MINIMUM,
    CHECKED_POSITIVE,
    HOST_RAM_HELP,
    NUM_CTX_HELP,
    PARALLEL_HELP,
    LatencyTargets,
    OfferChoice,
    TextList,
    TrainingFrameworkChoice,
    mean_output_tokens_field,
    serving_engine_field,
)
from gpuatlas.catalog.model_weights import native_weights
from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.budget import Budget
from gpuatlas.economics.ranking import Costed, cost_of
from gpuatlas.economics.serving_engine import is_auto_engine, server_checkpoint
from gpuatlas.economics.slo import MIN_RPS
from gpuatlas.errors import GpuAtlasError
from gpuatlas.numbers import format_number, format_usd
from gpuatlas.performance import api
from gpuatlas.performance.media.diffusion import MIN_RESOLUTION_PX
from gpuatlas.performance.predictions import DiffusionPrediction
from gpuatlas.performance.resolve import as_format
from gpuatlas.performance.training.engines import training_engine
from gpuatlas.performance.training.speed import framework_notes

if TYPE_CHECKING:
    from gpuatlas.app.economics_requests import CostReport
    from gpuatlas.economics.unit_costs import ServingCost

SCHEMA_ANSWER = "cost"
MAX_HOURS = 876_000.0  # 100 years: a longer rental is a typo ('1e308' was priced at $7.4e307)
UTILIZATION_HELP = (
    "Workload llm: price one replica at this share of its full-load rate (as compare gives "
    "it) instead of the latency targets (none: the highest rate within them, as plan sizes "
    "replicas)."
)
RPS_HELP = (
    "Workload llm: a traffic in requests per second; each system is sized with the fewest "
    "replicas that serve it within the latency targets, as plan sizes them."
)


class RentingCostRequest(TrainingFrameworkChoice, LatencyTargets, OfferChoice):
    """What to price (the defaults of `gpuatlas cost`). Limits are checked by the economics
    layer, which reports every problem at once."""

    gpus: TextList = Field(
        default_factory=list,
        max_length=50,
        description="GPUs or systems; none: every GPU with an offer "
        "(needs a model and a workload).",
    )
    model: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Model for serving, image or training costs.",
    )
    weights: str = Field(
        "auto",
        min_length=1,
        max_length=40,
        description="Weight format; auto: the checkpoint's own.",
    )
    engine: str = serving_engine_field()
    workload: str = Field(
        "rent", min_length=1, max_length=20, description="rent | llm | image | training."
    )
    input_tokens: int = Field(
        512, json_schema_extra=CHECKED_MINIMUM, description="Prompt tokens per request."
    )
    output_tokens: int = Field(
        256, json_schema_extra=CHECKED_MINIMUM, description="Output tokens per request."
    )
    mean_output_tokens: float | None = mean_output_tokens_field()
    utilization: float | None = Field(
        None,
        json_schema_extra={**CHECKED_POSITIVE, "maximum": 1},
        description=UTILIZATION_HELP,
    )
    rps: float | None = Field(
        None,
        le=100_000,
        json_schema_extra={"minimum": MIN_RPS},
        description=RPS_HELP,
    )
    train_tokens: float = Field(0.0, description="Training token budget (workload training).")
    method: str = Field(
        "full", min_length=1, max_length=20, description="Training method: full, lora, qlora."
    )
    resolution: int | None = Field(
        None,
        json_schema_extra={"minimum": MIN_RESOLUTION_PX},
        description="Image side in px (workload image).",
    )
    steps: int | None = Field(
        None, json_schema_extra=CHECKED_MINIMUM, description="Denoising steps (workload image)."
    )
    hours: float = Field(
        24.0,
        le=MAX_HOURS,
        json_schema_extra={"minimum": 0},
        description="Job length for the rental cost (h).",
    )
    days: float = Field(
        30.0,
        le=MAX_HOURS / 24,
        json_schema_extra={"minimum": 0},
        description="Service length for the rental cost (days, 24 h).",
    )
    num_ctx: int | None = Field(None, ge=1, le=100_000_000, description=NUM_CTX_HELP)
    parallel: int | None = Field(None, ge=1, le=4096, description=PARALLEL_HELP)
    host_ram_gb: float | None = Field(None, gt=0, le=1_000_000, description=HOST_RAM_HELP)
    max_usd_per_hour: float | None = Field(
        None,
        le=1_000_000,
        json_schema_extra=CHECKED_POSITIVE,
        description="Budget: only offers costing at most this many USD per hour in total.",
    )
    max_usd_per_month: float | None = Field(
        None,
        le=1_000_000_000,
        json_schema_extra=CHECKED_POSITIVE,
        description="Budget: only offers costing at most this many USD per month (730 h).",
    )


def cost_report(request: RentingCostRequest, price_files: Sequence[Path] = ()) -> CostReport:
    """Every offer's costs and, for work, one ranked line per system (the CLI's tables)."""
    return run_cost(
        CostRequest(
            tuple(request.gpus),
            request.model,
            request.weights,
            request.engine,
            request.workload,
            request.input_tokens,
            request.output_tokens,
            request.slo(),
            request.utilization,
            request.train_tokens,
            request.method,
            request.resolution,
            request.steps,
            request.hours,
            request.days,
            tuple(request.providers),
            tuple(request.tiers),
            tuple(price_files),
            request.framework,
            request.num_ctx,
            Budget(request.max_usd_per_hour, request.max_usd_per_month),
            request.parallel,
            request.rps,
            request.host_ram_gb,
            request.mean_output_tokens,
        )
    )


SECONDS_PER_DAY = 86_400


def daily_volume_note(report: CostReport) -> str:
    """For an LLM ranking: the output tokens a day the winner's $/1M assumes (its sustained
    rate around the clock), and what less traffic costs (the hours are paid all the same), so a
    '1M tokens a day' question is not answered with a saturated GPU's price per token."""
    if not report.ranking or not report.serving or report.rps is not None:
        return ""  # a stated traffic already fixes the volume
    winner = report.ranking[0]
    serving = next((s for s in report.serving if s.system_id == winner.system_id), None)
    if serving is None:
        return ""
    copies = winner.best_offer.systems
    per_day = serving.sustained.output_tok_s * copies * SECONDS_PER_DAY
    usd_per_day = winner.best_offer.usd_per_hour * 24
    where = f"{copies} copies of {winner.system_id}" if copies > 1 else winner.system_id
    return (
        f"that price assumes ~{format_number(per_day / 1e6)}M output tokens a day on "
        f"{where}; with less traffic the rental is the same "
        f"({format_usd(usd_per_day)}/day), so the price per token rises: for a daily volume, "
        "--rps sizes and prices it (as `gpuatlas plan --rps`)"
    )


def full_load_note(report: CostReport) -> str:
    """The winner's price per 1M output tokens at full load (`full_load_serving`, the figure
    `compare` prices), labelled as such: a floor no latency target allows; when the winner's
    rate within the target is already its full-load rate, that its price is the full-load one."""
    if not report.ranking or not report.serving:
        return ""
    winner = report.ranking[0]
    row = next(
        (
            s
            for s in report.serving
            if s.system_id == winner.system_id and s.price == winner.best_offer
        ),
        None,
    )
    if row is None or row.usd_per_million_output_tokens_at_saturation is None:
        return ""
    sustained = row.sustained
    if sustained.replicas == 1 and sustained.output_tok_s >= sustained.full_load_tok_s:
        return (
            f"{winner.system_id} already serves its full-load rate within the target "
            f"({format_number(sustained.full_load_tok_s)} output tok/s, {FULL_LOAD_BASIS}): "
            "the price above is the full-load price, as `gpuatlas compare` gives it"
        )
    return (
        f"at full load ({format_number(row.sustained.full_load_tok_s)} output tok/s, "
        f"{FULL_LOAD_BASIS}) {winner.system_id} would cost "
        f"{format_usd(row.usd_per_million_output_tokens_at_saturation)} per 1M output tokens, "
        "as `gpuatlas compare` prices it"
    )


def unnamed_variant_notes(report: CostReport) -> list[str]:
    """One line per ranked system with a cheaper offer whose GPU variant the provider does not
    name: it was passed over (`named_variant_first`, as `compare` prices a system), and where
    to see it, so the ranking's 'cheapest offer' is not read as the cheapest listed."""
    notes = []
    costed: list[Costed] = [*report.serving, *report.jobs]
    for line in report.ranking:
        passed_over = [
            item
            for item in costed
            if item.system_id == line.system_id
            and item.price.gpu_match == "assumed"
            and cost_of(item).value < line.best.value
        ]
        if line.best_offer.gpu_match == "exact" and passed_over:
            cheapest = min(passed_over, key=lambda item: cost_of(item).value)
            notes.append(
                f"{line.system_id}: offers whose GPU variant the provider does not name are "
                f"passed over, as `gpuatlas compare` does (cheapest: {cheapest.price.label} at "
                f"{format_usd(cheapest.price.usd_per_gpu_hour)}/GPU-h); --details lists them"
            )
    return notes


# What `cost` and `compare` both call full load (economics.full_load.full_load_serving).
FULL_LOAD_BASIS = (
    "the serving model with as many requests in flight as the engine holds, the queue "
    "growing without bound"
)


def offload_notes(report: CostReport) -> list[str]:
    """One line per system whose llama.cpp/Ollama runs the model partly on the CPU (its cost
    is that slow split's, one request at a time), with the split and how to avoid it."""

    def note(row: ServingCost) -> str:
        sustained = row.sustained
        if not sustained.offload:
            return ""
        return (
            f"{row.system_id} runs {sustained.engine} partly on the CPU, one request at a "
            f"time: {sustained.offload}"
        )

    return _one_note_per_system(report, note)


def image_offload_notes(report: CostReport, request: RentingCostRequest) -> list[str]:
    """One line per system whose image job offloads the denoiser to the CPU because it does
    not fit whole (its cost is that slow run's), with the smaller format that fits, if any
    (`--weights` prices it)."""
    weights = image_weights(request.weights, request.model)
    notes: dict[str, str] = {}
    for job in report.jobs:
        if not job.offload or job.system_id in notes:
            continue
        seconds = job.hours.value * 3600.0
        note = (
            f"{job.system_id} offloads {request.model} in {weights} to the CPU ({job.offload} "
            f"offload: it does not fit whole), {format_number(seconds, 's')} per image"
        )
        notes[job.system_id] = note + _fitting_format(job.system_id, request, weights)
    return list(notes.values())


def _fitting_format(system_id: str, request: RentingCostRequest, weights: str) -> str:
    """'; fp8 fits whole: 7.56 s per image (--weights fp8)', or '' where no smaller format of
    those people load a big denoiser in runs without the offload."""
    system = resolve_system(system_id)
    engine = "diffusers" if is_auto_engine(request.engine) else request.engine

    def predict(format_id: str) -> DiffusionPrediction:
        return api.predict_diffusion(
            system,
            request.model or "",
            resolution=request.resolution,
            steps=request.steps,
            engine=engine,
            weights=format_id,
        )

    found = format_without_offload(predict, weights)
    if found is None:
        return ""
    format_id, smaller = found
    time = format_number(smaller.s_per_image.value, "s")
    return f"; {format_id} fits whole: {time} per image (--weights {format_id})"


def shared_instance_notes(report: CostReport) -> list[str]:
    """One line per ranked system whose cheapest offer rents an instance whole with room for
    several copies of it, when no traffic was stated: its price per unit assumes every copy
    works (`offer_costs.filled_instance_price`), and one copy alone pays for the idle GPUs."""
    sized = {row.system_id for row in report.serving if row.sustained.sized_for_traffic}
    notes = []
    for line in report.ranking:
        offer = line.best_offer
        if offer.systems < 2 or line.system_id in sized:
            continue
        gpus = offer.gpus_per_instance // offer.systems
        notes.append(
            f"{line.system_id} on {offer.label}: the price assumes the instance runs "
            f"{offer.systems} copies of the {gpus}-GPU setup at once, each at its own modelled "
            f"speed; one copy alone pays for all {offer.gpus_per_instance} GPUs "
            f"({offer.systems}x the price {per_unit_words(line.metric)})"
        )
    return notes


def per_unit_words(metric: str) -> str:
    """'$/1M output tokens' -> 'per 1M output tokens'; '$ per image' -> 'per image'."""
    return "per " + metric.removeprefix("$").strip().removeprefix("/").removeprefix("per ").strip()


def layout_notes(report: CostReport) -> list[str]:
    """One line per multi-GPU system: the layout it serves the model in (replicas of a GPU
    group when the model fits one, tensor parallel when it must: `full_load.layout_group`, as
    `compare` and `predict serving` have it), whose replicas together give its rates."""

    def note(row: ServingCost) -> str:
        sustained = row.sustained
        if not sustained.layout:
            return ""
        several = sustained.engines > 1
        together = ": its rates and prices are the replicas' together" if several else ""
        return (
            f"{row.system_id} serves the model as {sustained.layout}, its best layout (as "
            f"`gpuatlas compare` and `predict serving` have it){together}"
        )

    return _one_note_per_system(report, note)


def _one_note_per_system(report: CostReport, note_of: Callable[[ServingCost], str]) -> list[str]:
    """The first non-empty note of each system's serving rows, in the rows' order."""
    notes: dict[str, str] = {}
    for row in report.serving:
        text = note_of(row)
        if text and row.system_id not in notes:
            notes[row.system_id] = text
    return list(notes.values())


SERVER_ENGINE_MIN_SAVING = 0.10  # a server-engine price at least 10 % lower is worth a note


def server_engine_note(
    request: RentingCostRequest, report: CostReport, price_files: Sequence[Path] = ()
) -> str:
    """For LLM serving of an Ollama tag or a GGUF with `--engine auto` (the tag fixes the
    engine to Ollama/llama.cpp and its few sequences per GPU): the winner's price on the
    model's Hub checkpoint with each GPU's serving engine (vLLM), in the cheapest of the formats
    `plan` weighs for it (its native format, FP8, AWQ: `server_formats`), when it is at least
    10 % lower, and the options that ask for it; '' otherwise."""
    if request.workload != "llm" or request.model is None or not report.ranking:
        return ""
    server_model = server_checkpoint(request.model)
    if server_model is None or not is_auto_engine(request.engine):
        return ""
    server = _cheapest_server_report(request, server_model, price_files)
    if server is None:
        return ""
    mine, best = report.ranking[0], server.ranking[0]
    if best.best.value > mine.best.value * (1.0 - SERVER_ENGINE_MIN_SAVING):
        return ""
    served = next(s.sustained for s in server.serving if s.system_id == best.system_id)
    own = next(s.sustained for s in report.serving if s.system_id == mine.system_id)
    native = native_weights(resolve_model_reference(server_model)).format_id
    option = f"--model {server_model}" + (
        "" if served.weights == native else f" --weights {served.weights}"
    )
    return (
        f"with a server engine, {server_model} {served.weights} on {served.engine} costs "
        f"{format_usd(best.best.value)} per 1M output tokens on {best.system_id} "
        f"({best.best_offer.label}), {mine.best.value / best.best.value:,.1f}× less than "
        f"{request.model} on {own.engine or request.engine} ({format_usd(mine.best.value)} on "
        f"{mine.system_id}): {option}"
    )


def server_formats(request: RentingCostRequest, server_model: str) -> list[str]:
    """The formats `plan --weights auto` weighs for the Hub checkpoint over the named GPUs (all
    GPUs when none): its native format, then FP8 and AWQ where an engine `auto` picks loads
    them (`economics_requests.weight_format_ids`, plan's own choice)."""
    problems: list[str] = []
    systems = candidate_systems(request.gpus, (1,), problems)
    formats = weight_format_ids(["auto"], problems, server_model, "auto", systems)
    return formats if formats and not problems else []


def _cheapest_server_report(
    request: RentingCostRequest, server_model: str, price_files: Sequence[Path]
) -> CostReport | None:
    """The cost ranking of the Hub checkpoint in the format whose winner is cheapest among
    `server_formats` (the first format on a tie); None when none ranks."""
    best: CostReport | None = None
    for weights in server_formats(request, server_model):
        update = {"model": server_model, "weights": weights, "num_ctx": None, "parallel": None}
        try:
            found = cost_report(request.model_copy(update=update), price_files)
        except GpuAtlasError:
            continue
        if found.ranking and (
            best is None or found.ranking[0].best.value < best.ranking[0].best.value
        ):
            best = found
    return best


def memory_way_outs(request: RentingCostRequest, report: CostReport) -> tuple[str, ...]:
    """For LLM serving, each named system left out on memory: the fewest of its GPUs that hold
    the model in the format asked for (as `gpuatlas fit` counts them) and the first smaller
    format that fits it alone, as the options that ask for them."""
    if request.workload != "llm" or request.model is None:
        return ()
    found: list[str] = []
    for line in report.cannot_run:
        if line.reason.startswith("memory"):
            found.append(_way_out(request, line.system_id))
    return tuple(text for text in found if text)


def _way_out(request: RentingCostRequest, system_id: str) -> str:
    fit = FitRequest.model_validate(
        {
            "system": system_id,
            "model": request.model,
            "weights": [] if request.weights == "auto" else [request.weights],
            "engine": request.engine,
            "context_tokens": request.input_tokens + request.output_tokens,
        }
    )
    try:
        answer = fit_answer(fit)
        smaller = fit_answer(fit.model_copy(update={"weights": []})).rows
    except GpuAtlasError:
        return ""
    ways: list[str] = []
    needed = answer.detail.min_gpus_needed
    count = resolve_system(system_id).gpu_count
    if needed is not None and needed > count and not one_unified_device(system_id):
        gpu = resolve_system(system_id).gpu.id
        ways.append(f"{needed} GPUs in {answer.weights.format_id} (--gpu '{needed}x {gpu}')")
    asked_bits = as_format(answer.weights.format_id).bits_per_weight
    fitting = [r for r in smaller if r.fits and as_format(r.format_id).bits_per_weight < asked_bits]
    if fitting:
        ways.append(f"{fitting[0].format_id} on {system_id} (--weights {fitting[0].format_id})")
    return f"{system_id}: fits on {' or '.join(ways)}" if ways else ""


def training_framework_note(request: RentingCostRequest) -> str:
    """For a training ranking: which framework's calibrated level priced it ('framework:
    Unsloth; no packaged measurements of its own: predicted at the calibrated level of PyTorch
    (FSDP / DDP)'), as `predict train` says it; '' for other work."""
    if request.workload != "training":
        return ""
    return framework_notes(training_engine(request.framework).id)[0]


def cost_document(request: RentingCostRequest, price_files: Sequence[Path] = ()) -> dict[str, Any]:
    """``gpuatlas.cost/2``: the request, provenance, every offer's rental costs (``rentals``),
    serving and job costs, the ranking and its ``winner`` (null for plain renting), and notes;
    for LLM serving, ``slo`` and ``slo_text`` (the targets each system was sized for, as
    `plan` sizes replicas: the user's or the default p95 TTFT, ``slo.default_ttft``; null with
    ``utilization``), ``rps`` (the traffic sized for, null: one replica at its highest rate),
    each serving row's ``usd_per_million_output_tokens_at_saturation`` (full load, as
    `compare` prices it), ``volume_note`` (the daily volume the winner's price assumes) and
    ``memory_way_outs`` (when nothing ranks: GPU counts or smaller formats that hold it) and
    ``unnamed_variant_notes`` (cheaper offers of an unnamed GPU variant the ranking passed over),
    ``layout_notes`` (the layout each multi-GPU system serves in; also each serving row's
    ``sustained.layout``), ``image_offload_notes`` (image jobs whose denoiser runs partly on
    the CPU, with the smaller format that fits; each job's ``offload``),
    ``shared_instance_notes`` (an instance rented whole priced with every GPU at work: each
    offer's ``systems`` copies, ``usd_per_system_hour`` one copy's share).
    Money in USD. ``price_files`` (extra price CSVs) is for the CLI only."""
    report = cost_report(request, price_files)
    body = plain(report)
    body["slo_text"] = report.slo.describe() if report.slo is not None else None
    body["rentals"] = body.pop("durations")
    body["winner"] = body["ranking"][0] if body["ranking"] else None
    if request.workload == "llm":
        body["volume_note"] = daily_volume_note(report) or None
        body["server_engine_note"] = server_engine_note(request, report, price_files) or None
        body["memory_way_outs"] = [] if report.ranking else list(memory_way_outs(request, report))
    if request.workload == "training":
        body["framework_note"] = training_framework_note(request)
    if request.workload == "image":
        body["image_offload_notes"] = image_offload_notes(report, request)
    body["unnamed_variant_notes"] = unnamed_variant_notes(report)
    body["layout_notes"] = layout_notes(report)
    body["shared_instance_notes"] = shared_instance_notes(report)
    return versioned(
        SCHEMA_ANSWER,
        {"request": request.model_dump(), "provenance": provenance(request.workload), **body},
    )
