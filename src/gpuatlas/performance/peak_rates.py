"""Peak figures of a GPU for the precision a workload computes in, with honest fallbacks."""

from __future__ import annotations

from gpuatlas.catalog.formats import WeightFormat
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.errors import InvalidRequestError

# When a GPU lacks a tensor precision, engines run the math in the next one that exists.
_FALLBACKS: dict[str, tuple[str, ...]] = {
    "fp4": ("fp4", "fp8", "fp16", "bf16"),
    "int4": ("int4", "int8", "fp16", "bf16"),
    "fp8": ("fp8", "fp16", "bf16"),
    "int8": ("int8", "fp16", "bf16"),
    "bf16": ("bf16", "fp16"),
    "fp16": ("fp16", "bf16"),
    "tf32": ("tf32", "fp32"),
    "fp32": ("fp32", "tf32"),
}
_CATALOG_PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8", "fp4", "int8", "int4")


def memory_bandwidth_bytes_s(gpu: Gpu) -> float:
    if not gpu.memory_bandwidth_gb_s:
        raise InvalidRequestError([f"the catalog has no memory bandwidth for {gpu.id}"])
    return gpu.memory_bandwidth_gb_s * 1e9


GIB_IN_GB = 1.073741824


def memory_capacity_gb(gpu: Gpu) -> float:
    """The memory the GPU may use, in GB (1e9 bytes). Vendors' "24 GB"/"80 GB" are binary sizes
    (24 GiB = 25.8 GB; an H100 80GB shows 81,559 MiB), so the catalog figure is read as GiB. On a
    unified-memory device (a Mac) only the OS's default GPU share counts."""
    usable_gb = gpu.gpu_usable_memory_gb
    if not usable_gb:
        raise InvalidRequestError([f"the catalog has no memory size for {gpu.id}"])
    return usable_gb * GIB_IN_GB


def lacks_sixteen_bit_rate(gpu: Gpu, dtype: str) -> bool:
    """Whether an NVIDIA GPU has an FP32 rate but no tensor rate for this 16-bit dtype (the
    catalog leaves it empty: bf16 before Ampere, fp16 on Pascal GP102-GP107): PyTorch keeps the
    dtype and its cuBLAS GEMMs (cublasGemmEx, CUBLAS_COMPUTE_32F) run in fp32 math."""
    return gpu.vendor == "NVIDIA" and bool(gpu.fp32_tflops) and not gpu.dense_tflops(dtype)


def peak_flops(gpu: Gpu, precision: str) -> tuple[float, str]:
    """Dense peak FLOP/s for `precision` and the precision actually used (after fallback)."""
    for candidate in _FALLBACKS.get(precision, (precision,)):
        if candidate not in _CATALOG_PRECISIONS:
            continue
        tflops = gpu.dense_tflops(candidate)
        if tflops:
            return tflops * 1e12, candidate
    if gpu.tensor_cores == 0 and gpu.fp32_tflops:  # no tensor cores (Pascal GTX 10, P40):
        return gpu.fp32_tflops * 1e12, "fp32"  # engines (llama.cpp) run the math in fp32
    raise InvalidRequestError([f"the catalog has no {precision} tensor throughput for {gpu.id}"])


def compute_precision(gpu: Gpu, weight_format: WeightFormat) -> str:
    """The precision the matmuls run in for these weights on this GPU. GGUF quants are
    dequantised into fp16 GEMMs for prompt batches (llama.cpp's integer MMQ kernels do not
    reach the int8 tensor peak), so they are costed at the fp16 rate."""
    if weight_format.family == "gguf":
        return "fp16"
    return weight_format.compute_precision_on(gpu.architecture_family)


def engine_peak_flops(gpu: Gpu, precision: str, fp16_accumulate: bool) -> tuple[float, str]:
    """Peak for an engine: fp16 GEMMs accumulating in fp16 run at full rate on GeForce."""
    flops, used = peak_flops(gpu, precision)
    if fp16_accumulate and used == "fp16" and gpu.fp16_with_fp16_accumulate_dense_tflops:
        return max(flops, gpu.fp16_with_fp16_accumulate_dense_tflops * 1e12), used
    return flops, used


def vector_alu_flops(gpu: Gpu, families: tuple[str, ...]) -> float | None:
    """The GPU's non-tensor FP32 rate (FLOP/s) when an engine runs this GPU's matmuls on its
    vector ALUs instead of its matrix units (engines.toml vector_alu_families: the GPU's
    architecture family, or '*' for every family); None when the engine uses the matrix units
    here, or the GPU has none (its catalog peak is already a vector rate)."""
    if not gpu.tensor_cores or not gpu.fp32_tflops:
        return None
    if "*" in families or gpu.architecture_family in families:
        return gpu.fp32_tflops * 1e12
    return None


def hardware_class(gpu: Gpu) -> str:
    """Calibration label of a GPU: '<architecture family>/<memory class>' (hbm, gddr, or
    lpddr for an NVIDIA GPU on unified LPDDR memory). Engines reach very different shares of
    HBM and GDDR bandwidth at small batches. NVIDIA's LPDDR parts share their architecture
    family with GDDR cards but not their memory system: the DGX Spark's GB10 decodes a dense
    Qwen2.5-Coder-7B Q8_0 at about 91 % of its 273 GB/s (llama.cpp benches/dgx-spark, b6989),
    well above the GDDR Blackwell cards' share. Apple's and AMD's unified-memory GPUs have
    architecture families of their own, so their labels stay as they were."""
    memory = gpu.memory_type.upper()
    memory_class = "hbm" if "HBM" in memory else "gddr"
    if "LPDDR" in memory and gpu.vendor.lower() == "nvidia":
        memory_class = "lpddr"
    return f"{gpu.architecture_family}/{memory_class}"


PRECISION_CLASSES = ("16bit", "8bit", "4bit")  # what precision_class returns, widest first


def precision_class(weight_format: WeightFormat) -> str:
    """Calibration bucket of a weight format: 16bit, 8bit or 4bit."""
    bits = weight_format.model_bits_per_weight
    if bits >= 12:
        return "16bit"
    return "8bit" if bits >= 6 else "4bit"


VOLTA_COMPUTE_CAPABILITY = 7.0


# Architecture families whose datasheet FP32 rate counts two FP32 instructions issued per lane
# and clock: RDNA 3, 3.5 and 4 issue pairs of FP32 instructions in one cycle (VOPD dual issue,
# wave32; AMD 'RDNA3' Instruction Set Architecture reference guide, VOPD encoding) and CDNA 3
# and 4 count packed FP32 (v_pk_fma_f32: two FP32 FMAs in one instruction; AMD CDNA 3 white
# paper, 'FP32 vector 163.4 TFLOPS' for the MI300X). The catalog's figures show the doubling:
# RX 7900 XTX 96 CUs x 64 lanes x 2 FLOPs (FMA) x 2.5 GHz = 30.7 TFLOPS, half its 61.4; MI300X
# 304 x 64 x 2 x 2.1 GHz = 81.7, half its 163.4; RX 9070 XT 64 x 64 x 2 x 2.97 = 24.3, half its
# 48.7; while RDNA 2, CDNA 1/2 and GCN figures are lanes x 2 x clock (RX 6800 XT 72 x 64 x 2 x
# 2.25 GHz = 20.7; MI250X 220 x 64 x 2 x 1.7 = 47.9; MI50 60 x 64 x 2 x 1.725 = 13.3).
FP32_DUAL_ISSUE_FAMILIES = ("rdna3", "rdna3.5", "rdna4", "cdna3", "cdna4")


def single_issue_per_s(gpu: Gpu) -> float | None:
    """Instructions per second the GPU's FP32 lanes issue one per lane and clock (lanes x
    clock): half its FP32 FLOP rate (an FMA is 2 FLOPs), halved again on the families whose
    datasheet rate counts dual-issued or packed FP32 (FP32_DUAL_ISSUE_FAMILIES), which the
    integer and bit instructions of a quantised mat-vec's unpacking do not get; None without
    an FP32 figure."""
    if not gpu.fp32_tflops:
        return None
    dual = 2.0 if gpu.architecture_family in FP32_DUAL_ISSUE_FAMILIES else 1.0
    return gpu.fp32_tflops * 1e12 / 2.0 / dual


def has_concurrent_int32_pipe(gpu: Gpu) -> bool:
    """Whether the GPU issues 32-bit integer instructions to their own lanes, beside the FP32
    ones: NVIDIA from Volta (compute capability 7.0, 'independent parallel integer and
    floating-point data paths', NVIDIA Volta/Turing/Ampere/Hopper whitepapers). A quantised
    mat-vec's unpacking (shifts, masks, dp4a, integer scale products) then overlaps its float
    work and its loads; on Pascal, AMD, Apple and Intel GPUs the same lanes do both."""
    if gpu.vendor.lower() != "nvidia" or not gpu.compute_capability:
        return False
    try:
        return float(gpu.compute_capability) >= VOLTA_COMPUTE_CAPABILITY
    except ValueError:
        return False
