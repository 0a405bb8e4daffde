"""The load generator against the reference server (known schedule, reported truth):
causality against the server's own clock, token accounting, failures counted by kind,
Ollama's native API, Poisson timelines."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from typer.testing import CliRunner

from gpuatlas.bench.loadgen import LoadSpec, PhaseProgress, poisson_offsets_ns, run_load
from gpuatlas.bench.metrics import request_metrics
from gpuatlas.bench.options import RunOptions
from gpuatlas.bench.runner import run_benchmark
from gpuatlas.cli.main import app
from gpuatlas.records.result import load_result
from gpuatlas.records.suite import get_benchmark

MODEL = "reference-model"


def _spec(url: str, api: str = "openai-completions", **changes: object) -> LoadSpec:
    values: dict[str, object] = {
        "endpoint": url,
        "api": api,
        "model": MODEL,
        "input_tokens": 30,
        "output_tokens": 12,
        "concurrency": 4,
        "requests": 12,
        "warmup_requests": 0,
    }
    values.update(changes)
    return LoadSpec(**values)  # type: ignore[arg-type]


def _truth(url: str) -> dict[int, dict[str, object]]:
    """Server records keyed by the request index written at the start of each prompt."""
    records = httpx.get(url + "/stats").json()["requests"]
    by_index = {}
    for record in records:
        found = re.search(r"Request (\d+) tag", record["prompt_head"])
        assert found, record["prompt_head"]
        by_index[int(found.group(1))] = record
    return by_index


@pytest.mark.parametrize(
    "api", ["openai-completions", "openai-chat", "ollama-generate", "ollama-chat"]
)
def test_every_request_agrees_with_the_server_clock(reference_stats: str, api: str) -> None:
    outcome = asyncio.run(run_load(_spec(reference_stats, api)))
    truth = _truth(reference_stats)
    assert len(outcome.records) == 12 and all(r.ok for r in outcome.records)
    for record in outcome.records:
        server = truth[record.index]
        writes = server["writes_ns"]
        assert isinstance(writes, list)
        # Same monotonic clock: a request is sent before the server reads it, and each
        # token event arrives after the server wrote it.
        assert record.send_ns <= server["received_ns"]
        assert len(record.token_times_ns) == len(writes)
        assert all(
            arrived >= written
            for arrived, written in zip(record.token_times_ns, writes, strict=True)
        )
        assert record.tokens == sum(server["tokens"]) == 12  # type: ignore[arg-type]
    sources = {r.token_count_source for r in outcome.records}
    assert sources == ({"ollama-eval-count"} if api.startswith("ollama") else {"usage"})


Launcher = Callable[..., tuple[str, subprocess.Popen[bytes]]]


@pytest.fixture()
def chunky_server(launch_reference_server: Launcher) -> Iterator[str]:
    """Four tokens per chunk, every 5th request fails (HTTP 500), every 7th is cut."""
    url, _ = launch_reference_server(
        "--ttft-ms",
        "5",
        "--itl-ms",
        "2",
        "--tokens-per-chunk",
        "4",
        "--fail-every",
        "5",
        "--truncate-every",
        "7",
    )
    yield url


def test_multi_token_chunks_and_failures_are_accounted(chunky_server: str) -> None:
    outcome = asyncio.run(
        run_load(_spec(chunky_server, output_tokens=16, requests=20, concurrency=1))
    )
    kinds = [r.error_kind for r in outcome.records]
    # Requests arrive in order at concurrency 1: numbers 5, 10, 15, 20 fail; 7 and 14 are cut.
    assert kinds.count("http_500") == 4
    assert kinds.count("truncated") == 2
    assert len(outcome.records) == 20  # failures are kept, not dropped
    good = [r for r in outcome.records if r.ok]
    for record in good:
        assert record.tokens == 16 and len(record.token_times_ns) == 4
        metrics = request_metrics(record)
        assert metrics.tpot_ms is not None
        span_ms = (record.token_times_ns[-1] - record.token_times_ns[0]) / 1e6
        assert metrics.tpot_ms == pytest.approx(span_ms / 12)  # 16 tokens - 4 in the first


def test_benchmark_result_counts_failures_by_kind(chunky_server: str) -> None:
    options = RunOptions(
        endpoint=chunky_server,
        model=MODEL,
        concurrency=1,
        requests=10,
        output_tokens=8,
        input_tokens=20,
        repeats=1,
        warmup_requests=0,
    )
    result = run_benchmark(get_benchmark("llm-serving-qwen3-4b-c16"), options)
    # The probe request is number 1; measured requests are numbers 2..11.
    assert result.failures == {"http_500": 2, "truncated": 1}
    assert sum(1 for s in result.samples if not s.ok) == 3
    assert result.metrics["ttft_ms"].n == 7
    assert any("3 of 10 requests failed" in w for w in result.warnings)


def test_poisson_timeline_is_seeded_and_has_the_asked_rate() -> None:
    first = poisson_offsets_ns(50.0, 4000, seed=3)
    assert np.array_equal(first, poisson_offsets_ns(50.0, 4000, seed=3))
    assert not np.array_equal(first, poisson_offsets_ns(50.0, 4000, seed=4))
    gaps_s = np.diff(first) / 1e9
    assert gaps_s.mean() == pytest.approx(1 / 50.0, rel=0.05)
    assert gaps_s.std() == pytest.approx(gaps_s.mean(), rel=0.1)  # exponential: sd = mean


def test_rate_mode_sends_on_the_timeline(reference_stats: str) -> None:
    spec = _spec(reference_stats, concurrency=None, rate_rps=40.0, requests=20)
    outcome = asyncio.run(run_load(spec))
    assert all(r.ok for r in outcome.records)
    origin = min(r.scheduled_ns for r in outcome.records)
    expected = poisson_offsets_ns(40.0, 20, seed=0)
    scheduled = sorted(r.scheduled_ns - origin for r in outcome.records)
    assert scheduled == pytest.approx(list(expected), abs=1)
    assert all(r.send_ns >= r.scheduled_ns for r in outcome.records)


def test_a_stopped_load_keeps_what_completed(reference_stats: str) -> None:
    async def stop_after_a_few() -> object:
        stop, progress = asyncio.Event(), PhaseProgress()

        async def watch() -> None:
            while progress.finished < 6:
                await asyncio.sleep(0.01)
            stop.set()

        watcher = asyncio.create_task(watch())
        outcome = await run_load(_spec(reference_stats, requests=10_000), stop, progress)
        watcher.cancel()
        return outcome

    outcome = asyncio.run(stop_after_a_few())
    assert outcome.interrupted  # type: ignore[attr-defined]
    records = outcome.records  # type: ignore[attr-defined]
    assert 0 < len(records) < 10_000
    assert all(r.ok for r in records)


def test_ollama_benchmark_uses_the_native_api(reference_stats: str) -> None:
    options = RunOptions(
        endpoint=reference_stats,
        model=MODEL,
        requests=4,
        output_tokens=6,
        input_tokens=10,
        repeats=2,
    )
    result = run_benchmark(get_benchmark("llm-single-qwen3-8b"), options)
    assert result.settings.api == "ollama-generate"
    assert result.token_count_source == "ollama-eval-count"
    assert result.headline.metric == "decode_tok_s" and result.headline.value
    assert result.failures == {}


def test_server_that_is_killed_mid_run_counts_as_failures(
    launch_reference_server: Launcher,
) -> None:
    url, process = launch_reference_server("--ttft-ms", "50", "--itl-ms", "200")

    async def run_and_kill() -> object:
        asyncio.get_running_loop().call_later(0.5, process.kill)
        return await run_load(_spec(url, output_tokens=50, requests=4, concurrency=2))

    try:
        outcome = asyncio.run(run_and_kill())
    finally:
        process.wait(timeout=10)
    records = outcome.records  # type: ignore[attr-defined]
    assert records and all(not r.ok for r in records)
    assert {r.error_kind for r in records} <= {"truncated", "connect_error"}


def test_concurrency_sweep_writes_one_result_per_point(
    reference_stats: str, tmp_path: Path
) -> None:
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "run",
            "llm-serving-qwen3-4b-c16",
            "--endpoint",
            reference_stats,
            "--model",
            MODEL,
            "--concurrency",
            "1,4",
            "--requests",
            "6",
            "--output-tokens",
            "4",
            "--input-tokens",
            "10",
            "--repeats",
            "1",
            "-o",
            str(tmp_path),
            "--json",
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    files = json.loads(outcome.output[outcome.output.index("{") :])["files"]
    assert sorted(load_result(f).settings.concurrency for f in files) == [1, 4]


def test_duration_mode_stops_sending_after_the_duration(reference_stats: str) -> None:
    spec = _spec(reference_stats, requests=None, duration_s=0.5, concurrency=2)
    outcome = asyncio.run(run_load(spec))
    assert outcome.records and all(r.ok for r in outcome.records)
    first_send = min(r.send_ns for r in outcome.records)
    assert all(r.send_ns - first_send < 0.5e9 for r in outcome.records)


def test_bad_sweep_values_are_all_reported() -> None:
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "run",
            "llm-serving-qwen3-4b-c16",
            "--endpoint",
            "http://127.0.0.1:9",
            "--concurrency",
            "4,x",
            "--rate",
            "1,y",
        ],
    )
    assert outcome.exit_code == 2
    assert "'x'" in outcome.output and "'y'" in outcome.output


def test_vision_benchmark_sends_images_and_reports_images_per_minute(reference_stats: str) -> None:
    options = RunOptions(
        endpoint=reference_stats,
        model=MODEL,
        concurrency=2,
        requests=4,
        output_tokens=4,
        repeats=1,
        overrides={"width": "64", "height": "48"},
    )
    result = run_benchmark(get_benchmark("vision-llava-1.5-7b-c32"), options)
    assert result.settings.api == "openai-chat"
    assert (result.settings.width, result.settings.height) == (64, 48)
    assert result.headline.metric == "images_per_min" and result.headline.value
    assert result.repeats[0].values["images_per_min"] == pytest.approx(
        60 * result.repeats[0].values["request_s"]
    )
    records = httpx.get(reference_stats + "/stats").json()["requests"]
    assert [r["images"] for r in records] == [1] * len(records)  # one image per request
