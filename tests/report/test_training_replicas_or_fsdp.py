"""The report's training tables run a multi-GPU system as data-parallel replicas when the
model fits each GPU whole (LoRA of an 8B model on 4x RTX 4090) and shard with FSDP only when
it must (QLoRA of a 70B model): gathering a sharded model every step costs link time that
replicas do not pay, so FSDP everywhere made 4 GPUs slower than one A100."""

from __future__ import annotations

import pytest

from gpuatlas.performance.resolve import as_system
from gpuatlas.report.profiles.training import memory_fit


@pytest.mark.unit
def test_a_model_that_fits_each_gpu_runs_as_replicas() -> None:
    four = memory_fit(as_system("4x rtx-4090"), "llama-3.1-8b", "lora")
    one = memory_fit(as_system("rtx-4090"), "llama-3.1-8b", "lora")
    assert four is not None and one is not None
    assert four.fits
    # a whole replica per GPU (plus DDP's gradient buckets), not a quarter of the model
    assert one.total_gb <= four.total_gb <= one.total_gb + 1.0


@pytest.mark.unit
def test_a_model_too_big_for_one_gpu_is_sharded() -> None:
    four = memory_fit(as_system("4x rtx-4090"), "llama-3-70b", "qlora")
    one = memory_fit(as_system("rtx-4090"), "llama-3-70b", "qlora")
    assert four is not None and one is not None
    assert not one.fits and four.fits
    assert four.total_gb < 0.5 * one.total_gb  # FSDP: the frozen base split four ways
