"""Stopping a serving simulation early: only when the requests simulated so far prove the full
run's p95 above a limit; otherwise the result is the full simulation's, unchanged."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gpuatlas.economics.serving_simulation import (
    LatencyLimits,
    StepTimes,
    Traffic,
    capacity_bound_rps,
    simulate,
    simulate_unless_missing,
)


def batching_steps() -> StepTimes:
    decode = np.array([0.0] + [0.02 + 0.0005 * b for b in range(1, 33)])
    return StepTimes(decode, np.array([1.0, 512.0, 4096.0]), np.array([0.005, 0.04, 0.3]), 2048)


def p95_s(values: np.ndarray) -> float:
    return float(np.percentile(values, 95))


@pytest.mark.parametrize("load", [0.3, 0.7, 0.95, 1.3])
@pytest.mark.parametrize("distribution", ["fixed", "exponential"])
@pytest.mark.parametrize("tightness", [0.8, 0.98, 1.02, 1.5])
def test_early_stop_agrees_with_the_full_run(
    load: float, distribution: str, tightness: float
) -> None:
    steps = batching_steps()
    rate = load * capacity_bound_rps(steps, 512, 128)
    traffic = Traffic(rate, 512, 128, length_distribution=distribution)  # type: ignore[arg-type]
    full = simulate(steps, traffic, 800, seed=11)
    # Limits around the full run's own p95s: some just below (a miss), some just above.
    limits = LatencyLimits(
        ttft_s=p95_s(full.ttft_s) * tightness,
        tpot_s=p95_s(full.tpot_s) * 1.5,
        e2e_s=p95_s(full.e2e_s) * 1.5,
    )
    early = simulate_unless_missing(steps, traffic, limits, 800, seed=11)
    misses = p95_s(full.ttft_s) > limits.ttft_s  # type: ignore[operator]
    if early is None:
        assert misses  # a stop is never wrong (a near miss may still run to the end)
    else:
        for field in dataclasses.fields(full):
            np.testing.assert_array_equal(getattr(early, field.name), getattr(full, field.name))


def test_a_clear_miss_stops_on_each_metric() -> None:
    steps = batching_steps()
    traffic = Traffic(0.9 * capacity_bound_rps(steps, 512, 128), 512, 128)
    full = simulate(steps, traffic, 800, seed=3)
    assert (
        simulate_unless_missing(
            steps, traffic, LatencyLimits(ttft_s=p95_s(full.ttft_s) / 2), 800, seed=3
        )
        is None
    )
    assert (
        simulate_unless_missing(
            steps, traffic, LatencyLimits(tpot_s=p95_s(full.tpot_s) / 2), 800, seed=3
        )
        is None
    )
    assert (
        simulate_unless_missing(
            steps, traffic, LatencyLimits(e2e_s=p95_s(full.e2e_s) / 2), 800, seed=3
        )
        is None
    )
