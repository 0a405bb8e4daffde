"""`bench run --api` and `bench list --category` refuse unknown names with the valid ones
(no traceback, no silently empty table) (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.bench.apis import API_PATHS
from gpuatlas.cli.main import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_an_unknown_api_names_the_ollama_apis(runner: CliRunner) -> None:
    # nothing listens on port 9: the API is checked before any request is sent
    result = runner.invoke(
        app,
        [
            "bench",
            "run",
            "llm-serving-qwen3-4b-c16",
            "--endpoint",
            "http://127.0.0.1:9",
            "--api",
            "ollama",
            "--json",
        ],
    )
    assert result.exit_code == 2, result.output
    document = json.loads(result.stdout)
    assert document["schema_version"] == "gpuatlas.error/1"
    assert set(document["candidates"]) == {"ollama-generate", "ollama-chat"}
    assert set(document["candidates"]) <= set(API_PATHS)


def test_an_unknown_category_is_an_error_with_close_matches(runner: CliRunner) -> None:
    result = runner.invoke(app, ["bench", "list", "--category", "serv", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["candidates"] == ["llm-serving"]
    text = runner.invoke(app, ["bench", "list", "--category", "nope"])
    assert text.exit_code == 2 and "unknown benchmark category 'nope'" in text.output
    assert "llm-serving" in text.output  # nothing close: every valid category is named


def test_a_known_category_still_lists_its_benchmarks(runner: CliRunner) -> None:
    result = runner.invoke(app, ["bench", "list", "--category", "llm-serving", "--json"])
    assert result.exit_code == 0
    benchmarks = json.loads(result.stdout)["benchmarks"]
    assert benchmarks and {b["category"] for b in benchmarks} == {"llm-serving"}


def test_bench_run_help_shows_every_option_name_whole_at_80_columns(runner: CliRunner) -> None:
    result = runner.invoke(app, ["bench", "run", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "…" not in result.output
    for name in (
        "--input-tokens-stddev",
        "--output-tokens-stddev",
        "--max-goodput",
        "--tokenizer",
        "--api-key",
    ):
        assert name in result.output
