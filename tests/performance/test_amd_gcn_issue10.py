"""AMD GCN cards (issue 10): MI50/MI60 (Vega 20, gfx906) and RX 580 (Polaris, gfx803).

gfx906 has the int8 dot4 instruction ggml-cuda's HIP build issues for each dp4a
(ggml/src/ggml-cuda/common.cuh ggml_cuda_dp4a: __builtin_amdgcn_sdot4 on __gfx906__); RDNA1 and
gfx900 emulate it with six instructions, gfx803 with the generic C fallback. ROCm dropped
Polaris (gfx803), so RX 580 owners run llama.cpp's Vulkan backend; upstream vLLM's ROCm build
does not cover gfx906, so MI50/MI60 default to llama.cpp ROCm."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.integer_dot import matvec_dp4a_instructions
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.peak_rates import compute_precision
from gpuatlas.performance.platform_engines import auto_engine, platform_engine


def _decode_tok_s(gpu: str, engine: str = "llama.cpp rocm") -> float:
    runtime = llm_runtime(gpu, "llama-3.1-8b", "q4_k_m", engine)
    return 1.0 / runtime.decode_step_s(1, 512)


@pytest.mark.unit
@pytest.mark.parametrize(("gpu", "instructions"), [("mi50-32gb", 1.0), ("mi60", 1.0)])
def test_vega20_issues_dp4a_natively(gpu: str, instructions: float) -> None:
    profile = engine_profile("llama.cpp rocm", gpu_by_id(gpu))
    assert matvec_dp4a_instructions(profile, gpu_by_id(gpu)) == instructions


@pytest.mark.unit
def test_rdna1_and_polaris_emulate_dp4a_and_rdna2_3_do_not() -> None:
    profile = engine_profile("llama.cpp rocm", gpu_by_id("rx-7900-xtx"))
    assert matvec_dp4a_instructions(profile, gpu_by_id("rx-5700-xt")) > 1.0
    assert matvec_dp4a_instructions(profile, gpu_by_id("rx-580")) > 1.0
    assert matvec_dp4a_instructions(profile, gpu_by_id("rx-6800-xt")) == 1.0
    assert matvec_dp4a_instructions(profile, gpu_by_id("rx-7900-xtx")) == 1.0


@pytest.mark.unit
def test_mi50_decodes_q4_k_m_faster_than_rx_5700_xt() -> None:
    assert _decode_tok_s("mi50-32gb") > 1.2 * _decode_tok_s("rx-5700-xt")


@pytest.mark.unit
def test_vulkan_mat_vec_is_not_charged_the_hip_emulation() -> None:
    runtime = llm_runtime("rx-5700-xt", "llama-3.1-8b", "q4_k_m", "llama.cpp vulkan")
    assert runtime.matvec_alu_ops_per_weight == resolve_format("q4_k_m").matvec_alu_ops_per_weight


@pytest.mark.unit
def test_rdna1_prompt_kernels_are_unchanged() -> None:
    runtime = llm_runtime("rx-5700-xt", "llama-3.1-8b", "q4_k_m", "llama.cpp rocm")
    assert not runtime.dp4a_prompt


@pytest.mark.unit
def test_rx_580_defaults_to_llama_cpp_vulkan() -> None:
    gpu = gpu_by_id("rx-580")
    assert platform_engine(gpu).engine == "llama.cpp vulkan"
    assert auto_engine("auto", None, "rx-580") == "llama.cpp-vulkan"
    assert engine_profile("llama.cpp", gpu).id == "llama.cpp-vulkan"
    assert engine_profile("ollama", gpu).backends == ("vulkan",)


@pytest.mark.unit
@pytest.mark.parametrize("gpu", ["mi50-16gb", "mi50-32gb", "mi60"])
def test_vega20_defaults_to_llama_cpp_rocm_not_upstream_vllm(gpu: str) -> None:
    assert platform_engine(gpu_by_id(gpu)).engine == "llama.cpp rocm"


@pytest.mark.unit
def test_instinct_cdna_keeps_vllm_rocm() -> None:
    assert platform_engine(gpu_by_id("mi300x")).engine == "vllm rocm"


@pytest.mark.unit
@pytest.mark.parametrize("weights", ["fp8", "nvfp4", "mxfp4"])
def test_mi50_has_no_native_low_precision_floats(weights: str) -> None:
    """As FP8 on Ampere: the format runs with its fallback math, never at an fp8/fp4 rate."""
    gpu = gpu_by_id("mi50-32gb")
    weight_format = resolve_format(weights)
    assert not weight_format.is_native_on(gpu.architecture_family)
    assert compute_precision(gpu, weight_format) in ("fp16", "bf16")
    assert compute_precision(gpu, weight_format) == compute_precision(
        gpu_by_id("a100-40gb-sxm"), weight_format
    )


@pytest.mark.unit
@pytest.mark.parametrize("name", ["vllm-gfx906", "vllm gfx906", "nlzy/vllm-gfx906"])
def test_the_gfx906_vllm_fork_is_vllm_on_rocm_at_its_levels(name: str) -> None:
    gpu = gpu_by_id("mi50-32gb")
    profile = engine_profile(name, gpu)
    assert profile.id == "vllm-gfx906"
    assert profile.engine == "vllm"
    assert profile.backends == ("rocm",)
    assert profile.shares_levels
    assert profile.calibrate_from == "vllm-rocm"
    assert engine_profile("vllm", gpu).id == "vllm-rocm"  # upstream's name keeps its profile
