"""Build Quantities with provenance from catalog facts, prices, estimates and arithmetic."""

from __future__ import annotations

from typing import Any

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.numbers import shorten_text
from gpuatlas.report.document import Provenance, Quantity, Text

SOURCE_CHARACTERS = 80  # an input's source inside a computed number's provenance


def catalog_provenance(gpu: Gpu) -> Provenance:
    return Provenance(kind="catalog", source=gpu.source, as_of=gpu.as_of)


def gpu_fact(gpu: Gpu, value: float | None, unit: str) -> Quantity:
    return Quantity(value=value, unit=unit, provenance=catalog_provenance(gpu))


def gpu_text(gpu: Gpu, text: str) -> Text:
    return Text(text=text, provenance=catalog_provenance(gpu))


def price_quantity(
    snapshot: PriceSnapshot, value: float | None = None, unit: str = "USD"
) -> Quantity:
    provenance = Provenance(
        kind="price", source=f"{snapshot.provider}: {snapshot.source}", as_of=snapshot.observed_date
    )
    amount = snapshot.usd_per_gpu_hour if value is None else value
    return Quantity(value=amount, unit=unit, provenance=provenance)


def computed(value: float | None, unit: str, formula: str, *inputs: Quantity) -> Quantity:
    """A number derived from others: the provenance names the formula and its inputs' sources."""
    sources = "; ".join(sorted({_describe(q.provenance) for q in inputs}))
    text = f"{formula} ({sources})" if sources else formula
    return Quantity(value=value, unit=unit, provenance=Provenance(kind="computed", source=text))


def _describe(provenance: Provenance) -> str:
    if provenance.kind == "modelled":
        return f"model {provenance.model} calibration {provenance.calibration_version}"
    if provenance.kind == "measured":
        return f"measured n={provenance.n}"
    date = f", {provenance.as_of}" if provenance.as_of else ""
    return f"{provenance.kind}: {shorten_text(provenance.source, SOURCE_CHARACTERS)}{date}"


def ratio_of(a: Quantity, b: Quantity, what: str) -> Quantity:
    """A ÷ B, None when either side is unknown or B is zero."""
    value = None
    if a.value is not None and b.value is not None and b.value != 0:
        value = a.value / b.value
    return computed(value, "×", f"A ÷ B of {what}", a, b)


def estimate_quantity(estimate: Any, unit: str | None = None, factor: float = 1.0) -> Quantity:
    """An estimate.Estimate (value/low/high/model/calibration_version) as a Quantity."""
    provenance = Provenance(
        kind="modelled",
        source=str(estimate.model),
        model=str(estimate.model),
        calibration_version=str(estimate.calibration_version),
    )
    return Quantity(
        value=float(estimate.value) * factor,
        unit=unit or str(estimate.unit),
        provenance=provenance,
        low=float(estimate.low) * factor,
        high=float(estimate.high) * factor,
    )


def option_quantity(value: float, unit: str, name: str) -> Quantity:
    return Quantity(value=value, unit=unit, provenance=Provenance(kind="option", source=name))
