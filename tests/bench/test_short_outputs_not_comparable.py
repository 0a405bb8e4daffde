"""A run whose outputs stopped short of the tokens asked is not valid for comparison: the
harness warned 'outputs shorter than requested: mean 11.5 of 64 tokens ... not comparable' and
still wrote comparable: true; a real AIPerf file asking 32 tokens that got a median of 3
imported as comparable."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.bench.importers import import_file
from gpuatlas.records.result import BenchResult
from gpuatlas.records.validity import comparability_problems

pytestmark = pytest.mark.unit
REAL = Path(__file__).resolve().parents[1] / "fixtures" / "bench" / "real" / "aiperf-c4.json"


def test_full_length_outputs_stay_comparable() -> None:
    (result,) = import_file(REAL)  # 16 of 16 tokens
    assert comparability_problems(result) == []


def _with_mean_output(mean: float, **settings: object) -> BenchResult:
    """The real AIPerf result with its requests' mean output tokens (and settings) changed."""
    (result,) = import_file(REAL)
    summary = result.metrics["output_tokens"].model_copy(update={"mean": mean, "median": mean})
    return result.model_copy(
        update={
            "metrics": {**result.metrics, "output_tokens": summary},
            "settings": result.settings.model_copy(update=settings),
        }
    )


def test_short_outputs_are_not_comparable() -> None:
    (problem,) = comparability_problems(_with_mean_output(3.0))
    assert problem.startswith("outputs shorter than requested: mean 3.0 of 16 tokens")


def test_a_dataset_run_asks_each_request_its_own_length() -> None:
    assert comparability_problems(_with_mean_output(3.0, extra={"dataset": "chat.jsonl"})) == []
