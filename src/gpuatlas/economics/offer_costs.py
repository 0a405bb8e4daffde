"""Cost of GPU time and of the work it does, per provider offer (tier, date and source shown).

Every unit cost divides an offer's price by *that system's own* sustainable throughput — two
GPUs never share a request rate (the seed article's cost per request divided both prices by the
same 100 req/s; see ERRATA).

Billing: an offer with no instance name and one GPU per instance is priced per GPU (the
provider rents 1–8 of them on one node at that rate); a named instance, or one with several
GPUs, is rented whole, so a 2-GPU system on an 8-GPU instance pays for the instance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.numbers import with_article

Item = TypeVar("Item")

HOURS_PER_DAY = 24.0
HOURS_PER_YEAR = 8760.0
HOURS_PER_MONTH = HOURS_PER_YEAR / 12.0  # 730 h
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class OfferPrice:
    """An offer's price for running `gpu_count` GPUs (or `replicas` systems of them)."""

    provider: str
    tier: str
    observed_date: str
    source: str
    offer: str
    gpu_id: str
    gpu_match: str
    usd_per_gpu_hour: float
    gpus_per_instance: int
    per_gpu_billing: bool
    instances: int
    usd_per_hour: float
    caveats: tuple[str, ...] = ()  # PriceSnapshot.caveats: variant assumed, a range's end
    systems: int = 1  # copies of the system the price covers (replicas, or an instance filled)

    @property
    def usd_per_system_hour(self) -> float:
        """One copy's share of the price: what the work of one system costs per hour."""
        return self.usd_per_hour / self.systems

    @property
    def label(self) -> str:
        """'RunPod (community, 2026-09-25)'; an instance rented whole says so, so a price for
        eight GPUs is never read as the price of one, and an offer whose GPU variant the
        provider does not name says so, and the end of a captured range, as the price tables
        do ('Vast.ai (on-demand, 2026-06; low end of captured range)')."""
        offer = f" {self.offer}" if self.offer else ""
        whole = (
            f", whole {self.gpus_per_instance}-GPU instance"
            if not self.per_gpu_billing and self.gpus_per_instance > 1
            else ""
        )
        caveats = "".join(f"; {caveat}" for caveat in self.caveats)
        return f"{self.provider}{offer} ({self.tier}, {self.observed_date}{whole}{caveats})"


def named_variant_first(items: Sequence[Item], gpu_match: Callable[[Item], str]) -> list[Item]:
    """The items (offers, or costs per offer) whose provider names the GPU's exact variant,
    or all of them when none does: an offer whose variant was assumed (an 'A100 80GB' that may
    be the PCIe card or the SXM module) is the price only when there is no other. `cost` ranks
    and `compare` prices from this one choice, so both name the same offer for a system."""
    exact = [item for item in items if gpu_match(item) == "exact"]
    return exact or list(items)


def bills_per_gpu(offer: PriceSnapshot) -> bool:
    """True when the offer rents single GPUs at its rate (no named fixed-size instance)."""
    return not offer.offer and offer.gpus_per_instance == 1


def can_host(offer: PriceSnapshot, gpus_per_system: int) -> bool:
    """Whether one system of `gpus_per_system` GPUs fits on one instance of the offer
    (tensor parallelism across separately rented instances is not assumed)."""
    if bills_per_gpu(offer):
        return gpus_per_system <= 8
    return gpus_per_system <= offer.gpus_per_instance


def instances_needed(offer: PriceSnapshot, gpus_per_system: int, replicas: int = 1) -> int:
    """Instances to rent for `replicas` systems of `gpus_per_system` GPUs each."""
    if bills_per_gpu(offer):
        return gpus_per_system * replicas
    if gpus_per_system > offer.gpus_per_instance:
        raise ValueError(
            f"{offer.label} has {offer.gpus_per_instance} GPU(s) per instance; "
            f"{with_article(str(gpus_per_system))}-GPU system does not fit"
        )
    return math.ceil(replicas / copies_per_instance(offer, gpus_per_system))


def copies_per_instance(offer: PriceSnapshot, gpus_per_system: int) -> int:
    """How many copies of a system of `gpus_per_system` GPUs one rented instance holds: 1
    where the offer bills per GPU (the system is rented alone), else the instance's GPUs over
    the system's (an 8-GPU instance rented whole runs eight 1-GPU image pipelines at once)."""
    if bills_per_gpu(offer):
        return 1
    return max(1, offer.gpus_per_instance // gpus_per_system)


def filled_instance_price(offer: PriceSnapshot, gpus_per_system: int) -> OfferPrice:
    """The price of work with no traffic stated: one system where the offer bills per GPU, an
    instance rented whole filled with copies of the system (`copies_per_instance`), each at
    its own speed, so a price per image or per token is the instance's over every copy's
    work, not one copy's work paying for GPUs that sit idle."""
    return offer_price(offer, gpus_per_system, copies_per_instance(offer, gpus_per_system))


def offer_price(offer: PriceSnapshot, gpus_per_system: int, replicas: int = 1) -> OfferPrice:
    """What `replicas` systems of `gpus_per_system` GPUs cost per hour on this offer."""
    instances = instances_needed(offer, gpus_per_system, replicas)
    gpus_billed = instances * (1 if bills_per_gpu(offer) else offer.gpus_per_instance)
    return OfferPrice(
        provider=offer.provider,
        tier=offer.tier,
        observed_date=offer.observed_date,
        source=offer.source,
        offer=offer.offer,
        gpu_id=offer.gpu_id,
        gpu_match=offer.gpu_match,
        usd_per_gpu_hour=offer.usd_per_gpu_hour,
        gpus_per_instance=offer.gpus_per_instance,
        per_gpu_billing=bills_per_gpu(offer),
        instances=instances,
        usd_per_hour=gpus_billed * offer.usd_per_gpu_hour,
        caveats=offer.caveats,
        systems=replicas,
    )


# ----- unit costs ---------------------------------------------------------------------------


def usd_per_gb_vram_hour(usd_per_gpu_hour: float, gpu: Gpu) -> float:
    """$ per GB of VRAM per hour (the seed's $0.34/24 GB = $0.0142)."""
    if not gpu.memory_gb:
        raise ValueError(f"{gpu.id} has no memory size in the catalog")
    return usd_per_gpu_hour / gpu.memory_gb


def usd_per_million_tokens(usd_per_hour: float, tokens_per_s: float) -> float:
    """$ / 1M tokens = $/h × 1e6 / (3600 × tokens/s)."""
    _require_positive("throughput (tokens/s)", tokens_per_s)
    return usd_per_hour * 1e6 / (SECONDS_PER_HOUR * tokens_per_s)


def usd_per_request(usd_per_hour: float, rps: float) -> float:
    """$ per request at a sustained rate of `rps` (the system's own capacity)."""
    _require_positive("throughput (requests/s)", rps)
    return usd_per_hour / (SECONDS_PER_HOUR * rps)


def usd_per_image(usd_per_hour: float, seconds_per_image: float) -> float:
    """$ per image when images are produced back to back, `seconds_per_image` apart."""
    _require_positive("seconds per image", seconds_per_image)
    return usd_per_hour * seconds_per_image / SECONDS_PER_HOUR


def usd_for_hours(usd_per_hour: float, hours: float) -> float:
    """A job or a service running `hours` hours ($0.34/h × 24 h = $8.16)."""
    if hours < 0:
        raise ValueError(f"hours must be ≥ 0, got {hours}")
    return usd_per_hour * hours


def usd_for_days(usd_per_hour: float, days: float) -> float:
    """Running around the clock for `days` days ($0.34/h × 24 × 30 = $244.80)."""
    return usd_for_hours(usd_per_hour, days * HOURS_PER_DAY)


def usd_per_month(usd_per_hour: float) -> float:
    """Around the clock for an average month of 730 h."""
    return usd_per_hour * HOURS_PER_MONTH


def effective_usd_per_request_with_batching(
    usd_per_hour: float, seconds_per_batch: float, batch: int
) -> float:
    """Cost of one request when `batch` requests share a pass of `seconds_per_batch`."""
    _require_positive("batch", batch)
    return usd_per_hour * seconds_per_batch / SECONDS_PER_HOUR / batch


def _require_positive(what: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{what} must be > 0, got {value}")
