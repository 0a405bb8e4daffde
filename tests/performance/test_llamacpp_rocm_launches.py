"""llama.cpp's HIP backend launches each layer's kernels one by one (GGML_HIP_GRAPHS off by
default until PR #22254): a decode token pays 0.1 ms per layer (engines.toml llama.cpp-rocm
layer_overhead_ms, from issue #20934's RX 7900 XTX tg128), which Vulkan and CUDA builds with
graphs do not; the fixed time, not a lower bandwidth share, is what makes a small model slow
on a fast-memory card such as an MI300X."""

from __future__ import annotations

import pytest

from .conftest import priors_runtime

LLAMA_2_7B_LAYERS = 32
PER_LAYER_MS = 0.1


def test_a_rocm_token_pays_every_layers_launches() -> None:
    rocm = priors_runtime("rx-7900-xtx", "llama.cpp-rocm")
    assert rocm.layers_overhead_ms == pytest.approx(LLAMA_2_7B_LAYERS * PER_LAYER_MS)
    assert priors_runtime("rx-7900-xtx", "llama.cpp-vulkan").layers_overhead_ms == 0.0


def test_the_launch_time_adds_to_the_decode_step_whatever_the_bandwidth() -> None:
    # The same 3.2 ms on a 960 GB/s RDNA3 card and a 5.3 TB/s MI300X: it does not scale
    # with the bytes a token reads.
    for gpu in ("rx-7900-xtx", "mi300x"):
        rocm = float(priors_runtime(gpu, "llama.cpp-rocm").decode_step_s(1, 128))
        vulkan = float(priors_runtime(gpu, "llama.cpp-vulkan").decode_step_s(1, 128))
        assert rocm - vulkan == pytest.approx(LLAMA_2_7B_LAYERS * PER_LAYER_MS * 1e-3, rel=1e-3)
