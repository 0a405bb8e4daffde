"""DeepSpeed ZeRO-Offload (`offload-optimizer-cpu`): the fp32 optimizer state lives in host memory
and DeepSpeedCPUAdam updates each GPU's shard on the host (training/optimizer.py): 7 fp32
accesses per parameter (load parameter, gradient and both moments, store parameter and both
moments) over that GPU's share of the host's memory bandwidth, then the updated partition goes
back to the GPU's 16-bit parameters over PCIe (2 B per parameter)."""

from __future__ import annotations

import math

import pytest

from gpuatlas.calibration.training_host import (
    ADAM_FACTOR_RANGE,
    ADAM_FIELD,
    ADAM_PRIOR_ROWS,
    fit_host_factors,
)
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import build_system
from gpuatlas.performance.calibration_table import Calibration, current_calibration
from gpuatlas.performance.training.memory import (
    TrainingSetup,
    trainable_params,
    training_memory_fit,
)
from gpuatlas.performance.training.optimizer import (
    host_bandwidth_per_gpu_bytes_s,
    host_link_bytes_s,
    host_optimizer_step_s,
    optimizer_step_s,
)
from gpuatlas.performance.training.variants import (
    variant_offloads_optimizer,
    variant_optimizer_on_host,
)

MODEL = {model.id: model for model in all_llms()}["llama-2-7b"]
ZERO3 = TrainingSetup("full", 2048, 4, True, "zero3", engine="deepspeed")
OFFLOADED = TrainingSetup(
    "full",
    2048,
    4,
    True,
    "zero3",
    engine="deepspeed",
    offload_optimizer=True,
    optimizer_on_host=True,
)


@pytest.mark.unit
def test_the_deepspeed_word_offloads_the_state_and_runs_the_step_on_the_host() -> None:
    assert variant_offloads_optimizer({"zero3", "offload-optimizer-cpu"})
    assert variant_optimizer_on_host({"zero3", "offload-optimizer-cpu"})
    # llm.q's offload keeps the update on the GPU (the state is streamed to it)
    assert variant_offloads_optimizer({"offload-optimizer"})
    assert not variant_optimizer_on_host({"offload-optimizer"})


@pytest.mark.unit
def test_a_server_node_shares_two_sockets_of_ddr4_3200_between_its_gpus() -> None:
    # two EPYC 7742, 8 channels x 8 B x 3200 MT/s each = 409.6 GB/s for the 8 GPUs of a node
    system = build_system(gpu_by_id("a100-80gb-sxm"), 8)
    assert host_bandwidth_per_gpu_bytes_s(system) == pytest.approx(2 * 8 * 8 * 3200e6 / 8)
    # a desktop card: dual-channel DDR5-5600 (2 x 8 B x 5600 MT/s = 89.6 GB/s) for its one GPU
    desktop = build_system(gpu_by_id("rtx-4090"), 1)
    assert host_bandwidth_per_gpu_bytes_s(desktop) == pytest.approx(2 * 8 * 5600e6)


@pytest.mark.unit
def test_the_host_step_streams_28_bytes_per_parameter_then_copies_2_back() -> None:
    system = build_system(gpu_by_id("a100-80gb-sxm"), 8)
    params = 1e9
    expected = params * 7 * 4 / (409.6e9 / 8) + params * 2 / host_link_bytes_s(system.gpu)
    assert host_optimizer_step_s(system, params) == pytest.approx(expected)


@pytest.mark.unit
def test_zero3_offload_steps_each_gpus_shard_on_the_host_and_frees_the_gpu() -> None:
    system = build_system(gpu_by_id("a100-80gb-sxm"), 8)
    shard = trainable_params(MODEL, OFFLOADED) / 8
    assert optimizer_step_s(system, MODEL, OFFLOADED) == pytest.approx(
        host_optimizer_step_s(system, shard)
    )
    # the host is far slower than the GPU's HBM for the same shard
    assert optimizer_step_s(system, MODEL, OFFLOADED) > 10 * optimizer_step_s(system, MODEL, ZERO3)
    assert training_memory_fit(system, MODEL, OFFLOADED).optimizer_gb == 0.0
    assert training_memory_fit(system, MODEL, ZERO3).optimizer_gb > 0.0


@pytest.mark.unit
def test_the_fitted_cpu_adam_factor_multiplies_only_the_host_memory_bound_part() -> None:
    # the copy back over PCIe is a transfer, not CPU-Adam's work: the factor leaves it alone
    system = build_system(gpu_by_id("a100-80gb-sxm"), 8)
    params = 1e9
    copy_back_s = params * 2 / host_link_bytes_s(system.gpu)
    memory_bound_s = params * 7 * 4 / (409.6e9 / 8)
    assert host_optimizer_step_s(system, params, 40.0) == pytest.approx(
        40.0 * memory_bound_s + copy_back_s
    )
    shard = trainable_params(MODEL, OFFLOADED) / 8
    assert optimizer_step_s(system, MODEL, OFFLOADED, 40.0) == pytest.approx(
        host_optimizer_step_s(system, shard, 40.0)
    )
    # a GPU-side optimizer ignores the host factor
    assert optimizer_step_s(system, MODEL, ZERO3, 40.0) == optimizer_step_s(system, MODEL, ZERO3)


@pytest.mark.unit
def test_the_cpu_adam_factor_is_fitted_without_a_pull_toward_its_floor() -> None:
    # rows whose host step at factor 1 is a tenth of the measured step, the GPU part half of it:
    # predicted = 0.5 + 0.1 x factor, measured 1.0, so the data want factor 5 exactly
    calibration = Calibration("t", "m", {}, {})

    def error(row: tuple[str, float, str]) -> float | None:
        factor = current_calibration().groups.get(f"train|{row[0]}|*|*", {}).get(ADAM_FIELD, 1.0)
        return -math.log(0.5 + row[1] * factor)

    rows = [("deepspeed", 0.1, "a800"), ("deepspeed", 0.1, "a800"), ("pytorch", 0.0, "a800")]

    def framework(row: tuple[str, float, str]) -> str:
        return row[0]

    def gpu(row: tuple[str, float, str]) -> str:
        return row[2]

    adam = (ADAM_PRIOR_ROWS, ADAM_FIELD, ADAM_FACTOR_RANGE)
    fitted = fit_host_factors(calibration, rows, framework, gpu, error, *adam)
    assert "pytorch" not in fitted  # no host optimizer step: the factor moves nothing
    assert fitted["deepspeed"] == pytest.approx(5.0, rel=0.06)
    assert ADAM_FACTOR_RANGE[0] == 1.0  # never faster than the memory-bound floor
