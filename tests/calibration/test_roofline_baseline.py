"""The roofline baseline of the accuracy report (100 % of peak, no fixed costs) does not depend
on the calibration it is built from: the terms a fit sets from rows beyond the groups (shares of
a rate, times per layer) stay at their hand-set priors, so a refit that adds a fitted term
cannot move the baseline column."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from gpuatlas.calibration.fitting import observations
from gpuatlas.calibration.validation import roofline_calibration, roofline_predictions
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.calibration_table import (
    ALL_BACKENDS,
    FITTED_TERM_FIELDS,
    Calibration,
    current_calibration,
)

pytestmark = pytest.mark.unit


def test_the_fitted_terms_beyond_the_groups_are_left_at_their_priors() -> None:
    shipped = current_calibration()
    assert shipped.routed_expert_shares and shipped.matvec_alu_shares  # fitted in the shipped one
    roofline = roofline_calibration(shipped)
    for name in (
        "matvec_alu_shares",
        "hbm_single_stream",
        "moe_layer",
        "moe_layer_eras",
        "fused_moe",
        "eager_prefill",
        "recurrent_prefill",
        "upcast_expert",
        "routed_expert_shares",
    ):
        assert getattr(roofline, name) == {}, name


def test_the_baseline_is_the_same_from_any_calibration() -> None:
    shipped = current_calibration()
    other = replace(shipped, routed_expert_shares={ALL_BACKENDS: {"share": 0.2, "n": 9.0}})
    moe_prompts = [
        item
        for item in observations(load_measurements())
        if item.kind == "prefill" and "moe" in item.row.file
    ]
    assert moe_prompts
    first = [p.predicted for p in roofline_predictions(moe_prompts, shipped)]
    second = [p.predicted for p in roofline_predictions(moe_prompts, other)]
    assert first == second


def test_every_fitted_term_of_a_calibration_is_declared() -> None:
    """A new term the fit sets beyond the groups must join FITTED_TERM_FIELDS, or the
    roofline would carry its fitted value again."""
    kept = {"version", "model", "eta_memory_prior_by_family", "eta_compute_prior_by_family"}
    kept |= {"groups", "errors", "covered", "_params_memo"}
    declared = {field.name for field in fields(Calibration)} - kept
    assert declared == set(FITTED_TERM_FIELDS)
