"""The price CSV files' schema (pydantic) and their validation: imported only when a file is
actually read (a cold catalog cache, a user's own file), never on a cached start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gpuatlas.catalog.csv_rows import CsvSchema, RowParser, parse_rows, read_numbered_rows
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.price_snapshot import PriceSnapshot, Tier
from gpuatlas.errors import DataFileError

PRICE_COLUMNS = (
    "provider",
    "gpu",
    "gpu_match",
    "offer",
    "gpus_per_instance",
    "usd_per_gpu_hour",
    "tier",
    "observed_date",
    "source",
    "notes",
)
REQUIRED_COLUMNS = ("provider", "gpu", "usd_per_gpu_hour", "tier", "observed_date", "source")
PRICE_SCHEMA = CsvSchema(REQUIRED_COLUMNS, PRICE_COLUMNS)


class PriceRow(BaseModel):
    """One CSV row as written (the price file's schema)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    provider: str = Field(min_length=1)
    gpu: str = Field(min_length=1)
    gpu_match: Literal["exact", "assumed"] = "exact"
    offer: str = ""
    gpus_per_instance: int = Field(default=1, ge=1, le=64)
    usd_per_gpu_hour: float = Field(gt=0, lt=1000)
    tier: Tier
    observed_date: str = Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")
    source: str = Field(min_length=3)
    notes: str = ""

    @field_validator("gpus_per_instance", mode="before")
    @classmethod
    def blank_means_one(cls, value: object) -> object:
        return 1 if value in ("", None) else value


def load_price_file(path: Path, origin: str = "user") -> list[PriceSnapshot]:
    """Read one price CSV; raise DataFileError listing every bad line and field."""
    rows = read_numbered_rows(path, PRICE_SCHEMA)
    parser = RowParser(PriceRow, lambda row: _snapshot(row, origin))
    snapshots, problems = parse_rows(rows, parser)
    if problems:
        raise DataFileError(str(path), problems)
    return [snapshot for _, snapshot in snapshots]


def _snapshot(row: PriceRow, origin: str) -> PriceSnapshot:
    return PriceSnapshot(
        provider=row.provider,
        gpu_id=resolve_gpu(row.gpu).id,
        usd_per_gpu_hour=row.usd_per_gpu_hour,
        tier=row.tier,
        observed_date=row.observed_date,
        source=row.source,
        gpus_per_instance=row.gpus_per_instance,
        offer=row.offer,
        gpu_match=row.gpu_match,
        notes=row.notes,
        origin=origin,
    )
