"""A price per image or per token on an instance rented whole: the instance runs as many copies
of the system as it holds, each at its own speed. `cost --workload image --gpu v100-sxm2-16gb`
charged Lambda's whole 8-GPU instance ($6.32/h) to one GPU's images ($0.11 an image, where
`compare` prices the same GPU per GPU: 8x less); 2x V100 serving without a traffic paid for
eight GPUs with the tokens of two. A stated traffic (--rps) still pays for whole instances."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import (
    RentingCostRequest,
    cost_document,
    cost_report,
    daily_volume_note,
    shared_instance_notes,
)
from gpuatlas.catalog.price_snapshot import PriceSnapshot
from gpuatlas.economics.offer_costs import copies_per_instance, filled_instance_price

pytestmark = pytest.mark.unit

V100 = "v100-16gb-sxm2"
LAMBDA_8X = PriceSnapshot("Lambda", V100, 0.79, "on-demand", "2026-09-20", "test", 8)
PER_GPU = PriceSnapshot("RunPod", V100, 0.5, "community", "2026-09-20", "test", 1)


def test_an_instance_rented_whole_holds_its_gpus_over_the_systems_gpus() -> None:
    assert copies_per_instance(LAMBDA_8X, 1) == 8
    assert copies_per_instance(LAMBDA_8X, 2) == 4
    assert copies_per_instance(LAMBDA_8X, 3) == 2  # two GPUs idle, paid all the same
    assert copies_per_instance(PER_GPU, 1) == 1
    filled = filled_instance_price(LAMBDA_8X, 3)
    assert filled.usd_per_hour == pytest.approx(8 * 0.79)
    assert filled.usd_per_system_hour == pytest.approx(4 * 0.79)
    assert filled_instance_price(PER_GPU, 2).usd_per_system_hour == pytest.approx(1.0)


def _request(gpu: str, **more: object) -> RentingCostRequest:
    return RentingCostRequest.model_validate(
        {"gpus": [gpu], "providers": ["lambda"], "tiers": ["on-demand"], **more}
    )


def test_an_image_on_a_whole_instance_costs_one_gpus_share() -> None:
    request = _request("v100-sxm2-16gb", model="sdxl", workload="image")
    report = cost_report(request)
    job = next(j for j in report.jobs if j.price.gpus_per_instance == 8)
    assert job.price.systems == 8 and job.price.usd_per_hour == pytest.approx(8 * 0.79)
    assert job.usd.value == pytest.approx(job.hours.value * 0.79)  # not 8 x 0.79
    (note,) = shared_instance_notes(report)
    assert "runs 8 copies of the 1-GPU setup" in note and "8x the price per image" in note
    assert cost_document(request)["shared_instance_notes"] == [note]


def test_serving_without_a_traffic_fills_the_instance_with_replicas() -> None:
    request = _request("2x v100-sxm2-16gb", model="llama-3.1-8b", workload="llm")
    report = cost_report(request)
    row = next(r for r in report.serving if r.price.gpus_per_instance == 8)
    assert row.price.systems == 4
    tokens_per_s = row.sustained.output_tok_s * 4
    expected = row.price.usd_per_hour * 1e6 / (3600 * tokens_per_s)
    assert row.usd_per_million_output_tokens.value == pytest.approx(expected)
    at_full_load = 2 * 0.79 * 1e6 / (3600 * row.sustained.full_load_tok_s)
    assert row.usd_per_million_output_tokens_at_saturation == pytest.approx(at_full_load)
    assert "4 copies of 2x v100-16gb-sxm2" in daily_volume_note(report)
    assert any("4 copies of the 2-GPU setup" in n for n in shared_instance_notes(report))


def test_a_stated_traffic_pays_for_the_instances_its_replicas_need() -> None:
    request = _request("2x v100-sxm2-16gb", model="llama-3.1-8b", workload="llm", rps=1)
    report = cost_report(request)
    row = next(r for r in report.serving if r.price.gpus_per_instance == 8)
    assert row.sustained.sized_for_traffic and row.price.systems == row.sustained.replicas == 1
    assert row.price.usd_per_hour == pytest.approx(8 * 0.79)  # the whole instance, one replica
    assert shared_instance_notes(report) == []
