"""llama.cpp / Ollama splits keep the KV cache of the CPU's layers in host memory, so a decode
step reads it there at the host's bandwidth (performance/llm/offload_speed.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.performance.llm.host_memory import with_host_ram
from gpuatlas.performance.llm.memory import GB
from gpuatlas.performance.llm.offload_speed import (
    HOST_MEMORY_EFFICIENCY,
    offload_at,
    offload_for,
    offloaded_decode_step_s,
)
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.refusal import memory_inputs
from gpuatlas.performance.llm.serving_offload import offload_share
from gpuatlas.performance.resolve import as_system

pytestmark = pytest.mark.unit

# Qwen2.5-Coder-14B: 48 layers, 8 KV heads of 128; an f16 cache holds K and V:
# 2 x 8 x 128 x 2 bytes = 4,096 bytes per token per layer.
QWEN14_KV_BYTES_PER_TOKEN_LAYER = 2 * 8 * 128 * 2


def _inputs(system: str, model: str, weights: str, engine: str):  # type: ignore[no-untyped-def]
    return memory_inputs(llm_runtime(system, model, weights, engine), "fp16")


def test_the_cpu_layers_hold_their_share_of_the_kv_cache() -> None:
    """24 of 48 layers on the CPU at 32,768 cached tokens: 24 x 4,096 x 32,768 bytes."""
    inputs = _inputs("rtx-5060-ti-16gb", "qwen2.5-coder-14b", "q4_k_m", "llama.cpp")
    split = offload_at(inputs, 24, False, "-ngl 24", 38.4)
    expected_gb = 24 * QWEN14_KV_BYTES_PER_TOKEN_LAYER * 32_768 / GB
    assert split.cpu_kv_read_gb(1, 32_768) == pytest.approx(expected_gb)
    assert split.cpu_kv_read_gb(3, 32_768) == pytest.approx(3 * expected_gb)


def test_a_decode_step_reads_the_cpu_layers_kv_at_the_host_bandwidth() -> None:
    inputs = _inputs("rtx-5060-ti-16gb", "qwen2.5-coder-14b", "q4_k_m", "llama.cpp")
    split = offload_at(inputs, 24, False, "-ngl 24", 38.4)
    short_s = offloaded_decode_step_s(0.02, split)
    long_s = offloaded_decode_step_s(0.02, split, 1, 32_768)
    kv_gb = 24 * QWEN14_KV_BYTES_PER_TOKEN_LAYER * 32_768 / GB
    assert long_s - short_s == pytest.approx(kv_gb / (38.4 * HOST_MEMORY_EFFICIENCY))


def test_every_layer_on_the_gpu_leaves_no_kv_in_host_memory() -> None:
    inputs = _inputs("rtx-5060-ti-16gb", "qwen2.5-coder-14b", "q4_k_m", "llama.cpp")
    split = offload_at(inputs, 48, True, "-ngl 99", 38.4)
    assert split.cpu_kv_read_gb(4, 100_000) == 0.0


def test_cpu_moe_keeps_the_kv_cache_on_the_gpu() -> None:
    """--cpu-moe moves only the routed experts: attention and its cache stay on the GPU."""
    with_ram = with_host_ram(as_system("rtx-4090"), 128)  # ~62 GB of experts need the RAM
    inputs = memory_inputs(llm_runtime(with_ram, "gpt-oss-120b", "mxfp4", "llama.cpp"), "fp16")
    split = offload_for(inputs, 1, 640, experts_on_cpu=True)
    assert split is not None
    assert split.cpu_kv_read_gb(4, 100_000) == 0.0


def test_sliding_window_layers_read_at_most_their_window() -> None:
    """Gemma 3: five local layers (1,024-token window) to one global; past the window only the
    global layers' reads grow with the context."""
    inputs = _inputs("rtx-4060-ti-8gb", "gemma-3-27b", "q4_k_m", "llama.cpp")
    split = offload_at(inputs, 10, False, "-ngl 10", None)
    window = split.kv_window_tokens
    assert window == 1024
    grown_gb = split.cpu_kv_read_gb(1, 3 * window) - split.cpu_kv_read_gb(1, 2 * window)
    assert grown_gb == pytest.approx(split.cpu_kv_full_gb_per_token * window)


def test_a_split_server_pays_the_cpu_layers_kv_on_every_decode_step() -> None:
    """At a 16,384-token prompt the served rate of a split server is lower than the same
    split would give if its CPU layers' KV cost nothing to read."""
    runtime = llm_runtime("rtx-5060-ti-16gb", "qwen2.5-coder-14b", "q4_k_m", "llama.cpp")
    split = offload_at(memory_inputs(runtime, "fp16"), 24, False, "-ngl 24", 38.4)
    free_kv = replace(split, cpu_kv_full_gb_per_token=0.0, cpu_kv_window_gb_per_token=0.0)
    with_kv = offload_share(runtime, split, 1, 16_384, 256)
    without_kv = offload_share(runtime, free_kv, 1, 16_384, 256)
    assert with_kv < without_kv <= 1.0
