"""Cloud prices as dated snapshots; an offer's snapshots form its history, the newest is current.

Packaged snapshots live in data/prices/*.csv. Users add their own CSV files (same columns) in
`<user config dir>/gpuatlas/prices/`, through `GPUATLAS_PRICE_FILES` (paths separated by the OS
path separator), or with `--prices FILE` on commands that take it. A bad file is rejected whole,
with every problem named by line and field.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import platformdirs

from gpuatlas.catalog.gpus import packaged_gpu_files
from gpuatlas.catalog.parsed_cache import cached_parse
from gpuatlas.catalog.price_snapshot import TIERS, PriceSnapshot
from gpuatlas.errors import GpuAtlasError, UnknownNameError
from gpuatlas.settings import settings


def load_price_file(path: Path, origin: str = "user") -> list[PriceSnapshot]:
    """Read one price CSV; raise DataFileError listing every bad line and field."""
    from gpuatlas.catalog.price_records import load_price_file as read_file

    return read_file(path, origin)


@cache
def packaged_prices() -> tuple[PriceSnapshot, ...]:
    """Every packaged snapshot (cached on disk with the GPU files its names resolve against)."""
    folder = resources.files("gpuatlas.catalog") / "data" / "prices"
    files = sorted(Path(str(folder)).glob("*.csv"))
    return cached_parse(
        "prices",
        [*files, *packaged_gpu_files()],
        lambda: tuple(s for f in files for s in load_price_file(f, origin="packaged")),
    )


def user_price_dir() -> Path:
    return Path(platformdirs.user_config_dir("gpuatlas")) / "prices"


def user_price_files() -> list[Path]:
    """Price files from the user's config directory and GPUATLAS_PRICE_FILES."""
    files = sorted(user_price_dir().glob("*.csv")) if user_price_dir().is_dir() else []
    return files + settings.price_files


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
    """Refuse a provider the price table does not list, naming the near ones ('runpodd' →
    RunPod, 'vast' → Vast.ai, 'digitalocean' → Paperspace (DigitalOcean)), else every one."""
    known = sorted({s.provider for s in snapshots})
    if provider.lower() not in {p.lower() for p in known}:
        raise UnknownNameError("provider", provider, close_providers(provider, known) or known)


def close_providers(provider: str, known: Sequence[str]) -> list[str]:
    """The known providers whose name holds the written one (three letters or more), holds it,
    is a near spelling of it, or is its company's cloud ('google cloud' → GCP)."""
    wanted = _plain(provider)
    plain = {_plain(name): name for name in known}
    company = [
        plain[key] for word, key in _CLOUD_OF_COMPANY.items() if word in wanted and key in plain
    ]
    holding = [
        name for key, name in plain.items() if len(wanted) >= 3 and (wanted in key or key in wanted)
    ]
    near = difflib.get_close_matches(wanted, list(plain), n=5, cutoff=0.75)
    found = [*company, *holding, *(plain[key] for key in near)]
    return list(dict.fromkeys(found))


# The cloud a company's name means when written for it.
_CLOUD_OF_COMPANY = {"google": "gcp", "amazon": "aws", "ec2": "aws", "microsoft": "azure"}


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


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
