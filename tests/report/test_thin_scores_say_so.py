"""An Atlas Score resting on fewer benchmarks than the leaderboard ranks says so wherever it is
a headline: `compare h100 h200` opened with 'H200 SXM 373 [95.2-1,473] on 1 of 44' (the
leaderboard lists it unranked), and the home page's score column showed 373 bare."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest

from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import ScoreEntry, Scores
from gpuatlas.report.phrasing import render_statement
from gpuatlas.report.summary import score_statement
from gpuatlas.web.views import _cheapest_by_gpu

pytestmark = pytest.mark.unit


def _entry(value: float, covered: int) -> ScoreEntry:
    return ScoreEntry(
        value,
        value * 0.8,
        value * 1.2,
        f"{covered} of 44",
        covered,
        44,
        "atlas-score/1",
        "rtx-3090",
    )


def test_a_score_on_too_few_benchmarks_is_called_too_few_to_rank() -> None:
    context = cast(ReportContext, SimpleNamespace(a_label="H100", b_label="H200"))
    scores = Scores(_entry(180.0, 2), _entry(250.0, 12), "method")
    statement = score_statement(scores, context)
    assert statement is not None
    text = render_statement(statement)
    assert "H100 180 [144–216] on 2 of 44 benchmarks, too few to rank" in text
    assert "H200 250 [200–300] on 12 of 44 benchmarks." in text


def test_the_home_pages_from_price_names_the_gpus_variant_when_an_offer_does() -> None:
    assert _cheapest_by_gpu()["a100-80gb-sxm"].gpu_match == "exact"
