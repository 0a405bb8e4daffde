"""One observed cloud price (PriceSnapshot) and the price tiers: the type the price catalog
(prices.py) serves and its file parser (price_records.py) builds, below both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Tier = Literal["on-demand", "spot", "reserved", "community"]
TIERS: tuple[Tier, ...] = ("on-demand", "spot", "reserved", "community")


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
