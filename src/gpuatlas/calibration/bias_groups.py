"""Where predictions are off the same way across publications: held-out residuals pooled into
groups (kind, engine, backend, one GPU or several, dense or mixture-of-experts), each with its
median speed ratio and how many publications it spans.

One folder's median hides a bias that every folder shares a little of (vLLM serving on
several GPUs too fast in ten folders), and one publication's odd setup looks like a bias when
it fills a folder. Pooling every held-out folder and asking for several publications per group
separates the two. The groups are read to report, never to fit: a change they suggest is
made from calibration sources and checked leave-one-source-out first.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gpuatlas.calibration.validation import Prediction, source_of
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.calibration_table import METRIC_KINDS
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.resolve import as_model

GOAL_ERROR = 0.15  # the median-error goal; a row inside it counts as on target
DEFAULT_KEYS = ("kind", "engine", "backend", "gpus", "experts")


# A training or image framework has no LLM engine profile: its GPU's vendor's usual stack.
_VENDOR_STACKS = {"NVIDIA": "cuda", "AMD": "rocm", "Apple": "metal", "Intel": "xpu"}


def _backend(prediction: Prediction) -> str:
    try:
        return resolve_engine(prediction.observation.case.engine).backends[0]
    except GpuAtlasError:
        vendor = gpu_by_id(prediction.observation.row.gpu).vendor
        return _VENDOR_STACKS.get(vendor, vendor.lower())


def _experts(prediction: Prediction) -> str:
    try:
        model = as_model(prediction.observation.case.model)
    except GpuAtlasError:
        return "?"
    return "moe" if getattr(model, "num_experts", 0) else "dense"


LABELS: dict[str, Callable[[Prediction], str]] = {
    "kind": lambda p: METRIC_KINDS.get(p.observation.row.metric, p.observation.row.metric),
    "engine": lambda p: p.observation.row.engine,
    "backend": _backend,
    "vendor": lambda p: gpu_by_id(p.observation.row.gpu).vendor,
    "gpu": lambda p: p.observation.row.gpu,
    "gpus": lambda p: "one GPU" if p.observation.row.gpu_count == 1 else "several GPUs",
    "experts": _experts,
}


@dataclass(frozen=True)
class BiasGroup:
    """Held-out rows sharing one label per key: how far off they are, the same way or not."""

    labels: tuple[str, ...]
    rows: int
    sources: int
    speed_ratio: float  # median predicted / measured speed: > 1 predicted too fast
    on_target: float  # share of rows within GOAL_ERROR of their measurement

    @property
    def strength(self) -> float:
        """How much a bias this size and this common matters: |log ratio| x sqrt(rows)."""
        return abs(math.log(self.speed_ratio)) * math.sqrt(self.rows)


def speed_ratio(prediction: Prediction) -> float:
    """Predicted over measured speed (a time metric's ratio inverted): > 1 too fast."""
    return math.exp(prediction.log_error)


def bias_groups(
    predictions: Sequence[Prediction],
    keys: Sequence[str] = DEFAULT_KEYS,
    min_sources: int = 3,
) -> list[BiasGroup]:
    """Groups of `predictions` by `keys` (names in LABELS) that span at least `min_sources`
    publications, strongest bias first."""
    unknown = [key for key in keys if key not in LABELS]
    if unknown:
        raise ValueError(f"unknown group keys {unknown}; known: {', '.join(LABELS)}")
    grouped: dict[tuple[str, ...], list[Prediction]] = {}
    for prediction in predictions:
        labels = tuple(LABELS[key](prediction) for key in keys)
        grouped.setdefault(labels, []).append(prediction)
    found = []
    for labels, members in grouped.items():
        sources = len({source_of(p.observation.row) for p in members})
        if sources < min_sources:
            continue
        ratio = math.exp(statistics.median(p.log_error for p in members))
        on_target = sum(p.ape <= GOAL_ERROR for p in members) / len(members)
        found.append(BiasGroup(labels, len(members), sources, ratio, on_target))
    return sorted(found, key=lambda group: (-group.strength, group.labels))


def bias_table(groups: Sequence[BiasGroup], keys: Sequence[str], limit: int) -> list[str]:
    """A Markdown table of the first `limit` groups."""
    lines = [
        "| " + " | ".join(keys) + " | rows | publications | speed ratio | within 15 % |",
        "|" + "---|" * len(keys) + "---:|---:|---:|---:|",
    ]
    for group in groups[:limit]:
        cells = [*group.labels, str(group.rows), str(group.sources)]
        cells += [f"{group.speed_ratio:.2f}×", f"{group.on_target:.0%}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
