"""One observed cloud price (PriceSnapshot) and the price tiers: the type the price catalog
(prices.py) serves and its file parser (price_records.py) builds, below both. Its fields are
the one declaration of a price file's columns (the schema is built from them at parse time)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gpuatlas.catalog.field_meanings import meaning

Tier = Literal["on-demand", "spot", "reserved", "community"]
TIERS: tuple[Tier, ...] = ("on-demand", "spot", "reserved", "community")
GpuMatch = Literal["exact", "assumed"]  # assumed: the source did not name the exact variant
# What a price's notes say when a provider gave a range and the catalog kept each end.
RANGE_ENDS = ("low end of captured range", "high end of captured range")


@dataclass(frozen=True)
class PriceSnapshot:
    """One observed price of one offer: a provider's GPU at a tier, on a date, from a source."""

    provider: str = field(metadata=meaning("Provider", min_length=1))
    # The file writes a GPU name ("RTX 4090"); the loader resolves it to the catalog id.
    gpu_id: str = field(metadata=meaning("GPU", file_key="gpu", min_length=1))
    usd_per_gpu_hour: float = field(metadata=meaning("Price", "USD/GPU-hour", gt=0, lt=1000))
    tier: Tier = field(metadata=meaning("Tier"))
    observed_date: str = field(metadata=meaning("Observed", pattern=r"^\d{4}-\d{2}(-\d{2})?$"))
    source: str = field(metadata=meaning("Source", min_length=3))
    gpus_per_instance: int = field(default=1, metadata=meaning("GPUs per instance", ge=1, le=64))
    offer: str = ""
    gpu_match: GpuMatch = "exact"
    notes: str = ""
    origin: str = field(default="packaged", metadata=meaning(in_file=False))

    @property
    def offer_key(self) -> tuple[str, str, str, int, str]:
        """Snapshots sharing this key are one offer's history."""
        return (self.provider.lower(), self.gpu_id, self.tier, self.gpus_per_instance, self.offer)

    @property
    def caveats(self) -> tuple[str, ...]:
        """What a reader must know about the price beside its provider, tier and date: the GPU
        variant was assumed (the provider does not name it), the end of a captured range (two
        offers of one provider, tier and date told apart)."""
        assumed = ("variant assumed",) if self.gpu_match == "assumed" else ()
        return assumed + tuple(end for end in RANGE_ENDS if end in self.notes)

    @property
    def usd_per_instance_hour(self) -> float:
        return self.usd_per_gpu_hour * self.gpus_per_instance

    @property
    def label(self) -> str:
        offer = f" {self.offer}" if self.offer else ""
        return f"{self.provider}{offer} ({self.tier}, {self.observed_date})"
