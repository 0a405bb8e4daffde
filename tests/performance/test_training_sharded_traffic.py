"""Data-parallel traffic per training step: DDP all-reduces the trained gradients; ZeRO-3/FSDP
gathers every sharded weight in forward and in backward and reduce-scatters the gradients, so
over a LoRA/QLoRA model it moves the frozen base, not only the adapters."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.collectives import allreduce_s
from gpuatlas.performance.training.memory import (
    TrainingSetup,
    lora_params,
    training_memory_fit,
)
from gpuatlas.performance.training.speed import (
    BACKWARD_OVERLAP,
    SyncPhases,
    exposed_sync_s,
    gradient_sync_s,
    predict_training_run,
    sync_phases,
)
from gpuatlas.performance.training.variants import variant_sharding

MODEL = {model.id: model for model in all_llms()}["llama-3.1-8b"]
FULL_DDP = TrainingSetup("full", 2048, 1, True, "none")
LORA_DDP = replace(FULL_DDP, method="lora")


def test_full_training_under_fsdp_moves_one_and_a_half_gradient_all_reduces() -> None:
    system = resolve_system("8x h100-sxm")
    gradient_bytes = MODEL.total_params() * 2.0
    ddp = gradient_sync_s(system, MODEL, FULL_DDP)
    fsdp = gradient_sync_s(system, MODEL, replace(FULL_DDP, sharding="fsdp"))
    assert ddp == pytest.approx(allreduce_s(system, gradient_bytes))
    # two gathers and a reduce-scatter, each half an all-reduce's wire bytes: 1.5 all-reduces
    # of bandwidth (the two passes pay the link latency once each)
    assert fsdp == pytest.approx(allreduce_s(system, 1.5 * gradient_bytes), rel=1e-3)


@pytest.mark.parametrize("gpus", [2, 4, 8])
def test_zero3_gathers_the_other_gpus_weights_in_each_pass(gpus: int) -> None:
    # ZeRO-3 on one NVLink server of n A100s, Llama 3.1 8B full training in bf16: each GPU
    # holds 1/n of the 16.06 GB of weights and receives the other (n-1)/n before the forward
    # and again before the backward, and reduce-scatters (n-1)/n of the 16.06 GB of gradients
    system = resolve_system(f"{gpus}x a100-80gb-sxm")
    link = system.link
    assert link is not None
    weights_b = MODEL.total_params() * 2.0
    received_b = (gpus - 1) / gpus * weights_b
    wire_s = received_b / (link.effective_allreduce_gb_s * 1e9)
    latency_s = link.latency_us * 1e-6 * (1 + math.log2(gpus))
    phases = sync_phases(system, MODEL, replace(FULL_DDP, sharding="zero3"))
    assert phases.forward_s == pytest.approx(latency_s + wire_s)
    assert phases.backward_s == pytest.approx(latency_s + 2 * wire_s)


def test_the_forward_hides_the_prefetched_gathers_and_deepspeed_zero2_hides_nothing() -> None:
    system = resolve_system("4x a100-80gb-sxm")
    # communication-bound on both passes: 1 s of gathers in the forward, 2 s in the backward
    # against 0.9 s of compute (0.3 s forward, 0.6 s backward)
    phases = SyncPhases(1.0, 2.0)
    zero3 = replace(FULL_DDP, sharding="zero3", engine="deepspeed")
    hidden = BACKWARD_OVERLAP * 0.9
    assert exposed_sync_s(system, zero3, phases, 0.9) == pytest.approx(3.0 - hidden)
    # DeepSpeed leaves overlap_comm off below stage 3: ZeRO-2's reduction waits in full
    zero2 = replace(zero3, sharding="zero2")
    assert exposed_sync_s(system, zero2, SyncPhases(0.0, 2.0), 0.9) == pytest.approx(2.0)
    fsdp_zero2 = replace(zero2, engine="pytorch")
    assert exposed_sync_s(system, fsdp_zero2, SyncPhases(0.0, 2.0), 0.9) == pytest.approx(
        2.0 - BACKWARD_OVERLAP * 0.6
    )


def test_lora_under_ddp_all_reduces_the_adapters_only() -> None:
    system = resolve_system("4x rtx-4090")
    adapter_bytes = lora_params(MODEL, LORA_DDP.lora_rank) * 2.0
    assert gradient_sync_s(system, MODEL, LORA_DDP) == pytest.approx(
        allreduce_s(system, adapter_bytes)
    )


def test_lora_under_fsdp_gathers_the_frozen_base_in_forward_and_backward() -> None:
    system = resolve_system("4x rtx-4090")
    adapter_bytes = lora_params(MODEL, LORA_DDP.lora_rank) * 2.0
    weight_bytes = MODEL.total_params() * 2.0 + adapter_bytes
    # two all-gathers of every weight and one reduce-scatter of the adapter gradients, each
    # half the wire traffic of an all-reduce of the same bytes
    expected = allreduce_s(system, weight_bytes / 2.0) + allreduce_s(
        system, (weight_bytes + adapter_bytes) / 2.0
    )
    fsdp = gradient_sync_s(system, MODEL, replace(LORA_DDP, sharding="fsdp"))
    assert fsdp == pytest.approx(expected)
    assert fsdp > 50 * gradient_sync_s(system, MODEL, LORA_DDP)


@pytest.mark.unit
def test_a_row_stating_ddp_is_predicted_as_replicas_and_others_as_fsdp() -> None:
    assert variant_sharding({"lora", "ddp"}, 2) == "none"
    assert variant_sharding({"lora"}, 2) == "fsdp"
    assert variant_sharding({"lora"}, 1) == "none"
    assert variant_sharding({"zero2"}, 4) == "zero2"
    assert variant_sharding({"zero3", "ac-full"}, 4) == "zero3"
    assert variant_sharding({"zero1"}, 1) == "none"
    # a framework whose default is another sharding: llm.q's zero_level 1
    assert variant_sharding({"ac-full"}, 4, "zero1") == "zero1"
    assert variant_sharding({"zero3"}, 4, "zero1") == "zero3"


@pytest.mark.unit
def test_an_llmq_row_without_a_sharding_is_its_zero1_default() -> None:
    # llm.q's zero_level defaults to 1 (IST-DASLab/llmq src/binding/python/training.py): the
    # gradients are reduced once per optimizer step, not the weights gathered every micro-step
    case = Case("rtx-4090", 4, "llama-3.1-8b", "bf16", "llm.q", 1, 1024, None, "train_tok_s")
    system = resolve_system("4x rtx-4090")
    setup = TrainingSetup("full", 1024, 1, False, "zero1", engine="llmq")
    fit = training_memory_fit(system, MODEL, setup)
    recompute = not fit.fits
    expected = predict_training_run(
        system, MODEL, replace(setup, checkpointing=recompute), tokens=1e9, recompute=recompute
    )
    assert predict_case(case).value == pytest.approx(expected.tok_s.value)
    stated = replace(case, variant="zero3")
    assert predict_case(stated).value < predict_case(case).value


@pytest.mark.unit
def test_a_measured_ddp_lora_row_all_reduces_only_the_adapters() -> None:
    # 2x RTX 4090, Llama 3.1 8B LoRA, 4 x 2048 tokens with checkpointing (fsdp_qlora's
    # --sharding_strategy ddp): the case is the replica run, not FSDP's gathers of the base.
    system = resolve_system("2x rtx-4090")
    setup = TrainingSetup("lora", 2048, 4, True, "none")
    replicas = predict_training_run(system, MODEL, setup, tokens=1e9, recompute=True)
    case = Case(
        "rtx-4090",
        2,
        "llama-3.1-8b",
        "bf16",
        "pytorch",
        4,
        2048,
        None,
        "train_tok_s",
        variant="lora+ac-full+ddp",
    )
    assert predict_case(case).value == pytest.approx(replicas.tok_s.value)
    sharded = replace(case, variant="lora+ac-full")
    assert predict_case(sharded).value < predict_case(case).value
