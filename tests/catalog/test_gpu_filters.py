"""`gpuatlas gpus` filters (vendor, memory, kind) and its 80-column table."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from rich.console import Console
from typer.testing import CliRunner

from gpuatlas.catalog.gpu_filters import GPU_KINDS, gpu_kind, select_gpus
from gpuatlas.catalog.gpus import all_gpus, gpu_by_id
from gpuatlas.cli.catalog_commands import gpu_list_table
from gpuatlas.cli.main import app
from gpuatlas.errors import GpuAtlasError, UnknownNameError

runner = CliRunner()


def test_filters_combine_vendor_memory_and_kind() -> None:
    chosen = select_gpus(vendor="nvidia", min_memory_gb=141, kind="datacenter")
    ids = {gpu.id for gpu in chosen}
    assert {"h200-sxm", "h200-nvl", "b200", "b300", "gb200", "gb300"} <= ids
    assert "h100-sxm" not in ids and "rtx-pro-6000-blackwell" not in ids
    assert all(g.vendor == "NVIDIA" and (g.memory_gb or 0) >= 141 for g in chosen)
    assert all(gpu_kind(g) == "datacenter" for g in chosen)


def test_consumer_kind_with_memory_floor_lists_the_16gb_geforce_cards() -> None:
    ids = [g.id for g in select_gpus(vendor="NVIDIA", min_memory_gb=16, kind="consumer")]
    assert {"rtx-4060-ti-16gb", "rtx-4070-ti-super", "rtx-5060-ti-16gb", "rtx-4090"} <= set(ids)
    assert "rtx-4060-ti-8gb" not in ids and "rtx-3060-12gb" not in ids


def test_apple_kind_is_every_apple_device_and_nothing_else() -> None:
    apple = replace(gpu_by_id("rtx-4090"), id="apple-test", vendor="Apple")
    pool = [apple, gpu_by_id("rtx-4090"), gpu_by_id("h100-sxm")]
    assert [g.id for g in select_gpus(kind="apple", gpus=pool)] == ["apple-test"]
    assert [g.id for g in select_gpus(kind="consumer", gpus=pool)] == ["rtx-4090"]
    assert GPU_KINDS == ("consumer", "workstation", "datacenter", "apple")


def test_no_filter_keeps_the_whole_catalog_in_order() -> None:
    assert select_gpus() == list(all_gpus())


@pytest.mark.parametrize(
    "options, message",
    [({"kind": "gaming"}, "consumer"), ({"vendor": "nvdia"}, "NVIDIA")],
)
def test_bad_filter_values_name_the_choices(options: dict[str, str], message: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        select_gpus(**options)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_negative_memory_floor_is_rejected() -> None:
    with pytest.raises(GpuAtlasError, match="0 or more"):
        select_gpus(min_memory_gb=-1)


def test_gpus_command_filters_in_json() -> None:
    result = runner.invoke(
        app,
        ["gpus", "--vendor", "NVIDIA", "--min-memory-gb", "96", "--kind", "workstation", "--json"],
    )
    assert result.exit_code == 0
    gpus = json.loads(result.stdout)["gpus"]
    ids = {gpu["id"] for gpu in gpus}
    assert {"rtx-pro-6000-blackwell", "rtx-pro-6000-blackwell-server", "dgx-spark-gb10"} <= ids
    assert all(gpu["memory_gb"] >= 96 and gpu["vendor"] == "NVIDIA" for gpu in gpus)


def test_gpus_command_bad_kind_exits_2_listing_kinds() -> None:
    result = runner.invoke(app, ["gpus", "--kind", "gaming"])
    assert result.exit_code == 2
    assert "datacenter" in result.output and "apple" in result.output


def test_table_fits_80_columns_without_cutting_an_id() -> None:
    console = Console(width=80, record=True, color_system=None)
    console.print(gpu_list_table(list(all_gpus())))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    first_words = {line.split()[0] for line in lines[2:] if line and not line.startswith(" ")}
    assert {gpu.id for gpu in all_gpus()} <= first_words
