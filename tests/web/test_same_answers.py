"""The CLI's --json and the web app's .json return the same document for the same request:
both call the answer layer (gpuatlas.app), which holds the defaults once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gpuatlas.cli.main import app as cli

runner = CliRunner()


def cli_json(arguments: list[str]) -> Any:
    result = runner.invoke(cli, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def web_json(client: TestClient, url: str, params: list[tuple[str, str]]) -> Any:
    reply = client.get(url, params=params)
    assert reply.status_code == 200, reply.text
    return reply.json()


# (CLI arguments, web URL, web query): identical requests, defaults left to each side
SAME_REQUESTS = [
    pytest.param(
        ["fit", "rtx-4090", "llama-3.1-8b"],
        "/plan/fit.json",
        [("system", "rtx-4090"), ("model", "llama-3.1-8b")],
        id="fit-defaults",
    ),
    pytest.param(
        [
            "fit",
            "2x rtx-3090",
            "qwen2.5-32b",
            "--weights",
            "fp16",
            "--weights",
            "awq",
            "--context",
            "16384",
            "--concurrency",
            "4",
        ],
        "/plan/fit.json",
        [
            ("system", "2x rtx-3090"),
            ("model", "qwen2.5-32b"),
            ("weights", "fp16"),
            ("weights", "awq"),
            ("context_tokens", "16384"),
            ("concurrency", "4"),
        ],
        id="fit-formats",
    ),
    pytest.param(
        ["predict", "llm", "rtx-4090", "llama-3.1-8b"],
        "/plan/predict.json",
        [("system", "rtx-4090"), ("model", "llama-3.1-8b")],
        id="predict-defaults",
    ),
    pytest.param(
        [
            "predict",
            "llm",
            "2x h100-sxm",
            "llama-3.1-70b",
            "--weights",
            "fp8",
            "--batch",
            "16",
            "--input",
            "2048",
            "--output",
            "64",
        ],
        "/plan/predict.json",
        [
            ("system", "2x h100-sxm"),
            ("model", "llama-3.1-70b"),
            ("weights", "fp8"),
            ("batch", "16"),
            ("input_tokens", "2048"),
            ("output_tokens", "64"),
        ],
        id="predict-options",
    ),
    pytest.param(
        [
            "plan",
            "--model",
            "llama-3.1-8b",
            "--rps",
            "2",
            "--p95-ttft-ms",
            "1000",
            "--gpu",
            "rtx-4090",
            "--gpu",
            "a100-80gb-sxm",
        ],
        "/plan/plan.json",
        [
            ("model", "llama-3.1-8b"),
            ("rps", "2"),
            ("p95_ttft_ms", "1000"),
            ("gpus", "rtx-4090"),
            ("gpus", "a100-80gb-sxm"),
        ],
        id="plan",
    ),
    pytest.param(["leaderboard"], "/leaderboard.json", [], id="leaderboard"),
    pytest.param(["prices", "h100-sxm"], "/prices.json", [("gpu", "h100-sxm")], id="prices-gpu"),
    pytest.param(
        ["prices", "rtx-4090", "--tier", "spot", "--history"],
        "/prices.json",
        [("gpu", "rtx-4090"), ("tier", "spot"), ("history", "true")],
        id="prices-history",
    ),
    pytest.param(
        ["compare", "rtx-4090", "rtx-3090"],
        "/compare/rtx-4090/rtx-3090.json",
        [],
        id="compare-defaults",
    ),
    pytest.param(
        [
            "compare",
            "2x rtx-3090",
            "a100-80gb-pcie",
            "--model",
            "llama-3.1-8b",
            "--context",
            "8192",
            "--pue",
            "1.5",
            "--electricity-price",
            "0.3",
        ],
        "/compare/2x rtx-3090/a100-80gb-pcie.json",
        [
            ("model", "llama-3.1-8b"),
            ("context_tokens", "8192"),
            ("pue", "1.5"),
            ("electricity_usd_per_kwh", "0.3"),
        ],
        id="compare-options",
    ),
    pytest.param(
        ["gpus", "--vendor", "AMD", "--min-memory-gb", "100"],
        "/gpus.json",
        [("vendor", "AMD"), ("min_memory_gb", "100")],
        id="gpus",
    ),
    pytest.param(
        ["models", "--kind", "diffusion"], "/models.json", [("kind", "diffusion")], id="models"
    ),
    pytest.param(["model", "show", "qwen2.5-32b"], "/models/qwen2.5-32b.json", [], id="model-show"),
    pytest.param(["formats"], "/formats.json", [], id="formats"),
    pytest.param(
        ["gpu", "show", "NVIDIA A100-SXM4-80GB"],
        "/gpus/NVIDIA A100-SXM4-80GB.json",
        [],
        id="gpu-show",
    ),
    pytest.param(
        ["system", "show", "2x rtx-3090"], "/systems/2x rtx-3090.json", [], id="system-show"
    ),
    pytest.param(
        ["fit", "rtx-4090", "llama-3.2-1b", "--training", "lora", "--sequence", "4096"],
        "/fit/training.json",
        [
            ("system", "rtx-4090"),
            ("model", "llama-3.2-1b"),
            ("training", "lora"),
            ("sequence_tokens", "4096"),
        ],
        id="fit-training",
    ),
    pytest.param(
        ["predict", "serving", "2x rtx-4090", "llama-3.1-8b", "--concurrency", "32"],
        "/predict/serving.json",
        [("system", "2x rtx-4090"), ("model", "llama-3.1-8b"), ("concurrency", "32")],
        id="predict-serving",
    ),
    pytest.param(
        ["predict", "serving-curve", "h100-sxm", "llama-3.1-8b", "--interactivity", "30"],
        "/predict/serving-curve.json",
        [("system", "h100-sxm"), ("model", "llama-3.1-8b"), ("interactivity", "30")],
        id="serving-curve",
    ),
    pytest.param(
        ["predict", "diffusion", "rtx-4090", "sdxl", "--steps", "30"],
        "/predict/diffusion.json",
        [("system", "rtx-4090"), ("model", "sdxl"), ("steps", "30")],
        id="predict-diffusion",
    ),
    pytest.param(
        ["predict", "vision", "rtx-4090", "llava-1.5-7b"],
        "/predict/vision.json",
        [("system", "rtx-4090"), ("model", "llava-1.5-7b")],
        id="predict-vision",
    ),
    pytest.param(
        ["predict", "ocr", "rtx-4090", "trocr-base", "--batch", "8"],
        "/predict/ocr.json",
        [("system", "rtx-4090"), ("model", "trocr-base"), ("batch", "8")],
        id="predict-ocr",
    ),
    pytest.param(
        ["predict", "train", "rtx-4090", "llama-3.2-1b", "--method", "qlora", "--tokens", "1e8"],
        "/predict/train.json",
        [("system", "rtx-4090"), ("model", "llama-3.2-1b"), ("method", "qlora"), ("tokens", "1e8")],
        id="predict-train",
    ),
    pytest.param(
        ["bench", "list", "--category", "llm-serving"],
        "/bench.json",
        [("category", "llm-serving")],
        id="bench-list",
    ),
    pytest.param(
        [
            "tco",
            "--gpu",
            "4x rtx-4090",
            "--gpu",
            "h100-sxm",
            "--years",
            "3",
            "--usd-per-kwh",
            "0.2",
        ],
        "/tco.json",
        [("gpus", "4x rtx-4090"), ("gpus", "h100-sxm"), ("years", "3"), ("usd_per_kwh", "0.2")],
        id="tco",
    ),
    pytest.param(
        ["cost", "--gpu", "rtx-4090", "--gpu", "a100-80gb-pcie", "--tier", "community"],
        "/cost.json",
        [("gpus", "rtx-4090,a100-80gb-pcie"), ("tiers", "community")],
        id="cost-rent",
    ),
    pytest.param(
        [
            "cost",
            "--model",
            "llama-3.1-8b",
            "--workload",
            "llm",
            "--gpu",
            "rtx-4090",
            "--gpu",
            "l40s",
        ],
        "/cost.json",
        [("model", "llama-3.1-8b"), ("workload", "llm"), ("gpus", "rtx-4090"), ("gpus", "l40s")],
        id="cost-llm",
    ),
    pytest.param(
        [
            "fleet",
            "--model",
            "llama-2-13b=0.7",
            "--model",
            "llama-3.1-8b=0.3",
            "--rps",
            "4",
            "--gpu",
            "rtx-4090",
            "--gpu",
            "a100-80gb-sxm",
        ],
        "/fleet.json",
        [
            ("models", "llama-2-13b=0.7,llama-3.1-8b=0.3"),
            ("rps", "4"),
            ("gpus", "rtx-4090"),
            ("gpus", "a100-80gb-sxm"),
        ],
        id="fleet",
    ),
]
# Written when the document was made: the only field allowed to differ between two answers.
GENERATION_TIME = "generated_at"
# .json routes that answer what no CLI command answers (a page's data, a stored result).
WEB_ONLY = {"/index.json", "/gpu/{gpu}.json", "/compare.json", "/results/{result_id}.json"}


@pytest.mark.parametrize(("arguments", "url", "params"), SAME_REQUESTS)
def test_cli_and_web_return_the_same_document(
    client: TestClient, arguments: list[str], url: str, params: list[tuple[str, str]]
) -> None:
    from_cli = cli_json(arguments)
    from_web = web_json(client, url, params)
    assert from_cli["schema_version"] == from_web["schema_version"]
    assert from_cli["schema_version"].startswith("gpuatlas.")
    from_cli.pop(GENERATION_TIME, None)
    from_web.pop(GENERATION_TIME, None)
    assert from_cli == from_web


def test_every_answer_of_the_web_is_compared_with_the_cli(client: TestClient) -> None:
    """A new .json answer route fails this test until SAME_REQUESTS compares it with the CLI."""
    paths = client.get("/openapi.json").json()["paths"]
    answers = {
        path
        for path in paths
        if path.endswith(".json") and not path.startswith("/api") and path != "/openapi.json"
    } - WEB_ONLY
    compared = {_route_of(param.values[1]) for param in SAME_REQUESTS}
    assert answers == compared


def _route_of(url: str) -> str:
    named = {
        "/compare/": "/compare/{a}/{b}.json",
        "/models/": "/models/{name}.json",
        "/gpus/": "/gpus/{name}.json",
        "/systems/": "/systems/{spec}.json",
    }
    return next((route for prefix, route in named.items() if url.startswith(prefix)), url)


def test_the_documents_state_the_defaults_they_used(client: TestClient) -> None:
    fit = web_json(client, "/plan/fit.json", [("system", "rtx-4090"), ("model", "llama-3.1-8b")])
    assert fit["request"]["context_tokens"] == 4096 == fit["context_tokens"]
    predict = web_json(
        client, "/plan/predict.json", [("system", "rtx-4090"), ("model", "llama-3.1-8b")]
    )
    assert predict["request"]["output_tokens"] == 256 == predict["output_tokens"]
    plan = web_json(
        client,
        "/plan/plan.json",
        [("model", "llama-3.1-8b"), ("rps", "2"), ("gpus", "rtx-4090")],
    )
    assert isinstance(plan["rejected"], list) and plan["provenance"]["calibration_version"]


# (CLI arguments, web URL, web query, HTTP status): the same bad request on both sides
SAME_ERRORS = [
    pytest.param(
        ["fit", "rtx-4091", "llama-3.1-8b"],
        "/plan/fit.json",
        [("system", "rtx-4091"), ("model", "llama-3.1-8b")],
        404,
        id="unknown-gpu",
    ),
    pytest.param(["gpu", "show", "a800"], "/gpus/a800.json", [], 404, id="ambiguous-gpu"),
    pytest.param(
        ["compare", "rtx-4091", "not-a-gpu"],
        "/compare/rtx-4091/not-a-gpu.json",
        [],
        404,
        id="compare-unknown-sides",
    ),
    pytest.param(
        ["plan", "--model", "llama-3.1-8b", "--rps", "-5", "--provider", "Nowhere"],
        "/plan/plan.json",
        [("model", "llama-3.1-8b"), ("rps", "-5"), ("providers", "Nowhere")],
        422,
        id="plan-problems",
    ),
    pytest.param(
        ["tco", "--gpu", "rtx-4090", "--pue", "0.8", "--years", "0"],
        "/tco.json",
        [("gpus", "rtx-4090"), ("pue", "0.8"), ("years", "0")],
        422,
        id="tco-problems",
    ),
]


@pytest.mark.parametrize(("arguments", "url", "params", "status"), SAME_ERRORS)
def test_cli_and_web_return_the_same_error_document(
    client: TestClient, arguments: list[str], url: str, params: list[tuple[str, str]], status: int
) -> None:
    result = runner.invoke(cli, [*arguments, "--json"])
    assert result.exit_code == 2, result.output
    reply = client.get(url, params=params)
    assert reply.status_code == status
    from_cli, from_web = json.loads(result.stdout), reply.json()
    assert from_cli["schema_version"] == "gpuatlas.error/1" and from_cli["problems"]
    assert from_cli == from_web
