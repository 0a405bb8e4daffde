"""The continuous-batching simulator against queueing closed forms and simple invariants."""

from __future__ import annotations

import numpy as np
import pytest

from gpuatlas.economics.serving_simulation import (
    StepTimes,
    Traffic,
    capacity_bound_rps,
    constant_step_times,
    md1_mean_wait_s,
    mm1_mean_wait_s,
    mm1_wait_quantile_s,
    simulate,
)

STEP_S = 0.001
TOKENS = 100  # service time 0.1 s: μ = 10 req/s


def single_server_waits(rate: float, distribution: str, seed: int) -> np.ndarray:
    """With one KV slot, a request is served alone for output × step: a single-server queue.
    Its wait is TTFT minus its own first step."""
    traffic = Traffic(rate, 1, TOKENS, length_distribution=distribution)  # type: ignore[arg-type]
    result = simulate(constant_step_times(STEP_S, max_batch=1), traffic, 30000, seed)
    return result.ttft_s - STEP_S


@pytest.mark.parametrize("rate", [5.0, 8.0])
def test_fixed_lengths_match_md1(rate: float) -> None:
    waits = single_server_waits(rate, "fixed", seed=3)
    assert waits.mean() == pytest.approx(md1_mean_wait_s(rate, 10.0), rel=0.08)


@pytest.mark.parametrize("rate", [5.0, 7.0])
def test_exponential_lengths_match_mm1(rate: float) -> None:
    waits = single_server_waits(rate, "exponential", seed=5)
    assert waits.mean() == pytest.approx(mm1_mean_wait_s(rate, 10.0), rel=0.08)
    assert np.percentile(waits, 95) == pytest.approx(mm1_wait_quantile_s(rate, 10.0, 0.95), rel=0.1)


def test_closed_forms_by_hand() -> None:
    # λ = 5, μ = 10: ρ = 0.5; M/M/1 Wq = 0.5/5 = 0.1 s; M/D/1 half of that
    assert mm1_mean_wait_s(5, 10) == pytest.approx(0.1)
    assert md1_mean_wait_s(5, 10) == pytest.approx(0.05)
    assert mm1_wait_quantile_s(5, 10, 0.95) == pytest.approx(np.log(10) / 5)
    with pytest.raises(ValueError, match="unstable"):
        mm1_mean_wait_s(10, 10)


def batching_steps() -> StepTimes:
    decode = np.array([0.0] + [0.02 + 0.0005 * b for b in range(1, 65)])
    return StepTimes(decode, np.array([1.0, 512.0, 4096.0]), np.array([0.005, 0.04, 0.3]))


def test_light_load_latency_is_prefill_and_a_bare_decode_step() -> None:
    result = simulate(batching_steps(), Traffic(0.05, 512, 64), 400, seed=1)
    assert result.percentile_ms("ttft", 50) == pytest.approx(40.0, rel=0.02)
    assert result.percentile_ms("tpot", 50) == pytest.approx(20.5, rel=0.02)


def test_littles_law_for_the_running_batch() -> None:
    traffic = Traffic(2.0, 512, 256)
    result = simulate(batching_steps(), traffic, 4000, seed=2)
    decoding_s = result.e2e_s - result.ttft_s
    assert result.mean_batch == pytest.approx(2.0 * decoding_s.mean(), rel=0.1)


def test_queueing_grows_with_rate_and_explodes_past_capacity() -> None:
    steps = batching_steps()
    capacity = capacity_bound_rps(steps, 512, 256)
    low = simulate(steps, Traffic(0.2 * capacity, 512, 256), 1500, seed=4)
    high = simulate(steps, Traffic(0.8 * capacity, 512, 256), 1500, seed=4)
    over = simulate(steps, Traffic(1.5 * capacity, 512, 256), 1500, seed=4)
    assert low.percentile_ms("tpot", 95) < high.percentile_ms("tpot", 95)
    assert over.percentile_ms("queue", 95) > 100 * high.percentile_ms("queue", 95) + 1000
    assert over.completed_rps < 1.05 * capacity


def test_capacity_bound_respects_the_tpot_target() -> None:
    steps = batching_steps()
    # decode step 0.02 + 0.0005 b ≤ 0.03 → b ≤ 20: 1 / (0.04 + 255 × 0.03 / 20)
    assert capacity_bound_rps(steps, 512, 256, 0.030) == pytest.approx(1 / (0.04 + 255 * 0.03 / 20))
    assert capacity_bound_rps(steps, 512, 256, 0.010) == 0.0


def test_bursty_arrivals_queue_more_than_poisson() -> None:
    steps = batching_steps()
    poisson = simulate(steps, Traffic(8.0, 512, 256), 3000, seed=6)
    bursty = simulate(steps, Traffic(8.0, 512, 256, arrival="gamma", burstiness=0.2), 3000, seed=6)
    assert bursty.percentile_ms("ttft", 95) > poisson.percentile_ms("ttft", 95)
