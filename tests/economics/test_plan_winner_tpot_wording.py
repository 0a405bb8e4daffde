"""The plan's winner line says its per-replica capacity is within the TPOT target only when a
TPOT target was given; without one the bound is the replica's saturation rate."""

from __future__ import annotations

import sys
from pathlib import Path

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.planning import plan_options
from gpuatlas.economics.serving_candidate import Slo, Workload

sys.path.insert(0, str(Path(__file__).parent))
from fakes import fake_factory  # noqa: E402

SYSTEMS = [build_system(resolve_gpu("rtx-4090"), 1)]
OFFERS = [PriceSnapshot("RunPod", "rtx-4090", 0.34, "community", "2026-09-25", "hand")]
WORKLOAD = Workload("llama-2-13b", "int8", 2.0, 512, 256)  # the fake is a 13B model


def _winner_line(slo: Slo) -> str:
    plan = plan_options(WORKLOAD, slo, SYSTEMS, OFFERS, ["int8"], 3, fake_factory())
    assert plan.explanation is not None
    return plan.explanation.lines[0]


def test_no_tpot_target_is_not_called_one() -> None:
    line = _winner_line(Slo(p95_ttft_ms=2000))
    assert line.startswith("Winner:")
    assert "with no TPOT target" in line and "within the TPOT target" not in line


def test_a_tpot_target_is_named() -> None:
    line = _winner_line(Slo(p95_tpot_ms=200))
    assert "within the TPOT target" in line
