"""The optimizer step's memory traffic (training/optimizer.py) and gradient accumulation: AdamW
streams its parameter, gradient and two moments once per optimizer step (7 accesses fused, 21
as torch's foreach kernels, 3 more for gradient clipping), at 4 bytes an element with fp32
master weights and 2 in pure 16-bit training; with accumulation the step, and DDP's gradient
all-reduce, come once every `gradient_accumulation` micro-steps."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.calibration.case_files import case_from_fields
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import build_system
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.training.memory import (
    TrainingSetup,
    training_memory_fit,
    validate_setup,
)
from gpuatlas.performance.training.optimizer import (
    optimizer_bytes_moved_per_param,
    optimizer_s_per_micro_step,
    optimizer_step_s,
)
from gpuatlas.performance.training.speed import SyncPhases, exposed_sync_s
from gpuatlas.performance.training.variants import variant_offloads_optimizer, variant_optimizer

MODEL = {model.id: model for model in all_llms()}["llama-3.2-3b"]
FULL = TrainingSetup("full", 210, 4, False, "none")


@pytest.mark.unit
def test_bytes_moved_per_parameter_follow_the_implementation_and_precision() -> None:
    assert optimizer_bytes_moved_per_param(FULL) == (7 + 3) * 4.0  # fused, fp32 master
    foreach_pure = replace(FULL, optimizer="foreach", master_weights=False)
    assert optimizer_bytes_moved_per_param(foreach_pure) == (21 + 3) * 2.0
    assert optimizer_bytes_moved_per_param(replace(FULL, optimizer="foreach")) == 96.0


@pytest.mark.unit
def test_the_step_streams_the_trained_parameters_over_the_memory_bandwidth() -> None:
    gpu = gpu_by_id("l40s")
    assert gpu.memory_bandwidth_gb_s is not None
    setup = replace(FULL, optimizer="foreach", master_weights=False)
    expected = MODEL.total_params() * 48.0 / (gpu.memory_bandwidth_gb_s * 1e9)
    one = build_system(gpu, 1)
    assert optimizer_step_s(one, MODEL, setup) == pytest.approx(expected)
    # FSDP over 4 GPUs: each updates its quarter
    sharded = replace(setup, sharding="fsdp")
    assert optimizer_step_s(build_system(gpu, 4), MODEL, sharded) == pytest.approx(expected / 4)
    # LoRA trains only the adapters: a tiny step
    lora = replace(setup, method="lora")
    assert optimizer_step_s(one, MODEL, lora) < expected / 100


@pytest.mark.unit
def test_accumulation_spreads_the_optimizer_step_and_the_ddp_all_reduce() -> None:
    system = build_system(gpu_by_id("l40s"), 4)
    once = optimizer_s_per_micro_step(system, MODEL, FULL)
    assert optimizer_s_per_micro_step(
        system, MODEL, replace(FULL, gradient_accumulation=4)
    ) == pytest.approx(once / 4)
    sync_s, compute_s = SyncPhases(0.0, 0.3), 0.15  # a sync the backward pass cannot hide
    ddp = exposed_sync_s(system, FULL, sync_s, compute_s)
    assert ddp > 0
    assert exposed_sync_s(
        system, replace(FULL, gradient_accumulation=2), sync_s, compute_s
    ) == pytest.approx(ddp / 2)
    # FSDP gathers the weights on every micro-step: no saving
    fsdp = replace(FULL, sharding="fsdp")
    assert exposed_sync_s(
        system, replace(fsdp, gradient_accumulation=2), sync_s, compute_s
    ) == pytest.approx(exposed_sync_s(system, fsdp, sync_s, compute_s))
    assert exposed_sync_s(build_system(gpu_by_id("l40s"), 1), FULL, sync_s, compute_s) == 0.0


@pytest.mark.unit
def test_variant_words_name_the_adamw_implementation() -> None:
    assert variant_optimizer(frozenset({"lora", "ac-full"})) == "fused"
    assert variant_optimizer(frozenset({"foreach-adamw"})) == "foreach"
    assert variant_optimizer(frozenset({"fused-adamw"})) == "fused"


@pytest.mark.unit
def test_bad_accumulation_and_optimizer_are_refused_with_the_reason() -> None:
    with pytest.raises(InvalidRequestError, match="gradient_accumulation must be at least 1"):
        validate_setup(replace(FULL, gradient_accumulation=0))
    with pytest.raises(InvalidRequestError, match="optimizer must be one of fused, foreach"):
        validate_setup(replace(FULL, optimizer="lamb"))


@pytest.mark.unit
def test_a_case_file_states_gradient_accumulation() -> None:
    fields = {
        "gpu": "l40s",
        "gpu_count": "1",
        "model": "llama-3.2-3b",
        "weights": "bf16",
        "engine": "pytorch",
        "batch": "4",
        "input_tokens": "210",
        "output_tokens": "",
        "metric": "train_tok_s",
        "variant": "pure-bf16+foreach-adamw",
        "gradient_accumulation": "8",
    }
    assert case_from_fields(fields).gradient_accumulation == 8
    assert case_from_fields({**fields, "gradient_accumulation": ""}).gradient_accumulation is None
    with pytest.raises(InvalidRequestError, match="gradient_accumulation must be at least 1"):
        case_from_fields({**fields, "gradient_accumulation": "0"})


@pytest.mark.unit
def test_a_small_full_fine_tuning_step_pays_the_optimizer_and_accumulation_amortises_it() -> None:
    case = Case(
        gpu="l40s",
        gpu_count=1,
        model="llama-3.2-3b",
        weights="bf16",
        engine="pytorch",
        batch=4,
        input_tokens=210,
        output_tokens=None,
        metric="train_tok_s",
        variant="pure-bf16+foreach-adamw",
    )
    fused = predict_case(replace(case, variant="pure-bf16")).value
    foreach = predict_case(case).value
    accumulated = predict_case(replace(case, gradient_accumulation=8)).value
    assert foreach < fused < accumulated
    # the step time difference is the bytes foreach moves beyond fused: (21 - 7) x 2 B a param
    gpu = gpu_by_id("l40s")
    assert gpu.memory_bandwidth_gb_s is not None
    extra_s = MODEL.total_params() * 14 * 2.0 / (gpu.memory_bandwidth_gb_s * 1e9)
    tokens = 4 * 210
    assert tokens / foreach - tokens / fused == pytest.approx(extra_s, rel=1e-6)


@pytest.mark.unit
def test_an_offloaded_optimizer_streams_its_state_over_pcie_each_step() -> None:
    # llm.q on one RTX 4090 (PCIe 4.0 x16: 0.25 x 2^3 x 128/130 x 16 = 31.5 GB/s per
    # direction), Llama 3.2 3B full: its 8 bytes of fp32 moments per parameter come in from
    # host memory and go back out, both directions at once
    system = build_system(gpu_by_id("rtx-4090"), 1)
    llmq = replace(FULL, engine="llmq")
    offloaded = replace(llmq, offload_optimizer=True)
    params = float(MODEL.total_params())
    assert optimizer_step_s(system, MODEL, offloaded) == pytest.approx(params * 8.0 / 31.5e9)
    # against 28 bytes per parameter at the 1,008 GB/s of its own memory: 9x longer
    assert optimizer_step_s(system, MODEL, offloaded) > 9 * optimizer_step_s(system, MODEL, llmq)
    assert training_memory_fit(system, MODEL, offloaded).optimizer_gb == 0.0
    assert variant_offloads_optimizer({"offload-opt-m", "offload-opt-v"})
    assert not variant_offloads_optimizer({"ac-full"})
