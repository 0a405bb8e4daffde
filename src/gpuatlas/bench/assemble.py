"""Turn what a runner measured into a BenchResult (headline, summaries, warnings)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from gpuatlas.bench.run_summaries import percentile_warnings, stability_warnings, summarize_values
from gpuatlas.records.result import (
    BenchResult,
    Energy,
    Fingerprint,
    Headline,
    MetricSummary,
    RepeatSummary,
    Sample,
    Settings,
    resolve_gpu_id,
)
from gpuatlas.records.suite import Benchmark
from gpuatlas.records.validity import comparability_problems


@dataclass
class Measured:
    """A runner's output before assembly."""

    settings: Settings
    fingerprint: Fingerprint
    metrics: dict[str, MetricSummary] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    repeats: list[RepeatSummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    energy: Energy | None = None
    token_count_source: str | None = None
    interrupted: bool = False


def summarize_repeats(
    repeats: list[RepeatSummary], units: dict[str, str], seed: int
) -> dict[str, MetricSummary]:
    """Run-level metrics: one value per repeat, summarised across repeats."""
    names = sorted({name for repeat in repeats for name in repeat.values})
    summaries = {}
    for name in names:
        values = [r.values[name] for r in repeats if name in r.values]
        summaries[name] = summarize_values(values, units.get(name), seed)
    return summaries


def count_failures(samples: list[Sample]) -> dict[str, int]:
    kinds = Counter(s.error_kind or "unknown" for s in samples if not s.ok and not s.warmup)
    return dict(sorted(kinds.items()))


def headline_for(benchmark: Benchmark, metrics: dict[str, MetricSummary]) -> Headline:
    summary = metrics.get(benchmark.primary_metric)
    return Headline(
        metric=benchmark.primary_metric,
        unit=benchmark.unit,
        higher_is_better=benchmark.higher_is_better,
        value=None if summary is None else summary.median,
        ci_low=None if summary is None else summary.ci_low,
        ci_high=None if summary is None else summary.ci_high,
    )


def _quality_warnings(benchmark: Benchmark, measured: Measured) -> list[str]:
    found = []
    primary = benchmark.primary_metric
    per_repeat = [r.values[primary] for r in measured.repeats if primary in r.values]
    if per_repeat:
        found += stability_warnings(primary, per_repeat)
    for name in ("ttft_ms", "tpot_ms", "e2e_ms", "itl_ms"):
        if name in measured.metrics:
            found += percentile_warnings(name, measured.metrics[name])
    summary = measured.metrics.get(primary)
    if summary is None or summary.median is None:
        found.append(f"{primary}: no valid measurement")
    return found


def assemble(
    benchmark: Benchmark, measured: Measured, source: str = "gpuatlas bench"
) -> BenchResult:
    gpus = measured.fingerprint.gpus
    failures = count_failures(measured.samples)
    warnings = list(measured.warnings) + _quality_warnings(benchmark, measured)
    if failures:
        total = sum(1 for s in measured.samples if not s.warmup)
        warnings.append(
            f"{sum(failures.values())} of {total} requests failed: "
            + ", ".join(f"{k} x{v}" for k, v in failures.items())
        )
    result = BenchResult(
        benchmark=benchmark.id,
        benchmark_version=benchmark.version,
        category=benchmark.category,  # type: ignore[arg-type]
        gpu_id=resolve_gpu_id(gpus[0].name) if gpus else None,
        gpu_count=len(gpus),
        fingerprint=measured.fingerprint,
        settings=measured.settings,
        headline=headline_for(benchmark, measured.metrics),
        metrics=measured.metrics,
        samples=measured.samples,
        repeats=measured.repeats,
        failures=failures,
        warnings=list(dict.fromkeys(warnings)),
        energy=measured.energy,
        token_count_source=measured.token_count_source,
        interrupted=measured.interrupted,
        source=source,
    )
    if result.headline.value is None:
        result.headline.reason = _missing_headline_reason(benchmark, measured.samples, failures)
    problems = comparability_problems(result)
    result.comparable, result.not_comparable_reasons = not problems, problems
    return result


def _missing_headline_reason(
    benchmark: Benchmark, samples: list[Sample], failures: dict[str, int]
) -> str:
    measured = [sample for sample in samples if not sample.warmup]
    if measured and not any(sample.ok for sample in measured):
        kinds = ", ".join(f"{kind} x{count}" for kind, count in failures.items())
        return f"no successful request ({len(measured)} failed: {kinds})"
    return f"{benchmark.primary_metric}: nothing was measured"
