"""`cost --model M --workload llm` without --gpu ranks each GPU alone; when GPUs are left out
on memory it says where setups of several GPUs are weighed (named systems, or `plan`)."""

from __future__ import annotations

from gpuatlas.app.cost import RentingCostRequest, cost_report
from gpuatlas.cli.cost_rent import several_gpus_hint


def test_a_ranking_of_single_gpus_points_to_multi_gpu_setups() -> None:
    every = RentingCostRequest(model="llama-3.1-70b", workload="llm")
    report = cost_report(every)
    assert report.all_gpus and any(r.reason.startswith("memory") for r in report.cannot_run)
    assert "name systems of several GPUs (--gpu '2x h100-sxm')" in several_gpus_hint(report)
    named = RentingCostRequest(gpus=["rtx-4090"], model="llama-3.1-70b", workload="llm")
    assert several_gpus_hint(cost_report(named)) == ""  # the user named the systems
