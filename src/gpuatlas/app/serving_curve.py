"""`predict serving-curve`: throughput per GPU against tokens/s per user, and $/1M tokens and
tokens per joule at chosen interactivity levels."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from gpuatlas.app.documents import versioned
from gpuatlas.app.engine_names import engine_fields
from gpuatlas.app.requests import (
    FloatList,
    ServedModelRequest,
    model_reference,
    weights_and_engine,
)
from gpuatlas.catalog.prices import current_prices
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.power import system_power
from gpuatlas.errors import GpuAtlasError
from gpuatlas.numbers import format_number, with_article
from gpuatlas.performance import api
from gpuatlas.performance.llm.host_memory import with_host_ram
from gpuatlas.performance.llm.serving_curve import (
    operating_point,
    serving_curve,
    tokens_per_joule,
    usd_per_million_tokens,
)

SCHEMA_ANSWER = "serving-curve"


class ServingCurveRequest(ServedModelRequest):
    """One model served on one system at every concurrency (the defaults of
    `gpuatlas predict serving-curve`)."""

    input_tokens: int = Field(1024, ge=1, le=1_000_000, description="Prompt tokens per request.")
    output_tokens: int = Field(
        1024, ge=1, le=1_000_000, description="Generated tokens per request."
    )
    interactivity: FloatList = Field(
        [20.0, 50.0],
        min_length=1,
        max_length=20,
        description="tok/s per user at which to read throughput and cost.",
    )
    usd_per_gpu_hour: float | None = Field(
        None, gt=0, le=10_000, description="Price for $/1M tokens; none: the cheapest rental."
    )

    @field_validator("interactivity")
    @classmethod
    def _positive_levels(cls, levels: list[float]) -> list[float]:
        if any(level <= 0 for level in levels):
            raise ValueError("give positive tok/s per user, e.g. 20,50")
        return levels


def serving_curve_document(
    request: ServingCurveRequest, *, local_files: bool = False
) -> dict[str, Any]:
    """``gpuatlas.serving-curve/2``: the request, the curve's points (tok/s per user and per
    GPU, ranges) and, at each interactivity level, throughput, $/1M tokens and tok/J."""
    resolved = with_host_ram(resolve_system(request.system), request.host_ram_gb)
    price = (
        _given_price(request.usd_per_gpu_hour)
        if request.usd_per_gpu_hour
        else _cheapest_price(resolved.gpu.id)
    )
    reference = model_reference(request.model, local_files)
    choice, engine_id = weights_and_engine(request.weights, reference, request.engine, resolved)
    curve = serving_curve(
        resolved,
        reference.model,
        choice.format_id,
        engine_id,
        input_tokens=request.input_tokens,
        output_tokens=request.output_tokens,
    )
    power_per_gpu_w = (
        system_power(resolved).draw_w / resolved.gpu_count if resolved.gpu.tdp_w else None
    )
    usd = price["usd_per_gpu_hour"] if price else None
    return versioned(
        SCHEMA_ANSWER,
        {
            "request": request.model_dump(),
            "system": resolved.id,
            "gpu_count": resolved.gpu_count,
            "model": curve.model_id,
            "weights": choice.format_id,
            "weights_reason": choice.describe(),
            **engine_fields(request.engine, engine_id, resolved.gpu),
            "input_tokens": request.input_tokens,
            "output_tokens": request.output_tokens,
            "price": price,
            "power_per_gpu_w": power_per_gpu_w,
            "power_basis": "board TDP (upper bound of the draw)",
            "points": [
                {
                    "concurrency": p.concurrency,
                    "per_user_tok_s": p.per_user_tok_s.to_json(),
                    "per_gpu_tok_s": p.per_gpu_tok_s.to_json(),
                }
                for p in curve.points
            ],
            "at_interactivity": [
                _at_level(curve, level, usd, power_per_gpu_w) for level in request.interactivity
            ],
            "single_stream": _single_stream(curve, resolved, reference.model, choice.format_id),
        },
    )


def _single_stream(curve: Any, system: Any, model: Any, format_id: str) -> dict[str, Any] | None:
    """The curve's one-stream point beside `predict llm` for the same case, the difference
    split into its modelled terms: the prompt's prefill in each request (predict llm's TTFT,
    which turns its single-user decode into a rate over whole requests) and what is left,
    the two calibrations' difference (the serving model is calibrated on measured serving
    runs, the decode model on single-stream runs)."""
    first = curve.points[0]
    if first.concurrency != 1 or curve.gpu_count != 1:  # several GPUs: layouts may differ
        return None
    try:
        single = api.predict_llm(
            system,
            model,
            format_id,
            curve.engine,
            batch=1,
            input_tokens=curve.input_tokens,
            output_tokens=curve.output_tokens,
        )
    except GpuAtlasError:
        return None
    decode, ttft_s = single.decode_tok_s, single.ttft_ms.value / 1e3
    per_request = request_rate_tok_s(curve.output_tokens, ttft_s, decode.value)
    calibrations_pct = (first.per_user_tok_s.value / per_request - 1) * 100
    return {
        "per_user_tok_s": first.per_user_tok_s.value,
        "single_user_decode_tok_s": decode.to_json(),
        "ttft_ms": single.ttft_ms.value,
        "single_user_request_tok_s": per_request,
        "calibration_difference_pct": calibrations_pct,
        "note": (
            f"1 stream: {format_number(first.per_user_tok_s.value)} tok/s per user over whole "
            f"requests (serving model, the {curve.input_tokens:,}-token prompt's prefill "
            f"included); `predict llm`: {format_number(decode.value)} tok/s single-user "
            f"decode after {with_article(format_number(single.ttft_ms.value, 'ms'))} prefill, "
            f"{format_number(per_request)} tok/s over the whole request; the "
            f"{calibrations_pct:+.0f}% left is the two calibrations' difference (serving "
            "runs vs single-stream runs)"
        ),
    }


def request_rate_tok_s(output_tokens: int, ttft_s: float, decode_tok_s: float) -> float:
    """Output tokens/s of one request over its whole time: the first token after the prefill
    (TTFT), the others at the decode rate."""
    return output_tokens / (ttft_s + (output_tokens - 1) / decode_tok_s)


def _at_level(
    curve: Any, level: float, usd_per_gpu_hour: float | None, power_per_gpu_w: float | None
) -> dict[str, Any]:
    point = operating_point(curve, level)
    throughput = point.per_gpu_tok_s
    cost = (
        usd_per_million_tokens(throughput, usd_per_gpu_hour)
        if throughput is not None and usd_per_gpu_hour
        else None
    )
    energy = (
        tokens_per_joule(throughput, power_per_gpu_w)
        if throughput is not None and power_per_gpu_w
        else None
    )
    return {
        "per_user_tok_s": level,
        "reachable": point.reachable,
        "concurrency": point.concurrency,
        "per_gpu_tok_s": _estimate_json(throughput),
        "usd_per_million_tokens": _estimate_json(cost),
        "tokens_per_joule": _estimate_json(energy),
    }


def _estimate_json(estimate: Any) -> dict[str, Any] | None:
    return None if estimate is None else dict(estimate.to_json())


def _given_price(usd_per_gpu_hour: float) -> dict[str, Any]:
    return {"usd_per_gpu_hour": usd_per_gpu_hour, "source": "--usd-per-gpu-hour"}


def _cheapest_price(gpu_id: str) -> dict[str, Any] | None:
    """The cheapest on-demand or community offer for the GPU, with where and when it was seen."""
    offers = [s for s in current_prices(gpu_id) if s.tier in ("on-demand", "community")]
    if not offers:
        return None
    cheapest = min(offers, key=lambda s: s.usd_per_gpu_hour)
    return {
        "usd_per_gpu_hour": cheapest.usd_per_gpu_hour,
        "provider": cheapest.provider,
        "tier": cheapest.tier,
        "observed_date": cheapest.observed_date,
        "source": cheapest.source,
    }
