"""Serving curves: throughput per GPU against tokens/s per user, the trade-off a server makes.

A server at concurrency c shares its output rate among c streams: each user sees
`throughput / c` tokens per second (interactivity), the operator pays per GPU for
`throughput / GPUs`. Sweeping c from 1 to the most sequences that fit traces the curve that
SemiAnalysis' InferenceX publishes for data-centre GPUs; here it is modelled for any system,
with the calibrated band of every point. The curve gives the throughput a GPU sustains at a
chosen interactivity (20 or 50 tok/s/user), hence $/1M tokens and tokens per joule there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpuatlas.performance.api import max_serving_batch, serving_throughput
from gpuatlas.performance.predictions import Estimate
from gpuatlas.performance.resolve import FormatArg, ModelArg, SystemArg, as_system

SECONDS_PER_HOUR = 3600.0
TOKENS_PER_MILLION = 1e6


@dataclass(frozen=True)
class CurvePoint:
    """One concurrency level: what each user sees and what each GPU delivers."""

    concurrency: int
    per_user_tok_s: Estimate
    per_gpu_tok_s: Estimate


@dataclass(frozen=True)
class ServingCurve:
    """Points ordered by concurrency (interactivity falls as concurrency rises)."""

    system_id: str
    gpu_count: int
    model_id: str
    weights: str
    engine: str
    input_tokens: int
    output_tokens: int
    points: tuple[CurvePoint, ...]

    @property
    def max_per_user_tok_s(self) -> float:
        return self.points[0].per_user_tok_s.value


@dataclass(frozen=True)
class OperatingPoint:
    """The throughput per GPU a system sustains while every user gets `per_user_tok_s`;
    `reachable` is False when even one stream alone is slower than that (value None)."""

    per_user_tok_s: float
    reachable: bool
    per_gpu_tok_s: Estimate | None
    concurrency: float | None


def concurrency_levels(max_concurrency: int) -> list[int]:
    """1, 2, 4, … up to the most sequences that fit, the maximum itself included."""
    levels = [1]
    while levels[-1] * 2 < max_concurrency:
        levels.append(levels[-1] * 2)
    if max_concurrency > levels[-1]:
        levels.append(max_concurrency)
    return levels


def serving_curve(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    input_tokens: int = 1024,
    output_tokens: int = 1024,
    kv_cache: str = "fp16",
) -> ServingCurve:
    """The modelled curve from one stream to the most concurrent sequences that fit."""
    resolved = as_system(system)
    context = input_tokens + output_tokens
    ceiling = max_serving_batch(
        resolved, model, weights, engine, context_tokens=context, kv_cache=kv_cache
    )
    points = []
    for concurrency in concurrency_levels(max(1, ceiling)):
        total = serving_throughput(
            resolved,
            model,
            weights,
            engine,
            concurrency=concurrency,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            kv_cache=kv_cache,
        )
        points.append(
            CurvePoint(
                concurrency=concurrency,
                per_user_tok_s=total.scaled(1.0 / concurrency, "tok/s/user"),
                per_gpu_tok_s=total.scaled(1.0 / resolved.gpu_count, "tok/s/GPU"),
            )
        )
    first = serving_throughput(
        resolved,
        model,
        weights,
        engine,
        concurrency=1,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        kv_cache=kv_cache,
    )
    return ServingCurve(
        system_id=resolved.id,
        gpu_count=resolved.gpu_count,
        model_id=_model_id(model),
        weights=str(weights),
        engine=engine,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        points=tuple(points) or (_single(first, resolved.gpu_count),),
    )


def _model_id(model: ModelArg) -> str:
    return model if isinstance(model, str) else str(model.id)


def _single(total: Estimate, gpu_count: int) -> CurvePoint:
    return CurvePoint(1, total.scaled(1.0, "tok/s/user"), total.scaled(1 / gpu_count, "tok/s/GPU"))


def operating_point(curve: ServingCurve, per_user_tok_s: float) -> OperatingPoint:
    """Throughput per GPU at an interactivity target, interpolated between the two curve points
    around it (log-log, as the curve is close to a power law between them). Above the fastest
    single stream: unreachable. Below the slowest point: the largest batch that fits."""
    points = curve.points
    if per_user_tok_s > points[0].per_user_tok_s.value:
        return OperatingPoint(per_user_tok_s, False, None, None)
    if per_user_tok_s <= points[-1].per_user_tok_s.value:
        last = points[-1]
        return OperatingPoint(per_user_tok_s, True, last.per_gpu_tok_s, float(last.concurrency))
    for faster, slower in zip(points, points[1:], strict=False):
        if slower.per_user_tok_s.value <= per_user_tok_s <= faster.per_user_tok_s.value:
            weight = _log_position(
                per_user_tok_s, faster.per_user_tok_s.value, slower.per_user_tok_s.value
            )
            return OperatingPoint(
                per_user_tok_s,
                True,
                _interpolated(faster.per_gpu_tok_s, slower.per_gpu_tok_s, weight),
                _geometric(faster.concurrency, slower.concurrency, weight),
            )
    raise AssertionError("interactivity between the curve's ends must fall between two points")


def _log_position(value: float, start: float, end: float) -> float:
    """Where `value` lies between start (0) and end (1) on a log scale."""
    if start == end:
        return 0.0
    return math.log(value / start) / math.log(end / start)


def _geometric(a: float, b: float, weight: float) -> float:
    return math.exp(math.log(a) * (1 - weight) + math.log(b) * weight)


def _interpolated(a: Estimate, b: Estimate, weight: float) -> Estimate:
    return Estimate(
        value=_geometric(a.value, b.value, weight),
        low=_geometric(a.low, b.low, weight),
        high=_geometric(a.high, b.high, weight),
        unit=a.unit,
        model=a.model,
        calibration_version=a.calibration_version,
        extrapolated=a.extrapolated or b.extrapolated,
        notes=a.notes,
    )


def usd_per_million_tokens(per_gpu_tok_s: Estimate, usd_per_gpu_hour: float) -> Estimate:
    """$/1M output tokens at a throughput per GPU and a price per GPU-hour (band flips)."""
    numerator = usd_per_gpu_hour / SECONDS_PER_HOUR * TOKENS_PER_MILLION
    return per_gpu_tok_s.inverted(numerator, "USD/1M tokens")


def tokens_per_joule(per_gpu_tok_s: Estimate, power_per_gpu_w: float) -> Estimate:
    """Output tokens per joule of GPU energy at a throughput per GPU and a power per GPU."""
    return per_gpu_tok_s.scaled(1.0 / power_per_gpu_w, "tok/J")
