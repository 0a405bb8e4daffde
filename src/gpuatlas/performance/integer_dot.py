"""The int8 dot-product rate of GPUs without matrix units (DP4A on NVIDIA Pascal), and what
one dp4a costs in llama.cpp's mat-vec on AMD GPUs without a dot4 instruction.

llama.cpp's CUDA backend multiplies quantised weights with its MMQ kernels, whose inner product
is `__dp4a` (four int8 products summed into an int32) wherever the GPU has no fp16 tensor cores
and has DP4A, i.e. compute capability 6.1 (GP102/GP104/GP106/GP107: Tesla P40, GTX 10 series).
ggml-cuda's `ggml_cuda_should_use_mmq` returns true on NVIDIA GPUs without fp16 MMA
(`!fp16_mma_hardware_available(cc)`) once the arch has DP4A (`GGML_CUDA_CC_DP4A` = 610); builds
of 2023-2024 chose MMQ for `min_compute_capability >= MIN_CC_DP4A` and moved to cuBLAS only on
Volta and newer (`use_tensor_cores && min_compute_capability >= CC_VOLTA`). So on these GPUs a
quantised prompt neither dequantises its weights to fp16 nor runs at the FP32 rate: it runs at
the DP4A rate. GP100 (Tesla P100, compute capability 6.0) has no DP4A and keeps cuBLAS.
"""

from __future__ import annotations

from gpuatlas.catalog.formats import WeightFormat
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.performance.engine_profiles import EngineProfile

# One __dp4a per lane and clock does four int8 multiply-adds (8 ops) in the issue slot of one
# FP32 FMA (2 FLOPs): the Tesla P40 datasheet's 47 TOPS INT8 against 11.76 TFLOPS FP32
# (3,840 cores x 2 x 1.531 GHz) is this 4x.
DP4A_OPS_PER_FP32_FLOP = 4.0
DP4A_MIN_COMPUTE_CAPABILITY = 6.1  # GGML_CUDA_CC_DP4A = 610 (sm_61)
_HIGH_PRECISION_BITS = 16.0


def _compute_capability(gpu: Gpu) -> float | None:
    try:
        return float(gpu.compute_capability) if gpu.compute_capability else None
    except ValueError:
        return None


def dp4a_ops(gpu: Gpu) -> float | None:
    """The GPU's DP4A rate in int8 ops/s (a multiply-add = 2 ops), or None when it has matrix
    units or no DP4A: the catalog's INT8 figure where the vendor publishes one for a GPU
    without tensor cores (the P40's 47 TOPS), else 4x its FP32 rate."""
    capability = _compute_capability(gpu)
    if gpu.tensor_cores or not gpu.fp32_tflops or capability is None:
        return None
    if capability < DP4A_MIN_COMPUTE_CAPABILITY:
        return None
    if gpu.int8_dense_tops:
        return gpu.int8_dense_tops * 1e12
    return DP4A_OPS_PER_FP32_FLOP * gpu.fp32_tflops * 1e12


def dp4a_prompt_ops(
    gpu: Gpu, weight_format: WeightFormat, families: tuple[str, ...]
) -> float | None:
    """The rate quantised prompt GEMMs run at when the engine multiplies them with DP4A on
    this GPU (engines.toml dp4a_families: the GPU's architecture family), else None. 16-bit
    weights keep the engine's float GEMMs."""
    if gpu.architecture_family not in families:
        return None
    if weight_format.model_bits_per_weight >= _HIGH_PRECISION_BITS:
        return None
    return dp4a_ops(gpu)


def matvec_dp4a_instructions(engine: EngineProfile, gpu: Gpu) -> float:
    """Instructions one `ggml_cuda_dp4a` costs in the engine's mat-vec on this GPU
    (engines.toml emulated_dp4a: the GPU's target, else its architecture family), else 1.
    ggml-cuda's HIP build (ggml/src/ggml-cuda/common.cuh) issues one `__builtin_amdgcn_sdot4`
    on CDNA, RDNA2 and gfx906 (Vega 20: MI50, MI60, Radeon VII; the v_dot4_i32_i8 of AMD's
    "Vega 7nm" ISA) and one `sudot4` on RDNA3/4, but emulates it on RDNA1 and gfx900 (Vega 10)
    with six instructions (four byte-selected v_mul_i32_i24, two v_add3_u32) and on older
    targets (gfx803, Polaris) with its generic C fallback of four byte products and adds."""
    for key in (gpu.compute_capability or "", gpu.architecture_family):
        for named, instructions in engine.emulated_dp4a:
            if key and named == key:
                return instructions
    return 1.0


def matvec_alu_ops_with_dp4a(
    engine: EngineProfile, gpu: Gpu, weight_format: WeightFormat, ops_per_weight: float
) -> float:
    """A mat-vec ALU count (formats.toml, one instruction per dp4a) with each of the format's
    dp4a calls (matvec_dp4a_per_weight) costing what it does on this GPU."""
    extra = matvec_dp4a_instructions(engine, gpu) - 1.0
    return ops_per_weight + extra * weight_format.matvec_dp4a_per_weight
