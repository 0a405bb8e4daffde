"""Serving curves: the shape a correct model gives, the interpolation, the unit arithmetic."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gpuatlas.performance.llm.serving_curve import (
    concurrency_levels,
    operating_point,
    serving_curve,
    tokens_per_joule,
    usd_per_million_tokens,
)
from gpuatlas.performance.predictions import Estimate


def exact(value: float, unit: str = "tok/s/GPU") -> Estimate:
    return Estimate(value, value * 0.8, value * 1.25, unit, "test", "v")


def test_levels_double_up_to_the_ceiling_and_include_it() -> None:
    assert concurrency_levels(1) == [1]
    assert concurrency_levels(8) == [1, 2, 4, 8]
    assert concurrency_levels(222) == [1, 2, 4, 8, 16, 32, 64, 128, 222]


@pytest.fixture(scope="module")
def h100_curve():  # type: ignore[no-untyped-def]
    return serving_curve(
        "h100-sxm", "llama-3.1-8b", "bf16", "vllm", input_tokens=1024, output_tokens=1024
    )


def test_more_streams_give_each_user_less_and_the_gpu_more(h100_curve) -> None:  # type: ignore[no-untyped-def]
    per_user = [p.per_user_tok_s.value for p in h100_curve.points]
    per_gpu = [p.per_gpu_tok_s.value for p in h100_curve.points]
    assert per_user == sorted(per_user, reverse=True)
    assert per_gpu == sorted(per_gpu)
    first = h100_curve.points[0]
    assert first.concurrency == 1
    assert first.per_user_tok_s.value == pytest.approx(first.per_gpu_tok_s.value)
    assert all(
        p.per_gpu_tok_s.low < p.per_gpu_tok_s.value < p.per_gpu_tok_s.high
        for p in h100_curve.points
    )


def test_operating_point_on_a_curve_point_is_that_point(h100_curve) -> None:  # type: ignore[no-untyped-def]
    point = h100_curve.points[3]
    found = operating_point(h100_curve, point.per_user_tok_s.value)
    assert found.reachable
    assert found.per_gpu_tok_s is not None
    assert found.per_gpu_tok_s.value == pytest.approx(point.per_gpu_tok_s.value)
    assert found.concurrency == pytest.approx(point.concurrency)


def test_interactivity_between_points_lies_between_their_throughputs(h100_curve) -> None:  # type: ignore[no-untyped-def]
    faster, slower = h100_curve.points[4], h100_curve.points[5]
    target = (faster.per_user_tok_s.value * slower.per_user_tok_s.value) ** 0.5
    found = operating_point(h100_curve, target)
    assert found.per_gpu_tok_s is not None
    assert faster.per_gpu_tok_s.value < found.per_gpu_tok_s.value < slower.per_gpu_tok_s.value


def test_faster_than_one_stream_is_unreachable_and_slow_targets_use_the_largest_batch(
    h100_curve,  # type: ignore[no-untyped-def]
) -> None:
    too_fast = operating_point(h100_curve, h100_curve.max_per_user_tok_s * 1.5)
    assert not too_fast.reachable and too_fast.per_gpu_tok_s is None
    slow = operating_point(h100_curve, 0.5)
    assert slow.per_gpu_tok_s is not None
    assert slow.per_gpu_tok_s.value == h100_curve.points[-1].per_gpu_tok_s.value


def test_cost_and_energy_arithmetic() -> None:
    cost = usd_per_million_tokens(exact(1000.0), usd_per_gpu_hour=2.0)
    assert cost.value == pytest.approx(2.0 / 3600 / 1000 * 1e6)  # $0.556 per 1M tokens
    assert cost.low < cost.value < cost.high  # a faster GPU (band high) is cheaper (band low)
    energy = tokens_per_joule(exact(1000.0), power_per_gpu_w=500.0)
    assert energy.value == pytest.approx(2.0) and energy.unit == "tok/J"


def test_h100_sustains_more_tokens_per_gpu_than_a100_at_50_tok_s_per_user() -> None:
    a100 = serving_curve("a100-80gb-sxm", "llama-3.1-8b", "bf16", "vllm")
    h100 = serving_curve("h100-sxm", "llama-3.1-8b", "bf16", "vllm")
    a, h = operating_point(a100, 50.0), operating_point(h100, 50.0)
    assert a.per_gpu_tok_s is not None and h.per_gpu_tok_s is not None
    # H100 has 1.64x the bandwidth and ~3x the dense tensor rate of the A100
    assert h.per_gpu_tok_s.value > 1.5 * a.per_gpu_tok_s.value


def test_cli_serving_curve_json_document() -> None:
    from gpuatlas.cli.main import app

    result = CliRunner().invoke(
        app,
        [
            "predict",
            "serving-curve",
            "h100-sxm",
            "llama-3.1-8b",
            "--interactivity",
            "20,50,500",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["schema_version"] == "gpuatlas.serving-curve/2"
    levels = {level["per_user_tok_s"]: level for level in document["at_interactivity"]}
    assert levels[500.0]["reachable"] is False and levels[500.0]["per_gpu_tok_s"] is None
    assert levels[20.0]["usd_per_million_tokens"]["value"] > 0
    assert document["price"]["provider"] and document["price"]["observed_date"]
    assert document["points"][0]["per_gpu_tok_s"]["calibration_version"]


def test_cli_rejects_bad_interactivity_with_a_clear_message() -> None:
    from gpuatlas.cli.main import app

    result = CliRunner().invoke(
        app, ["predict", "serving-curve", "h100-sxm", "llama-3.1-8b", "--interactivity", "fast"]
    )
    assert result.exit_code == 2
    assert "--interactivity" in result.output
