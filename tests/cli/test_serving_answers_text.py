"""Serving answers as a user reads them: a serving curve with no rental offer and no TDP says
so (never "price $0.00/GPU-h … power from board TDP"), its $/1M tokens are dollars to the cent,
a fleet pool of a multi-GPU replica is "1 replica of 2× …", and inputs are echoed as given."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from gpuatlas.cli.main import app

runner = CliRunner()


def _text(arguments: list[str]) -> str:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_a_serving_curve_without_offer_or_tdp_says_what_is_missing() -> None:
    text = _text(["predict", "serving-curve", "apple-m2-ultra-76c", "llama-3.1-8b"])
    assert "no rental offer, so no $/1M tokens; no TDP in the catalog, so no tokens per joule" in (
        text
    )
    assert "$0.00/GPU-h" not in text and "power from board TDP" not in text


def test_a_serving_curve_prices_in_dollars_and_cents() -> None:
    text = _text(["predict", "serving-curve", "rtx-4090", "llama-3.1-8b"])
    assert "price $0.34/GPU-h (RunPod community 2026-09-25); power from board TDP." in text
    # $/1M tokens to the cent, with its range: "$0.13 ($0.10–$0.18)", never "$0.1342"
    assert re.search(r"\$\d+\.\d{2} \(\$\d+\.\d{2}–\$\d+\.\d{2}\)", text)
    assert not re.search(r"\$\d+\.\d{3,}", text)


def test_plan_and_fleet_echo_the_traffic_as_given_and_name_multi_gpu_replicas() -> None:
    plan = _text(["plan", "--model", "llama-3.1-8b", "--rps", "0.5", "--gpu", "rtx-4090"])
    assert "llama-3.1-8b served with vllm at 0.5 req/s (512 in / 256 out tokens)" in plan
    fleet = _text(
        [
            "fleet",
            "--model",
            "llama-3.1-8b=0.5",
            "--model",
            "qwen3:30b-a3b=0.5",
            "--rps",
            "4",
            "--engine",
            "vllm",  # auto would serve the Ollama tag with Ollama, on one GPU
        ]
    )
    assert "1 replica of 2×" in fleet and "1 × 2×" not in fleet
