"""DeepSpeed ZeRO-3 parameter offload (`offload-param-cpu`): each GPU's partition of the 16-bit
parameters lives in host memory and is copied over that GPU's PCIe link at every gather: once
in the forward, once in the backward, and once more in a recomputed forward."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import build_system
from gpuatlas.performance.training.memory import TrainingSetup
from gpuatlas.performance.training.optimizer import host_link_bytes_s
from gpuatlas.performance.training.param_offload import parameter_fetch_s
from gpuatlas.performance.training.variants import variant_offloads_params

MODEL = {model.id: model for model in all_llms()}["llama-2-7b"]
ZERO3 = TrainingSetup("full", 4096, 4, True, "zero3", engine="deepspeed")
OFFLOADED = replace(ZERO3, offload_params=True)


@pytest.mark.unit
def test_the_deepspeed_word_offloads_the_parameter_partitions() -> None:
    assert variant_offloads_params({"zero3", "offload-param-cpu"})
    assert not variant_offloads_params({"zero3", "offload-optimizer-cpu"})


@pytest.mark.unit
def test_each_gather_copies_the_gpus_16_bit_shard_over_its_own_link() -> None:
    system = build_system(gpu_by_id("a100-80gb-sxm"), 8)
    shard_bytes = MODEL.total_params() * 2 / 8
    link = host_link_bytes_s(system.gpu)
    # forward + backward, and the recomputed forward when checkpointing
    assert parameter_fetch_s(system, MODEL, OFFLOADED, False) == pytest.approx(
        2 * shard_bytes / link
    )
    assert parameter_fetch_s(system, MODEL, OFFLOADED, True) == pytest.approx(
        3 * shard_bytes / link
    )
    # twice the GPUs, half the shard each
    wider = build_system(gpu_by_id("a100-80gb-sxm"), 16)
    assert parameter_fetch_s(wider, MODEL, OFFLOADED, True) == pytest.approx(
        parameter_fetch_s(system, MODEL, OFFLOADED, True) / 2
    )


@pytest.mark.unit
def test_parameters_on_the_gpu_cross_no_link() -> None:
    system = build_system(gpu_by_id("a100-80gb-sxm"), 8)
    assert parameter_fetch_s(system, MODEL, ZERO3, True) == 0.0
