"""Run benchmarks of the suite: pick the runner, check prerequisites, collect results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from gpuatlas.bench.fingerprint import nvidia_gpus
from gpuatlas.bench.identity import (
    fold_llm_overrides,
    llm_differences,
    requested_shape,
    resolve_inprocess,
)
from gpuatlas.bench.options import Reporter, RunOptions
from gpuatlas.bench.runners.inprocess import parameters
from gpuatlas.bench.runners.llm import run_llm_benchmark
from gpuatlas.bench.runners.registry import runner_for
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.records.result import BenchResult
from gpuatlas.records.suite import Benchmark, select_benchmarks

RunnerFunction = Callable[[Benchmark, RunOptions, Reporter | None], BenchResult]


class NeedsGpuError(InvalidRequestError):
    """A GPU-only benchmark on a machine without an NVIDIA GPU."""


def _runner_for(benchmark: Benchmark) -> RunnerFunction:
    if benchmark.needs_endpoint:
        return run_llm_benchmark
    return runner_for(benchmark.runner)


def check_gpu(benchmark: Benchmark, options: RunOptions) -> None:
    if not benchmark.requires_gpu or options.allow_cpu:
        return
    gpus, note = nvidia_gpus()
    if not gpus:
        raise NeedsGpuError(
            [
                f"{benchmark.id} needs an NVIDIA GPU ({note}); "
                "pass --allow-cpu to run it on the CPU for testing only"
            ]
        )


def run_benchmark(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    problems = options.problems()
    if problems:
        raise InvalidRequestError(problems)
    if benchmark.needs_endpoint:
        options = fold_llm_overrides(benchmark, options)  # resolved once the API is known
    elif benchmark.based_on is None:
        benchmark = resolve_inprocess(benchmark, options, parameters(benchmark, options))
    check_gpu(benchmark, options)
    return _runner_for(benchmark)(benchmark, options, reporter)


def distinct_runs(chosen: list[Benchmark], options: RunOptions) -> list[Benchmark]:
    """One benchmark per distinct measurement: a category run against the user's model (or
    with the user's lengths or load) measures each of the suite's shapes once, for that model,
    instead of once per suite model it replaces. A definition the run matches exactly wins."""

    def shape_key(benchmark: Benchmark) -> object:
        if not benchmark.needs_endpoint:
            return benchmark.id
        folded = fold_llm_overrides(benchmark, options)
        return (
            benchmark.runner,
            benchmark.category,
            requested_shape(benchmark, folded, options.api),
        )

    def differs(benchmark: Benchmark) -> bool:
        if not benchmark.needs_endpoint:
            return False
        folded = fold_llm_overrides(benchmark, options)
        return bool(llm_differences(benchmark, requested_shape(benchmark, folded, options.api)))

    kept: dict[object, Benchmark] = {}
    for benchmark in sorted(chosen, key=differs):  # stable: exact matches first
        kept.setdefault(shape_key(benchmark), benchmark)
    order = {id(benchmark): position for position, benchmark in enumerate(chosen)}
    return sorted(kept.values(), key=lambda benchmark: order[id(benchmark)])


def _check_override_keys(chosen: list[Benchmark], options: RunOptions) -> None:
    known = {key for benchmark in chosen for key in benchmark.params}
    unknown = sorted(set(options.overrides) - known)
    if unknown:
        raise InvalidRequestError(
            [
                f"--param {key}: no selected benchmark has this parameter "
                f"(they have: {', '.join(sorted(known)) or 'none'})"
                for key in unknown
            ]
        )


def sweep_points(
    options: RunOptions, concurrencies: list[int], rates: list[float]
) -> list[RunOptions]:
    """One RunOptions per sweep point (a list of concurrencies or of rates, not both)."""
    if len(concurrencies) > 1 and len(rates) > 1:
        raise InvalidRequestError(["sweep either --concurrency or --rate, not both"])
    if len(rates) > 1:
        cap = concurrencies[0] if concurrencies else None
        return [replace(options, rate_rps=rate, concurrency=cap) for rate in rates]
    rate = rates[0] if rates else None
    if not concurrencies:
        return [replace(options, rate_rps=rate)]
    return [replace(options, concurrency=value, rate_rps=rate) for value in concurrencies]


@dataclass(frozen=True)
class Skipped:
    benchmark: str
    reason: str


def run_selection(
    selector: str,
    options: RunOptions,
    reporter: Reporter | None = None,
    on_result: Callable[[BenchResult], None] | None = None,
) -> tuple[list[BenchResult], list[Skipped]]:
    """Run a benchmark, a category or the suite. With one benchmark, errors propagate; with
    several, a benchmark that cannot run here is skipped with its reason."""
    chosen = select_benchmarks(selector)
    _check_override_keys(chosen, options)
    chosen = distinct_runs(chosen, options)
    if len(chosen) == 1:
        result = run_benchmark(chosen[0], options, reporter)
        if on_result:
            on_result(result)
        return [result], []
    results, skipped = [], []
    for benchmark in chosen:
        if benchmark.needs_endpoint and not options.endpoint:
            skipped.append(Skipped(benchmark.id, "needs --endpoint"))
            continue
        try:
            result = run_benchmark(benchmark, options, reporter)
        except GpuAtlasError as error:
            skipped.append(Skipped(benchmark.id, str(error)))
            continue
        results.append(result)
        if on_result:
            on_result(result)
        if result.interrupted:
            break
    return results, skipped
