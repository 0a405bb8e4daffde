"""A training micro-step takes at least the CPU time to dispatch its eager operators
(training/host.py): a step of a few hundred tokens is launch-bound, a step of thousands of
tokens is GPU-bound. The factor on the per-operator time is fitted per framework
(calibration/training_host.py) from the rows it moves, shrunk toward 1."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gpuatlas.calibration.training_host import factor_grid, fit_host_factors, penalised_loss
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import build_system
from gpuatlas.performance.calibration_table import Calibration, current_calibration
from gpuatlas.performance.training.host import (
    BACKWARD_OPS_PER_FORWARD_OP,
    FORWARD_OPS_PER_LAYER,
    GRAPH_LAUNCHES_PER_LAYER,
    HOST_US_PER_OP,
    LORA_OPS_PER_ADAPTED_LINEAR,
    dispatched_ops,
    host_step_s,
)
from gpuatlas.performance.training.memory import TrainingSetup
from gpuatlas.performance.training.optimizer import optimizer_s_per_micro_step
from gpuatlas.performance.training.speed import (
    compute_step_s,
    fitted_host_factor,
    fitted_mfu,
    predict_training_run,
)
from gpuatlas.performance.training.token_traffic import token_traffic_s

MODEL = {model.id: model for model in all_llms()}["llama-3.2-3b"]
SMALL = TrainingSetup("lora", 128, 1, False, "none")


@pytest.mark.unit
def test_a_micro_step_dispatches_forward_backward_and_recomputed_operators() -> None:
    full = replace(SMALL, method="full")
    plain = MODEL.num_layers * FORWARD_OPS_PER_LAYER * (1 + BACKWARD_OPS_PER_FORWARD_OP)
    assert dispatched_ops(MODEL, full, recompute=False) == pytest.approx(plain)
    recomputed = MODEL.num_layers * FORWARD_OPS_PER_LAYER * (2 + BACKWARD_OPS_PER_FORWARD_OP)
    assert dispatched_ops(MODEL, full, recompute=True) == pytest.approx(recomputed)
    assert host_step_s(MODEL, full, False, 2.0) == pytest.approx(
        2.0 * plain * HOST_US_PER_OP * 1e-6
    )


@pytest.mark.unit
def test_a_small_step_is_launch_bound_and_a_large_one_gpu_bound() -> None:
    system = build_system(gpu_by_id("l40s"), 1)
    mfu, _ = fitted_mfu(system, "pytorch")
    small = predict_training_run(system, MODEL, SMALL, tokens=1e9, recompute=False)
    factor = fitted_host_factor(system, "pytorch")
    host_s = host_step_s(MODEL, SMALL, False, factor)
    assert compute_step_s(system, MODEL, SMALL, False, mfu) < host_s
    assert small.step_s.value == pytest.approx(host_s, rel=0.05)
    assert small.tok_s.value == pytest.approx(128 / host_s, rel=0.05)
    large = replace(SMALL, sequence_tokens=4096, micro_batch=4)
    compute_s = compute_step_s(system, MODEL, large, False, mfu)
    assert compute_s > host_step_s(MODEL, large, False, factor)
    run = predict_training_run(system, MODEL, large, tokens=1e9, recompute=False)
    # GPU-bound: the compute plus the (LoRA adapters') optimizer step and the per-token memory
    # traffic (token_traffic.py), not the host time
    optimizer_s = optimizer_s_per_micro_step(system, MODEL, large)
    assert 0.0 < optimizer_s < compute_s / 1000
    traffic_s = token_traffic_s(system, MODEL, large, False)
    assert run.step_s.value == pytest.approx(compute_s + optimizer_s + traffic_s)


@pytest.mark.unit
def test_the_prior_pseudo_rows_shrink_a_log_linear_factor_by_n_over_n_plus_prior() -> None:
    # one GPU whose log error is log(f*/f): the penalised optimum is f* ** (1 / (1 + 2))
    target = 4.0
    grid = factor_grid()
    losses = {f: penalised_loss({"g": [math.log(target / f)]}, f, 2.0) for f in grid}
    best = min(losses, key=losses.__getitem__)
    assert best == pytest.approx(target ** (1 / 3), rel=0.05)
    assert penalised_loss({}, 1.0, 2.0) == 0.0


@pytest.mark.unit
def test_only_rows_the_factor_moves_fit_it_and_unmoved_frameworks_get_none() -> None:
    calibration = Calibration("t", "m", {}, {})

    def error(row: tuple[str, float, str]) -> float | None:
        # row = (framework, host seconds at factor 1 over the measured step, GPU): predicted step
        # is max(0.5, host x factor) of a measured 1.0 (higher is better: log(1 / step))
        factor = (
            current_calibration()
            .groups.get(f"train|{row[0]}|*|*", {})
            .get("train_host_factor", 1.0)
        )
        return -math.log(max(0.5, row[1] * factor))

    rows = [("eager", 0.5, "a"), ("eager", 0.5, "b"), ("eager", 0.5, "c"), ("compiled", 0.01, "a")]
    fitted = fit_host_factors(
        calibration,
        rows,
        framework_of=lambda row: row[0],
        gpu_of=lambda row: row[2],
        error_of=error,
        prior_rows=2.0,
    )
    assert "compiled" not in fitted  # 0.01 s x 5 never binds against the 0.5 s compute
    # the same error on three GPUs: the factor moves 3 / (3 + 2) of the way to 2 in log
    assert fitted["eager"] == pytest.approx(2.0 ** (3 / 5), rel=0.06)


@pytest.mark.unit
def test_a_cuda_graph_framework_launches_two_graphs_per_layer_not_every_operator() -> None:
    # llm.q captures each block's forward, and its recompute + backward, as one CUDA graph each
    graphed = replace(SMALL, engine="llmq")
    assert dispatched_ops(MODEL, graphed, recompute=True) == MODEL.num_layers * 2
    assert GRAPH_LAUNCHES_PER_LAYER == 2
    eager_ops = dispatched_ops(MODEL, SMALL, recompute=False)
    assert host_step_s(MODEL, graphed, True) < host_step_s(MODEL, SMALL, False) / 50
    lora_ops = FORWARD_OPS_PER_LAYER + LORA_OPS_PER_ADAPTED_LINEAR * 7  # q, k, v, o, gate, up, down
    assert eager_ops == MODEL.num_layers * lora_ops * (1 + BACKWARD_OPS_PER_FORWARD_OP)
