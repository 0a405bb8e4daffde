"""`predict llm -fa on|off` and `-d N` as llama.cpp users pass them: the attention path and
the cached tokens are stated above the table, and they change the answer."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gpuatlas.cli.main import app

SIDE = ("rtx-4090", "llama-3.1-8b", "-w", "q4_0", "-e", "llama.cpp b7000")


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, ["predict", "llm", *SIDE, *args], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return result.output


def _prefill_tok_s(*args: str) -> float:
    return float(json.loads(_run(*args, "--json"))["prefill_tok_s"]["value"])


def test_the_attention_path_and_the_depth_are_stated() -> None:
    out = _run("-fa", "on", "-d", "32768")
    assert "flash attention on (as set)" in out
    assert "batch 1, after 32,768 cached tokens" in out
    assert "cached tokens" not in _run("-fa", "on")
    assert "flash attention off (the default of llama.cpp-2025-fused-moe" in _run()


def test_a_prompt_after_a_filled_cache_is_slower_and_flash_is_faster_there() -> None:
    empty, deep = _prefill_tok_s("-fa", "on"), _prefill_tok_s("-fa", "on", "-d", "32768")
    assert deep < 0.7 * empty
    assert _prefill_tok_s("-fa", "off", "-d", "32768") < deep


def test_an_unknown_flash_attention_choice_is_refused() -> None:
    result = CliRunner().invoke(app, ["predict", "llm", *SIDE, "-fa", "maybe"])
    assert result.exit_code != 0
    assert "'auto', 'on' or 'off'" in result.output


def _serving(*args: str) -> str:
    command = ["predict", "serving", *SIDE, "-c", "4", "--input", "8192", *args]
    result = CliRunner().invoke(app, command, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return result.output


def test_predict_serving_states_the_servers_attention_and_takes_the_flag() -> None:
    """llama-server runs -fa auto from b6327 (llama-bench kept -fa 0): serving says so, and
    -fa off costs an 8k-token prompt's unfused scores."""
    assert "flash attention on (llama-server's default from b6327" in _serving()
    assert "flash attention off (as set" in _serving("-fa", "off")
    on = json.loads(_serving("--json"))["serving_output_tok_s"]["value"]
    off = json.loads(_serving("-fa", "off", "--json"))["serving_output_tok_s"]["value"]
    assert off < 0.9 * on
