"""Purchase prices: the packaged file, the default price per condition, and bad files."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.purchase_prices import (
    PurchasePrice,
    default_purchase_price,
    load_purchase_price_file,
    newest_observation,
    packaged_purchase_prices,
    purchase_prices,
)
from gpuatlas.errors import DataFileError, InvalidRequestError, UnknownNameError

PACKAGED = Path(str(resources.files("gpuatlas.catalog") / "data" / "purchase_prices.csv"))
HEADER = (
    "gpu,condition,usd_per_gpu,price_basis,quoted_usd,quoted_gpus,gpu_match,"
    "observed_date,source,notes\n"
)
SOURCE = '"https://example.org/prices — Example price survey"'


def raw_rows() -> list[dict[str, str]]:
    """The packaged file read with the csv module alone, independent of the loader."""
    with PACKAGED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def newest_raw_row(gpu: str, condition: str) -> dict[str, str]:
    rows = [r for r in raw_rows() if r["gpu"] == gpu and r["condition"] == condition]
    return max(rows, key=lambda r: r["observed_date"].ljust(10, "0"))


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "purchase.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_the_packaged_file_loads_every_row_with_a_dated_url_source() -> None:
    observations = packaged_purchase_prices()
    assert len(observations) == len(raw_rows()) >= 20
    for observation in observations:
        assert observation.condition in ("new", "used")
        assert "https://" in observation.source and observation.observed_date[:2] == "20"
        assert resolve_gpu(observation.gpu_id).id == observation.gpu_id


def test_kit_prices_are_recorded_per_gpu() -> None:
    kits = [o for o in packaged_purchase_prices() if o.quoted_gpus > 1]
    assert kits
    for kit in kits:
        assert kit.quoted_usd is not None
        assert kit.usd_per_gpu == pytest.approx(kit.quoted_usd / kit.quoted_gpus, abs=1.0)
    gaudi = next(k for k in kits if k.gpu_id == "gaudi3")
    assert gaudi.usd_per_gpu == 125_000 / 8  # Intel: $125,000 for a kit of eight Gaudi 3


def test_a100_80gb_sxm_new_default_is_the_newest_sourced_row() -> None:
    row = newest_raw_row("a100-80gb-sxm", "new")
    price = default_purchase_price("a100-80gb-sxm")
    assert price is not None and price.origin == "packaged"
    assert price.usd_per_gpu == float(row["usd_per_gpu"])
    assert price.source == row["source"] and price.observed_date == row["observed_date"]


def test_used_rtx_4090_has_a_sourced_default() -> None:
    row = newest_raw_row("rtx-4090", "used")
    price = default_purchase_price("RTX 4090", "used")
    assert price is not None and price.condition == "used" and price.gpu_id == "rtx-4090"
    assert price.usd_per_gpu == float(row["usd_per_gpu"])
    assert "https://" in price.source and price.observed_date == row["observed_date"]


def test_new_geforce_without_a_row_falls_back_to_the_launch_price() -> None:
    price = default_purchase_price("rtx-4090", "new")
    assert price is not None and price.origin == "catalog-launch-price"
    assert price.usd_per_gpu == 1599.0  # NVIDIA's launch MSRP of the RTX 4090
    assert resolve_gpu("rtx-4090").source in price.source


def test_no_price_where_neither_an_observation_nor_a_launch_price_exists() -> None:
    assert default_purchase_price("l4", "new") is None
    assert default_purchase_price("rtx-5090", "used") is None  # launch price is for new only


def test_observations_come_newest_first_and_filter_by_condition() -> None:
    a100 = purchase_prices("a100-80gb-sxm")
    assert {p.condition for p in a100} == {"new", "used"}
    dates = [p.observed_date.ljust(10, "0") for p in a100]
    assert dates == sorted(dates, reverse=True)
    assert all(p.condition == "used" for p in purchase_prices("a100-80gb-sxm", "used"))


def test_a_low_and_high_pair_defaults_to_their_midpoint() -> None:
    price = default_purchase_price("mi300x")
    assert price is not None and price.basis == "midpoint"
    assert price.usd_per_gpu == pytest.approx((10_000 + 15_000) / 2)  # Citigroup $10k-$15k


def test_several_central_rows_on_the_newest_date_give_their_median() -> None:
    def seen(usd: float, date: str, basis: str = "point") -> PurchasePrice:
        return PurchasePrice(usd, "https://example.org", "used", date, "rtx-3090", basis)

    chosen = newest_observation(
        [
            seen(900, "2026-05"),
            seen(700, "2026-05"),
            seen(800, "2026-05"),
            seen(400, "2026-04"),
            seen(100, "2026-05", "low"),
        ]
    )
    assert chosen.usd_per_gpu == 800


def test_a_day_date_is_newer_than_its_month_alone() -> None:
    newest = default_purchase_price("rtx-3090", "used")
    assert newest is not None and newest.observed_date == "2026-05-16"


def test_bad_names_and_conditions_are_refused() -> None:
    with pytest.raises(UnknownNameError):
        purchase_prices("rtx-9999")
    with pytest.raises(InvalidRequestError, match="condition must be one of new, used"):
        default_purchase_price("rtx-4090", "refurbished")


def test_a_bad_file_names_every_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        (
            f"rtx-4090,broken,1500,point,,,exact,2026-05,{SOURCE},\n"  # line 2: condition
            f"rtx-4090,used,-5,point,,,exact,2026-13,{SOURCE},\n"  # line 3: usd, date
            f"rtx-9999,used,700,point,,,exact,2026-05,{SOURCE},\n"  # line 4: gpu
            f"gaudi3,new,15000,point,125000,8,exact,2024-06,{SOURCE},\n"  # line 5: kit sum
            "rtx-3090,used,700,sometimes,,,exact,2026-05,no address,\n"  # line 6: basis, source
            f"h100-sxm,new,40000,point,,8,exact,2026-01,{SOURCE},\n"  # line 7: quoted_usd
        ),
    )
    with pytest.raises(DataFileError) as caught:
        load_purchase_price_file(path)
    problems = caught.value.problems
    expected = [
        ("line 2", "field condition"),
        ("line 3", "field usd_per_gpu"),
        ("line 3", "field observed_date"),
        ("line 4", "field gpu"),
        ("line 5", "field usd_per_gpu"),
        ("line 6", "field price_basis"),
        ("line 6", "field source"),
        ("line 7", "field quoted_usd"),
    ]
    for line, field in expected:
        assert any(p.startswith(f"{line}, {field}") for p in problems), (line, field, problems)
    assert len(problems) == len(expected)
    assert "rtx-9999" in str(caught.value) and "15,625.00" in str(caught.value)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "purchase.csv"
    path.write_text("gpu,condition,usd_per_gpu,source\nrtx-4090,used,700,x\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="line 1: missing column.*observed_date"):
        load_purchase_price_file(path)


def test_a_repeated_row_is_reported(tmp_path: Path) -> None:
    row = f"rtx-4090,used,1500,point,,,exact,2026-05,{SOURCE},\n"
    with pytest.raises(DataFileError, match="line 3: repeats line 2"):
        load_purchase_price_file(write(tmp_path, row + row))


def test_a_good_user_file_loads_with_blank_optional_fields(tmp_path: Path) -> None:
    path = write(tmp_path, f"RTX 4090,used,1450,,,,,2026-06-01,{SOURCE},my quote\n")
    (price,) = load_purchase_price_file(path, origin=str(path))
    assert price.gpu_id == "rtx-4090" and price.basis == "point" and price.quoted_gpus == 1
    assert price.provenance.endswith("(observed 2026-06-01)")
