"""A plain `llama.cpp` on an Intel GPU runs the SYCL build, as the platform default does:
`compare "arc b580" ...` answered llama.cpp (SYCL) while `predict llm "arc b580" ... -e
llama.cpp` silently answered Vulkan (53 vs 61 tok/s for the same card)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.performance.engine_specs import resolve_engine_on
from gpuatlas.performance.platform_engines import platform_engine

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("gpu", ["arc-b580", "max-1100"])
def test_plain_llama_cpp_on_intel_is_the_platform_default_sycl_build(gpu: str) -> None:
    card = resolve_gpu(gpu)
    assert resolve_engine_on("llama.cpp", card).id == "llama.cpp-sycl"
    assert platform_engine(card).engine == "llama.cpp sycl"
    assert resolve_engine_on("llama.cpp vulkan", card).id.startswith("llama.cpp-vulkan")


def test_other_vendors_keep_their_backends() -> None:
    assert resolve_engine_on("llama.cpp", resolve_gpu("rtx-4090")).id == "llama.cpp"
    assert resolve_engine_on("llama.cpp", resolve_gpu("rx-7900-xtx")).id == "llama.cpp-rocm"
