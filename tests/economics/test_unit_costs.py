"""Unit costs against hand calculations (the seed article's figures, checked)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.economics.offer_costs import (
    instances_needed,
    offer_price,
    usd_for_days,
    usd_for_hours,
    usd_per_gb_vram_hour,
    usd_per_image,
    usd_per_million_tokens,
    usd_per_month,
    usd_per_request,
)


def snapshot(
    price: float, gpus: int = 1, offer: str = "", gpu: str = "a100-80gb-sxm"
) -> PriceSnapshot:
    return PriceSnapshot("Test", gpu, price, "on-demand", "2026-01-01", "hand", gpus, offer)


def test_long_duration_costs_match_the_article() -> None:
    assert usd_for_hours(0.34, 24) == pytest.approx(8.16)
    assert usd_for_hours(1.19, 24) == pytest.approx(28.56)
    assert usd_for_days(0.34, 30) == pytest.approx(244.80)
    assert usd_for_days(1.19, 30) == pytest.approx(856.80)


def test_vram_cost_per_gb_hour() -> None:
    assert usd_per_gb_vram_hour(0.34, resolve_gpu("rtx-4090")) == pytest.approx(0.34 / 24)
    assert usd_per_gb_vram_hour(1.19, resolve_gpu("a100-80gb-pcie")) == pytest.approx(0.014875)


def test_cost_per_million_tokens_and_request_use_own_throughput() -> None:
    # $1.19/h at 1,000 tok/s: 1.19 / 3.6 = $0.3306 per 1M tokens
    assert usd_per_million_tokens(1.19, 1000.0) == pytest.approx(0.330555, rel=1e-5)
    # a GPU with 4x the capacity pays a quarter per request at the same $/h
    assert usd_per_request(0.34, 2.0) == pytest.approx(0.34 / 7200)
    assert usd_per_request(0.34, 8.0) == pytest.approx(usd_per_request(0.34, 2.0) / 4)
    assert usd_per_image(3.6, 2.0) == pytest.approx(0.002)
    assert usd_per_month(1.0) == pytest.approx(730.0)


def test_zero_throughput_is_refused() -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        usd_per_million_tokens(1.0, 0.0)
    with pytest.raises(ValueError, match="hours must be"):
        usd_for_hours(1.0, -1)


def test_per_gpu_offers_bill_each_gpu() -> None:
    price = offer_price(snapshot(1.39), gpus_per_system=2, replicas=3)
    assert price.per_gpu_billing
    assert price.instances == 6
    assert price.usd_per_hour == pytest.approx(6 * 1.39)


def test_fixed_instances_are_rented_whole() -> None:
    eight_gpu = snapshot(2.79, gpus=8)
    # one 2-GPU system still pays for the whole 8-GPU node: 8 × $2.79
    assert offer_price(eight_gpu, 2).usd_per_hour == pytest.approx(22.32)
    # five 2-GPU replicas pack four to a node: two nodes
    assert instances_needed(eight_gpu, 2, 5) == 2
    with pytest.raises(ValueError, match="does not fit"):
        instances_needed(snapshot(3.67, 1, "NC24ads"), 2)
