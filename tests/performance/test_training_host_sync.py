"""A framework whose loop reads a value back from the GPU every micro-step (the Hugging Face
Trainer's nan/inf loss filter) cannot queue the next micro-step while the GPU runs this one:
its host dispatch time adds to the GPU time (training/speed.py micro_step_s); a framework
without such a wait overlaps the two and the longer one sets the pace."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import build_system
from gpuatlas.performance.training.engines import profile_text, training_engines
from gpuatlas.performance.training.host import host_step_s
from gpuatlas.performance.training.memory import TrainingSetup
from gpuatlas.performance.training.optimizer import optimizer_s_per_micro_step
from gpuatlas.performance.training.speed import (
    compute_step_s,
    fitted_host_factor,
    fitted_mfu,
    micro_step_s,
    predict_training_run,
)
from gpuatlas.performance.training.token_traffic import token_traffic_s

MODEL = {model.id: model for model in all_llms()}["llama-3.2-3b"]
SETUP = TrainingSetup("lora", 1024, 2, False, "none", engine="hf-trainer")


@pytest.mark.unit
def test_the_trainer_and_what_runs_it_wait_for_the_gpu_every_micro_step() -> None:
    # transformers' Trainer: `torch.isnan(tr_loss_step) or torch.isinf(tr_loss_step)` under
    # logging_nan_inf_filter (default True) takes a CUDA tensor's truth value every micro-step;
    # Axolotl runs that Trainer. PyTorch-native loops and CUDA-graph engines state no such wait.
    engines = training_engines()
    assert engines["hf-trainer"].host_sync_per_micro_step
    assert engines["axolotl"].host_sync_per_micro_step
    for quiet in ("pytorch", "megatron", "llmq", "nanogpt"):
        assert not engines[quiet].host_sync_per_micro_step
    assert "waits for the GPU every micro-step" in profile_text(engines["hf-trainer"])
    assert "waits" not in profile_text(engines["pytorch"])


@pytest.mark.unit
def test_overlapped_host_and_gpu_take_the_longer_and_synced_ones_their_sum() -> None:
    assert micro_step_s(0.30, 0.10, host_syncs=False) == pytest.approx(0.30)
    assert micro_step_s(0.10, 0.30, host_syncs=False) == pytest.approx(0.30)
    assert micro_step_s(0.30, 0.10, host_syncs=True) == pytest.approx(0.40)
    assert micro_step_s(0.10, 0.30, host_syncs=True) == pytest.approx(0.40)


def gpu_and_host_s(setup: TrainingSetup) -> tuple[float, float]:
    """The step's GPU seconds (compute, optimizer step, per-token traffic) and the host's
    dispatch seconds, on one L40S at the framework's fitted levels."""
    system = build_system(gpu_by_id("l40s"), 1)
    mfu, _ = fitted_mfu(system, setup.engine)
    gpu_s = (
        compute_step_s(system, MODEL, setup, False, mfu)
        + optimizer_s_per_micro_step(system, MODEL, setup)
        + token_traffic_s(system, MODEL, setup, False)
    )
    return gpu_s, host_step_s(MODEL, setup, False, fitted_host_factor(system, setup.engine))


def predicted_step_s(setup: TrainingSetup) -> float:
    system = build_system(gpu_by_id("l40s"), 1)
    return predict_training_run(system, MODEL, setup, tokens=1e9, recompute=False).step_s.value


@pytest.mark.unit
def test_a_trainer_step_on_one_gpu_is_its_gpu_time_plus_its_dispatch_time() -> None:
    gpu_s, host_s = gpu_and_host_s(SETUP)
    assert predicted_step_s(SETUP) == pytest.approx(gpu_s + host_s)


@pytest.mark.unit
def test_the_same_step_without_the_wait_takes_the_longer_of_the_two() -> None:
    setup = replace(SETUP, engine="pytorch")
    gpu_s, host_s = gpu_and_host_s(setup)
    assert predicted_step_s(setup) == pytest.approx(max(gpu_s, host_s))
