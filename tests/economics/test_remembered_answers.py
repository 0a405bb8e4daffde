"""What the planner remembers between setups (built systems, runtimes, replica estimates, a
replica's batch and step times) gives the answers computing afresh gives, and never an answer
of another calibration, load or network."""

from __future__ import annotations

import dataclasses

import pytest

from gpuatlas.app.economics_requests import PlanRequest, run_plan
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics import serving_candidate
from gpuatlas.economics.serving_candidate import Slo
from gpuatlas.economics.serving_simulation import LatencyLimits, Traffic, constant_step_times
from gpuatlas.economics.simulation_step_times import EstimatorStepSource, step_times_from
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import (
    Calibration,
    shipped_calibration,
    using_calibration,
)
from gpuatlas.performance.llm import serving_layout
from gpuatlas.performance.llm.predict import clear_runtime_caches, llm_runtime


def _forget_everything() -> None:
    clear_runtime_caches()
    serving_layout._REPLICA_ESTIMATES.clear()
    serving_candidate._SIMULATIONS.clear()


def _slower_decode() -> Calibration:
    """The shipped calibration with every llama.cpp decode group at half its memory efficiency."""
    base = shipped_calibration()
    groups = {
        key: (
            {**values, "eta_memory": values.get("eta_memory", 0.8) / 2}
            if key.startswith("decode|llama.cpp|")
            else values
        )
        for key, values in base.groups.items()
    }
    groups.setdefault("decode|llama.cpp|*|*", {"eta_memory": 0.4})
    return dataclasses.replace(base, version="test-slower-decode", groups=groups)


def test_a_system_is_built_once_per_gpu_count_and_network() -> None:
    gpu = gpu_by_id("h100-sxm")
    assert build_system(gpu, 4) is build_system(gpu, 4)
    assert build_system(gpu, 4) is not build_system(gpu, 8)
    two_nodes = build_system(gpu, 16, "infiniband-ndr-400")
    assert two_nodes is not build_system(gpu, 16)
    assert two_nodes.network is not None and two_nodes.network.id == "infiniband-ndr-400"


def test_a_runtime_is_never_answered_from_another_calibration() -> None:
    shipped = llm_runtime("rtx-3090", "llama-3.1-8b", "q4_k_m", "llama.cpp")
    with using_calibration(_slower_decode()):
        slower = llm_runtime("rtx-3090", "llama-3.1-8b", "q4_k_m", "llama.cpp")
        assert slower is not shipped
        assert slower.decode_step_s(1, 512) > 1.5 * shipped.decode_step_s(1, 512)
    assert llm_runtime("rtx-3090", "llama-3.1-8b", "q4_k_m", "llama.cpp") is shipped


def test_replica_estimates_depend_on_each_replicas_load() -> None:
    def rate(concurrency: int) -> float:
        return api.serving_layout(
            "8x rtx-3090",
            "llama-3.1-8b",
            "q4_k_m",
            "vllm",
            concurrency=concurrency,
            input_tokens=512,
            output_tokens=256,
        ).output_tok_s.value

    _forget_everything()
    fresh = {concurrency: rate(concurrency) for concurrency in (8, 64)}
    assert fresh[64] > 2 * fresh[8]  # batching: 8 sequences per GPU serve far more than one
    for concurrency in (64, 8, 64):  # answered from memory now
        assert rate(concurrency) == fresh[concurrency]


def test_step_times_follow_the_calibration_in_force() -> None:
    source = EstimatorStepSource(
        build_system(gpu_by_id("rtx-3090"), 1), "llama-3.1-8b", "q4_k_m", "llama.cpp"
    )
    shipped = step_times_from(source, 512, 256, 4)
    with using_calibration(_slower_decode()):
        slower = step_times_from(source, 512, 256, 4)
    assert slower.decode_step_s[1] > 1.5 * shipped.decode_step_s[1]
    again = step_times_from(source, 512, 256, 4)
    assert again.decode_step_s.tolist() == shipped.decode_step_s.tolist()
    assert again.prefill_step_s.tolist() == shipped.prefill_step_s.tolist()


def test_shared_step_times_cannot_be_written() -> None:
    source = EstimatorStepSource(
        build_system(gpu_by_id("rtx-4090"), 1), "llama-3.1-8b", "fp16", "vllm"
    )
    steps = step_times_from(source, 512, 256, source.max_batch(768))
    with pytest.raises(ValueError, match="read-only"):
        steps.decode_step_s[1] = 0.0


def test_a_plan_over_every_count_equals_plans_of_one_count_each() -> None:
    """Counts 1, 2, 4 and 8 share replicas (8 GPUs weigh groups of 1, 2 and 4): each count's
    options in one plan are found, with the same figures, by a plan of that count alone started
    from nothing."""

    def plan(counts: tuple[int, ...]) -> dict[tuple[int, str, str], tuple[object, ...]]:
        request = PlanRequest(
            model="llama-3.1-8b",
            weights=("all",),
            rps=20.0,
            input_tokens=512,
            output_tokens=256,
            slo=Slo(p95_ttft_ms=1000, p95_tpot_ms=60),
            gpus=("rtx-3090", "l40s"),
            gpu_counts=counts,
            top=100,
        )
        found = run_plan(request)
        return {
            (option.gpu_count, f"{option.gpu} {option.weights}", option.offer_label): (
                option.replicas,
                option.layout,
                option.p95_ttft_ms,
                option.p95_tpot_ms,
                option.monthly_cost_usd,
            )
            for option in found.options
        }

    together = plan((1, 2, 4, 8))
    assert {key[0] for key in together} >= {1, 2}
    for count in (1, 2, 4, 8):
        _forget_everything()
        alone = plan((count,))
        # an option ranked among the first 100 of every count is among the first 100 of its own
        ranked = {key: value for key, value in together.items() if key[0] == count}
        assert ranked.items() <= alone.items()


def test_a_simulation_is_run_once_per_replica_traffic_and_limits() -> None:
    steps = constant_step_times(0.005, 64, 0.05)
    traffic = Traffic(4.0, 512, 128)
    first = serving_candidate._simulated(steps, traffic, None)
    assert first is not None
    assert serving_candidate._simulated(steps, traffic, None) is first
    busier = serving_candidate._simulated(steps, traffic.scaled(2.0), None)
    assert busier is not None and busier.completed_rps > 1.5 * first.completed_rps
    # another step-times object with the same values is simulated afresh, to the same figures
    again = serving_candidate._simulated(constant_step_times(0.005, 64, 0.05), traffic, None)
    assert again is not first and again is not None
    assert again.ttft_s.tolist() == first.ttft_s.tolist()
    with pytest.raises(ValueError, match="read-only"):
        first.ttft_s[0] = 0.0
    # limits that a run misses stop it early, and that answer (None) is remembered too
    strict = LatencyLimits(ttft_s=1e-6)
    assert serving_candidate._simulated(steps, traffic, strict) is None
