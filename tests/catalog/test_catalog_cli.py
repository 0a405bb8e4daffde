"""The catalog commands: JSON schemas and clean errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gpuatlas.cli.main import app

runner = CliRunner()


def test_gpus_json_lists_the_catalog() -> None:
    result = runner.invoke(app, ["gpus", "--json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["schema_version"] == "gpuatlas.gpus/1"
    ids = [gpu["id"] for gpu in document["gpus"]]
    assert len(ids) == len(set(ids)) >= 41 and "rtx-4090" in ids
    rtx = next(gpu for gpu in document["gpus"] if gpu["id"] == "rtx-4090")
    assert rtx["tf32_dense_tflops"] == 82.6 and rtx["source"] and rtx["as_of"] == "2026-11-21"


def test_gpu_show_accepts_nvidia_smi_names() -> None:
    result = runner.invoke(app, ["gpu", "show", "NVIDIA A100-SXM4-80GB", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["gpu"]["id"] == "a100-80gb-sxm"


def test_gpu_show_ambiguous_name_exits_2_with_candidates() -> None:
    result = runner.invoke(app, ["gpu", "show", "A800"])  # no declared default variant
    assert result.exit_code == 2
    assert "a800-80gb-sxm" in result.output and "ambiguous" in result.output


def test_prices_json_carries_date_and_source() -> None:
    result = runner.invoke(app, ["prices", "rtx-4090", "--provider", "RunPod", "--json"])
    assert result.exit_code == 0
    prices = json.loads(result.stdout)["prices"]
    assert prices and all(p["observed_date"] and p["source"] for p in prices)


def test_system_show_json() -> None:
    result = runner.invoke(app, ["system", "show", "2x a100-80gb-sxm", "--json"])
    assert result.exit_code == 0
    system = json.loads(result.stdout)["system"]
    assert system["gpu_count"] == 2 and system["link"]["per_direction_gb_s"] == 300
