"""Page data: each function returns the JSON-able dict that a page renders and that its
``.json`` twin returns verbatim (one source for both)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from gpuatlas.app.documents import schema_name
from gpuatlas.app.leaderboard import leaderboard_document, system_score_row
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpus import all_gpus, resolve_gpu
from gpuatlas.catalog.prices import PriceSnapshot, current_prices, price_history
from gpuatlas.economics.offer_costs import named_variant_first
from gpuatlas.errors import UnknownNameError
from gpuatlas.records.workload import PUBLIC_PREFIX
from gpuatlas.store import GroupSummary, ResultSummary
from gpuatlas.web.state import AppState

SPEC_FIELDS = (
    "memory_gb",
    "memory_bandwidth_gb_s",
    "fp32_tflops",
    "bf16_dense_tflops",
    "fp8_dense_tflops",
    "int8_dense_tops",
    "tdp_w",
    "l2_cache_mb",
    "launch_price_usd",
)


def leaderboard(state: AppState) -> dict[str, Any]:
    """The leaderboard document (gpuatlas.leaderboard/1), cached per store revision."""
    document: dict[str, Any] = state.cached(("leaderboard",), leaderboard_document)
    return document


def leaderboard_rows(state: AppState) -> list[dict[str, Any]]:
    """Atlas Scores of every system with results in common with the reference GPU."""
    return list(leaderboard(state)["rows"])


def gpu_label(gpu_id: str) -> str:
    """A GPU's short product name ("RTX 4090") for charts and tables; the id if unknown."""
    try:
        return resolve_gpu(gpu_id).short_name
    except UnknownNameError:
        return gpu_id


def home_view(state: AppState) -> dict[str, Any]:
    rows = leaderboard_rows(state)
    scores = {row["system"]: row for row in rows}
    counts = state.cached(("system_counts",), state.store.system_counts)
    cheapest = _cheapest_by_gpu()
    gpus = [
        _gpu_row(gpu, scores.get(gpu.id), counts.get(gpu.id, 0), cheapest.get(gpu.id))
        for gpu in all_gpus()
    ]
    return {
        "schema_version": schema_name("home"),
        "gpus": gpus,
        "top_scores": [row for row in rows if row.get("ranked", True)][:10],
        "store": {"backend": state.store.backend, "results": sum(counts.values())},
    }


def _gpu_row(
    gpu: Gpu, score: dict[str, Any] | None, results: int, price: PriceSnapshot | None
) -> dict[str, Any]:
    return {
        "id": gpu.id,
        "name": gpu.name,
        "short_name": gpu.short_name,
        "vendor": gpu.vendor,
        "segment": gpu.segment,
        "architecture": gpu.architecture,
        "release_year": gpu.release_year,
        **{name: getattr(gpu, name) for name in SPEC_FIELDS},
        "atlas_score": score,
        "measured_results": results,
        "cheapest_usd_per_gpu_hour": _price_dict(price) if price else None,
    }


def _cheapest_by_gpu() -> dict[str, PriceSnapshot]:
    """Each GPU's cheapest on-demand or community offer, one that names the GPU's exact variant
    when any does (`named_variant_first`, as `cost` and `compare` choose): the home page's
    'from' price is the one the GPU's compare page starts from."""
    by_gpu: dict[str, list[PriceSnapshot]] = {}
    for snapshot in current_prices():  # cheapest first
        if snapshot.tier in HOME_PRICE_TIERS:
            by_gpu.setdefault(snapshot.gpu_id, []).append(snapshot)
    return {
        gpu_id: named_variant_first(offers, lambda offer: offer.gpu_match)[0]
        for gpu_id, offers in by_gpu.items()
    }


HOME_PRICE_TIERS = ("on-demand", "community")  # the home page's 'from' price (no spot)


def _price_dict(snapshot: PriceSnapshot) -> dict[str, Any]:
    return {
        "gpu_id": snapshot.gpu_id,
        "gpu_name": gpu_label(snapshot.gpu_id),
        "provider": snapshot.provider,
        "offer": snapshot.offer,
        "tier": snapshot.tier,
        "usd_per_gpu_hour": snapshot.usd_per_gpu_hour,
        "gpus_per_instance": snapshot.gpus_per_instance,
        "observed_date": snapshot.observed_date,
        "source": snapshot.source,
        "gpu_match": snapshot.gpu_match,
    }


def gpu_view(state: AppState, name: str) -> dict[str, Any]:
    gpu = resolve_gpu(name)
    measured = state.cached(("measured", gpu.id), lambda: _measured_for(state, gpu.id))
    score = system_score_row(gpu.id, leaderboard(state))
    return {
        "schema_version": schema_name("gpu-page"),
        "gpu": {**_jsonable(dataclasses.asdict(gpu)), "short_name": gpu.short_name},
        "atlas_score": score,
        "prices": [_price_dict(s) for s in current_prices(gpu.id)],
        "price_history": [_price_dict(s) for s in price_history(gpu.id)],
        "measured": measured,
        **state.cached(("gpu_results", gpu.id), lambda: _gpu_results(state, gpu.id)),
        "compare_with": [
            {"id": other.id, "name": other.name} for other in all_gpus() if other.id != gpu.id
        ],
    }


def _gpu_results(state: AppState, gpu_id: str) -> dict[str, Any]:
    """The GPU's recent and quarantined results (cached with the store revision), each with
    its run label (model, model type, engine build: records/run_label.py)."""
    recent = state.store.result_summaries(gpu_id=gpu_id, limit=25)
    held = state.store.result_summaries(gpu_id=gpu_id, quarantined=True)
    labels = state.store.run_labels([s.result_id for s in [*recent, *held]])
    return {
        "recent_results": [_summary_dict(s, labels.get(s.result_id)) for s in recent],
        "quarantined": [_summary_dict(s, labels.get(s.result_id)) for s in held],
    }


def _measured_for(state: AppState, gpu_id: str) -> list[dict[str, Any]]:
    """Per benchmark: median, n and provenance, from the store's precomputed group summaries;
    a group of runs gets the label of its first run (two models measured under one imported
    id are two rows that say which model each is)."""
    summaries = state.store.group_summaries([gpu_id])
    labels = state.store.run_labels(
        [
            s.result_ids[0]
            for s in summaries
            if s.result_ids and not s.key.benchmark.startswith(PUBLIC_PREFIX)
        ]
    )
    return [
        _group_dict(s, labels.get(s.result_ids[0]) if s.result_ids else None) for s in summaries
    ]


def _group_dict(summary: GroupSummary, run_label: str | None = None) -> dict[str, Any]:
    key, description = summary.key, summary.description
    return {
        "benchmark": key.benchmark,
        "run_label": run_label,
        "benchmark_version": key.benchmark_version,
        "category": description.category,
        "metric": description.metric,
        "unit": description.unit,
        "higher_is_better": description.higher_is_better,
        "median": summary.median,
        "n": summary.n,
        "result_ids": list(summary.result_ids),
        "sources": list(summary.sources),
    }


def _summary_dict(summary: ResultSummary, run_label: str | None = None) -> dict[str, Any]:
    return {**_jsonable(dataclasses.asdict(summary)), "run_label": run_label}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def price_history_by_gpu(gpu_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every price snapshot (of one GPU, or all), grouped by GPU: the prices page's charts."""
    return _history_by_gpu(price_history(gpu_id))


PRICE_NOTE = (
    "USD per GPU-hour as listed by each provider on the observed date; list price is "
    "not the transaction price."
)


def _history_by_gpu(history: Sequence[PriceSnapshot]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for snapshot in history:
        grouped[snapshot.gpu_id].append(_price_dict(snapshot))
    return dict(sorted(grouped.items()))


def result_view(state: AppState, result_id: str) -> dict[str, Any] | None:
    return state.store.get_document(result_id)
