"""The comparison commands survive any stored value: zeros, extremes, empty groups (a run
with no headline). Needs the compare layer's guards against non-finite ratios."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest_pg import make_result
from gpuatlas.cli.main import app
from gpuatlas.store import open_store


def _serving(value: float, gpu: str = "rtx-4090") -> Any:
    return make_result(
        gpu_id=gpu,
        headline_value=value,
        samples=[],
        fingerprint={"gpus": [{"index": 0, "name": gpu}]},
    )


def test_compare_and_leaderboard_survive_zeros_extremes_and_empty_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'edge.db'}"
    monkeypatch.setenv("GPUATLAS_DATABASE_URL", url)
    store = open_store(url)
    store.add_results(
        [
            _serving(0.0),
            _serving(1e-300),
            _serving(1e300, gpu="h100-sxm"),
            _serving(0.0, gpu="h100-sxm"),
        ]
    )
    empty = _serving(5.0, gpu="h100-sxm")
    empty.headline.value = None
    store.add_results([empty])
    runner = CliRunner()
    for arguments in (
        ["compare", "rtx-4090", "h100-sxm"],
        ["compare", "rtx-4090", "h100-sxm", "--json"],
        ["leaderboard"],
        ["leaderboard", "--json"],
    ):
        outcome = runner.invoke(app, arguments)
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit), (
            arguments,
            outcome.output,
            outcome.exception,
        )
        assert "Traceback" not in outcome.output
