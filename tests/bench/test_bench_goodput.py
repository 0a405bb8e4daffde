"""--max-goodput: the highest arrival rate at which 95 % of requests meet the SLOs, searched
by doubling then bisecting (a scripted server model, then the reference server)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from gpuatlas.bench.goodput_search import search_max_goodput
from gpuatlas.bench.options import RunOptions
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.result import BenchResult, Headline, Sample


def _server_with_capacity(capacity_rps: float) -> Any:
    """A fake run: below capacity TTFT is 50 ms, above it 500 ms."""

    def run(options: RunOptions) -> BenchResult:
        ttft = 50.0 if (options.rate_rps or 0) <= capacity_rps else 500.0
        return BenchResult(
            benchmark="custom-x",
            benchmark_version=1,
            category="llm-serving",
            headline=Headline(
                metric="output_tok_s", unit="tok/s", higher_is_better=True, value=100.0
            ),
            samples=[
                Sample(index=i, ttft_ms=ttft, values={"ttft_sched_ms": ttft}) for i in range(20)
            ],
        )

    return run


def test_the_search_brackets_the_capacity_within_the_precision() -> None:
    best, points = search_max_goodput(
        RunOptions(slo_ttft_ms=200.0, rate_rps=1.0), _server_with_capacity(11.0), max_points=12
    )
    assert best is not None and 10.0 <= best.rate_rps <= 11.0
    assert [p.rate_rps for p in points][:5] == [1.0, 2.0, 4.0, 8.0, 16.0]
    nothing, _ = search_max_goodput(
        RunOptions(slo_ttft_ms=10.0), _server_with_capacity(11.0), max_points=4
    )
    assert nothing is None
    with pytest.raises(InvalidRequestError, match="needs at least one SLO"):
        search_max_goodput(RunOptions(), _server_with_capacity(1.0))


def test_max_goodput_against_the_reference_server(reference_server: str) -> None:
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "run",
            "llm-serving-qwen3-4b-c16",
            "--endpoint",
            reference_server,
            "--model",
            "reference-model",
            "--requests",
            "6",
            "--input-tokens",
            "16",
            "--output-tokens",
            "8",
            "--warmup",
            "0",
            "--tokenizer",
            "none",
            "--rate",
            "4",
            "--slo-ttft-ms",
            "5000",
            "--max-goodput",
            "--json",
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.output[outcome.output.index("{") :])
    assert document["points"][0]["rate_rps"] == 4 and document["points"][0]["meets"]
    assert document["max_goodput_rps"] >= 4
    # an answer document (gpuatlas.bench-max-goodput/1): each rate's result beside its point
    assert document["schema_version"] == "gpuatlas.bench-max-goodput/1"
    assert document["request"] == {
        "selector": "llm-serving-qwen3-4b-c16",
        "rate_rps": [4.0],
        "output": None,
    }
    entries = document["results"]
    assert [p["result_id"] for p in document["points"]] == [e["result_id"] for e in entries]
    assert document["max_goodput_rps"] == max(
        p["rate_rps"] for p in document["points"] if p["meets"]
    )
    assert document["files"] == [] and all(e["file"] is None for e in entries)
