"""Batch mode over columns: serving rows on several GPUs in the best layout ('auto', a user's
default: replicas where the model fits one GPU, as `predict serving` answers), evaluated over
arrays with `llm.serving_layout.layout_serving`'s rule.

Every group size that divides the system's GPUs is one replica's configuration; a replica's
rows are evaluated at its share of the concurrency (`replica_loads`: the sequences spread as
evenly as they go, 'max' each replica's largest batch), the replicas' rates summed in the row
path's order, and the layout with the smallest groups kept unless a larger one serves more
than `llm.layout_margin` more. Rows the row path must answer (llama.cpp/Ollama runs partly on
the CPU at some group size) are flagged; rows no layout serves are left to the tensor layout's
messages (the row path reports the largest group's error, which is that one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.cases import Case, case_llm_runtime
from gpuatlas.performance.kv_cache_choice import resolved_kv_cache
from gpuatlas.performance.llm.serving_layout import group_sizes, group_system
from gpuatlas.performance.llm.vectorised import (
    OK,
    LlmColumns,
    LlmEvaluation,
    VectorisedRuntime,
    evaluate_columns,
    offloaded_rows,
    ollama_spilled_rows,
    slot_caps,
)
from gpuatlas.performance.model_constants import model_constant

Array = NDArray[np.float64]
Bands = Callable[[VectorisedRuntime, NDArray[np.str_], Array], tuple[Array, Array]]
AUTO_LAYOUT = "auto"


@dataclass(frozen=True)
class LayoutAnswers:
    """Per row: the best layout's value and range (NaN where no layout serves it), and whether
    the row path must answer it."""

    values: Array
    lows: Array
    highs: Array
    row_path: NDArray[np.bool_]

    @property
    def served(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.values) & ~self.row_path


def layout_answers(
    first: Case, whole: GpuSystem, columns: LlmColumns, bands: Bands
) -> LayoutAnswers:
    """The serving rows of one configuration (`columns`, all serving_output_tok_s) on `whole`
    in the best layout."""
    margin = 1.0 + model_constant("llm", "layout_margin")
    size = len(columns.metric)
    best = [np.full(size, np.nan) for _ in range(3)]
    row_path = np.zeros(size, bool)
    for group in group_sizes(whole.gpu_count):  # smallest groups (most replicas) first
        try:
            vector = _group_vector(first, whole, group)
        except (GpuAtlasError, ValueError, ArithmeticError):
            continue  # the row path skips a group size it cannot build
        found, needs_row = _replicas(vector, first, columns, whole.gpu_count // group, bands)
        row_path |= needs_row
        better = ~np.isnan(found[0]) & (np.isnan(best[0]) | (found[0] > margin * best[0]))
        best = [np.where(better, new, old) for new, old in zip(found, best, strict=True)]
    return LayoutAnswers(best[0], best[1], best[2], row_path)


def _group_vector(first: Case, whole: GpuSystem, size: int) -> VectorisedRuntime:
    """One replica's formulas: the case's runtime on a group of `size` of the system's GPUs
    (as `serving_layout._serving_of` builds it)."""
    system = group_system(whole, size)
    kv_cache = resolved_kv_cache(first.kv_cache, first.engine, first.weights, system.gpu)
    return VectorisedRuntime(case_llm_runtime(first, system, first.model, kv_cache))


def _replicas(
    vector: VectorisedRuntime, first: Case, columns: LlmColumns, replicas: int, bands: Bands
) -> tuple[list[Array], NDArray[np.bool_]]:
    """([values, lows, highs] of the whole system in this layout, NaN where a replica's load
    is not served) and the rows the row path must answer."""
    wants_max = np.isnan(columns.batch)
    concurrency = np.where(wants_max, 1.0, columns.batch)
    active = np.minimum(float(replicas), concurrency)  # replicas with a sequence
    base = np.floor(concurrency / active)
    extra = concurrency - base * active  # replicas running one sequence more
    first_load = np.where(wants_max, np.nan, base + (extra > 0))
    rest_load = np.where(wants_max, np.nan, base)
    one, one_row = _evaluated(vector, first, replace(columns, batch=first_load))
    rest, rest_row = one, one_row  # every replica at the same load: one evaluation
    if (extra > 0).any():
        rest, rest_row = _evaluated(vector, first, replace(columns, batch=rest_load))
    served = (one.reason == OK) & (rest.reason == OK)
    total = np.zeros(len(concurrency))
    for index in range(replicas):  # summed replica by replica, as the row path sums them
        total = total + np.where(
            index < extra, one.values, np.where(index < active, rest.values, 0.0)
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(wants_max, float(replicas), total / one.values)
    lows, highs = bands(vector, columns.metric, one.values)
    found = [np.where(served, part * factor, np.nan) for part in (one.values, lows, highs)]
    return found, one_row | rest_row


def _evaluated(
    vector: VectorisedRuntime, first: Case, columns: LlmColumns
) -> tuple[LlmEvaluation, NDArray[np.bool_]]:
    """One replica's evaluation at these loads and the rows it runs partly on the CPU."""
    found = evaluate_columns(vector, columns, slot_caps(vector, first, columns))
    row_path = offloaded_rows(vector, found.reason, found.batch, columns.metric)
    row_path |= ollama_spilled_rows(vector, found.reason, found.batch, columns, first.engine_as_run)
    return found, row_path
