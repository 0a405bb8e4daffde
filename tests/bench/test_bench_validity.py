"""A run with no successful request has no headline; too many failures or an interruption make
a result not valid for comparison (kept, shown, exit status 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gpuatlas.bench.assemble import Measured, assemble
from gpuatlas.bench.metrics import RequestRecord, Slo, run_level_metrics
from gpuatlas.bench.runners.llm import with_known_prompt_lengths
from gpuatlas.cli.main import app
from gpuatlas.records.result import Fingerprint, Sample, Settings, load_result
from gpuatlas.records.suite import get_benchmark
from gpuatlas.records.validity import FAILURE_RATIO_LIMIT, comparability_problems

MS = 1_000_000


def _record(index: int, ok: bool, start_ms: float = 0.0) -> RequestRecord:
    start = int(start_ms * MS) + index * MS
    tokens = tuple(start + (10 + k) * MS for k in range(8)) if ok else ()
    return RequestRecord(
        index=index,
        warmup=False,
        scheduled_ns=start,
        send_ns=start,
        end_ns=start + 20 * MS,
        token_times_ns=tokens,
        output_tokens=8 if ok else None,
        error_kind=None if ok else "http_500",
        error=None if ok else "boom",
    )


def test_no_successful_request_gives_no_throughput_figures() -> None:
    values, warnings = run_level_metrics([_record(i, ok=False) for i in range(4)], 2, Slo())
    assert values == {}
    assert any("no successful request" in warning for warning in warnings)


def test_one_success_among_failures_is_measured_not_zero() -> None:
    records = [_record(0, ok=True)] + [_record(i, ok=False) for i in range(1, 4)]
    values, _ = run_level_metrics(records, 4, Slo())
    assert values["output_tok_s"] > 0
    assert values["output_tok_s_whole_run"] > 0


def _measured(samples: list[Sample], **changes: Any) -> Measured:
    return Measured(settings=Settings(), fingerprint=Fingerprint(), samples=samples, **changes)


def test_a_run_where_every_request_failed_has_a_null_headline_with_its_reason() -> None:
    samples = [Sample(index=i, ok=False, error_kind="http_500") for i in range(5)]
    result = assemble(get_benchmark("llm-serving-qwen3-4b-c16"), _measured(samples))
    assert result.headline.value is None
    assert result.headline.reason == "no successful request (5 failed: http_500 x5)"
    assert not result.comparable
    assert any("no headline value" in reason for reason in result.not_comparable_reasons)


def test_failure_ratio_above_the_limit_and_interruptions_are_not_comparable() -> None:
    benchmark = get_benchmark("llm-serving-qwen3-4b-c16")
    from gpuatlas.records.result import MetricSummary

    metrics = {"output_tok_s": MetricSummary(median=100.0, mean=100.0, p90=None, p99=None, n=1)}
    limit = int(FAILURE_RATIO_LIMIT * 100)
    ok = [Sample(index=i) for i in range(100 - limit)]
    at_limit = ok + [Sample(index=100 + i, ok=False, error_kind="timeout") for i in range(limit)]
    assert assemble(benchmark, _measured(at_limit, metrics=metrics)).comparable
    over = at_limit + [Sample(index=999, ok=False, error_kind="timeout")]
    result = assemble(benchmark, _measured(over, metrics=metrics))
    assert not result.comparable
    assert "6 of 101 requests failed" in result.not_comparable_reasons[0]
    stopped = assemble(benchmark, _measured(ok, metrics=metrics, interrupted=True))
    assert stopped.not_comparable_reasons == ["interrupted before the planned end"]


def test_headline_values_that_no_comparison_can_use_are_flagged() -> None:
    result = assemble(get_benchmark("llm-serving-qwen3-4b-c16"), _measured([Sample()]))
    for value in (0.0, -1.0, float("inf")):
        result.headline.value = value
        assert comparability_problems(result)


def test_a_run_with_half_its_requests_failing_exits_3_and_keeps_its_file(
    launch_reference_server: Any, tmp_path: Path
) -> None:
    url, _ = launch_reference_server("--ttft-ms", "5", "--itl-ms", "1", "--fail-every", "2")
    target = tmp_path / "half.json"
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "run",
            "llm-serving-qwen3-4b-c16",
            "--endpoint",
            url,
            "--model",
            "reference-model",
            "--requests",
            "8",
            "--concurrency",
            "2",
            "--input-tokens",
            "16",
            "--output-tokens",
            "8",
            "--repeats",
            "1",
            "--warmup",
            "0",
            "--retries",
            "2",
            "-o",
            str(target),
        ],
    )
    assert outcome.exit_code == 3, outcome.output
    assert "not valid for comparison" in outcome.output
    result = load_result(target)
    assert not result.comparable
    assert result.benchmark.startswith("custom-llm-serving.reference-model.in16-out8.c2")


def test_prompts_measured_exactly_count_in_the_total_throughput() -> None:
    """llama.cpp's server streams no usage: with every prompt measured to 256 tokens on its
    tokenizer, the total rate counted no input (it equalled the output rate)."""
    records = [_record(i, ok=True) for i in range(4)]
    before, _ = run_level_metrics(records, 2, Slo())
    assert before["total_tok_s_whole_run"] == before["output_tok_s_whole_run"]
    (known,) = with_known_prompt_lengths([records], 256)
    after, _ = run_level_metrics(known, 2, Slo())
    # 4 requests of 256 prompt and 8 output tokens: the total is 33x the output rate
    assert after["total_tok_s_whole_run"] == pytest.approx(33 * after["output_tok_s_whole_run"])
