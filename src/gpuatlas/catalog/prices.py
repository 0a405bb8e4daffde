"""Cloud prices as dated snapshots; an offer's snapshots form its history, the newest is current.

Packaged snapshots live in data/prices/*.csv. Users add their own CSV files (same columns) in
`<user config dir>/gpuatlas/prices/`, through `GPUATLAS_PRICE_FILES` (paths separated by the OS
path separator), or with `--prices FILE` on commands that take it. A bad file is rejected whole,
with every problem named by line and field.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gpuatlas.catalog.csv_rows import CsvSchema, RowParser, parse_rows, read_numbered_rows
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.errors import DataFileError, GpuAtlasError, UnknownNameError

Tier = Literal["on-demand", "spot", "reserved", "community"]
TIERS: tuple[Tier, ...] = ("on-demand", "spot", "reserved", "community")
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


@dataclass(frozen=True)
class PriceSnapshot:
    """One observed price of one offer: a provider's GPU at a tier, on a date, from a source."""

    provider: str
    gpu_id: str
    usd_per_gpu_hour: float
    tier: Tier
    observed_date: str
    source: str
    gpus_per_instance: int = 1
    offer: str = ""
    gpu_match: str = "exact"
    notes: str = ""
    origin: str = "packaged"

    @property
    def offer_key(self) -> tuple[str, str, str, int, str]:
        """Snapshots sharing this key are one offer's history."""
        return (self.provider.lower(), self.gpu_id, self.tier, self.gpus_per_instance, self.offer)

    @property
    def usd_per_instance_hour(self) -> float:
        return self.usd_per_gpu_hour * self.gpus_per_instance

    @property
    def label(self) -> str:
        offer = f" {self.offer}" if self.offer else ""
        return f"{self.provider}{offer} ({self.tier}, {self.observed_date})"


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


@cache
def packaged_prices() -> tuple[PriceSnapshot, ...]:
    folder = resources.files("gpuatlas.catalog") / "data" / "prices"
    files = sorted(Path(str(folder)).glob("*.csv"))
    return tuple(s for f in files for s in load_price_file(f, origin="packaged"))


def user_price_dir() -> Path:
    return Path(platformdirs.user_config_dir("gpuatlas")) / "prices"


def user_price_files() -> list[Path]:
    """Price files from the user's config directory and GPUATLAS_PRICE_FILES."""
    files = sorted(user_price_dir().glob("*.csv")) if user_price_dir().is_dir() else []
    listed = os.environ.get("GPUATLAS_PRICE_FILES", "")
    files += [Path(p) for p in listed.split(os.pathsep) if p.strip()]
    return files


def all_prices(extra_files: Sequence[Path] = ()) -> list[PriceSnapshot]:
    """Packaged snapshots plus the user's files plus `extra_files` (e.g. from --prices)."""
    snapshots = list(packaged_prices())
    for path in [*user_price_files(), *extra_files]:
        snapshots += load_price_file(Path(path), origin=str(path))
    return snapshots


def _matches(s: PriceSnapshot, gpu_id: str | None, provider: str | None, tier: str | None) -> bool:
    return (
        (gpu_id is None or s.gpu_id == gpu_id)
        and (provider is None or s.provider.lower() == provider.lower())
        and (tier is None or s.tier == tier)
    )


def check_provider(provider: str, snapshots: Sequence[PriceSnapshot]) -> None:
    known = sorted({s.provider for s in snapshots})
    if provider.lower() not in {p.lower() for p in known}:
        raise UnknownNameError("provider", provider, known)


def price_history(
    gpu_id: str | None = None,
    provider: str | None = None,
    tier: str | None = None,
    extra_files: Sequence[Path] = (),
) -> list[PriceSnapshot]:
    """Every snapshot matching the filters, oldest first within each offer."""
    snapshots = all_prices(extra_files)
    if provider is not None:
        check_provider(provider, snapshots)
    if tier is not None and tier not in TIERS:
        raise GpuAtlasError(f"unknown tier {tier!r}; one of: {', '.join(TIERS)}")
    chosen = [s for s in snapshots if _matches(s, gpu_id, provider, tier)]
    return sorted(chosen, key=lambda s: (s.offer_key, s.observed_date))


def current_prices(
    gpu_id: str | None = None,
    provider: str | None = None,
    tier: str | None = None,
    extra_files: Sequence[Path] = (),
) -> list[PriceSnapshot]:
    """The newest snapshot(s) of each offer, cheapest first. Ties on the newest date all stay."""
    history = price_history(gpu_id, provider, tier, extra_files)
    newest: dict[tuple[str, str, str, int, str], str] = {}
    for snapshot in history:
        newest[snapshot.offer_key] = max(newest.get(snapshot.offer_key, ""), snapshot.observed_date)
    current = [s for s in history if s.observed_date == newest[s.offer_key]]
    return sorted(current, key=lambda s: (s.usd_per_gpu_hour, s.provider))


def cheapest_current(
    gpu_id: str, tiers: Sequence[str] = ("on-demand", "community")
) -> PriceSnapshot | None:
    """The lowest current $/GPU-hour for a GPU among the given tiers, or None without offers."""
    offers = [s for s in current_prices(gpu_id) if s.tier in tiers]
    return offers[0] if offers else None
