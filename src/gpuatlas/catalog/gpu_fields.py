"""The GPU's numeric datasheet fields that tables show, in the order they show them: the label
people read, the unit and the `Gpu` attribute that holds the value. The report's hardware table
and charts, `gpuatlas gpu show` and the web GPU page all name a field from here, so one field
has one label everywhere. Labels and units are declared once, on the `Gpu` fields themselves
(`gpu.Gpu`, `gpu.GpuLink`, `gpu.DERIVED_MEANINGS`); this module only chooses and orders them.

Tensor throughput is always dense (never a sparse figure against a dense one).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from gpuatlas.catalog.field_meanings import FieldMeaning, meanings_by_name
from gpuatlas.catalog.gpu import DERIVED_MEANINGS, Gpu, GpuLink


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


def _declared_meanings() -> dict[str, FieldMeaning]:
    """Every labelled value of a `Gpu` by attribute path: its fields, its link's fields
    (``link.per_direction_gb_s``) and the values derived from them."""
    link = {f"link.{name}": found for name, found in meanings_by_name(GpuLink).items()}
    return {**meanings_by_name(Gpu), **link, **DERIVED_MEANINGS}


DECLARED_MEANINGS = _declared_meanings()


def declared_field(attribute: str) -> GpuField:
    """The table field of a labelled `Gpu` value; a KeyError names the labelled ones."""
    declared = DECLARED_MEANINGS.get(attribute)
    if declared is None or not declared.label:
        known = ", ".join(name for name, found in DECLARED_MEANINGS.items() if found.label)
        raise KeyError(f"no GPU field {attribute!r}; known: {known}")
    return GpuField(attribute, declared.label, declared.unit, declared.column)


# The common table's fields, in the order every table shows them.
# fmt: off
TABLE_ORDER = (
    "memory_gb", "memory_bandwidth_gb_s",
    "fp32_tflops", "tf32_dense_tflops", "fp16_dense_tflops", "bf16_dense_tflops",
    "fp8_dense_tflops", "int8_dense_tops", "int4_dense_tops",
    "l2_cache_mb", "link.per_direction_gb_s", "pcie_per_direction_gb_s", "tdp_w",
    "cuda_cores", "tensor_cores", "sm_count", "launch_price_usd",
)
# fmt: on
GPU_FIELDS: tuple[GpuField, ...] = tuple(declared_field(name) for name in TABLE_ORDER)

FIELD_BY_ATTRIBUTE: dict[str, GpuField] = {field.attribute: field for field in GPU_FIELDS}

# Labelled values that the common table leaves out (a derived value, a GeForce-only figure,
# the Blackwell-only FP4 rate).
GPU_USABLE_MEMORY = declared_field("gpu_usable_memory_gb")
FP16_ACCUMULATE_FP16 = declared_field("fp16_with_fp16_accumulate_dense_tflops")
FP4_DENSE = declared_field("fp4_dense_tflops")


def gpu_field(attribute: str) -> GpuField:
    """The field stored in `attribute`; a KeyError names the attributes that exist."""
    try:
        return FIELD_BY_ATTRIBUTE[attribute]
    except KeyError:
        known = ", ".join(FIELD_BY_ATTRIBUTE)
        raise KeyError(f"no GPU field {attribute!r}; known: {known}") from None


def gpu_fields(*attributes: str) -> tuple[GpuField, ...]:
    return tuple(gpu_field(attribute) for attribute in attributes)
