"""A price file's columns are the `PriceSnapshot` declaration, a purchase-price file's the
`PurchasePrice` one: the schema, the required columns and the checks come from their fields,
and what the loader sets (origin) is never read."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.catalog.price_records import PRICE_SCHEMA, load_price_file
from gpuatlas.catalog.purchase_prices import PURCHASE_PRICE_SCHEMA, load_purchase_price_file
from gpuatlas.errors import DataFileError

HEADER = (
    "provider,gpu,gpu_match,offer,gpus_per_instance,usd_per_gpu_hour,tier,observed_date,source,"
    "notes\n"
)


def price_file(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "mine.csv"
    path.write_text(header + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_the_required_and_known_columns_come_from_the_declaration() -> None:
    assert PRICE_SCHEMA.required_columns == (
        "provider",
        "gpu",
        "usd_per_gpu_hour",
        "tier",
        "observed_date",
        "source",
    )
    assert set(PRICE_SCHEMA.all_columns) == set(HEADER.strip().split(","))
    assert "origin" not in PRICE_SCHEMA.all_columns and "gpu_id" not in PRICE_SCHEMA.all_columns


def test_a_row_becomes_a_snapshot_with_the_gpu_resolved(tmp_path: Path) -> None:
    path = price_file(tmp_path, " RunPod ,RTX 4090,exact,,,0.29,community,2026-11-20,my invoice,")
    [snapshot] = load_price_file(path, origin="mine")
    assert (snapshot.provider, snapshot.gpu_id, snapshot.usd_per_gpu_hour) == (
        "RunPod",
        "rtx-4090",
        0.29,
    )
    assert snapshot.gpus_per_instance == 1  # a blank cell is one GPU
    assert (snapshot.gpu_match, snapshot.origin) == ("exact", "mine")


def test_a_file_cannot_set_what_the_loader_sets(tmp_path: Path) -> None:
    header = HEADER.strip() + ",origin\n"
    row = "RunPod,RTX 4090,exact,,1,0.29,community,2026-11-20,my invoice,,packaged"
    [snapshot] = load_price_file(price_file(tmp_path, row, header=header), origin="mine")
    assert snapshot.origin == "mine"


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("RunPod,RTX 4090,maybe,,1,0.29,community,2026-11-20,my invoice,", "gpu_match"),
        ("RunPod,RTX 4090,exact,,65,0.29,community,2026-11-20,my invoice,", "gpus_per_instance"),
        ("RunPod,RTX 4090,exact,,1,1000,community,2026-11-20,my invoice,", "usd_per_gpu_hour"),
        ("RunPod,RTX 4090,exact,,1,0.29,community,2026-11-20,ab,", "source"),
        (",RTX 4090,exact,,1,0.29,community,2026-11-20,my invoice,", "provider"),
        ("RunPod,RTX 4099,exact,,1,0.29,community,2026-11-20,my invoice,", "gpu"),
    ],
)
def test_a_bad_cell_names_the_file_the_line_and_the_column(
    tmp_path: Path, row: str, field: str
) -> None:
    path = price_file(tmp_path, "RunPod,RTX 4090,exact,,1,0.34,community,2026-09-25,ok row,", row)
    with pytest.raises(DataFileError) as caught:
        load_price_file(path)
    assert str(path) in str(caught.value)
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        f"line 3, field {field}"
    ]


def test_an_unknown_gpu_lists_close_names(tmp_path: Path) -> None:
    path = price_file(tmp_path, "RunPod,RTX 4099,exact,,1,0.29,community,2026-11-20,my invoice,")
    with pytest.raises(DataFileError, match="rtx-4090"):
        load_price_file(path)


def test_a_blank_optional_cell_is_the_declared_default(tmp_path: Path) -> None:
    row = "RunPod,RTX 4090,,,,0.29,community,2026-11-20,my invoice,"
    [snapshot] = load_price_file(price_file(tmp_path, row))
    assert (snapshot.gpu_match, snapshot.gpus_per_instance, snapshot.offer) == ("exact", 1, "")


PURCHASE_HEADER = (
    "gpu,condition,usd_per_gpu,price_basis,quoted_usd,quoted_gpus,gpu_match,observed_date,"
    "source,notes\n"
)
PURCHASE_SOURCE = "https://example.org/listing (a listing)"


def purchase_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "purchase.csv"
    path.write_text(PURCHASE_HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_purchase_columns_come_from_the_purchase_price_declaration() -> None:
    assert set(PURCHASE_PRICE_SCHEMA.all_columns) == set(PURCHASE_HEADER.strip().split(","))
    # a user-set price has no date or GPU, a file's row must have both
    assert set(PURCHASE_PRICE_SCHEMA.required_columns) == {
        "gpu",
        "condition",
        "usd_per_gpu",
        "observed_date",
        "source",
    }


def test_a_purchase_row_uses_the_declared_defaults_and_resolves_the_gpu(tmp_path: Path) -> None:
    path = purchase_file(tmp_path, f"RTX 4090,used,1500,,,,,2026-05,{PURCHASE_SOURCE},")
    [price] = load_purchase_price_file(path, origin="mine")
    assert (price.gpu_id, price.basis, price.quoted_gpus, price.gpu_match) == (
        "rtx-4090",
        "point",
        1,
        "exact",
    )
    assert (price.quoted_usd, price.origin) == (None, "mine")


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (f"rtx-4090,used,1500,,,,,,{PURCHASE_SOURCE},", "observed_date"),  # required in a file
        (f",used,1500,,,,,2026-05,{PURCHASE_SOURCE},", "gpu"),
        (f"rtx-4090,user-set,1500,,,,,2026-05,{PURCHASE_SOURCE},", "condition"),  # new or used
        (f"rtx-4090,used,1500,,,,roughly,2026-05,{PURCHASE_SOURCE},", "gpu_match"),
        (f"rtx-4090,used,1500,,,73,,2026-05,{PURCHASE_SOURCE},", "quoted_gpus"),
    ],
)
def test_a_bad_purchase_cell_names_the_line_and_the_column(
    tmp_path: Path, row: str, field: str
) -> None:
    with pytest.raises(DataFileError) as caught:
        load_purchase_price_file(purchase_file(tmp_path, row))
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        f"line 2, field {field}"
    ]
