"""PCIe time of DeepSpeed ZeRO-3 parameter offload (`offload-param-cpu`, zero_optimization.
offload_param.device "cpu").

Each GPU's partition of the 16-bit parameters lives in host memory. Every all-gather of a
layer's parameters first copies the GPU's partitions to it (deepspeed/runtime/zero/
partition_parameters.py, the all-gather's `p.ds_tensor.to(current_device_name())`, a blocking
copy), so each pass that gathers the weights moves the GPU's shard over its own PCIe link once:
the forward, the backward, and the forward a checkpointed run recomputes. The copy blocks the
host that issues it, so the time is added to the micro-step, not hidden under compute.
"""

from __future__ import annotations

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.performance.training.memory import TrainingSetup
from gpuatlas.performance.training.optimizer import HALF_BYTES, host_link_bytes_s

GATHERING_PASSES = 2.0  # the forward and the backward gather every layer's weights


def parameter_fetch_passes(setup: TrainingSetup, recompute: bool) -> float:
    """Passes per micro-step that gather the weights: forward, backward and the recomputed
    share of a forward."""
    return GATHERING_PASSES + (setup.recompute_share if recompute else 0.0)


def parameter_fetch_s(
    system: GpuSystem, model: ModelArch, setup: TrainingSetup, recompute: bool
) -> float:
    """Seconds one GPU spends per micro-step copying its host-resident shard of the 16-bit
    parameters to the GPU (0 unless the setup offloads parameters)."""
    if not setup.offload_params:
        return 0.0
    shard_bytes = model.total_params() * HALF_BYTES / system.gpu_count
    passes = parameter_fetch_passes(setup, recompute)
    return shard_bytes * passes / host_link_bytes_s(system.gpu)
