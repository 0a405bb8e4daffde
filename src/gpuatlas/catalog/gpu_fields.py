"""One table of a GPU's numeric datasheet fields: the label people read, the unit and the `Gpu`
attribute that holds the value. The report's hardware table and charts, `gpuatlas gpus show`
and the web GPU page all name a field from here, so one field has one label everywhere.

Tensor throughput is always dense (never a sparse figure against a dense one).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from gpuatlas.catalog.gpu import Gpu


@dataclass(frozen=True)
class GpuField:
    """A numeric GPU fact: its label, its unit ("" for a count), where `Gpu` holds it (a dotted
    path for a nested value: ``link.per_direction_gb_s``) and a short name for table columns."""

    attribute: str
    label: str
    unit: str
    column: str = ""  # a table column's name, "" = the label

    @property
    def header(self) -> str:
        """A table column header: the short name and the unit ("Bandwidth GB/s")."""
        return f"{self.column or self.label} {self.unit}".strip()

    def read(self, gpu: Gpu) -> float | None:
        value: float | None = attrgetter(self.attribute)(gpu)
        return value


GPU_FIELDS: tuple[GpuField, ...] = (
    GpuField("memory_gb", "Memory", "GB"),
    GpuField("memory_bandwidth_gb_s", "Memory bandwidth", "GB/s", "Bandwidth"),
    GpuField("fp32_tflops", "FP32 (non-tensor)", "TFLOPS"),
    GpuField("tf32_dense_tflops", "TF32 tensor, dense", "TFLOPS"),
    GpuField("fp16_dense_tflops", "FP16 tensor, dense", "TFLOPS"),
    GpuField("bf16_dense_tflops", "BF16 tensor, dense", "TFLOPS", "BF16"),
    GpuField("fp8_dense_tflops", "FP8 tensor, dense", "TFLOPS", "FP8"),
    GpuField("int8_dense_tops", "INT8 tensor, dense", "TOPS"),
    GpuField("int4_dense_tops", "INT4 tensor, dense", "TOPS"),
    GpuField("l2_cache_mb", "L2 cache", "MB"),
    GpuField("link.per_direction_gb_s", "GPU link, per direction", "GB/s"),
    GpuField("pcie_per_direction_gb_s", "PCIe, per direction", "GB/s"),
    GpuField("tdp_w", "TDP", "W"),
    GpuField("cuda_cores", "CUDA cores / stream processors", ""),
    GpuField("tensor_cores", "Tensor cores / matrix cores", ""),
    GpuField("sm_count", "SMs / CUs", ""),
    GpuField("launch_price_usd", "Launch price (MSRP)", "USD"),
)

FIELD_BY_ATTRIBUTE: dict[str, GpuField] = {field.attribute: field for field in GPU_FIELDS}

# Fields that exist only on unified-memory devices or as derived values, labelled here too.
GPU_USABLE_MEMORY = GpuField("gpu_usable_memory_gb", "GPU-usable memory (default share)", "GB")
FP16_ACCUMULATE_FP16 = GpuField(
    "fp16_with_fp16_accumulate_dense_tflops", "FP16 with FP16 accumulate, dense", "TFLOPS"
)


def gpu_field(attribute: str) -> GpuField:
    """The field stored in `attribute`; a KeyError names the attributes that exist."""
    try:
        return FIELD_BY_ATTRIBUTE[attribute]
    except KeyError:
        known = ", ".join(FIELD_BY_ATTRIBUTE)
        raise KeyError(f"no GPU field {attribute!r}; known: {known}") from None


def gpu_fields(*attributes: str) -> tuple[GpuField, ...]:
    return tuple(gpu_field(attribute) for attribute in attributes)
