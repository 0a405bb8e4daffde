"""llama.cpp and Ollama split layers between GPU and CPU on every GPU backend: `fit 7900xtx
qwen3:32b --gpu-layers 45` was refused ("partial offload is a llama.cpp/Ollama option; engine
ollama-rocm keeps every weight on the GPU (use --engine llama.cpp or ollama)" — it was Ollama),
and without --gpu-layers fit said "needs 2 GPUs" where the same question on an RTX 4090 ran 45
of 64 layers on the GPU; `predict llm` already split on ROCm."""

from __future__ import annotations

import pytest

from gpuatlas.app.fit import FitRequest, fit_answer
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.offload import splits_layers


@pytest.mark.parametrize("engine", ["ollama", "llama.cpp", "llama.cpp vulkan"])
def test_an_amd_card_takes_gpu_layers_with_each_llama_cpp_build(engine: str) -> None:
    answer = fit_answer(
        FitRequest(system="rx-7900-xtx", model="qwen3:32b", engine=engine, gpu_layers=45)
    )
    assert answer.offload is not None and answer.offload.gpu_layers == 45
    assert answer.offload.total_layers == 64


def test_the_automatic_split_is_the_same_on_an_amd_and_an_nvidia_24_gb_card() -> None:
    amd = fit_answer(FitRequest(system="rx-7900-xtx", model="qwen3:32b"))
    nvidia = fit_answer(FitRequest(system="rtx-4090", model="qwen3:32b"))
    assert amd.offload is not None and nvidia.offload is not None
    assert amd.offload.gpu_layers == nvidia.offload.gpu_layers == 45  # 24 GiB each, same weights


def test_metal_cpu_and_other_engines_do_not_split_by_themselves() -> None:
    mac, radeon = resolve_system("apple-m2-max-38c").gpu, resolve_system("rx-7900-xtx").gpu
    assert splits_layers(resolve_engine("ollama-rocm"), radeon)
    assert splits_layers(resolve_engine("llama.cpp-sycl"), radeon)  # the backend, not the card
    assert not splits_layers(resolve_engine("llama.cpp-metal"), mac)
    assert not splits_layers(resolve_engine("vllm-rocm"), radeon)
