"""Cloud prices: every reference row as a dated snapshot; history, current, user files, errors."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from gpuatlas.catalog.prices import (
    current_prices,
    load_price_file,
    packaged_prices,
    price_history,
)
from gpuatlas.errors import DataFileError, UnknownNameError

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cloud_prices.csv"
HEADER = "provider,gpu,offer,gpus_per_instance,usd_per_gpu_hour,tier,observed_date,source,notes\n"


def test_every_reference_row_is_a_snapshot() -> None:
    if not REFERENCE.exists():
        pytest.skip("reference prices not found")
    reference = list(csv.DictReader(REFERENCE.open(encoding="utf-8")))
    folder = Path(str(resources.files("gpuatlas.catalog") / "data" / "prices"))
    packaged_reference = load_price_file(folder / "reference.csv", origin="packaged")
    assert len(packaged_reference) == len(reference) == 175
    assert set(packaged_reference) <= set(packaged_prices())  # other files add, never replace
    for row, snapshot in zip(reference, packaged_reference, strict=True):
        assert snapshot.provider == row["provider"]
        assert snapshot.usd_per_gpu_hour == float(row["price_per_gpu_hour_usd"])
        assert snapshot.observed_date == row["observed_date"] and snapshot.source == row["source"]
        assert snapshot.gpus_per_instance == int(row["gpus_per_instance"])


def test_runpod_article_prices_are_community_tier() -> None:
    runpod_4090 = [s for s in price_history("rtx-4090", "RunPod") if s.usd_per_gpu_hour == 0.34]
    assert runpod_4090 and all(s.tier == "community" for s in runpod_4090)


def test_coreweave_a100_node_price_is_per_gpu() -> None:
    coreweave = price_history("a100-80gb-sxm", "CoreWeave")
    assert coreweave and all(s.usd_per_gpu_hour == pytest.approx(2.70) for s in coreweave)
    assert {s.gpus_per_instance for s in coreweave} == {8}
    assert coreweave[0].usd_per_instance_hour == pytest.approx(21.60)


def test_current_is_newest_per_offer_and_history_keeps_all() -> None:
    history = price_history("rtx-4090", "RunPod", "community")
    assert [s.observed_date for s in history] == sorted(s.observed_date for s in history)
    assert len(history) == 3
    current = current_prices("rtx-4090", "RunPod", "community")
    assert [s.observed_date for s in current] == ["2026-09-25"]


def test_user_price_file_adds_a_newer_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_file = tmp_path / "mine.csv"
    user_file.write_text(HEADER + "RunPod,RTX 4090,,1,0.29,community,2026-11-20,my invoice,\n")
    monkeypatch.setenv("GPUATLAS_PRICE_FILES", str(user_file))
    current = current_prices("rtx-4090", "RunPod", "community")
    assert [(s.usd_per_gpu_hour, s.observed_date, s.origin) for s in current] == [
        (0.29, "2026-11-20", str(user_file))
    ]


def test_bad_price_file_names_every_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "RunPod,RTX 4090,,1,0.34,community,2026-09-25,ok row,\n"
        + "RunPod,RTX 4099,,1,-1,cheap,Sept 2026,x,\n"
        + "Lambda,h100-sxm,,zero,2.99,on-demand,2026-09-25,src,\n"
    )
    with pytest.raises(DataFileError) as caught:
        load_price_file(bad)
    text = str(caught.value)
    assert "line 3, field usd_per_gpu_hour" in text
    assert "line 3, field tier" in text
    assert "line 3, field observed_date" in text
    assert "line 4, field gpus_per_instance" in text
    assert "line 2" not in text


def test_a_date_that_is_no_calendar_day_or_lies_ahead_is_refused(tmp_path: Path) -> None:
    # '2026-13-45' matched the date pattern and was listed; a price dated 2027 became the
    # offer's newest and won `cost` with no word
    tomorrow = date.today() + timedelta(days=2)
    bad = tmp_path / "dates.csv"
    bad.write_text(
        HEADER
        + "MyCloud,RTX 4090,,1,0.20,on-demand,2026-13-45,my quote,\n"
        + f"MyCloud,RTX 4090,,1,0.21,on-demand,{tomorrow.isoformat()},my quote,\n"
        + "MyCloud,RTX 4090,,1,0.22,on-demand,2026-02-30,my quote,\n"
        + "MyCloud,RTX 4090,,1,0.23,on-demand,2026-11,my quote,\n"
    )
    with pytest.raises(DataFileError) as caught:
        load_price_file(bad)
    assert caught.value.problems == [
        "line 2, field observed_date: '2026-13-45' is no calendar date (YYYY-MM-DD or YYYY-MM)",
        f"line 3, field observed_date: {tomorrow.isoformat()} is after today ("
        f"{datetime.now(UTC).date().isoformat()}, UTC)",
        "line 4, field observed_date: '2026-02-30' is no calendar date (YYYY-MM-DD or YYYY-MM)",
    ]


def test_price_file_missing_columns_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("provider,price\nRunPod,0.3\n")
    with pytest.raises(DataFileError, match="line 1: missing column"):
        load_price_file(bad)


def test_unknown_provider_lists_known_ones() -> None:
    with pytest.raises(UnknownNameError) as caught:
        current_prices(provider="RunPood")
    assert "RunPod" in caught.value.candidates


def test_the_packaged_prices_load_on_a_machine_whose_clock_is_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # only a user's file is held to today's date: a clock set back must not refuse the catalog
    from gpuatlas.catalog import price_records

    class Past(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            return datetime(2020, 1, 1, tzinfo=UTC)

    monkeypatch.setattr(price_records, "datetime", Past)
    folder = Path(str(resources.files("gpuatlas.catalog") / "data" / "prices"))
    assert load_price_file(folder / "reference.csv", origin="packaged")
    with pytest.raises(DataFileError, match="is after today"):
        load_price_file(folder / "reference.csv")
