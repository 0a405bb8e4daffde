"""Measured results from the store, as compare/ inputs (BenchmarkSamples per system key)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gpuatlas.compare import BenchmarkInfo, BenchmarkSamples

CATEGORY_TITLES = {
    "llm-serving": "LLM serving (concurrent)",
    "llm-single": "LLM single-user",
    "image": "Image generation",
    "vision": "Vision",
    "ocr": "OCR",
    "gpu-micro": "GPU micro-benchmarks",
    "system": "Host system",
    "training": "Training",
}


@dataclass(frozen=True)
class MeasuredData:
    """Samples per benchmark id per system key, plus the store's description."""

    by_system: dict[str, dict[str, BenchmarkSamples]]
    store_description: str

    def for_system(self, key: str) -> dict[str, BenchmarkSamples]:
        return self.by_system.get(key, {})

    def benchmark_categories(self) -> dict[str, str]:
        return {
            b: s.benchmark.category
            for results in self.by_system.values()
            for b, s in results.items()
        }


def benchmark_title(benchmark: str) -> str:
    """A readable title from a store key: 'public/llama.cpp/meta-llama/Meta-Llama-3-8B/q4_k_m/
    b1-tg512-kv-f16/decode_tok_s' → 'llama.cpp Meta-Llama-3-8B q4_k_m b1-tg512-kv-f16 decode'."""
    parts = benchmark.removeprefix("public/").split("/")
    if len(parts) >= 5:
        engine, model, weights, shape, metric = parts[0], parts[-4], parts[-3], parts[-2], parts[-1]
        version = ""
        if metric.startswith("v") and metric[1:].isdigit():
            version, metric = f" ({metric})", parts[-2]
            model, weights, shape = parts[-5], parts[-4], parts[-3]
        return f"{engine} {model} {weights} {shape} {metric.removesuffix('_tok_s')}{version}"
    return benchmark


def _samples(measurements: object, system: str) -> BenchmarkSamples:
    from gpuatlas.store import BenchmarkMeasurements

    assert isinstance(measurements, BenchmarkMeasurements)
    info = BenchmarkInfo(
        id=_benchmark_id(measurements.benchmark, measurements.benchmark_version),
        category=measurements.category,
        unit=measurements.unit,
        higher_is_better=measurements.higher_is_better,
        title=benchmark_title(measurements.benchmark),
    )
    return BenchmarkSamples(
        benchmark=info,
        gpu_id=system,
        values=tuple(measurements.values(system)),
        result_ids=tuple(measurements.result_ids(system)),
        source="; ".join(measurements.sources(system)),
    )


def _benchmark_id(benchmark: str, version: int) -> str:
    return benchmark if version == 1 else f"{benchmark}@v{version}"


def load_measured(systems: Sequence[str]) -> MeasuredData:
    """Every stored (non-quarantined) result for the given system keys."""
    from gpuatlas.store import open_store

    store = open_store()
    try:
        benchmarks = store.measurements_for(list(dict.fromkeys(systems)))
        description = f"results store ({store.backend})"
    finally:
        store.close()
    return MeasuredData(_group(benchmarks, systems), description)


def load_all_measured() -> MeasuredData:
    from gpuatlas.store import open_store

    store = open_store()
    try:
        benchmarks = store.leaderboard_inputs()
        description = f"results store ({store.backend})"
    finally:
        store.close()
    systems = sorted({key for b in benchmarks for key in b.by_system})
    return MeasuredData(_group(benchmarks, systems), description)


def _group(
    benchmarks: Sequence[object], systems: Sequence[str]
) -> dict[str, dict[str, BenchmarkSamples]]:
    grouped: dict[str, dict[str, BenchmarkSamples]] = {system: {} for system in systems}
    for measurements in benchmarks:
        by_system = getattr(measurements, "by_system", {})
        for system in systems:
            if by_system.get(system):
                samples = _samples(measurements, system)
                grouped[system][samples.benchmark.id] = samples
    return grouped
