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
    capacity_bound_rps,
    constant_step_times,
    simulate_benchmark,
)
from gpuatlas.performance.calibration_table import current_calibration

STEP_S = 0.01


def test_a_closed_loop_of_one_sends_each_request_when_the_previous_completes() -> None:
    steps = constant_step_times(STEP_S, max_batch=8)
    result = run_benchmark(steps, BenchmarkLoad(100, 10, requests=5, concurrency=1))
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
    result = run_benchmark(steps, BenchmarkLoad(100, 10, requests=4))
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
    predicted = predict_rows([r for r in rows if r.metric != "e2e_ms"], log_band=band)
    assert not predicted.unpredicted
    for found in predicted.found:
        assert found.inside, (found.row.metric, found.low_ms, found.row.value, found.high_ms)
