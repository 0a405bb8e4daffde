"""Shared cell and provenance formatting for every human-readable renderer."""

from __future__ import annotations

from gpuatlas.report.document import Cell, Provenance, Quantity
from gpuatlas.report.phrasing import format_range


def cell_text(cell: Cell) -> str:
    if isinstance(cell, Quantity):
        if cell.value is None:
            return _missing_text(cell)
        text = format_range(cell)
        measured = cell.provenance.kind == "measured" and cell.unit != "×"
        if measured and cell.value is not None and cell.provenance.n:
            text += f" (n={cell.provenance.n})"
        return text
    return cell.text


def provenance_text(provenance: Provenance | None) -> str:
    if provenance is None:
        return ""
    if provenance.kind == "measured":
        ids = ", ".join(provenance.result_ids[:4])
        more = f" +{len(provenance.result_ids) - 4}" if len(provenance.result_ids) > 4 else ""
        return f"measured, n={provenance.n}; results {ids}{more}; {provenance.source}"
    if provenance.kind == "modelled":
        return f"modelled by {provenance.model}, calibration {provenance.calibration_version}"
    date = f" (as of {provenance.as_of})" if provenance.as_of else ""
    return f"{provenance.kind}: {provenance.source}{date}"


def cell_provenance(cell: Cell) -> Provenance | None:
    return cell.provenance


def _missing_text(cell: Quantity) -> str:
    reason = cell.provenance.source if cell.provenance.kind == "computed" else ""
    return f"— ({reason})" if reason and len(reason) <= 60 else "—"
