"""A serving benchmark's run replayed by the simulation `plan` uses: closed loops, Poisson
pacing, low-load and near-capacity behaviour, and published rows predicted within range."""

from __future__ import annotations

import numpy as np
import pytest

from gpuatlas.catalog.latency_under_load import load_latency_under_load
from gpuatlas.economics.latency_under_load import (
    BenchmarkLoad,
    benchmark_stream,
    predict_rows,
    run_benchmark,
    statistic_ms,
)
from gpuatlas.economics.serving_simulation import (
    RequestStream,
    StepTimes,
    capacity_bound_rps,
    constant_step_times,
    simulate_benchmark,
)
from gpuatlas.economics.simulation_step_times import step_times_from
from gpuatlas.performance.calibration_table import current_calibration

STEP_S = 0.01


def test_a_closed_loop_of_one_sends_each_request_when_the_previous_completes() -> None:
    steps = constant_step_times(STEP_S, max_batch=8)
    stream = RequestStream(np.zeros(5), np.full(5, 100), np.full(5, 10))
    result = simulate_benchmark(steps, stream, concurrency=1)
    # alone on the replica: a prefill step, then 9 decode steps; nobody ever waits
    assert np.allclose(result.ttft_s, STEP_S)
    assert np.allclose(result.e2e_s, 10 * STEP_S)
    assert result.completed_rps == pytest.approx(1 / (10 * STEP_S))


def test_a_closed_loop_keeps_at_most_its_concurrency_in_flight() -> None:
    steps = constant_step_times(STEP_S, max_batch=64)
    stream = RequestStream(np.zeros(6), np.full(6, 100), np.full(6, 10))
    result = simulate_benchmark(steps, stream, concurrency=2)
    # three rounds of two requests, each round 10 steps long; latencies count from the send
    assert np.allclose(result.e2e_s, 10 * STEP_S)
    assert result.duration_s == pytest.approx(30 * STEP_S)


def test_without_a_concurrency_every_request_is_sent_at_once() -> None:
    steps = constant_step_times(STEP_S, max_batch=2)
    result = simulate_benchmark(steps, RequestStream(np.zeros(4), np.full(4, 100), np.full(4, 10)))
    # two KV slots: the second pair waits for the first to finish (10 steps) before its prefill
    assert sorted(np.round(result.ttft_s / STEP_S)) == [1, 1, 11, 11]


def test_poisson_pacing_starts_at_zero_at_the_stated_rate() -> None:
    stream = benchmark_stream(BenchmarkLoad(100, 10, requests=20_000, rps=5.0), seed=3)
    assert stream.arrival_s[0] == 0.0
    assert 20_000 / stream.arrival_s[-1] == pytest.approx(5.0, rel=0.03)


def test_at_low_load_ttft_is_the_static_prefill_time() -> None:
    steps = constant_step_times(0.002, max_batch=64, prefill_s=0.05)
    # one request per 10 s, each done in 0.05 + 99 x 0.002 s: they never overlap
    result = run_benchmark(steps, BenchmarkLoad(1000, 100, requests=200, rps=0.1))
    assert statistic_ms(result, "ttft_ms", "p95") == pytest.approx(50.0)
    assert statistic_ms(result, "tpot_ms", "median") == pytest.approx(2.0)


def test_p95_ttft_grows_without_bound_as_the_rate_approaches_capacity() -> None:
    steps = constant_step_times(0.01, max_batch=4, prefill_s=0.02)
    capacity = capacity_bound_rps(steps, 500, 50)
    p95 = []
    for share in (0.3, 0.8, 0.95, 1.2):
        load = BenchmarkLoad(500, 50, requests=4000, rps=share * capacity)
        p95.append(statistic_ms(run_benchmark(steps, load), "ttft_ms", "p95"))
    assert p95 == sorted(p95)
    assert p95[-1] > 50 * p95[0]  # past capacity the queue (and the wait) keeps growing
    longer = BenchmarkLoad(500, 50, requests=8000, rps=1.2 * capacity)
    assert statistic_ms(run_benchmark(steps, longer), "ttft_ms", "p95") > 1.5 * p95[-1]


def test_the_sglang_readme_a100_run_at_4_rps_is_predicted_within_its_range() -> None:
    rows = [
        row
        for row in load_latency_under_load()
        if row.engine == "sglang" and row.gpu == "a100-80gb-sxm" and row.request_rate_rps == 4
    ]
    assert {row.metric for row in rows} == {"ttft_ms", "tpot_ms", "e2e_ms"}
    band = current_calibration().errors["serving"]["log_band"]  # the shipped serving band
    predicted = predict_rows(rows, log_band=band)
    assert not predicted.unpredicted
    for found in predicted.found:
        assert found.inside, (found.row.metric, found.low_ms, found.row.value, found.high_ms)


def test_fixed_lengths_spread_one_token_around_the_mean() -> None:
    stream = benchmark_stream(BenchmarkLoad(256, 256, requests=5000, concurrency=32), seed=1)
    assert set(stream.output_tokens.tolist()) == {255, 256, 257}
    assert stream.output_tokens.mean() == pytest.approx(256, abs=0.05)
    assert set(stream.input_tokens.tolist()) == {256}


def test_a_closed_loop_of_identical_requests_does_not_stay_in_lockstep() -> None:
    # prefill linear in tokens (10 us/token), decode 10 ms at any batch
    decode = np.full(65, 0.01)
    decode[0] = 0.0
    steps = StepTimes(decode, np.array([1.0, 8192.0]), np.array([1e-5, 8192e-5]))
    result = run_benchmark(steps, BenchmarkLoad(256, 256, requests=1000, concurrency=32))
    burst_prefill_ms = 32 * 256 * 1e-5 * 1000
    # only the first round waits for the whole burst's prefill; later requests arrive spread
    assert statistic_ms(result, "ttft_ms", "p99") >= burst_prefill_ms
    assert statistic_ms(result, "ttft_ms", "median") < 0.5 * burst_prefill_ms


class _CountingSource:
    """Prefill 1 ms per prompt + 10 us per token; records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[int, int]] = []

    def prefill_s(self, tokens: int, prompts: int = 1) -> float:
        self.asked.append((tokens, prompts))
        return prompts * (0.001 + 1e-5 * tokens)

    def decode_step_s(self, batch: int, context_tokens: int) -> float:
        return 0.01

    def max_batch(self, context_tokens: int) -> int:
        return 64

    def max_batched_tokens(self) -> int:
        return 2048

    def memory_note(self, context_tokens: int) -> str:
        return ""


def test_a_prefill_step_is_whole_prompts_and_a_lone_prompt_is_exact() -> None:
    source = _CountingSource()
    steps = step_times_from(source, input_tokens=300, output_tokens=100, max_batch=64)
    assert (300, 1) in source.asked  # the lone prompt is on the grid
    assert (341, 6) in source.asked  # 2048 tokens: 6 prompts of ~300, not one of 2048
    assert steps.prefill_s(300) == pytest.approx(0.001 + 3e-3)


def _linear_prefill_steps(decode_s: float, max_batched_tokens: int) -> StepTimes:
    """Prefill 10 us per token (linear), every decode step `decode_s`."""
    decode = np.full(9, decode_s)
    decode[0] = 0.0
    return StepTimes(decode, np.array([1.0, 1e6]), np.array([1e-5, 10.0]), max_batched_tokens)


def test_a_prompt_over_the_token_budget_is_prefilled_in_chunks() -> None:
    steps = _linear_prefill_steps(0.005, max_batched_tokens=1000)
    alone = simulate_benchmark(steps, RequestStream(np.zeros(1), np.array([3000]), np.array([5])))
    assert alone.ttft_s[0] == pytest.approx(0.03)  # three 1000-token chunks, nothing to decode
    # a short request already decoding gets a token in each chunk step of the long one
    stream = RequestStream(np.array([0.0, 1e-4]), np.array([100, 3000]), np.array([50, 5]))
    result = simulate_benchmark(steps, stream)
    # B waits for A's prefill step (1 ms), then three chunk steps each with A's decode token
    assert result.ttft_s[1] == pytest.approx(0.001 - 1e-4 + 3 * (0.01 + 0.005))


def test_sharegpt_outputs_keep_their_mean_with_the_published_median_to_mean_ratio() -> None:
    load = BenchmarkLoad(224, 189, requests=50_000, rps=4.0, lengths="sharegpt")
    outputs = benchmark_stream(load, seed=2).output_tokens
    assert outputs.mean() == pytest.approx(189, rel=0.02)
    # issue #2097's ShareGPT run: median / mean E2E (nearly proportional to output) = 0.614
    assert np.median(outputs) / outputs.mean() == pytest.approx(0.614, abs=0.02)


def test_beside_a_decoding_request_ttft_is_the_prefill_plus_one_decode_step() -> None:
    steps = constant_step_times(0.01, max_batch=8, prefill_s=0.03)
    # A: prefill 0-30 ms, then decode steps of 10 ms; B arrives on a step boundary (50 ms)
    stream = RequestStream(np.array([0.0, 0.05]), np.array([100, 100]), np.array([100, 5]))
    result = simulate_benchmark(steps, stream)
    # B's step prefills it and decodes A's token: its static prefill plus one decode step
    assert result.ttft_s[1] == pytest.approx(0.03 + 0.01)
    # B arriving mid-step (55 ms) also waits for the rest of that step
    stream = RequestStream(np.array([0.0, 0.055]), np.array([100, 100]), np.array([100, 5]))
    assert simulate_benchmark(steps, stream).ttft_s[1] == pytest.approx(0.005 + 0.03 + 0.01)
