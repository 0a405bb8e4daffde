"""Data-parallel traffic per training step: DDP all-reduces the trained gradients; ZeRO-3/FSDP
gathers every sharded weight in forward and in backward and reduce-scatters the gradients, so
over a LoRA/QLoRA model it moves the frozen base, not only the adapters."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.collectives import allreduce_s
from gpuatlas.performance.training.memory import TrainingSetup, lora_params
from gpuatlas.performance.training.speed import gradient_sync_s

MODEL = {model.id: model for model in all_llms()}["llama-3.1-8b"]
FULL_DDP = TrainingSetup("full", 2048, 1, True, "none")
LORA_DDP = replace(FULL_DDP, method="lora")


def test_full_training_under_fsdp_moves_one_and_a_half_gradient_all_reduces() -> None:
    system = resolve_system("8x h100-sxm")
    gradient_bytes = MODEL.total_params() * 2.0
    ddp = gradient_sync_s(system, MODEL, FULL_DDP)
    fsdp = gradient_sync_s(system, MODEL, replace(FULL_DDP, sharding="fsdp"))
    assert ddp == pytest.approx(allreduce_s(system, gradient_bytes))
    assert fsdp == pytest.approx(allreduce_s(system, 1.5 * gradient_bytes))


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
    expected = allreduce_s(system, (2.0 * weight_bytes + adapter_bytes) / 2.0)
    fsdp = gradient_sync_s(system, MODEL, replace(LORA_DDP, sharding="fsdp"))
    assert fsdp == pytest.approx(expected)
    assert fsdp > 50 * gradient_sync_s(system, MODEL, LORA_DDP)
