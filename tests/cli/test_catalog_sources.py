"""`gpuatlas system show` says where its figures come from: the GPU's datasheet and each
link's source, as the catalog records them."""

from __future__ import annotations

from typer.testing import CliRunner

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.cli.main import app


def test_system_show_names_the_gpu_and_link_sources() -> None:
    system = resolve_system("2x rtx-3090")
    assert system.link is not None
    result = CliRunner().invoke(app, ["system", "show", "2x rtx-3090"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"GPU source: {' '.join(system.gpu.source.split())} (as of {system.gpu.as_of})" in text
    assert f"link source: {' '.join(system.link.source.split())}" in text


def test_gpu_show_writes_a_launch_price_as_dollars() -> None:
    result = CliRunner().invoke(app, ["gpu", "show", "rtx-4090"])
    row = next(line for line in result.output.splitlines() if "Launch price (MSRP)" in line)
    assert "$1,599" in row and "USD" not in row
