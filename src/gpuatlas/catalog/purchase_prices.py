"""What a GPU costs to buy, new or used: dated observations, each with its published source.

The packaged observations live in data/purchase_prices.csv, one row per observed price:

    gpu, condition (new|used), usd_per_gpu, price_basis (point|midpoint|low|high),
    quoted_usd, quoted_gpus (when the source priced a kit or server of several GPUs),
    gpu_match (exact|assumed: the source did not name the exact variant), observed_date
    (YYYY-MM-DD or YYYY-MM), source (URL and title), notes.

A range in a source is either one `midpoint` row (range in the notes) or a `low` and a `high`
row. A kit or server price is recorded per GPU (quoted_usd / quoted_gpus) and checked.

The default price of a GPU is its newest observation for the condition; for a new GPU with no
observation it falls back to the catalog's launch price (MSRP) with the GPU's datasheet source.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, field_validator

from gpuatlas.catalog.csv_rows import CsvSchema, RowParser, parse_rows, read_numbered_rows
from gpuatlas.catalog.field_meanings import meaning
from gpuatlas.catalog.file_schemas import (
    build,
    csv_file_schema,
    file_columns,
    required_file_columns,
)
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.errors import DataFileError, InvalidRequestError

Condition = Literal["new", "used"]
CONDITIONS: tuple[Condition, ...] = ("new", "used")
BASES = ("point", "midpoint", "low", "high")  # a low and a high row bound a published range
GPU_MATCHES = ("exact", "assumed")  # assumed: the source did not name the exact variant
CENTRAL_BASES = ("point", "midpoint")
KIT_ROUNDING_USD = 1.0


@dataclass(frozen=True)
class PurchasePrice:
    """A price per GPU to buy it, with where it came from.

    Built positionally (usd, source, condition) it is a price the user set; catalog
    observations also carry their date, GPU, basis, kit quote and notes. Its fields are the one
    declaration of a purchase-price file's columns (the schema is built from them when a file
    is read).
    """

    usd_per_gpu: float = field(metadata=meaning("Price per GPU", "USD", gt=0, lt=1_000_000))
    # A source in a file names its URL (and its title).
    source: str = field(metadata=meaning("Source", min_length=10))
    # "new" or "used" in a file; a user-set price keeps the user's label.
    condition: str = field(metadata=meaning("Condition", choices=CONDITIONS))
    observed_date: str = field(default="", metadata=meaning("Observed", required_in_file=True))
    # The file writes a GPU name; the loader resolves it to the catalog id.
    gpu_id: str = field(
        default="", metadata=meaning("GPU", file_key="gpu", required_in_file=True, min_length=1)
    )
    basis: str = field(
        default="point", metadata=meaning("Price basis", file_key="price_basis", choices=BASES)
    )
    quoted_usd: float | None = field(default=None, metadata=meaning("Quoted total", "USD", gt=0))
    quoted_gpus: int = field(default=1, metadata=meaning("GPUs quoted", ge=1, le=72))
    gpu_match: str = field(default="exact", metadata=meaning("GPU match", choices=GPU_MATCHES))
    notes: str = ""
    # user-set | packaged | catalog-launch-price | a file path
    origin: str = field(default="user-set", metadata=meaning(in_file=False))

    @property
    def provenance(self) -> str:
        """Source and date in one line, for text output."""
        dated = f" (observed {self.observed_date})" if self.observed_date else ""
        return f"{self.source}{dated}"


def real_calendar_date(cls: type, value: str) -> str:
    for layout in ("%Y-%m-%d", "%Y-%m"):
        try:
            datetime.strptime(value, layout)
            return value
        except ValueError:
            continue
    raise ValueError("must be a date YYYY-MM-DD or YYYY-MM")


def names_an_address(cls: type, value: str) -> str:
    if "http://" not in value and "https://" not in value:
        raise ValueError("must include the source's URL (and its title)")
    return value


@cache
def purchase_price_file_schema() -> type[BaseModel]:
    """One CSV row as written: a real date, a source with its URL, an empty optional cell is
    the declared default (a point price of one exactly matched GPU)."""
    return csv_file_schema(
        PurchasePrice,
        {
            "real_calendar_date": field_validator("observed_date")(real_calendar_date),
            "names_an_address": field_validator("source")(names_an_address),
        },
    )


# ----- reading a file -------------------------------------------------------------------------

PURCHASE_PRICE_SCHEMA = CsvSchema(required_file_columns(PurchasePrice), file_columns(PurchasePrice))


def load_purchase_price_file(path: Path, origin: str = "user") -> list[PurchasePrice]:
    """Read one purchase-price CSV; raise DataFileError listing every bad line and field."""
    rows = read_numbered_rows(path, PURCHASE_PRICE_SCHEMA)
    parser = RowParser(
        purchase_price_file_schema(),
        lambda row: _observation(row, origin),
        checks=lambda row: _consistency_problems(build(PurchasePrice, row)),
    )
    observations, problems = parse_rows(rows, parser)
    problems += _duplicate_problems(observations)
    if problems:
        raise DataFileError(str(path), problems)
    return [observation for _, observation in observations]


def _consistency_problems(row: PurchasePrice) -> list[tuple[str, str]]:
    """Checks across fields: a kit or server price must divide into the per-GPU price."""
    if row.quoted_gpus > 1 and row.quoted_usd is None:
        return [("quoted_usd", f"give the quoted total for the {row.quoted_gpus} GPUs")]
    if row.quoted_usd is None:
        return []
    per_gpu = row.quoted_usd / row.quoted_gpus
    if abs(per_gpu - row.usd_per_gpu) > KIT_ROUNDING_USD:
        return [
            (
                "usd_per_gpu",
                f"must be quoted_usd / quoted_gpus = {per_gpu:,.2f}, got {row.usd_per_gpu:,.2f}",
            )
        ]
    return []


def _observation(row: BaseModel, origin: str) -> PurchasePrice:
    gpu_id = resolve_gpu(vars(row)["gpu"]).id  # the file writes a GPU name in column gpu
    return build(PurchasePrice, row, origin=origin, gpu_id=gpu_id)


def _duplicate_problems(observations: list[tuple[int, PurchasePrice]]) -> list[str]:
    first_line: dict[tuple[object, ...], int] = {}
    problems = []
    for line, o in observations:
        key = (o.gpu_id, o.condition, o.observed_date, o.basis, o.usd_per_gpu, o.source)
        if key in first_line:
            problems.append(
                f"line {line}: repeats line {first_line[key]} "
                f"({o.gpu_id}, {o.condition}, {o.observed_date})"
            )
        first_line.setdefault(key, line)
    return problems


# ----- looking prices up ----------------------------------------------------------------------


@cache
def packaged_purchase_prices() -> tuple[PurchasePrice, ...]:
    path = Path(str(resources.files("gpuatlas.catalog") / "data" / "purchase_prices.csv"))
    return tuple(load_purchase_price_file(path, origin="packaged"))


def purchase_prices(gpu_id: str, condition: str | None = None) -> list[PurchasePrice]:
    """Every packaged observation for a GPU (any name that resolves), newest first."""
    if condition is not None:
        _check_condition(condition)
    gpu = resolve_gpu(gpu_id)
    chosen = [
        p
        for p in packaged_purchase_prices()
        if p.gpu_id == gpu.id and (condition is None or p.condition == condition)
    ]
    return sorted(chosen, key=lambda p: (_date_key(p.observed_date), p.usd_per_gpu), reverse=True)


def default_purchase_price(gpu_id: str, condition: str = "new") -> PurchasePrice | None:
    """The newest observation for the condition; for "new" without one, the launch price."""
    _check_condition(condition)
    gpu = resolve_gpu(gpu_id)
    observations = purchase_prices(gpu.id, condition)
    if observations:
        return newest_observation(observations)
    return launch_price(gpu) if condition == "new" else None


def launch_price(gpu: Gpu) -> PurchasePrice | None:
    """The catalog's launch price (MSRP) as a new-GPU purchase price, with the GPU's source."""
    if gpu.launch_price_usd is None:
        return None
    return PurchasePrice(
        usd_per_gpu=gpu.launch_price_usd,
        source=f"launch price (MSRP): {gpu.source}",
        condition="new",
        observed_date=gpu.as_of,
        gpu_id=gpu.id,
        notes="catalog launch price; observed_date is the catalog entry's as-of date",
        origin="catalog-launch-price",
    )


def newest_observation(observations: Sequence[PurchasePrice]) -> PurchasePrice:
    """The observation of the newest date; among several, a point or midpoint one (the median
    by price); when that date has only low/high rows, their midpoint."""
    if not observations:
        raise ValueError("no observations to choose from")
    newest = max(_date_key(o.observed_date) for o in observations)
    latest = [o for o in observations if _date_key(o.observed_date) == newest]
    central = sorted((o for o in latest if o.basis in CENTRAL_BASES), key=lambda o: o.usd_per_gpu)
    if central:
        return central[(len(central) - 1) // 2]
    return _range_midpoint(latest)


def _range_midpoint(bounds: Sequence[PurchasePrice]) -> PurchasePrice:
    low = min(bounds, key=lambda o: o.usd_per_gpu)
    high = max(bounds, key=lambda o: o.usd_per_gpu)
    sources = list(dict.fromkeys(o.source for o in (low, high)))
    return PurchasePrice(
        usd_per_gpu=statistics.fmean([low.usd_per_gpu, high.usd_per_gpu]),
        source="; ".join(sources),
        condition=low.condition,
        observed_date=low.observed_date,
        gpu_id=low.gpu_id,
        basis="midpoint",
        gpu_match=low.gpu_match,
        notes=f"midpoint of the low ${low.usd_per_gpu:,.0f} and high ${high.usd_per_gpu:,.0f} "
        f"observations of {low.observed_date}",
        origin=low.origin,
    )


def _date_key(observed_date: str) -> str:
    """Sortable date: a month-only date counts as that month's first day."""
    return observed_date if len(observed_date) == 10 else f"{observed_date}-01"


def _check_condition(condition: str) -> None:
    if condition not in CONDITIONS:
        raise InvalidRequestError(
            [f"condition must be one of {', '.join(CONDITIONS)}, got {condition!r}"]
        )
