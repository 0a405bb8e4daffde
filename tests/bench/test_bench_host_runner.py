"""Unattended suite runs on a host: the runner starts the llama.cpp server (llama-cpp-python)
itself with the model from the host's cache, waits for it, runs the benchmark, stops it and
spools the result; benchmarks without an engine or weights are listed with the reason."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from gpuatlas.bench.host_runner import assign, load_host_config
from gpuatlas.cli.main import app
from gpuatlas.errors import DataFileError
from gpuatlas.records.result import load_result
from gpuatlas.records.suite import get_benchmark


def _config(folder: Path, tiny_gguf: Path) -> Path:
    cache = folder / "models"
    cache.mkdir()
    shutil.copy(tiny_gguf, cache / "tiny-llama.gguf")
    text = f"""
[host]
suite = "llm-single"
model_cache = "models"
ready_timeout_s = 120

[run]
requests = 2
repeats = 1

[engines.llama-cpp]
kind = "llama-cpp-python"
command = {json.dumps([sys.executable, "-m", "llama_cpp.server"])}
args = ["--n_ctx", "2048", "--n_threads", "1"]

[engines.vllm]
kind = "vllm"
command = ["vllm-is-not-installed-here"]

[models."llama3.1:8b"]
llama-cpp = "tiny-llama.gguf"

[models."llama3.2:3b"]
vllm = "Llama-3.2-3B-Instruct"

[models."qwen3:8b"]
llama-cpp = "missing.gguf"
"""
    path = folder / "host.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "command",
    [["bench", "host", "--config"], ["agent", "--once", "--host-config"]],
    ids=["bench host", "agent --host-config"],
)
def test_the_host_runner_starts_runs_and_stops_the_engine_itself(
    tiny_gguf: Path, tmp_path: Path, command: list[str]
) -> None:
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] not installed")
    config = _config(tmp_path, tiny_gguf)
    spool = tmp_path / "spool"
    outcome = CliRunner().invoke(app, [*command, str(config), "--spool", str(spool), "--json"])
    document = json.loads(outcome.output[outcome.output.index("{") :])
    assert [r["benchmark"] for r in document["results"]] == ["llm-single-llama3.1-8b"]
    reasons = {item["benchmark"]: item["reason"] for item in document["skipped"]}
    assert "engine vllm not installed" in reasons["llm-single-llama3.2-3b"]
    assert "missing.gguf not found" in reasons["llm-single-qwen3-8b"]
    assert "no weights for model 'gpt-oss:20b'" in reasons["llm-single-gpt-oss-20b"]
    assert outcome.exit_code == 1  # some benchmarks could not run: said, not hidden
    spooled = list((spool / "pending").glob("*.json"))
    assert len(spooled) == 1
    result = load_result(spooled[0])
    assert result.benchmark == "llm-single-llama3.1-8b"  # served under the suite's name
    assert result.settings.extra["weights"] == "tiny-llama.gguf"
    assert result.fingerprint.engine is not None
    assert result.fingerprint.engine.name == "llama-cpp-python"
    assert result.headline.value and result.comparable
    with pytest.raises(httpx.HTTPError):  # the engine was stopped
        httpx.get(result.settings.endpoint or "", timeout=2)


def test_engines_are_preferred_by_benchmark_and_bad_configs_are_explained(tmp_path: Path) -> None:
    (tmp_path / "q.gguf").write_bytes(b"")
    (tmp_path / "host.toml").write_text(f"""
[host]
model_cache = "."
[engines.fast]
kind = "vllm"
command = [{json.dumps(sys.executable)}]
[engines.small]
kind = "llama-server"
command = [{json.dumps(sys.executable)}]
[models."Qwen/Qwen3-4B"]
small = "q.gguf"
fast = "q.gguf"
""")
    config = load_host_config(tmp_path / "host.toml")
    chosen = assign(get_benchmark("llm-serving-qwen3-4b-c16"), config)
    assert chosen.engine is not None and chosen.engine.name == "fast"
    (tmp_path / "bad.toml").write_text('[engines.x]\nkind = "tgi"\n[models.m]\ny = "f"\n')
    with pytest.raises(DataFileError) as error:
        load_host_config(tmp_path / "bad.toml")
    assert "kind 'tgi'" in str(error.value) and "engine 'y'" in str(error.value)
