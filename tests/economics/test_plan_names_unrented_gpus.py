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


SPOT_3090 = PriceSnapshot("Vast.ai", "rtx-3090", 0.18, "spot", "2026-05", "hand")
SPOT_3090_DEARER = PriceSnapshot("Vast.ai", "rtx-3090", 0.25, "spot", "2026-06", "hand")


def test_a_gpu_rented_only_at_another_tier_names_that_offer_and_the_tier() -> None:
    systems = [build_system(resolve_gpu(gpu), 1) for gpu in ("rtx-4090", "rtx-3090")]
    plan = plan_options(WORKLOAD, SLO, systems, OFFERS, ["int8"], 3, fake_factory())
    every = [*OFFERS, SPOT_3090_DEARER, SPOT_3090]
    plan = with_unrented_gpus(plan, systems, OFFERS, every, ("on-demand", "community"))
    assert plan.explanation is not None
    assert plan.explanation.lines[-1] == (
        "Not ranked: no offer at the chosen tiers and providers rents rtx-3090; the cheapest "
        "elsewhere is $0.18/GPU-h (Vast.ai spot, 2026-05): --tier spot ranks it."
    )


def test_a_gpu_left_out_by_the_provider_filter_names_the_provider() -> None:
    systems = [build_system(resolve_gpu(gpu), 1) for gpu in ("rtx-4090", "rtx-3090")]
    plan = plan_options(WORKLOAD, SLO, systems, OFFERS, ["int8"], 3, fake_factory())
    plan = with_unrented_gpus(plan, systems, OFFERS, [*OFFERS, SPOT_3090], ("spot",))
    assert plan.explanation is not None
    assert plan.explanation.lines[-1].endswith("--provider Vast.ai ranks it.")


def test_nothing_ranked_because_of_the_tier_says_so_in_the_message() -> None:
    systems = [build_system(resolve_gpu("rtx-3090"), 1)]
    plan = plan_options(WORKLOAD, SLO, systems, [], ["int8"], 3, fake_factory())
    plan = with_unrented_gpus(plan, systems, [], [SPOT_3090], ("on-demand", "community"))
    assert not plan.options
    assert plan.message == (
        "no offer at the chosen tiers and providers rents rtx-3090; the cheapest elsewhere is "
        "$0.18/GPU-h (Vast.ai spot, 2026-05): --tier spot ranks it"
    )
