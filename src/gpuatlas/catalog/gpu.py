"""The `Gpu` type: one GPU variant's datasheet facts, with units in the field names.

This is the one declaration of a GPU's fields: the data files' schema (`gpu_records`, built at
parse time), the parsed-catalog cache and every table that labels a field (`gpu_fields`) read
it. A field's label, unit, name in the data file and checks are its `meaning` metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gpuatlas.catalog.field_meanings import FieldMeaning, meaning

Precision = Literal["fp32", "tf32", "fp16", "bf16", "fp8", "fp4", "int8", "int4"]
PRECISIONS: tuple[Precision, ...] = ("fp32", "tf32", "fp16", "bf16", "fp8", "fp4", "int8", "int4")
Segment = Literal["consumer", "workstation", "datacenter", "apple"]
LinkKind = Literal["nvlink", "nvlink-bridge", "infinity-fabric", "roce", "none"]

FP8_NATIVE_FAMILIES = frozenset(
    {"ada", "hopper", "blackwell", "cdna3", "cdna4", "rdna4", "gaudi2", "gaudi3"}
)


ID_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True)
class GpuLink:
    """The GPU's own GPU-to-GPU link (NVLink, bridge, Infinity Fabric), or kind 'none'. The data
    files write its fields flat on the GPU (`link_kind`, …, `interconnect_text`)."""

    kind: LinkKind = field(metadata=meaning(file_key="link_kind"))
    description: str = field(metadata=meaning("GPU-to-GPU link", file_key="interconnect_text"))
    generation: int | None = field(default=None, metadata=meaning(file_key="link_generation"))
    total_gb_s: float | None = field(
        default=None, metadata=meaning("GPU link, total", "GB/s", file_key="link_total_gb_s", gt=0)
    )
    per_direction_gb_s: float | None = field(
        default=None,
        metadata=meaning(
            "GPU link, per direction", "GB/s", file_key="link_per_direction_gb_s", gt=0
        ),
    )
    max_gpus: int = field(
        default=1, metadata=meaning("GPUs one link spans", file_key="link_max_gpus", ge=1)
    )
    latency_us: float | None = field(
        default=None, metadata=meaning("GPU link latency", "µs", file_key="link_latency_us", gt=0)
    )


def _dense(label: str, unit: str = "TFLOPS", column: str = "") -> dict[str, FieldMeaning]:
    """A dense peak throughput: positive when given."""
    return meaning(label, unit, column=column, gt=0)


@dataclass(frozen=True, kw_only=True)
class Gpu:
    """One GPU variant. Tensor throughput is dense; `fp32_tflops` is non-tensor FP32."""

    id: str = field(metadata=meaning(pattern=ID_PATTERN))
    vendor: str
    name: str
    aliases: tuple[str, ...] = ()
    segment: Segment
    architecture: str
    architecture_family: str
    release_year: int = field(metadata=meaning("Released", ge=1990, le=2100))
    memory_type: str
    form_factor: str
    link: GpuLink
    source: str = field(metadata=meaning(min_length=3))
    as_of: str = field(metadata=meaning(pattern=DATE_PATTERN))
    notes: str = ""
    tensor_accumulate: str
    compute_capability: str | None = None
    memory_gb: float | None = field(default=None, metadata=meaning("Memory", "GB", gt=0))
    memory_bandwidth_gb_s: float | None = field(
        default=None, metadata=meaning("Memory bandwidth", "GB/s", column="Bandwidth", gt=0)
    )
    fp32_tflops: float | None = field(default=None, metadata=_dense("FP32 (non-tensor)"))
    tf32_dense_tflops: float | None = field(default=None, metadata=_dense("TF32 tensor, dense"))
    fp16_dense_tflops: float | None = field(default=None, metadata=_dense("FP16 tensor, dense"))
    bf16_dense_tflops: float | None = field(
        default=None, metadata=_dense("BF16 tensor, dense", column="BF16")
    )
    fp8_dense_tflops: float | None = field(
        default=None, metadata=_dense("FP8 tensor, dense", column="FP8")
    )
    # FP4 (E2M1, NVFP4/MXFP4 block-scaled) tensor rate: Blackwell only; the datasheets' "AI TOPS"
    # and "FP4 PFLOPS" headlines are this figure with sparsity.
    fp4_dense_tflops: float | None = field(default=None, metadata=_dense("FP4 tensor, dense"))
    int8_dense_tops: float | None = field(
        default=None, metadata=_dense("INT8 tensor, dense", "TOPS")
    )
    int4_dense_tops: float | None = field(
        default=None, metadata=_dense("INT4 tensor, dense", "TOPS")
    )
    fp16_with_fp16_accumulate_dense_tflops: float | None = field(
        default=None, metadata=_dense("FP16 with FP16 accumulate, dense")
    )
    tdp_w: float | None = field(default=None, metadata=meaning("TDP", "W", gt=0))
    tdp_text: str = ""
    pcie_generation: float | None = field(default=None, metadata=meaning("PCIe generation"))
    pcie_lanes: int | None = field(default=None, metadata=meaning("PCIe lanes"))
    l2_cache_mb: float | None = field(default=None, metadata=meaning("L2 cache", "MB"))
    cache_text: str = ""
    ecc: bool | None = field(default=None, metadata=meaning("ECC"))
    sm_count: int | None = field(default=None, metadata=meaning("SMs / CUs"))
    cuda_cores: int | None = field(default=None, metadata=meaning("CUDA cores / stream processors"))
    tensor_cores: int | None = field(default=None, metadata=meaning("Tensor cores / matrix cores"))
    launch_price_usd: float | None = field(
        default=None, metadata=meaning("Launch price (MSRP)", "USD", gt=0)
    )
    # Never read from a file and always empty; kept because the gpu/gpus JSON documents (/1)
    # carry it: drop it with those documents' next version (app/documents.py SCHEMA_VERSIONS).
    extra: dict[str, str] = field(default_factory=dict, metadata=meaning(in_file=False))
    unified_memory: bool = field(default=False, metadata=meaning("Unified memory"))
    gpu_memory_share_default: float | None = field(
        default=None, metadata=meaning("GPU share of unified memory, default", gt=0, le=1)
    )
    gpu_memory_share_text: str = ""
    memory_options_gb: tuple[float, ...] = field(
        default=(), metadata=meaning("Memory options", "GB")
    )
    gpu_cores: int | None = field(default=None, metadata=meaning("GPU cores", ge=1))

    def dense_tflops(self, precision: str) -> float | None:
        """Dense peak for a precision (TFLOP/s, or TOP/s for integer); None when unsupported."""
        column = {
            "fp32": self.fp32_tflops,
            "tf32": self.tf32_dense_tflops,
            "fp16": self.fp16_dense_tflops,
            "bf16": self.bf16_dense_tflops,
            "fp8": self.fp8_dense_tflops,
            "fp4": self.fp4_dense_tflops,
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


# Values derived from the fields (properties of `Gpu`), labelled like a field.
DERIVED_MEANINGS: dict[str, FieldMeaning] = {
    "pcie_per_direction_gb_s": FieldMeaning("PCIe, per direction", "GB/s"),
    "gpu_usable_memory_gb": FieldMeaning("GPU-usable memory (default share)", "GB"),
}
