"""The one search for "the first format that fits" (catalog.model_weights), which fit's verdict
and a comparison's LLM section both name when the format asked for does not fit."""

from __future__ import annotations

from gpuatlas.app.fit import FitRequest, fit_answer, fit_verdict
from gpuatlas.catalog.model_weights import first_format_that_fits

FITS = {"bf16": False, "fp8": True, "awq-int4": True}


def test_the_first_fitting_candidate_other_than_the_asked_one() -> None:
    tried: list[str] = []

    def fits(format_id: str) -> bool:
        tried.append(format_id)
        return FITS[format_id]

    candidates = ["bf16", "fp8", "fp8", "awq-int4"]
    assert first_format_that_fits(candidates, fits, besides="bf16") == "fp8"
    assert tried == ["fp8"]  # the asked format is never tried, the search stops at a fit
    assert first_format_that_fits(candidates, FITS.__getitem__, besides="fp8") == "awq-int4"
    assert first_format_that_fits(["bf16"], FITS.__getitem__, besides="fp8") is None


def test_fit_names_the_first_row_of_its_table_that_fits() -> None:
    answer = fit_answer(FitRequest(system="2x rtx-3090", model="llama-3.3-70b"))
    fitting = [row.format_id for row in answer.rows if row.fits]
    assert not answer.detail.fits and fitting[0] == "awq-int4"
    assert fit_verdict(answer).startswith("does not fit on 2x rtx-3090 in bf16: needs 8 GPUs")
    assert "; fits in awq-int4 (37.0 GiB of weights" in fit_verdict(answer)
