"""A plan over GPUs the user named says which of them no offer rents: they are in no ranking
and no rejection line, so without it they vanish from the answer."""

from __future__ import annotations

import sys
from pathlib import Path

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.planning import plan_options, with_unrented_gpus
from gpuatlas.economics.serving_candidate import Slo, Workload

sys.path.insert(0, str(Path(__file__).parent))
from fakes import fake_factory  # noqa: E402

OFFERS = [PriceSnapshot("RunPod", "rtx-4090", 0.34, "community", "2026-09-25", "hand")]
WORKLOAD = Workload("llama-2-13b", "int8", 2.0, 512, 256)  # the fake is a 13B model
SLO = Slo(p95_tpot_ms=200)


def _plan_lines(gpus: tuple[str, ...]) -> tuple[str, ...]:
    systems = [build_system(resolve_gpu(gpu), 1) for gpu in gpus]
    plan = plan_options(WORKLOAD, SLO, systems, OFFERS, ["int8"], 3, fake_factory())
    plan = with_unrented_gpus(plan, systems, OFFERS)
    assert plan.explanation is not None
    return plan.explanation.lines


def test_a_named_gpu_without_offer_is_said_not_ranked() -> None:
    lines = _plan_lines(("rtx-4090", "rx-7900-xtx"))
    assert lines[0].startswith("Winner:")
    assert lines[-1].startswith("Not ranked: no cloud offer rents rx-7900-xtx in the price table")
    assert "rtx-4090" not in lines[-1]


def test_every_named_gpu_rented_adds_nothing() -> None:
    lines = _plan_lines(("rtx-4090",))
    assert not any(line.startswith("Not ranked") for line in lines)
