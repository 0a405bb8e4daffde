"""llama.cpp's HIP backend launches each layer's kernels one by one (GGML_HIP_GRAPHS off by
default until PR #22254): a decode token pays 0.1 ms per plain layer (issue #20934's RX 7900
XTX tg128), the prior of 4.5 us per ggml graph node (engines.toml llama.cpp-rocm
kernel_overhead_us; a plain Llama layer is 22 nodes, 19 with flash attention,
llm/ggml_nodes.py), against 2 us for the
Vulkan and CUDA builds that replay graphs; the fixed time, not a lower bandwidth share, is what
makes a small model slow on a fast-memory card such as an MI300X."""

from __future__ import annotations

import pytest

from .conftest import priors_runtime

# Llama 2 7B with flash attention (both current profiles' path): 32 layers of 12 attention +
# 7 MLP nodes, and 6 nodes once per token
LLAMA_2_7B_NODES = 32 * (12 + 7) + 6
ROCM_US_PER_NODE = 4.5
VULKAN_US_PER_NODE = 2.0


def test_a_rocm_token_pays_every_layers_launches() -> None:
    rocm = priors_runtime("rx-7900-xtx", "llama.cpp-rocm")
    assert rocm.layers_overhead_ms == pytest.approx(LLAMA_2_7B_NODES * ROCM_US_PER_NODE * 1e-3)
    vulkan = priors_runtime("rx-7900-xtx", "llama.cpp-vulkan")
    assert vulkan.layers_overhead_ms == pytest.approx(LLAMA_2_7B_NODES * VULKAN_US_PER_NODE * 1e-3)


def test_the_launch_time_adds_to_the_decode_step_whatever_the_bandwidth() -> None:
    # The same 1.5 ms on a 960 GB/s RDNA3 card and a 5.3 TB/s MI300X: it does not scale
    # with the bytes a token reads.
    for gpu in ("rx-7900-xtx", "mi300x"):
        rocm = float(priors_runtime(gpu, "llama.cpp-rocm").decode_step_s(1, 128))
        vulkan = float(priors_runtime(gpu, "llama.cpp-vulkan").decode_step_s(1, 128))
        extra_us = LLAMA_2_7B_NODES * (ROCM_US_PER_NODE - VULKAN_US_PER_NODE)
        assert rocm - vulkan == pytest.approx(extra_us * 1e-6, rel=1e-3)
