"""The comparison's fine-tuning fit cells say which runs are sharded: on 8x A100, 32B LoRA
'fits (74 GB/GPU)' beside full 'fits (72 GB/GPU)' read as LoRA needing more memory than full
fine-tuning; full runs FSDP-sharded, LoRA as a replica per GPU."""

from __future__ import annotations

from gpuatlas.performance.predictions import TrainingMemoryFit
from gpuatlas.report.sections.training import _fit_text


def _fit(sharding: str, fits: bool = True) -> TrainingMemoryFit:
    return TrainingMemoryFit(
        "8x a100-80gb-sxm", "qwen2.5-32b", "full", sharding, 60.0, 5.0, 5.0, 2.0, 0.0, 80.0,
        fits, 3.2e10,
    )  # fmt: skip


def test_a_sharded_fit_names_its_sharding_a_replica_does_not() -> None:
    assert _fit_text(_fit("fsdp")) == "fits (72 GB/GPU, FSDP)"
    assert _fit_text(_fit("none")) == "fits (72 GB/GPU)"
    assert _fit_text(_fit("fsdp", fits=False)) == "does not fit (72 GB/GPU, FSDP)"
