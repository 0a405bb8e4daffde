"""`gpuatlas prices GPU` as a user reads it: every price's source is printed (not only in
--json) and the asterisk's footnote appears only when a row carries the asterisk."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gpuatlas.cli.main import app

runner = CliRunner()


def test_prices_of_one_gpu_name_their_sources_and_no_unused_footnote() -> None:
    text = runner.invoke(app, ["prices", "rtx-4090"])
    document = json.loads(runner.invoke(app, ["prices", "rtx-4090", "--json"]).stdout)
    assert text.exit_code == 0, text.output
    rows = document["prices"]
    assert rows and all(row["gpu_match"] == "exact" for row in rows)
    flat = " ".join(text.output.split())
    assert f"Current prices: {len(rows)} offers" in flat
    for source in {row["source"] for row in rows}:
        assert f"source: {' '.join(source.split())}" in flat
    assert "GPU variant not stated" not in flat and "*" not in text.output
    assert "$0.31" in flat  # prices as dollars
