"""The `Gpu` type: one GPU variant's datasheet facts, with units in the field names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Precision = Literal["fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4"]
PRECISIONS: tuple[Precision, ...] = ("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4")
Segment = Literal["consumer", "workstation", "datacenter", "apple"]
LinkKind = Literal["nvlink", "nvlink-bridge", "infinity-fabric", "roce", "none"]

FP8_NATIVE_FAMILIES = frozenset(
    {"ada", "hopper", "blackwell", "cdna3", "cdna4", "rdna4", "gaudi2", "gaudi3"}
)


@dataclass(frozen=True)
class GpuLink:
    """The GPU's own GPU-to-GPU link (NVLink, bridge, Infinity Fabric), or kind 'none'."""

    kind: LinkKind
    description: str
    generation: int | None = None
    total_gb_s: float | None = None
    per_direction_gb_s: float | None = None
    max_gpus: int = 1
    latency_us: float | None = None


@dataclass(frozen=True)
class Gpu:
    """One GPU variant. Tensor throughput is dense; `fp32_tflops` is non-tensor FP32."""

    id: str
    vendor: str
    name: str
    aliases: tuple[str, ...]
    segment: Segment
    architecture: str
    architecture_family: str
    release_year: int
    memory_type: str
    form_factor: str
    link: GpuLink
    source: str
    as_of: str
    notes: str
    tensor_accumulate: str
    compute_capability: str | None = None
    memory_gb: float | None = None
    memory_bandwidth_gb_s: float | None = None
    fp32_tflops: float | None = None
    tf32_dense_tflops: float | None = None
    fp16_dense_tflops: float | None = None
    bf16_dense_tflops: float | None = None
    fp8_dense_tflops: float | None = None
    int8_dense_tops: float | None = None
    int4_dense_tops: float | None = None
    fp16_with_fp16_accumulate_dense_tflops: float | None = None
    tdp_w: float | None = None
    tdp_text: str = ""
    pcie_generation: float | None = None
    pcie_lanes: int | None = None
    l2_cache_mb: float | None = None
    cache_text: str = ""
    ecc: bool | None = None
    sm_count: int | None = None
    cuda_cores: int | None = None
    tensor_cores: int | None = None
    launch_price_usd: float | None = None
    extra: dict[str, str] = field(default_factory=dict)
    unified_memory: bool = False
    gpu_memory_share_default: float | None = None
    gpu_memory_share_text: str = ""
    memory_options_gb: tuple[float, ...] = ()
    gpu_cores: int | None = None

    def dense_tflops(self, precision: str) -> float | None:
        """Dense peak for a precision (TFLOP/s, or TOP/s for integer); None when unsupported."""
        column = {
            "fp32": self.fp32_tflops,
            "tf32": self.tf32_dense_tflops,
            "fp16": self.fp16_dense_tflops,
            "bf16": self.bf16_dense_tflops,
            "fp8": self.fp8_dense_tflops,
            "int8": self.int8_dense_tops,
            "int4": self.int4_dense_tops,
        }
        if precision not in column:
            raise ValueError(f"unknown precision {precision!r}; one of {', '.join(PRECISIONS)}")
        return column[precision]

    @property
    def supports_fp8_natively(self) -> bool:
        """FP8 tensor cores: Ada and Hopper on (and CDNA3, Gaudi); not Ampere, Turing, Volta."""
        return self.architecture_family in FP8_NATIVE_FAMILIES and self.fp8_dense_tflops is not None

    @property
    def pcie_per_direction_gb_s(self) -> float | None:
        """Theoretical PCIe bandwidth per direction: ~2 GB/s per lane at gen 4, doubling per gen."""
        if self.pcie_generation is None:
            return None
        lanes = self.pcie_lanes or 16
        per_lane_gb_s = 0.25 * 2 ** (self.pcie_generation - 1) * (128 / 130)
        return round(per_lane_gb_s * lanes, 1)

    @property
    def gpu_usable_memory_gb(self) -> float | None:
        """Memory the GPU may use for a model: all of it on a discrete card; on a unified-memory
        device (Apple Silicon, Strix Halo) only the share the OS lets the GPU wire by default."""
        if self.memory_gb is None or not self.unified_memory:
            return self.memory_gb
        return self.memory_gb * (self.gpu_memory_share_default or 1.0)

    @property
    def short_name(self) -> str:
        return self.name.removeprefix("GeForce ")
