"""``--max-goodput``: the highest Poisson arrival rate at which the server still meets the
given SLOs (``--slo-ttft-ms``, ``--slo-tpot-ms``, ``--slo-e2e-ms``).

A rate meets the SLOs when at least ``GOOD_FRACTION`` (95 %) of its measured requests
succeeded within every limit (TTFT and E2E from the scheduled send time, so client-side
queueing counts against the server's rate, as in DistServe's goodput and vLLM/AIPerf). The
search doubles the rate from the start until a rate fails, then bisects between the last rate
that met the SLOs and the first that did not, until they are within ``precision`` of each
other or ``max_points`` rates were run. Every rate run is a full result (a custom benchmark
at that rate)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from gpuatlas.bench.options import RunOptions
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.result import BenchResult, Sample

GOOD_FRACTION = 0.95
DEFAULT_START_RPS = 1.0


@dataclass(frozen=True)
class RatePoint:
    rate_rps: float
    good_fraction: float
    result: BenchResult

    @property
    def meets(self) -> bool:
        return self.good_fraction >= GOOD_FRACTION and self.result.comparable


def _within(sample: Sample, options: RunOptions) -> bool:
    checks = (
        (options.slo_ttft_ms, sample.values.get("ttft_sched_ms", sample.ttft_ms)),
        (options.slo_tpot_ms, sample.tpot_ms),
        (options.slo_e2e_ms, sample.values.get("e2e_sched_ms", sample.e2e_ms)),
    )
    return sample.ok and all(
        limit is None or (value is not None and value <= limit) for limit, value in checks
    )


def good_fraction(result: BenchResult, options: RunOptions) -> float:
    measured = [sample for sample in result.samples if not sample.warmup]
    if not measured:
        return 0.0
    return sum(1 for sample in measured if _within(sample, options)) / len(measured)


def search_max_goodput(
    options: RunOptions,
    run: Callable[[RunOptions], BenchResult],
    max_points: int = 8,
    precision: float = 0.1,
) -> tuple[RatePoint | None, list[RatePoint]]:
    """(the highest rate meeting the SLOs or None, every rate run in order)."""
    if not any(
        limit is not None
        for limit in (options.slo_ttft_ms, options.slo_tpot_ms, options.slo_e2e_ms)
    ):
        raise InvalidRequestError(
            ["--max-goodput needs at least one SLO: --slo-ttft-ms, --slo-tpot-ms or --slo-e2e-ms"]
        )
    points: list[RatePoint] = []

    def probe(rate: float) -> RatePoint:
        result = run(replace(options, rate_rps=rate))
        point = RatePoint(rate, good_fraction(result, options), result)
        points.append(point)
        return point

    best: RatePoint | None = None
    failed: float | None = None
    rate = options.rate_rps or DEFAULT_START_RPS
    while len(points) < max_points and failed is None:
        point = probe(rate)
        if point.meets:
            best, rate = point, rate * 2
        else:
            failed = rate
    low = best.rate_rps if best else 0.0
    while (
        failed is not None
        and len(points) < max_points
        and (low == 0.0 or failed / low > 1 + precision)
    ):
        middle = (low + failed) / 2 if low else failed / 2
        point = probe(middle)
        if point.meets:
            best, low = point, middle
        else:
            failed = middle
    return best, points
