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
_CATALOG_PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4")


def memory_bandwidth_bytes_s(gpu: Gpu) -> float:
    if not gpu.memory_bandwidth_gb_s:
        raise InvalidRequestError([f"the catalog has no memory bandwidth for {gpu.id}"])
    return gpu.memory_bandwidth_gb_s * 1e9


def memory_bytes(gpu: Gpu) -> float:
    if not gpu.memory_gb:
        raise InvalidRequestError([f"the catalog has no memory size for {gpu.id}"])
    return gpu.memory_gb * 1e9


def peak_flops(gpu: Gpu, precision: str) -> tuple[float, str]:
    """Dense peak FLOP/s for `precision` and the precision actually used (after fallback)."""
    for candidate in _FALLBACKS.get(precision, (precision,)):
        if candidate not in _CATALOG_PRECISIONS:
            continue
        tflops = gpu.dense_tflops(candidate)
        if tflops:
            return tflops * 1e12, candidate
    raise InvalidRequestError([f"the catalog has no {precision} tensor throughput for {gpu.id}"])


def compute_precision(gpu: Gpu, weight_format: WeightFormat) -> str:
    """The precision the matmuls run in for these weights on this GPU."""
    return weight_format.compute_precision_on(gpu.architecture_family)


def precision_class(weight_format: WeightFormat) -> str:
    """Calibration bucket of a weight format: 16bit, 8bit or 4bit."""
    bits = weight_format.model_bits_per_weight
    if bits >= 12:
        return "16bit"
    return "8bit" if bits >= 6 else "4bit"
