"""`--parallel` (a llama.cpp/Ollama server's request slots per engine replica) reaches the
full-load figure and the layout `plan` and `cost` simulate (economics.full_load): fewer slots
hold fewer sequences and serve fewer tokens, each replica of a multi-GPU layout holds its own
slots as one GPU alone does, and engines without slots (vLLM) ignore it."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.full_load import full_load_serving, held_sequences, layout_group
from gpuatlas.economics.serving_candidate import Slo, Workload
from gpuatlas.economics.simulation_step_times import EstimatorStepSource
from gpuatlas.economics.unit_costs import SustainedServing, sustained_serving

pytestmark = pytest.mark.unit

MODEL, WEIGHTS = "llama-3.1-8b", "q4_k_m"
LENGTHS = {"input_tokens": 512, "output_tokens": 256}


def _full_load_tok_s(system: str, engine: str, parallel: int | None) -> float:
    found = full_load_serving(
        resolve_system(system), MODEL, WEIGHTS, engine, **LENGTHS, parallel=parallel
    )
    return found.output_tok_s.value


@pytest.mark.parametrize("engine", ["llama.cpp", "ollama"])
def test_fewer_slots_hold_fewer_sequences(engine: str) -> None:
    system = resolve_system("rtx-4090")
    held = [held_sequences(system, MODEL, WEIGHTS, engine, 768, parallel=p) for p in (1, 2, 4)]
    assert held == [1, 2, 4]


@pytest.mark.parametrize("system", ["rtx-4090", "2x rtx-4090"])
def test_fewer_slots_serve_fewer_tokens_at_full_load(system: str) -> None:
    rates = [_full_load_tok_s(system, "llama.cpp", p) for p in (1, 2, 4, 8)]
    assert rates == sorted(rates)
    assert rates[0] < 0.5 * rates[-1]


@pytest.mark.parametrize("parallel", [None, 1, 2, 8])
def test_each_replica_holds_its_own_slots(parallel: int | None) -> None:
    # 2 replicas of 1 GPU each: twice what one GPU with the same slots serves (before, the
    # slots of one engine were shared over both replicas: --parallel 1 left one of them idle)
    two = full_load_serving(
        resolve_system("2x rtx-4090"), MODEL, WEIGHTS, "llama.cpp", **LENGTHS, parallel=parallel
    )
    assert two.layout.replicas == 2
    one = _full_load_tok_s("rtx-4090", "llama.cpp", parallel)
    assert two.output_tok_s.value == pytest.approx(2 * one, rel=1e-9)


def test_an_engine_without_slots_ignores_parallel() -> None:
    one_slot = _full_load_tok_s("2x rtx-4090", "vllm", 1)
    assert one_slot == _full_load_tok_s("2x rtx-4090", "vllm", None)


def test_the_layout_group_carries_the_slots() -> None:
    system = resolve_system("2x rtx-4090")
    source = EstimatorStepSource(system, MODEL, WEIGHTS, "llama.cpp", num_ctx=None, parallel=1)
    group, layout = layout_group(source, 512, 256)
    assert layout is not None and layout.replicas == 2
    assert isinstance(group, EstimatorStepSource)
    assert group.system.gpu_count == 1 and group.parallel == 1
    assert group.max_batch(768) == 1


def _sustained(parallel: int | None) -> SustainedServing:
    workload = Workload(MODEL, WEIGHTS, 1.0, 512, 256, "llama.cpp", parallel=parallel)
    found = sustained_serving(resolve_system("2x rtx-4090"), workload, Slo(), utilization=1.0)
    assert isinstance(found, SustainedServing)
    return found


def test_cost_prices_full_load_at_the_slots_set() -> None:
    one_slot, eight_slots = _sustained(1), _sustained(8)
    expected = _full_load_tok_s("2x rtx-4090", "llama.cpp", 1)
    assert one_slot.full_load_tok_s == pytest.approx(expected)
    assert one_slot.full_load_tok_s < 0.5 * eight_slots.full_load_tok_s
    assert one_slot.output_tok_s < eight_slots.output_tok_s
