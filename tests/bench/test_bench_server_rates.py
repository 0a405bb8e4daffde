"""Ollama's own decode/prefill rates are reported beside the wire's, and a disagreement is
flagged (reference server speaking Ollama's API, with honest or inflated timings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from gpuatlas.cli.main import app
from gpuatlas.records.result import load_result


def _run(url: str, target: Path) -> Any:
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "run",
            "llm-single-llama3.1-8b",
            "--endpoint",
            url,
            "--model",
            "reference-model",
            "--api",
            "ollama-generate",
            "--requests",
            "4",
            "--input-tokens",
            "20",
            "--output-tokens",
            "20",
            "--repeats",
            "1",
            "--warmup",
            "0",
            "-o",
            str(target),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    return load_result(target)


def test_server_rates_agree_with_the_wire_on_an_honest_server(
    launch_reference_server: Any, tmp_path: Path
) -> None:
    url, _ = launch_reference_server("--ttft-ms", "10", "--itl-ms", "5")
    result = _run(url, tmp_path / "honest.json")
    server = result.metrics["server_decode_tok_s"]
    assert server.n == 4 and server.median is not None
    assert abs(server.median - 200.0) < 1.0  # 20 tokens in 20 x 5 ms
    wire = result.metrics["decode_tok_s"].median or 0.0
    assert abs(server.median / wire - 1.0) < 0.2
    assert "server_prefill_tok_s" in result.metrics
    assert not any("the server reports decode" in w for w in result.warnings)


def test_a_server_claiming_twice_the_wires_speed_is_flagged(
    launch_reference_server: Any, tmp_path: Path
) -> None:
    url, _ = launch_reference_server(
        "--ttft-ms", "10", "--itl-ms", "5", "--server-rate-factor", "2"
    )
    result = _run(url, tmp_path / "inflated.json")
    assert abs((result.metrics["server_decode_tok_s"].median or 0.0) - 400.0) < 2.0
    assert any("the server reports decode at 400" in w for w in result.warnings)
