"""Shared frame of in-process benchmarks (image, OCR, GPU micro, system): repeats of a
measurement function, per-item samples pooled, per-repeat figures summarised across repeats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gpuatlas.bench.assemble import Measured, assemble, summarize_repeats
from gpuatlas.bench.energy import PowerSampler
from gpuatlas.bench.fingerprint import collect_fingerprint
from gpuatlas.bench.options import Reporter, RunOptions, SilentReporter
from gpuatlas.bench.run_summaries import summarize_values
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.result import BenchResult, RepeatSummary, Sample, Settings
from gpuatlas.records.suite import Benchmark


@dataclass
class RepeatOutput:
    """One repeat: per-item measurements and repeat-level figures."""

    items: list[dict[str, float]] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)
    duration_s: float = 0.0
    work_items: float = 0.0  # images, pages, ... (for energy per item)


@dataclass
class Workload:
    """What a runner prepares once: the measurement and how to describe it."""

    measure: Callable[[int], RepeatOutput]
    settings: Settings
    units: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    warmup: Callable[[], None] | None = None


def parameters(benchmark: Benchmark, options: RunOptions) -> dict[str, Any]:
    """The definition's params with the user's --param overrides (converted to the type of
    the definition's value). Keys the benchmark does not have are ignored here (the runner
    checks that each key belongs to at least one selected benchmark)."""
    merged = dict(benchmark.params)
    problems = []
    for key, value in options.overrides.items():
        if key not in merged:
            continue
        try:
            merged[key] = _convert(value, merged[key])
        except ValueError:
            kind = type(merged[key]).__name__
            problems.append(f"--param {key}={value}: expected a {kind}")
    if problems:
        raise InvalidRequestError(problems)
    return merged


def _convert(value: Any, like: Any) -> Any:
    if isinstance(like, bool):
        if str(value).lower() not in ("true", "false", "1", "0"):
            raise ValueError(value)
        return str(value).lower() in ("true", "1")
    if isinstance(like, int):
        number = float(value)
        if not number.is_integer():
            raise ValueError(value)
        return int(number)
    return type(like)(value)


def run_workload(
    benchmark: Benchmark, options: RunOptions, workload: Workload, reporter: Reporter | None
) -> BenchResult:
    reporter = reporter or SilentReporter()
    if workload.warmup is not None:
        workload.warmup()
    outputs: list[RepeatOutput] = []
    interrupted = False
    with PowerSampler() as sampler:
        reporter.start(benchmark.id, options.repeats)
        try:
            for repeat in range(options.repeats):
                outputs.append(workload.measure(repeat))
                reporter.update(repeat + 1, _rates(benchmark, outputs[-1]))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            reporter.finish()
    return _assemble(benchmark, options, workload, outputs, interrupted, sampler)


def _rates(benchmark: Benchmark, output: RepeatOutput) -> str:
    value = output.values.get(benchmark.primary_metric)
    return "" if value is None else f"{value:,.3g} {benchmark.unit}"


def _assemble(
    benchmark: Benchmark,
    options: RunOptions,
    workload: Workload,
    outputs: list[RepeatOutput],
    interrupted: bool,
    sampler: PowerSampler,
) -> BenchResult:
    samples, repeats = [], []
    for repeat, output in enumerate(outputs):
        samples += [
            Sample(repeat=repeat, index=i, values=item) for i, item in enumerate(output.items)
        ]
        repeats.append(
            RepeatSummary(
                index=repeat,
                duration_s=output.duration_s,
                completed=len(output.items),
                failed=0,
                values=output.values,
            )
        )
    metrics = summarize_repeats(repeats, workload.units, options.seed)
    item_names = sorted({name for output in outputs for item in output.items for name in item})
    for name in item_names:
        values = [item[name] for output in outputs for item in output.items if name in item]
        metrics.setdefault(name, summarize_values(values, workload.units.get(name), options.seed))
    warnings = list(workload.warnings)
    if interrupted:
        warnings.append(f"interrupted by the user after {len(outputs)} repeat(s)")
    measured = Measured(
        settings=workload.settings,
        fingerprint=collect_fingerprint(),
        metrics=metrics,
        samples=samples,
        repeats=repeats,
        warnings=warnings,
        energy=sampler.energy(items=sum(o.work_items for o in outputs) or None),
        interrupted=interrupted,
    )
    return assemble(benchmark, measured)


def torch_device(options: RunOptions) -> str:
    """The user's --device, else cuda when torch sees a GPU, else cpu."""
    import torch

    if options.device:
        return options.device
    return "cuda" if torch.cuda.is_available() else "cpu"


def synchronize(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()
