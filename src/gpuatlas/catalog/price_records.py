"""The price CSV files' schema and their validation: imported only when a file is actually
read (a cold catalog cache, a user's own file), never on a cached start. The schema is built
from the one declaration of a price's fields (`price_snapshot.PriceSnapshot`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from gpuatlas.catalog.csv_rows import (
    CsvSchema,
    FieldProblem,
    RowParser,
    parse_rows,
    read_numbered_rows,
)
from gpuatlas.catalog.file_schemas import (
    build,
    csv_file_schema,
    file_columns,
    required_file_columns,
)
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.price_snapshot import PriceSnapshot
from gpuatlas.errors import DataFileError

PRICE_SCHEMA = CsvSchema(required_file_columns(PriceSnapshot), file_columns(PriceSnapshot))


@cache
def price_file_schema() -> type[BaseModel]:
    """One CSV row as written (an empty optional cell is the declared default: one GPU per
    instance, an exact GPU match)."""
    return csv_file_schema(PriceSnapshot)


def load_price_file(path: Path, origin: str = "user") -> list[PriceSnapshot]:
    """Read one price CSV; raise DataFileError listing every bad line and field."""
    rows = read_numbered_rows(path, PRICE_SCHEMA)
    parser = RowParser(
        price_file_schema(),
        lambda row: _snapshot(row, origin),
        lambda row: _date_problems(row, future_allowed=origin == "packaged"),
    )
    snapshots, problems = parse_rows(rows, parser)
    if problems:
        raise DataFileError(str(path), problems)
    return [snapshot for _, snapshot in snapshots]


def _date_problems(row: BaseModel, future_allowed: bool = False) -> list[FieldProblem]:
    """An observed date that is no calendar day ('2026-13-45') or, in a user's file, lies after
    today (UTC): a price seen tomorrow cannot be the newest one, and would win over every real
    observation. The packaged prices are checked against the calendar only, so a machine whose
    clock is behind still loads them."""
    text = str(vars(row).get("observed_date") or "")
    try:
        seen = date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    except ValueError:
        return [("observed_date", f"{text!r} is no calendar date (YYYY-MM-DD or YYYY-MM)")]
    today = datetime.now(UTC).date()
    if seen > today and not future_allowed:
        return [("observed_date", f"{text} is after today ({today.isoformat()}, UTC)")]
    return []


def _snapshot(row: BaseModel, origin: str) -> PriceSnapshot:
    gpu_id = resolve_gpu(vars(row)["gpu"]).id  # the file writes a GPU name in column gpu
    return build(PriceSnapshot, row, origin=origin, gpu_id=gpu_id)
