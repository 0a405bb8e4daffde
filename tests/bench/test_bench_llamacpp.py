"""End to end against a real llama.cpp server (llama-cpp-python) with a tiny generated model."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gpuatlas.cli.main import app
from gpuatlas.records.result import load_result

runner = CliRunner()


def _run(*arguments: str) -> tuple[int, str]:
    outcome = runner.invoke(app, ["bench", "run", *arguments])
    return outcome.exit_code, outcome.output


def test_llm_serving_benchmark_runs_end_to_end(llama_server: str, tmp_path: Path) -> None:
    target = tmp_path / "serving.json"
    code, output = _run(
        "llm-serving-qwen3-4b-c16",
        "--endpoint",
        llama_server,
        "--model",
        "tiny-llama",
        "--concurrency",
        "2",
        "--requests",
        "6",
        "--input-tokens",
        "40",
        "--output-tokens",
        "12",
        "--repeats",
        "2",
        "-o",
        str(target),
    )
    assert code == 0, output
    result = load_result(target)
    assert result.category == "llm-serving"
    assert result.failures == {}
    assert result.fingerprint.engine is not None
    assert result.fingerprint.engine.name == "llama-cpp-python"
    measured = [s for s in result.samples if not s.warmup]
    assert len(measured) == 12  # 6 requests x 2 repeats; warm-up kept but flagged
    assert [s.warmup for s in result.samples].count(True) == 2
    # min_tokens is honoured by llama-cpp-python: every output has the requested length.
    assert {s.output_tokens for s in measured} == {12}
    # llama-cpp-python sends no usage in streams: the count comes from the stream itself.
    assert result.token_count_source in ("stream-events", "stream-chunks")
    for sample in measured:
        assert sample.ttft_ms is not None and sample.e2e_ms is not None
        assert 0 < sample.ttft_ms <= sample.e2e_ms
    assert result.headline.metric == "output_tok_s" and result.headline.value
    assert result.metrics["output_tok_s"].n == 2
    assert len(result.repeats) == 2


def test_single_user_benchmark_uses_the_openai_api_of_a_non_ollama_server(
    llama_server: str, tmp_path: Path
) -> None:
    code, output = _run(
        "llm-single-llama3.1-8b",
        "--endpoint",
        llama_server,
        "--model",
        "tiny-llama",
        "--requests",
        "3",
        "--output-tokens",
        "8",
        "--input-tokens",
        "20",
        "--repeats",
        "1",
        "--json",
    )
    assert code == 0, output
    document = json.loads(output[output.index("{") :])
    assert document["schema_version"] == "gpuatlas.bench-run/1"
    result = document["results"][0]["record"]
    assert result["settings"]["api"] == "openai-completions"
    assert result["settings"]["concurrency"] == 1
    assert result["headline"]["metric"] == "decode_tok_s"
    assert result["headline"]["value"] > 0


def test_unknown_model_lists_what_the_server_serves(llama_server: str) -> None:
    code, output = _run(
        "llm-serving-qwen3-4b-c16",
        "--endpoint",
        llama_server,
        "--model",
        "qwen3-4b",
        "--requests",
        "2",
    )
    assert code == 2
    assert "tiny-llama" in output and "qwen3-4b" in output


def test_endpoint_that_is_down_gets_a_clear_error() -> None:
    code, output = _run(
        "llm-serving-qwen3-4b-c16",
        "--endpoint",
        "http://127.0.0.1:9",
        "--model",
        "x",
        "--requests",
        "2",
    )
    assert code == 2
    assert "cannot reach endpoint" in output


def test_the_chat_api_runs_end_to_end_against_the_real_server(
    llama_server: str, tmp_path: Path
) -> None:
    """The chat template has newlines: the tiny model carries <0x0A> so the server lives."""
    target = tmp_path / "chat.json"
    code, output = _run(
        "llm-serving-qwen3-4b-c16",
        "--endpoint",
        llama_server,
        "--model",
        "tiny-llama",
        "--api",
        "openai-chat",
        "--requests",
        "4",
        "--concurrency",
        "2",
        "--input-tokens",
        "24",
        "--output-tokens",
        "8",
        "--repeats",
        "1",
        "-o",
        str(target),
    )
    assert code == 0, output
    result = load_result(target)
    assert result.settings.api == "openai-chat"
    assert result.benchmark == "custom-llm-serving.tiny-llama.in24-out8.c2.chat"
    assert result.failures == {}
    measured = [s for s in result.samples if not s.warmup]
    assert len(measured) == 4
    assert all(s.ttft_ms is not None and s.output_tokens for s in measured)
    # the server still answers afterwards
    code, output = _run(
        "llm-single-llama3.1-8b",
        "--endpoint",
        llama_server,
        "--model",
        "tiny-llama",
        "--requests",
        "3",
        "--output-tokens",
        "8",
        "--input-tokens",
        "16",
        "--repeats",
        "1",
    )
    assert code == 0, output


def test_the_readme_sweep_labels_every_result_with_the_served_model(
    llama_server: str, tmp_path: Path
) -> None:
    """`bench run llm-serving --model M --concurrency 1,2` writes one result per point, each a
    custom benchmark of M, never a suite id naming another model."""
    code, output = _run(
        "llm-serving",
        "--endpoint",
        llama_server,
        "--model",
        "tiny-llama",
        "--concurrency",
        "1,2",
        "--requests",
        "2",
        "--input-tokens",
        "16",
        "--output-tokens",
        "4",
        "--repeats",
        "1",
        "-o",
        str(tmp_path),
    )
    assert code == 0, output
    ids = sorted(load_result(path).benchmark for path in tmp_path.glob("*.json"))
    assert ids == [f"custom-llm-serving.tiny-llama.in16-out4.c{c}.completions" for c in (1, 2)]
    assert "custom run" in output
