"""Power and electricity against hand sums (the article's arithmetic checked, not copied)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.power import (
    electricity_usd,
    facility_w,
    kwh_per_million,
    system_power,
    work_per_joule,
    yearly_electricity_usd,
)


def test_four_rtx_4090_vs_two_a100_sxm_at_012_and_pue_13() -> None:
    rtx = system_power(resolve_system("4x rtx-4090"))
    a100 = system_power(resolve_system("2x a100-80gb-sxm"))
    assert (rtx.draw_w, a100.draw_w) == (1800.0, 800.0)
    assert rtx.basis == "tdp-estimate"
    assert facility_w(rtx.draw_w, 1.3) == pytest.approx(2340.0)
    # 2,340 W × 8,760 h × $0.12/kWh = $2,459.81 (the article prints $2,464.51)
    assert yearly_electricity_usd(rtx.draw_w, 0.12, 1.3) == pytest.approx(2459.808)
    # 1,040 W × 8,760 h × $0.12/kWh = $1,093.25 (the article prints $1,092.48)
    assert yearly_electricity_usd(a100.draw_w, 0.12, 1.3) == pytest.approx(1093.248)
    five_years = 5 * (2459.808 - 1093.248)
    assert electricity_usd(1800, 5 * 8760, 0.12, 1.3) - electricity_usd(
        800, 5 * 8760, 0.12, 1.3
    ) == pytest.approx(five_years)


def test_article_second_power_table_at_015_without_pue() -> None:
    # 1.8 kW × 8,760 h × $0.15 = $2,365.20 (the article prints $2,376); 0.8 kW → $1,051.20
    assert yearly_electricity_usd(1800, 0.15) == pytest.approx(2365.2)
    assert yearly_electricity_usd(800, 0.15) == pytest.approx(1051.2)


def test_energy_per_work_of_the_same_workload() -> None:
    assert work_per_joule(900.0, 450.0) == pytest.approx(2.0)
    # 1M tokens at 1,000 tok/s = 1,000 s at 450 W = 450 kJ = 0.125 kWh
    assert kwh_per_million(1000.0, 450.0) == pytest.approx(0.125)
    assert kwh_per_million(1000.0, 450.0, pue=1.3) == pytest.approx(0.1625)


def test_measured_power_wins_over_tdp_and_is_labelled() -> None:
    draw = system_power(resolve_system("rtx-4090"), measured_w=380.0, measured_source="run 7")
    assert draw.basis == "measured" and draw.draw_w == 380.0
    assert "measured" in draw.label


def test_bad_pue_is_refused() -> None:
    with pytest.raises(ValueError, match="PUE"):
        facility_w(100.0, 0.9)
