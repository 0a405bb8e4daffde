"""A run's metrics as result summaries, and the warnings a run's numbers call for.

The statistics are ``gpuatlas.statistics.describe`` (one percentile definition, one bootstrap
for the whole project): percentiles by linear interpolation, ``ci_low``/``ci_high`` the 95 %
interval of the median (seeded bootstrap; the order-statistic interval for token-weighted
samples such as ITL). Fewer than ``P99_MIN_SAMPLES`` values make a p99 "insufficient".
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gpuatlas.records.result import MetricSummary
from gpuatlas.statistics import DEFAULT_SEED, P99_MIN_SAMPLES, Distribution, describe

UNSTABLE_CV = 0.05  # coefficient of variation across repeats above which we warn


def summarize(
    data: Distribution, unit: str | None = None, seed: int = DEFAULT_SEED
) -> MetricSummary:
    """{median, mean, p90, p99, n, ci_low, ci_high} with the metric's unit; n = 0: all None."""
    return MetricSummary(**dataclasses.asdict(describe(data, seed)), unit=unit)


def summarize_values(
    values: list[float], unit: str | None = None, seed: int = DEFAULT_SEED
) -> MetricSummary:
    return summarize(Distribution(np.asarray(values, dtype=float)), unit, seed)


def stability_warnings(name: str, per_repeat: list[float]) -> list[str]:
    """Warn when repeats disagree (CV above UNSTABLE_CV) or are too few for a CI."""
    if len(per_repeat) < 2:
        return [f"{name}: a single repeat, no interval across repeats"]
    mean = float(np.mean(per_repeat))
    if mean == 0:
        return []
    cv = float(np.std(per_repeat, ddof=1)) / abs(mean)
    if cv > UNSTABLE_CV:
        return [
            f"{name}: unstable across {len(per_repeat)} repeats "
            f"(coefficient of variation {cv:.1%} > {UNSTABLE_CV:.0%})"
        ]
    return []


def percentile_warnings(name: str, summary: MetricSummary) -> list[str]:
    if summary.n == 0 or summary.p99_sufficient:
        return []
    return [
        f"{name}: p99 from {summary.n} samples is indicative only "
        f"(at least {P99_MIN_SAMPLES} needed)"
    ]
